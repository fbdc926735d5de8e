"""Every user-facing message has a Russian translation, and the API answers in the asked language."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

from zabota.i18n import catalog, gettext, negotiate

ROOT = Path(__file__).resolve().parents[1]
# "_" is how templates translate: their strings are checked too.
KEYWORDS = dict.fromkeys(
    (
        "_",
        "DomainError",
        "NotFound",
        "Conflict",
        "Forbidden",
        "Unauthorized",
        "TooLarge",
        "UnsupportedType",
        "TooManyAttempts",
        "N_",
        "gettext",
    )
)


def _msgids() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "zabota"),
        method_map=[("**.py", "python"), ("web/templates/**.html", "jinja2")],
        keywords=KEYWORDS,
    ):
        text = message if isinstance(message, str) else message[0]
        if text:
            found.add(text)
    return found


def test_every_message_in_the_code_has_a_russian_translation():
    messages = _msgids()
    assert len(messages) > 60
    ru = catalog("ru")
    assert ru is not None
    untranslated = sorted(m for m in messages if not ru.get(m) or not ru.get(m).string)
    assert untranslated == [], "run `make i18n` and translate these"


def test_translations_keep_their_placeholders():
    ru = catalog("ru")
    for message in ru:
        if message.id:
            assert set(re.findall(r"\{(\w+)\}", message.id)) == set(re.findall(r"\{(\w+)\}", message.string)), (
                message.id
            )


def test_language_negotiation():
    assert negotiate("ru-RU,ru;q=0.9,en;q=0.8", "en") == "ru"
    assert negotiate("de-DE, en;q=0.5", "ru") == "en"
    assert negotiate("fr", "ru") == "ru"
    assert negotiate(None, "en") == "en"
    assert negotiate("en;q=0.1, ru;q=0.9", "en") == "ru"
    assert gettext("Not found", "ru") == "Не найдено"
    assert gettext("Not found", "en") == "Not found"


def test_api_errors_follow_accept_language(client, make_user, token_for):
    headers = token_for(make_user("operator"))
    ru = client.get("/api/v1/conversations/77", headers={**headers, "Accept-Language": "ru"}).json()
    assert ru["title"] == "Не найдено"
    assert ru["detail"] == "Диалог 77 не найден."
    en = client.get("/api/v1/conversations/77", headers={**headers, "Accept-Language": "en-GB"}).json()
    assert en["detail"] == "Conversation 77 does not exist."
    missing = client.post(
        "/api/v1/conversations/77/notes", json={}, headers={**headers, "Accept-Language": "ru"}
    ).json()
    assert missing["title"] == "Некорректный запрос"
    assert missing["errors"] == [{"field": "text", "message": "Обязательное поле."}]
    invalid = client.post("/api/v1/customers", json={"emial": "x"}, headers={**headers, "Accept-Language": "ru"}).json()
    assert invalid["errors"][0]["message"] == "Неизвестное поле."

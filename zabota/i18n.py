"""Russian and English through Babel catalogs.

Messages are written in English in the code and are the msgids; `zabota/locale/<lang>/LC_MESSAGES/
messages.po` holds the translations. Catalogs are read from the .po files directly, so a checkout
needs no compile step. `make i18n` re-extracts the msgids (pybabel) and merges them into the
catalogs; a test fails when a msgid has no Russian translation.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("ru", "en")
DOMAIN = "messages"


def N_(message: str) -> str:  # noqa: N802  (the conventional gettext marker name)
    """Marks a string for extraction where it is translated later, by `gettext`."""
    return message


@lru_cache(maxsize=len(LANGUAGES))
def catalog(language: str) -> Catalog | None:
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return None
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def gettext(message: str, language: str) -> str:
    """The translation of `message` into `language`, or the message itself."""
    if language == "en":
        return message
    current = catalog(language)
    if current is None:
        return message
    entry = current.get(message)
    if entry is None or not entry.string or entry.fuzzy:
        return message
    return str(entry.string)


def negotiate(accept_language: str | None, default: str) -> str:
    """Pick ru or en from an Accept-Language header, honouring q-values."""
    if not accept_language:
        return default
    choices: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = tag.strip().lower().split("-")[0]
        if language in LANGUAGES and quality > 0:
            choices.append((quality, language))
    if not choices:
        return default
    return max(choices, key=lambda c: c[0])[1]

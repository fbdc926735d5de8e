"""The public portal at /help: no sign-in, Russian and English, search, and the feedback form."""

from __future__ import annotations

import re

from sqlalchemy import select

from zabota.helpcenter.models import HelpFeedback


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the feedback form carries its token"
    return found.group(1)


def test_pages_render_in_russian_and_english(client, demo_help):
    home = client.get("/help", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert home.status_code == 200
    assert "Чем мы можем помочь?" in home.text and "Возврат и обмен" in home.text
    english = client.get("/help?lang=en")
    assert "How can we help?" in english.text and "Returns and exchanges" in english.text
    assert english.cookies.get("zabota_help_lang") == "en"
    # The remembered language wins over Accept-Language from now on.
    category = client.get("/help/categories/returns", headers={"Accept-Language": "ru"})
    assert category.status_code == 200 and "Refunds" in category.text
    article = client.get("/help/articles/refund?lang=ru")
    assert "<h1>Возврат денежных средств</h1>" in article.text
    assert "<li>на банковскую карту — за 3–10 рабочих дней" in article.text  # Markdown rendered
    assert "Была ли статья полезной?" in article.text
    results = client.get("/help/search", params={"q": "вернуть деньги"})
    assert results.status_code == 200
    assert results.text.index("/help/articles/refund") < results.text.index("/help/articles/cancel-an-order")
    assert "Ничего не найдено" in client.get("/help/search", params={"q": "квантовый телепорт"}).text
    for missing in ("/help/articles/nope", "/help/categories/nope"):
        page = client.get(missing)
        assert page.status_code == 404 and "Страница не найдена" in page.text


def test_drafts_are_not_shown(client, small_help):
    assert client.get("/help/articles/drone-delivery").status_code == 404
    assert "drone-delivery" not in client.get("/help/categories/delivery").text
    assert "drone-delivery" not in client.get("/help/search", params={"q": "дроны"}).text


def test_feedback_form_records_an_answer_and_thanks(client, db, small_help):
    page = client.get("/help/articles/late-order?lang=en")
    token = _csrf(page.text)
    answer = client.post(
        "/help/articles/late-order/feedback",
        data={"helpful": "no", "reason": "The courier's phone is missing", "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/help/articles/late-order?feedback=thanks#feedback"
    assert "Thank you for your feedback!" in client.get(answer.headers["location"]).text
    with db.transaction() as session:
        rows = session.scalars(select(HelpFeedback)).all()
        assert [(r.helpful, r.reason, r.language) for r in rows] == [(False, "The courier's phone is missing", "en")]


def test_feedback_without_the_csrf_token_is_refused(client, db, small_help):
    token = _csrf(client.get("/help/articles/late-order").text)
    missing = client.post("/help/articles/late-order/feedback", data={"helpful": "yes"})
    assert missing.status_code == 403
    wrong = client.post("/help/articles/late-order/feedback", data={"helpful": "yes", "csrf_token": token + "x"})
    assert wrong.status_code == 403
    client.cookies.clear()  # a cross-site form has the field but not our cookie
    no_cookie = client.post("/help/articles/late-order/feedback", data={"helpful": "yes", "csrf_token": token})
    assert no_cookie.status_code == 403
    assert "The form expired" in no_cookie.text or "Форма устарела" in no_cookie.text
    token = _csrf(client.get("/help/articles/late-order").text)
    bad = client.post("/help/articles/late-order/feedback", data={"helpful": "maybe", "csrf_token": token})
    assert bad.status_code == 400
    too_long = client.post(
        "/help/articles/late-order/feedback", data={"helpful": "no", "reason": "x" * 2001, "csrf_token": token}
    )
    assert too_long.status_code == 400
    draft = client.post("/help/articles/drone-delivery/feedback", data={"helpful": "yes", "csrf_token": token})
    assert draft.status_code == 404
    with db.transaction() as session:
        assert session.scalars(select(HelpFeedback)).all() == []


def test_feedback_is_rate_limited(client, db, small_help):
    from zabota.api.ratelimit import ActionLimiter

    client.app.state.help_feedback_limiter = ActionLimiter("help-feedback", "2/minute", None)
    token = _csrf(client.get("/help/articles/late-order").text)
    form = {"helpful": "yes", "csrf_token": token}
    url = "/help/articles/late-order/feedback"
    statuses = [client.post(url, data=form, follow_redirects=False).status_code for _ in range(3)]
    assert statuses == [303, 303, 429]
    assert client.post("/api/v1/help/articles/late-order/feedback", json={"helpful": True}).status_code == 429
    with db.transaction() as session:
        assert len(session.scalars(select(HelpFeedback)).all()) == 2

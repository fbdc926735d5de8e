"""/api/v1/help: public reading, search and feedback; authoring for the roles that may."""

from __future__ import annotations

from sqlalchemy import func, select

from zabota.helpcenter.models import HelpFeedback

PROBLEM = "application/problem+json"


def _article_body(category_id: int, slug: str = "pickup-hours", **extra):
    return {
        "slug": slug,
        "category_id": category_id,
        "versions": {
            "ru": {"title": "Часы работы пунктов выдачи", "body": "Пункты выдачи работают с **10** до 22."},
            "en": {"title": "Pickup point hours", "body": "Pickup points are open from 10 am to 10 pm."},
        },
        **extra,
    }


def test_author_publish_read_search_and_delete(client, make_user, token_for):
    marketer = token_for(make_user("marketer"))
    created = client.post(
        "/api/v1/help/manage/categories",
        json={"slug": "pickup", "title_ru": "Самовывоз", "title_en": "Pickup"},
        headers=marketer,
    )
    assert created.status_code == 201, created.text
    category_id = created.json()["id"]
    response = client.post("/api/v1/help/manage/articles", json=_article_body(category_id), headers=marketer)
    assert response.status_code == 201, response.text
    article = response.json()
    assert article["status"] == "draft"
    assert {v["language"]: v["body_html"] for v in article["versions"]}["ru"] == (
        "<p>Пункты выдачи работают с <strong>10</strong> до 22.</p>\n"
    )
    # A draft is invisible to the public.
    assert client.get("/api/v1/help/articles/pickup-hours").status_code == 404
    assert client.get("/api/v1/help/search", params={"q": "часы работы"}).json() == []
    assert client.get("/api/v1/help/categories").json()[0]["articles"] == 0
    assert client.get("/api/v1/help/manage/categories", headers=marketer).json()[0]["articles"] == 1

    published = client.post(f"/api/v1/help/manage/articles/{article['id']}/publish", headers=marketer)
    assert published.json()["status"] == "published" and published.json()["published_at"]
    public = client.get("/api/v1/help/articles/pickup-hours")
    assert public.status_code == 200 and public.json()["id"] == article["id"]
    assert [a["slug"] for a in client.get("/api/v1/help/articles", params={"category": "pickup"}).json()] == [
        "pickup-hours"
    ]
    hits = client.get("/api/v1/help/search", params={"q": "когда работает пункт выдачи", "language": "en"}).json()
    assert hits[0]["slug"] == "pickup-hours"
    assert hits[0]["title"] == "Pickup point hours" and hits[0]["snippet"].startswith("Pickup points are open")

    changed = client.patch(
        f"/api/v1/help/manage/articles/{article['id']}",
        json={"versions": {"en": {"title": "Opening hours", "body": "Open around the clock."}}},
        headers=marketer,
    )
    assert changed.status_code == 200, changed.text
    hits = client.get("/api/v1/help/search", params={"q": "around the clock", "language": "en"}).json()
    assert [h["slug"] for h in hits] == ["pickup-hours"]

    refused = client.delete(f"/api/v1/help/manage/categories/{category_id}", headers=marketer)
    assert refused.status_code == 409 and refused.headers["content-type"].startswith(PROBLEM)
    assert client.delete(f"/api/v1/help/manage/articles/{article['id']}", headers=marketer).status_code == 204
    assert client.delete(f"/api/v1/help/manage/categories/{category_id}", headers=marketer).status_code == 204
    assert client.get("/api/v1/help/articles/pickup-hours").status_code == 404


def test_operators_cannot_author_and_anonymous_cannot_see_drafts(client, make_user, token_for, small_help):
    operator = token_for(make_user("operator"))
    response = client.post("/api/v1/help/manage/articles", json=_article_body(small_help["category"]), headers=operator)
    assert response.status_code == 403
    assert client.get("/api/v1/help/manage/articles").status_code == 401
    slugs = [a["slug"] for a in client.get("/api/v1/help/articles").json()]
    assert slugs == ["late-order"]
    everything = client.get("/api/v1/help/manage/articles", headers=token_for(make_user("supervisor"))).json()
    assert {a["slug"] for a in everything} == {"late-order", "drone-delivery"}


def test_public_feedback_and_stats(client, db, make_user, token_for, small_help):
    url = "/api/v1/help/articles/late-order/feedback"
    assert client.post(url, json={"helpful": True, "language": "en"}).status_code == 201
    answer = client.post(url, json={"helpful": False, "reason": "Нет телефона курьера"})
    assert answer.status_code == 201 and answer.json()["reason"] == "Нет телефона курьера"
    assert client.post("/api/v1/help/articles/drone-delivery/feedback", json={"helpful": True}).status_code == 404
    admin = token_for(make_user("admin"))
    stats = {s["slug"]: s for s in client.get("/api/v1/help/manage/feedback-stats", headers=admin).json()}
    assert (stats["late-order"]["helpful_yes"], stats["late-order"]["helpful_no"]) == (1, 1)
    assert stats["late-order"]["helpful_share"] == 0.5
    recent = client.get(f"/api/v1/help/manage/articles/{small_help['published']}/feedback", headers=admin).json()
    assert [r["reason"] for r in recent] == ["Нет телефона курьера", None]


def test_bad_input_is_a_problem_not_a_crash(client, db, make_user, token_for, small_help):
    editor = token_for(make_user("supervisor"))
    article = _article_body(small_help["category"])
    cases = [
        ("post", "/api/v1/help/manage/categories", {"slug": "Доставка!", "title_ru": "a", "title_en": "b"}, 422),
        ("post", "/api/v1/help/manage/categories", {"slug": "delivery", "title_ru": "a", "title_en": "b"}, 409),
        ("post", "/api/v1/help/manage/articles", _article_body(small_help["category"], slug="late-order"), 409),
        ("post", "/api/v1/help/manage/articles", _article_body(999), 404),
        ("post", "/api/v1/help/manage/articles", {**article, "versions": {}}, 422),
        ("post", "/api/v1/help/manage/articles", {**article, "versions": {"de": {}}}, 422),
        ("patch", f"/api/v1/help/manage/articles/{small_help['draft']}", {"remove_languages": ["ru"]}, 400),
        ("patch", "/api/v1/help/manage/articles/999", {"position": 1}, 404),
        ("post", "/api/v1/help/manage/articles/999/publish", None, 404),
        ("get", "/api/v1/help/manage/articles?status=archived", None, 422),
        ("post", "/api/v1/help/manage/categories", {"slug": "x", "title_ru": " ", "title_en": "b"}, 422),
    ]  # fmt: skip
    for method, url, body, status in cases:
        response = client.request(method, url, json=body, headers=editor)
        assert response.status_code == status, (url, body, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
    public = [
        ("get", "/api/v1/help/search", None),
        ("get", "/api/v1/help/search?q=" + "я" * 301, None),
        ("get", "/api/v1/help/search?q=x&limit=0", None),
        ("post", "/api/v1/help/articles/late-order/feedback", {"helpful": "maybe"}),
        ("post", "/api/v1/help/articles/late-order/feedback", {"helpful": True, "reason": "x" * 2001}),
        ("post", "/api/v1/help/articles/late-order/feedback", {"helpful": True, "customer_id": 12345}),
    ]
    for method, url, body in public:
        response = client.request(method, url, json=body)
        assert 400 <= response.status_code < 500, (url, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(HelpFeedback)) == 0

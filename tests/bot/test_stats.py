"""The bot's numbers: the query and GET /api/v1/bot/stats with its roles."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.bot.test_bot import bot_inbox
from tests.sla.helpers import push
from zabota.bot import actions as bot
from zabota.conversations.models import Conversation
from zabota.db import clock_at, utcnow
from zabota.events.actions import Actor
from zabota.helpcenter.actions import record_feedback
from zabota.helpcenter.models import HelpArticle
from zabota.jobs import run_until_idle


def test_stats_count_answers_hand_offs_resolutions_and_helpfulness(db, demo_help, client, make_user, token_for):
    start = utcnow()
    box = bot_inbox(db)
    helped = push(db, box, "a", who="c-1", text="подарочный сертификат")  # answered, then confirmed: resolved
    asked = push(db, box, "b", who="c-2", text="позовите человека")  # customer_request
    unknown = push(db, box, "c", who="c-3", text="какая завтра погода")  # low_confidence
    twice = push(db, box, "d", who="c-4", text="как списать бонусы")  # answered, then not helpful
    run_until_idle(db)
    with db.transaction() as session:
        for result, helpful in ((helped, True), (twice, False)):
            row = session.get_one(Conversation, result.conversation.id)
            assert bot.confirm_answer(session, row, helpful=helpful, actor=Actor("customer", row.customer_id))
        gift_cards = session.scalar(select(HelpArticle).where(HelpArticle.slug == "gift-cards"))
        assert gift_cards is not None
        record_feedback(session, gift_cards, helpful=True, language="ru")  # from the portal
        gift_cards_id = gift_cards.id
    with clock_at(utcnow() + timedelta(hours=25)):
        run_until_idle(db)
    assert unknown.conversation.id and asked.conversation.id

    analyst = token_for(make_user("analyst"))
    until = (utcnow() + timedelta(days=2)).isoformat()
    response = client.get("/api/v1/bot/stats", params={"since": start.isoformat(), "until": until}, headers=analyst)
    assert response.status_code == 200, response.text
    stats = response.json()
    assert stats["conversations"] == 4
    assert stats["answered"] == 2
    assert stats["handed_off_by_reason"] == {"customer_request": 2, "low_confidence": 1, "limit": 0, "operator": 0}
    assert stats["handed_off"] == 3 and stats["handoff_rate"] == 0.75
    assert stats["resolved"] == 1 and stats["resolved_rate"] == 0.25
    by_slug = {a["slug"]: a for a in stats["articles"]}
    assert by_slug["gift-cards"] == {
        "article_id": gift_cards_id, "slug": "gift-cards", "answers": 1, "helpful_yes": 2, "helpful_no": 0,
        "helpful_share": 1.0,
    }  # fmt: skip
    assert by_slug["spend-points"]["answers"] == 1 and by_slug["spend-points"]["helpful_no"] == 1

    # A period before any of it: all zero, rates undefined.
    empty = client.get(
        "/api/v1/bot/stats", params={"until": start.isoformat()}, headers=analyst
    ).json()  # default: the 30 days before
    assert (empty["conversations"], empty["answered"], empty["handoff_rate"], empty["articles"]) == (0, 0, None, [])


def test_stats_roles_and_bad_periods(client, make_user, token_for):
    for role, status in (("analyst", 200), ("supervisor", 200), ("admin", 200), ("operator", 403), ("marketer", 403)):
        assert client.get("/api/v1/bot/stats", headers=token_for(make_user(role))).status_code == status, role
    assert client.get("/api/v1/bot/stats").status_code == 401
    headers = token_for(make_user("analyst"))
    backwards = client.get(
        "/api/v1/bot/stats", params={"since": "2026-02-01T00:00:00+00:00", "until": "2026-01-01T00:00:00+00:00"},
        headers=headers,
    )  # fmt: skip
    assert backwards.status_code == 422 or backwards.status_code == 400
    naive = client.get("/api/v1/bot/stats", params={"since": "2026-01-01T00:00:00"}, headers=headers)
    assert naive.status_code in (400, 422)

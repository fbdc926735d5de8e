"""The conversations API leaves the bot's conversations out of the human queue unless asked."""

from __future__ import annotations

from tests.bot.test_bot import bot_inbox
from tests.sla.helpers import inbox, push


def test_the_bot_filter_of_the_conversations_api(client, db, demo_help, make_user, token_for):
    headers = token_for(make_user("supervisor"))
    with_bot = push(db, bot_inbox(db), "b-1", who="c-bot", text="Как вернуть деньги за заказ?").conversation.id
    with_people = push(db, inbox(db), "p-1", who="c-people").conversation.id

    def listed(**params: str) -> list[int]:
        response = client.get("/api/v1/conversations", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()["items"]]

    assert listed() == [with_people]
    assert listed(bot="only") == [with_bot]
    assert sorted(listed(bot="include")) == sorted([with_bot, with_people])
    assert client.get("/api/v1/conversations", params={"bot": "maybe"}, headers=headers).status_code == 422
    one = client.get(f"/api/v1/conversations/{with_bot}", headers=headers).json()
    assert one["bot_state"] == "active"

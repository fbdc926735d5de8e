"""Unread: a conversation is new to an operator while the customer wrote after their last look."""

from __future__ import annotations

from datetime import timedelta

from tests.sla.helpers import inbox, push
from tests.web.builders import sign_in_client
from zabota.conversations.actions import mark_read
from zabota.conversations.models import Conversation
from zabota.conversations.queries import unread_ids
from zabota.db import clock_at, utcnow


def _unread(db, user, conversation_id: int) -> bool:
    with db.reading() as session:
        return conversation_id in unread_ids(session, user, [session.get_one(Conversation, conversation_id)])


def test_unread_follows_the_customer_and_each_operator_separately(db, make_user):
    anna, boris = make_user("operator"), make_user("operator")
    inbox_id = inbox(db)
    conversation_id = push(db, inbox_id, "m-1").conversation.id
    assert _unread(db, anna, conversation_id) and _unread(db, boris, conversation_id)

    with db.transaction() as session:
        mark_read(session, anna, session.get_one(Conversation, conversation_id))
    assert not _unread(db, anna, conversation_id)
    assert _unread(db, boris, conversation_id)  # Boris has not looked

    with clock_at(utcnow() + timedelta(seconds=5)):
        push(db, inbox_id, "m-2")
    assert _unread(db, anna, conversation_id)  # the customer wrote again


def test_the_list_marks_new_conversations_until_the_operator_opens_them(client, db, make_user):
    anna = make_user("operator")
    conversation_id = push(db, inbox(db), "m-1").conversation.id
    sign_in_client(client, anna.email)
    row = f'data-id="{conversation_id}"'
    listing = client.get("/inbox/list?view=all").text
    assert "unread" in listing.split(row)[0].rsplit("<li", 1)[1]
    assert (
        client.get(
            f"/inbox/c/{conversation_id}", headers={"HX-Request": "true", "HX-Target": "conversation"}
        ).status_code
        == 200
    )
    listing = client.get("/inbox/list?view=all").text
    assert "unread" not in listing.split(row)[0].rsplit("<li", 1)[1]

"""Inbound messages: idempotency, routing to conversations, identity across channels."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.sla.helpers import push
from zabota.channels.actions import create_inbox
from zabota.conversations.actions import InboundMessage, ingest_inbound_message, set_status
from zabota.conversations.models import Conversation, Message
from zabota.customers.models import Customer
from zabota.db import Database, clock_at, utcnow
from zabota.events.actions import Actor
from zabota.events.models import DomainEvent


def _inbox(db: Database, name: str = "Shop") -> int:
    with db.transaction() as session:
        return create_inbox(session, Actor.system(), channel_type="api", name=name).inbox.id


def _push(
    db: Database, inbox_id: int, external_id: str | None, who: str = "u-1", text: str = "Здравствуйте", **profile: str
):
    return push(db, inbox_id, external_id, who, text, **profile)


def _count(db: Database, model: type) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_first_message_creates_customer_conversation_and_events(db):
    inbox_id = _inbox(db)
    result = _push(db, inbox_id, "m1", name="Анна Петрова", email="Anna@Example.ru")
    assert result.created
    with db.transaction() as session:
        conversation = session.get(Conversation, result.conversation.id)
        customer = session.get(Customer, conversation.customer_id)
        assert customer.name == "Анна Петрова"
        assert customer.email == "anna@example.ru"
        assert {(i.channel, i.external_id) for i in customer.identities} == {
            (f"api:{inbox_id}", "u-1"),
            ("email", "anna@example.ru"),
        }
        assert conversation.status == "open"
        assert conversation.awaiting_reply_since is not None
        assert conversation.first_customer_message_at == conversation.awaiting_reply_since
        assert conversation.message_count == 1
        types = list(session.scalars(select(DomainEvent.type).order_by(DomainEvent.id)))
    assert "conversation.created" in types and "message.created" in types and "customer.created" in types


def test_same_external_id_twice_stores_one_message(db):
    inbox_id = _inbox(db)
    first = _push(db, inbox_id, "dup-1", text="one")
    second = _push(db, inbox_id, "dup-1", text="one (redelivered)")
    assert first.created and not second.created
    assert second.message.id == first.message.id
    assert _count(db, Message) == 1
    with db.transaction() as session:
        assert session.get(Conversation, first.conversation.id).message_count == 1


def test_same_external_id_on_two_inboxes_is_two_messages(db):
    a, b = _inbox(db, "A"), _inbox(db, "B")
    _push(db, a, "42")
    _push(db, b, "42")
    assert _count(db, Message) == 2


def test_same_external_id_from_concurrent_connections_is_one_message(db):
    inbox_id = _inbox(db)
    workers = 8
    barrier = threading.Barrier(workers)
    results: list[bool] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            barrier.wait()
            results.append(_push(db, inbox_id, "race-1", who="racer", name="Racer").created)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == [False] * (workers - 1) + [True]
    assert _count(db, Message) == 1
    assert _count(db, Customer) == 1
    assert _count(db, Conversation) == 1


def test_new_customer_writing_twice_at_once_gets_one_conversation(db):
    inbox_id = _inbox(db)
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def deliver(n: int) -> None:
        try:
            barrier.wait()
            _push(db, inbox_id, f"burst-{n}", who="newcomer")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _count(db, Message) == 6
    assert _count(db, Customer) == 1
    assert _count(db, Conversation) == 1


def test_follow_up_goes_to_the_open_conversation(db):
    inbox_id = _inbox(db)
    first = _push(db, inbox_id, "a")
    second = _push(db, inbox_id, "b", text="ещё вопрос")
    assert second.conversation.id == first.conversation.id
    assert _count(db, Conversation) == 1


def test_message_after_resolution_reopens_within_window_and_starts_new_cycle(db):
    inbox_id = _inbox(db)
    first = _push(db, inbox_id, "a")
    with db.transaction() as session:
        set_status(session, Actor.system(), session.get(Conversation, first.conversation.id), "resolved")
    second = _push(db, inbox_id, "b")
    assert second.conversation.id == first.conversation.id
    with db.transaction() as session:
        conversation = session.get(Conversation, first.conversation.id)
        assert conversation.status == "open"
        assert conversation.reopened_count == 1
        assert conversation.resolved_at is None
        assert conversation.cycle_first_customer_message_at > conversation.first_customer_message_at


def test_message_long_after_resolution_opens_a_new_conversation(db):
    inbox_id = _inbox(db)
    with clock_at(utcnow() - timedelta(days=30)):
        first = _push(db, inbox_id, "a")
        with db.transaction() as session:
            set_status(session, Actor.system(), session.get(Conversation, first.conversation.id), "resolved")
    second = _push(db, inbox_id, "b")
    assert second.conversation.id != first.conversation.id
    assert second.conversation.customer_id == first.conversation.customer_id


def test_customer_message_wakes_pending_conversation(db):
    inbox_id = _inbox(db)
    first = _push(db, inbox_id, "a")
    with db.transaction() as session:
        set_status(session, Actor.system(), session.get(Conversation, first.conversation.id), "pending")
    _push(db, inbox_id, "b")
    with db.transaction() as session:
        assert session.get(Conversation, first.conversation.id).status == "open"


def test_known_email_on_another_inbox_joins_the_same_customer(db):
    shop, app = _inbox(db, "Shop"), _inbox(db, "App")
    a = _push(db, shop, "s1", who="shop-7", email="ivan@example.ru")
    b = _push(db, app, "p1", who="app-99", email="IVAN@example.ru")
    assert a.conversation.customer_id == b.conversation.customer_id
    assert a.conversation.id != b.conversation.id  # one conversation per inbox
    assert _count(db, Customer) == 1


def test_html_is_sanitized_and_gives_text(db):
    from zabota.channels.models import Inbox

    inbox_id = _inbox(db)
    with db.transaction() as session:
        inbox = session.get(Inbox, inbox_id)
        result = ingest_inbound_message(
            session,
            inbox,
            InboundMessage(
                identity_channel=f"api:{inbox_id}",
                identity_id="x",
                html='<p onclick="steal()">Привет <script>alert(1)</script><a href="javascript:x">link</a></p>',
                external_id="h1",
            ),
        )
        assert "script" not in result.message.html
        assert "onclick" not in result.message.html
        assert "javascript:" not in result.message.html
        assert result.message.text.startswith("Привет")


def test_empty_message_is_refused(db):
    from zabota.errors import DomainError

    inbox_id = _inbox(db)
    with pytest.raises(DomainError):
        _push(db, inbox_id, "e", text="   ")
    assert _count(db, Message) == 0

"""Many inbound messages in one transaction (group commit) end exactly as one by one would."""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select, text

from tests.sla.helpers import push
from zabota.channels.actions import InboxRef, create_inbox
from zabota.conversations.actions import InboundMessage, ingest_inbound_message, ingest_inbound_messages, set_status
from zabota.conversations.group_commit import InboundBatcher
from zabota.conversations.models import Conversation, Message
from zabota.customers.actions import CustomerProfile
from zabota.customers.models import Customer, CustomerIdentity
from zabota.db import Database, clock_at, utcnow
from zabota.errors import DomainError
from zabota.events.actions import Actor
from zabota.events.models import DomainEvent


def _fallbacks() -> float:
    """Batches stored one by one so far, as /metrics reports them."""
    return REGISTRY.get_sample_value("zabota_ingest_batch_fallbacks_total") or 0.0


def _batches() -> float:
    """Group-commit transactions so far, as /metrics reports them."""
    return REGISTRY.get_sample_value("zabota_ingest_batch_messages_count") or 0.0


def _inbox(db: Database, name: str) -> InboxRef:
    with db.transaction() as session:
        return InboxRef.of(create_inbox(session, Actor.system(), channel_type="api", name=name).inbox)


def _message(inbox: InboxRef, who: str, external_id: str | None, text: str = "", **extra: Any) -> InboundMessage:
    profile = CustomerProfile(**extra.pop("profile", {}))
    return InboundMessage(
        identity_channel=f"api:{inbox.id}",
        identity_id=who,
        text=text,
        external_id=external_id,
        profile=profile,
        **extra,
    )


def _resolve(db: Database, conversation_id: int) -> None:
    with db.transaction() as session:
        set_status(session, Actor.system(), session.get(Conversation, conversation_id), "resolved")


def _prepare(db: Database, inbox: InboxRef) -> None:
    """Customers in every state a new message can meet, built with the one-message path."""
    push(db, inbox.id, "before-open", who="open-1", text="первый вопрос")
    pending = push(db, inbox.id, "before-pending", who="pending-1", text="жду ответа")
    with db.transaction() as session:
        set_status(session, Actor.system(), session.get(Conversation, pending.conversation.id), "pending")
    _resolve(db, push(db, inbox.id, "before-recent", who="resolved-recent", text="спасибо").conversation.id)
    with clock_at(utcnow() - timedelta(days=30)):
        _resolve(db, push(db, inbox.id, "before-old", who="resolved-old", text="давно").conversation.id)


def _scenario(inbox: InboxRef, tag: str) -> list[InboundMessage]:
    return [
        _message(inbox, "open-1", "b1", "где мой заказ?", profile={"name": "Ольга", "email": f"olga-{tag}@example.ru"}),
        _message(inbox, "new-1", "b2", "здравствуйте", profile={"name": "Новый клиент"}),
        _message(inbox, "pending-1", "b3", "ответ на ваш вопрос"),
        _message(inbox, "open-1", "b4", "номер 123"),
        _message(inbox, "resolved-recent", "b5", "ещё вопрос"),
        _message(inbox, "resolved-old", "b6", "снова я"),
        _message(inbox, "open-1", "before-open", "первый вопрос (повтор)"),
        _message(inbox, "open-1", "b1", "где мой заказ? (повтор)"),
        _message(inbox, "new-1", "b7", "ау"),
        _message(inbox, "open-1", "b8", html='<p onclick="x()">жирный <script>alert(1)</script>ответ</p>'),
        _message(inbox, "pending-1", None, "без номера"),
        _message(inbox, "resolved-recent", "b9", "и последнее"),
        _message(inbox, "new-2", "b10", "я Пётр", profile={"name": "Пётр", "email": f"petr-{tag}@example.ru"}),
        _message(inbox, "new-2", "b11", "ещё раз"),
        _message(inbox, "new-1", "b12", "и ещё", profile={"name": "Другое имя"}),
    ]


def _snapshot(db: Database, inbox: InboxRef, results: list[Any], since_event: int, tag: str) -> dict[str, Any]:
    """The inbox's state with ids replaced by who and in which order, comparable across inboxes."""
    with db.transaction() as session:
        who = {
            i.customer_id: i.external_id
            for i in session.scalars(select(CustomerIdentity).where(CustomerIdentity.channel == f"api:{inbox.id}"))
        }
        conversations = list(
            session.scalars(select(Conversation).where(Conversation.inbox_id == inbox.id).order_by(Conversation.id))
        )
        # Per customer: across customers, the order of creation may differ (first contacts go last).
        seen: Counter[str] = Counter()
        ordinal = {}
        for c in conversations:
            ordinal[c.id] = (who[c.customer_id], seen[who[c.customer_id]])
            seen[who[c.customer_id]] += 1
        state = {
            ordinal[c.id]: {
                "status": c.status,
                "message_count": c.message_count,
                "reopened_count": c.reopened_count,
                "preview": c.last_message_preview,
                "waiting": c.awaiting_reply_since is not None,
                "resolved": c.resolved_at is not None,
                "messages": list(
                    session.scalars(select(Message.text).where(Message.conversation_id == c.id).order_by(Message.id))
                ),
            }
            for c in conversations
        }
        customers = {
            name: (customer.name, (customer.email or "").replace(tag, "*"))
            for customer_id, name in who.items()
            if (customer := session.get(Customer, customer_id)) is not None
        }
        events = Counter(
            session.scalars(
                select(DomainEvent.type).where(
                    DomainEvent.id > since_event,
                    (DomainEvent.conversation_id.in_(list(ordinal))) | (DomainEvent.subject_type == "customer"),
                )
            )
        )
        answers = [(r.created, r.message.text, ordinal[r.conversation.id]) for r in results]
    return {"conversations": state, "customers": customers, "events": events, "answers": answers}


def _last_event_id(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.max(DomainEvent.id))) or 0


def test_a_batch_ends_exactly_as_the_same_messages_one_by_one(db):
    one_by_one, batched = _inbox(db, "One by one"), _inbox(db, "Batched")
    for inbox in (one_by_one, batched):
        _prepare(db, inbox)

    since = _last_event_id(db)
    single_results = []
    for message in _scenario(one_by_one, "run1"):
        with db.transaction() as session:
            single_results.append(ingest_inbound_message(session, one_by_one, message))
    expected = _snapshot(db, one_by_one, single_results, since, "run1")

    since = _last_event_id(db)
    with db.transaction() as session:
        batch_results = ingest_inbound_messages(session, batched, _scenario(batched, "run2"))
    assert _snapshot(db, batched, batch_results, since, "run2") == expected

    # The scenario does reach every case it is meant to (a guard against a vacuous comparison).
    answers = expected["answers"]
    assert [created for created, _, _ in answers].count(False) == 2
    state = expected["conversations"]
    assert state[answers[4][2]]["reopened_count"] == 1  # resolved a moment ago: reopened
    assert state[answers[5][2]]["messages"] == ["снова я"]  # resolved a month ago: a new conversation
    assert state[answers[2][2]]["status"] == "open"  # pending: woken
    assert "script" not in state[answers[9][2]]["messages"][-2]
    assert expected["customers"]["open-1"] == ("Ольга", "olga-*@example.ru")
    assert expected["customers"]["new-1"] == ("Новый клиент", "")  # the first message's profile
    assert expected["customers"]["new-2"] == ("Пётр", "petr-*@example.ru")
    assert expected["events"]["customer.created"] == 2
    assert state[answers[12][2]]["messages"] == ["я Пётр", "ещё раз"]


def test_a_batch_holding_a_bad_message_is_stored_one_by_one_and_only_that_one_is_refused(db):
    inbox = _inbox(db, "Shop")
    push(db, inbox.id, "seed", who="known")
    batcher = InboundBatcher(db, max_in_flight=1)
    messages = [
        _message(inbox, "known", "m1", "первое"),
        _message(inbox, "newcomer", "m2", "второе"),
        _message(inbox, "known", "m3", "   "),  # empty: refused
        _message(inbox, "known", "m4", "четвёртое"),
    ]
    fallbacks = _fallbacks()

    async def send_together() -> list[Any]:
        return await asyncio.gather(*(batcher.ingest(inbox, m) for m in messages), return_exceptions=True)

    outcomes = asyncio.run(send_together())
    assert _fallbacks() == fallbacks + 1  # the four went as one batch, then alone
    assert isinstance(outcomes[2], DomainError) and outcomes[2].code == "empty_message"
    stored = [o for n, o in enumerate(outcomes) if n != 2]
    assert all(o.created for o in stored)
    with db.transaction() as session:
        texts = list(session.scalars(select(Message.text).where(Message.inbox_id == inbox.id).order_by(Message.id)))
    assert texts == ["Где мой заказ?", "первое", "второе", "четвёртое"]


@pytest.mark.parametrize(
    ("max_batch", "max_in_flight"),
    [(64, 1), (4, 2)],
    ids=["one transaction", "two transactions in flight, batches of four"],
)
def test_concurrent_requests_share_a_transaction_and_each_gets_its_own_answer(db, max_batch, max_in_flight):
    inbox = _inbox(db, "Shop")
    seeded = max_in_flight > 1
    if seeded:  # else two batches in flight may both create a first contact: a designed fallback
        for n in range(5):
            push(db, inbox.id, f"seed-{n}", who=f"c-{n}")
    batcher = InboundBatcher(db, max_batch=max_batch, max_in_flight=max_in_flight)
    batches_before = _batches()
    messages = [_message(inbox, f"c-{n % 5}", f"m{n}", f"сообщение {n}") for n in range(20)]
    messages.append(_message(inbox, "c-0", "m3", "повтор m3"))
    fallbacks = _fallbacks()

    async def send_together() -> list[Any]:
        return await asyncio.gather(*(batcher.ingest(inbox, m) for m in messages))

    receipts = asyncio.run(send_together())
    assert _fallbacks() == fallbacks
    assert _batches() - batches_before == math.ceil(21 / max_batch)
    assert [r.created for r in receipts] == [True] * 20 + [False]
    assert receipts[-1].message_id == receipts[3].message_id
    with db.transaction() as session:
        rows = session.execute(
            select(Message.id, Message.text, Message.conversation_id).where(Message.external_id.like("m%"))
        ).all()
        by_id = {row.id: row for row in rows}
        assert len(rows) == 20
        for n, receipt in enumerate(receipts[:20]):
            assert by_id[receipt.message_id].text == f"сообщение {n}"
            assert by_id[receipt.message_id].conversation_id == receipt.conversation_id
        counts = dict(session.execute(select(Conversation.customer_id, Conversation.message_count)).all())
    assert sorted(counts.values()) == [4 + seeded] * 5
    assert {r.customer_id for r in receipts} == set(counts)


def test_two_batches_meeting_a_held_customer_lock_do_not_deadlock(db):
    """Both batches queue behind a third transaction's lock on one of their customers; when it
    ends they must go one after the other. Had they locked in opposite orders, each would then
    hold what the other waits for: a deadlock, and the one-by-one fallback."""
    if db.dialect != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite lets one writer in at a time")
    inbox = _inbox(db, "Shop")
    customers = [f"c-{n}" for n in range(12)]
    for who in customers:
        push(db, inbox.id, f"seed-{who}", who=who)
    fallbacks = _fallbacks()
    errors: list[BaseException] = []

    def deliver(order: list[str], side: str) -> None:
        try:
            with db.transaction() as session:
                messages = [_message(inbox, who, f"{side}-{who}", "текст") for who in order]
                ingest_inbound_messages(session, inbox, messages)
        except BaseException as exc:  # asserted below
            errors.append(exc)

    threads = [
        threading.Thread(target=deliver, args=(customers, "up")),
        threading.Thread(target=deliver, args=(customers[::-1], "down")),
    ]
    with db.transaction() as holder:
        holder.execute(select(Customer.id).order_by(Customer.id).offset(6).limit(1).with_for_update())
        for t in threads:
            t.start()
        waiting = 0
        for _ in range(250):  # until both batches wait on a row lock
            with db.transaction() as observer:
                waiting = observer.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                    )
                )
            if waiting >= 2:
                break
            time.sleep(0.02)
        assert waiting >= 2
    for t in threads:
        t.join()
    assert errors == []
    assert _fallbacks() == fallbacks
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 3 * len(customers)
        assert set(session.scalars(select(Conversation.message_count))) == {3}


def test_first_contacts_of_the_same_people_in_two_batches_at_once_make_one_customer_each(db):
    """On PostgreSQL the second batch waits on the first's new identities, fails on the unique
    index and is stored one by one; either way each person is one customer."""
    inbox = _inbox(db, "Shop")
    people = [f"new-{n}" for n in range(10)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def send(side: str) -> None:
        batcher = InboundBatcher(db, max_in_flight=1)

        async def together() -> list[Any]:
            return await asyncio.gather(
                *(batcher.ingest(inbox, _message(inbox, who, f"{side}-{who}", side)) for who in people)
            )

        try:
            barrier.wait()
            asyncio.run(together())
        except BaseException as exc:  # asserted below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(side,)) for side in ("left", "right")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == len(people)
        assert session.scalar(select(func.count()).select_from(Message)) == 2 * len(people)
        assert set(session.scalars(select(Conversation.message_count))) == {2}
        assert session.scalar(select(func.count()).select_from(Conversation)) == len(people)

"""Operator actions on a conversation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.domain.test_ingest import _inbox, _push
from zabota.conversations import actions
from zabota.conversations.models import Conversation, Mention
from zabota.db import Database, clock_at, utcnow
from zabota.departments.actions import add_member, create_department
from zabota.errors import DomainError
from zabota.events.actions import Actor
from zabota.events.models import DomainEvent
from zabota.jobs.models import Job
from zabota.jobs.queue import run_until_idle
from zabota.jobs.registry import autodiscover
from zabota.org.actions import update_organization


def _conversation(db: Database) -> int:
    return _push(db, _inbox(db), "m1", text="Где мой заказ?").conversation.id


def _events(db: Database, conversation_id: int) -> list[DomainEvent]:
    with db.transaction() as session:
        return list(
            session.scalars(
                select(DomainEvent).where(DomainEvent.conversation_id == conversation_id).order_by(DomainEvent.id)
            )
        )


def test_first_human_reply_records_response_time_and_takes_the_conversation(db, make_user):
    operator = make_user("operator")
    start = utcnow() - timedelta(minutes=10)
    with clock_at(start):
        conversation_id = _conversation(db)
    with db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        message = actions.reply(session, conversation, author=operator, text="Уже едет")
        assert message.delivery_status == "queued"
        assert conversation.awaiting_reply_since is None
        assert conversation.assignee_id == operator.id
        assert conversation.first_human_reply_at is not None
        assert session.scalar(select(Job).where(Job.name == actions.DELIVER_JOB)) is not None
    created = [
        e for e in _events(db, conversation_id) if e.type == "message.created" and e.payload["direction"] == "out"
    ]
    assert 595 <= created[0].payload["first_response_seconds"] <= 660


def test_bot_reply_is_not_a_first_response(db):
    conversation_id = _conversation(db)
    with db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        actions.reply(session, conversation, author=None, text="Я бот", author_kind=actions.AuthorKind.BOT)
        assert conversation.first_human_reply_at is None
        assert conversation.awaiting_reply_since is not None
        assert conversation.assignee_id is None


def test_reply_is_delivered_by_the_outbox_job(db, make_user):
    autodiscover()
    operator = make_user("operator")
    conversation_id = _conversation(db)
    with db.transaction() as session:
        message_id = actions.reply(session, session.get(Conversation, conversation_id), author=operator, text="ok").id
    assert run_until_idle(db) >= 1
    with db.transaction() as session:
        from zabota.conversations.models import Message

        message = session.get(Message, message_id)
        assert message.delivery_status == "sent"
        assert message.sent_at is not None


def test_note_mentions_active_colleagues_only(db, make_user):
    author = make_user("operator")
    colleague = make_user("supervisor")
    gone = make_user("operator")
    with db.transaction() as session:
        from zabota.auth.actions import update_user

        update_user(session, Actor.system(), session.merge(gone), is_active=False)
    conversation_id = _conversation(db)
    with db.transaction() as session:
        note = actions.add_note(
            session,
            session.get(Conversation, conversation_id),
            author=author,
            text=f"Посмотри, пожалуйста, @{colleague.handle}. И @{gone.handle}, и @nobody тоже; email a@b.c",
        )
        mentioned = list(session.scalars(select(Mention.user_id).where(Mention.note_id == note.id)))
    assert mentioned == [colleague.id]
    event = next(e for e in _events(db, conversation_id) if e.type == "note.created")
    assert event.payload["mentioned_user_ids"] == [colleague.id]


def test_transfer_moves_department_adds_note_and_drops_non_member_assignee(db, make_user):
    operator = make_user("operator")
    other = make_user("operator")
    with db.transaction() as session:
        support = create_department(session, Actor.system(), name="Поддержка")
        returns = create_department(session, Actor.system(), name="Возвраты")
        add_member(session, Actor.system(), returns, session.merge(other))
        support_id, returns_id = support.id, returns.id
    conversation_id = _conversation(db)
    with db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        conversation.department_id = support_id
        actions.assign(session, Actor.user(operator.id), conversation, session.merge(operator))
    with db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        actions.transfer(
            session,
            Actor.user(operator.id),
            conversation,
            session.get(type(support), returns_id),
            note="Клиент хочет вернуть товар",
            author=session.merge(operator),
        )
        assert conversation.department_id == returns_id
        assert conversation.assignee_id is None
    event = next(e for e in _events(db, conversation_id) if e.type == "conversation.transferred")
    assert event.payload["from_department_id"] == support_id
    assert event.payload["note_id"] is not None
    with db.transaction() as session, pytest.raises(DomainError):
        actions.transfer(
            session, Actor.system(), session.get(Conversation, conversation_id), session.get(type(support), returns_id)
        )


def test_assign_checks_role_and_department_isolation(db, make_user):
    marketer = make_user("marketer")
    outsider = make_user("operator")
    with db.transaction() as session:
        update_organization(session, Actor.system(), department_isolation=True)
        department = create_department(session, Actor.system(), name="Продажи")
        department_id = department.id
    conversation_id = _conversation(db)
    with db.transaction() as session:
        session.get(Conversation, conversation_id).department_id = department_id
    with db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        with pytest.raises(DomainError, match="cannot take"):
            actions.assign(session, Actor.system(), conversation, session.merge(marketer))
        with pytest.raises(DomainError, match="not a member"):
            actions.assign(session, Actor.system(), conversation, session.merge(outsider))


def test_status_changes_and_reopen_counts(db):
    conversation_id = _conversation(db)
    with db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        actions.set_status(session, Actor.system(), conversation, "pending")
        actions.set_status(session, Actor.system(), conversation, "resolved")
        assert conversation.resolved_at is not None
        actions.set_status(session, Actor.system(), conversation, "open")
        assert conversation.reopened_count == 1
        assert conversation.resolved_at is None
        with pytest.raises(DomainError):
            actions.set_status(session, Actor.system(), conversation, "snoozed")
        with pytest.raises(ValueError):
            actions.set_status(session, Actor.system(), conversation, "archived")
    changes = [
        (e.payload["from"], e.payload["to"])
        for e in _events(db, conversation_id)
        if e.type == "conversation.status_changed"
    ]
    assert changes == [("open", "pending"), ("pending", "resolved"), ("resolved", "open")]


def test_snooze_wakes_up_by_durable_timer(db):
    autodiscover()
    conversation_id = _conversation(db)
    until = utcnow() + timedelta(hours=2)
    with db.transaction() as session:
        actions.snooze(session, Actor.system(), session.get(Conversation, conversation_id), until)
    assert run_until_idle(db) == 0  # not due yet
    with db.transaction() as session:
        # Make the timer due now instead of waiting two hours.
        job = session.scalar(select(Job).where(Job.name == actions.WAKE_JOB))
        assert job.run_at == until
        job.run_at = utcnow() - timedelta(seconds=1)
    assert run_until_idle(db) == 1
    with db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation.status == "open"
        assert conversation.snoozed_until is None


def test_re_snoozing_makes_the_old_timer_harmless(db):
    autodiscover()
    conversation_id = _conversation(db)
    first, second = utcnow() + timedelta(hours=1), utcnow() + timedelta(hours=5)
    with db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        actions.snooze(session, Actor.system(), conversation, first)
        actions.snooze(session, Actor.system(), conversation, second)
    with db.transaction() as session:
        for job in session.scalars(select(Job).where(Job.name == actions.WAKE_JOB)):
            if job.payload["snoozed_until"] == first.isoformat():
                job.run_at = utcnow() - timedelta(seconds=1)
    assert run_until_idle(db) == 1
    with db.transaction() as session:
        assert session.get(Conversation, conversation_id).status == "snoozed"


def test_manual_priority_pins_against_rules(db):
    conversation_id = _conversation(db)
    with db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        actions.set_priority(session, Actor.system(), conversation, urgent=True, important=False)
        actions.set_priority(session, Actor.system(), conversation, urgent=False, important=True, manual=False)
        assert (conversation.urgent, conversation.important, conversation.priority_manual) == (True, False, True)

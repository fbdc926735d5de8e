"""SLA policies, due times on conversations, and breaches flagged the moment a target is missed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.sla.helpers import conversation, department, events, inbox, jobs, push
from zabota.conversations import actions as inbox_actions
from zabota.conversations.models import AuthorKind, Conversation, Status
from zabota.db import Database, clock_at
from zabota.departments.models import Department
from zabota.errors import DomainError
from zabota.events.actions import Actor
from zabota.jobs.queue import run_until_idle
from zabota.jobs.registry import autodiscover
from zabota.org.actions import update_organization
from zabota.sla import actions, queries
from zabota.sla.actions import CHECK_JOB, RECOMPUTE_JOB
from zabota.sla.models import SlaBreach, SlaPolicy

MSK = ZoneInfo("Europe/Moscow")
FRIDAY_EVENING = datetime(2026, 11, 6, 19, 30, tzinfo=MSK)
MONDAY_0930 = datetime(2026, 11, 9, 9, 30, tzinfo=MSK)
WEDNESDAY_10 = datetime(2026, 11, 4, 10, 0, tzinfo=MSK)


@pytest.fixture(autouse=True)
def _moscow_office(db: Database) -> None:
    autodiscover()
    with db.transaction() as session:
        update_organization(session, Actor.system(), timezone="Europe/Moscow", holidays=[])


def _policy(db: Database, department_id: int, **values) -> None:
    with db.transaction() as session:
        actions.set_policy(session, Actor.system(), session.get(Department, department_id), **values)


def _breaches(db: Database, conversation_id: int | None = None) -> list[SlaBreach]:
    with db.transaction() as session:
        query = select(SlaBreach).order_by(SlaBreach.id)
        if conversation_id is not None:
            query = query.where(SlaBreach.conversation_id == conversation_id)
        return list(session.scalars(query))


def _with(db: Database, conversation_id: int, action, *args, **kwargs):  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        row = session.get(Conversation, conversation_id)
        return action(session, *args, row, **kwargs) if args else action(session, row, **kwargs)


def test_without_a_policy_there_are_no_targets(db):
    box = inbox(db, department(db))
    plain = inbox(db, None, name="No department")
    with clock_at(FRIDAY_EVENING):
        first = push(db, box, "m1").conversation.id
        second = push(db, plain, "m2").conversation.id
    for conversation_id in (first, second):
        row = conversation(db, conversation_id)
        assert row.first_reply_due_at is None and row.resolution_due_at is None
    assert jobs(db, CHECK_JOB) == []


def test_friday_evening_message_is_due_monday_and_flagged_the_moment_it_crosses(db):
    support = department(db)
    _policy(db, support, first_reply_minutes=30)
    with clock_at(FRIDAY_EVENING):
        conversation_id = push(db, inbox(db, support), "m1").conversation.id
    row = conversation(db, conversation_id)
    assert row.first_reply_due_at == MONDAY_0930
    assert row.resolution_due_at is None
    [job] = jobs(db, CHECK_JOB)
    assert job.run_at == MONDAY_0930
    assert job.payload == {
        "conversation_id": conversation_id,
        "kind": "first_reply",
        "due_at": "2026-11-09T06:30:00+00:00",
    }

    with clock_at(MONDAY_0930 - timedelta(seconds=1)):
        run_until_idle(db)  # not due yet: nothing happens
    assert conversation(db, conversation_id).first_reply_breached_at is None
    assert _breaches(db) == []

    with clock_at(MONDAY_0930 + timedelta(seconds=1)):
        assert run_until_idle(db) >= 1
    row = conversation(db, conversation_id)
    assert row.first_reply_breached_at == MONDAY_0930
    [breach] = _breaches(db)
    assert (breach.kind, breach.due_at, breach.department_id) == ("first_reply", MONDAY_0930, support)
    [event] = events(db, "conversation.sla_breached")
    assert event.conversation_id == conversation_id
    assert event.payload["kind"] == "first_reply"
    assert event.payload["due_at"] == "2026-11-09T06:30:00+00:00"
    assert event.payload["department_id"] == support

    # The breach is recorded once, however often the targets are refreshed.
    with db.transaction() as session:
        actions.refresh_sla(session, session.get(Conversation, conversation_id))
    assert len(events(db, "conversation.sla_breached")) == 1

    # The flag is live: the reply stops the target and clears it; the history stays.
    with db.transaction() as session:
        operator = _operator(session)
        inbox_actions.reply(session, session.get(Conversation, conversation_id), author=operator, text="Здравствуйте!")
    row = conversation(db, conversation_id)
    assert row.first_reply_due_at is None and row.first_reply_breached_at is None
    assert len(_breaches(db, conversation_id)) == 1


def _operator(session):  # type: ignore[no-untyped-def]
    from zabota.auth.actions import create_user

    return create_user(
        session, Actor.system(), email="op@example.test", name="Ольга", role="operator", password="correct-horse-9"
    )


def test_a_reply_before_the_due_time_leaves_the_job_nothing_to_do(db):
    support = department(db)
    _policy(db, support, first_reply_minutes=30)
    with clock_at(FRIDAY_EVENING):
        conversation_id = push(db, inbox(db, support), "m1").conversation.id
    with clock_at(MONDAY_0930 - timedelta(minutes=20)), db.transaction() as session:
        inbox_actions.reply(session, session.get(Conversation, conversation_id), author=_operator(session), text="Да")
    assert conversation(db, conversation_id).first_reply_due_at is None
    run_until_idle(db)  # real time is long past the due time: the job runs and finds nothing
    assert [j.status for j in jobs(db, CHECK_JOB)] == ["done"]
    assert _breaches(db) == []
    assert events(db, "conversation.sla_breached") == []


def test_a_bot_reply_does_not_stop_the_reply_target(db):
    support = department(db)
    _policy(db, support, first_reply_minutes=30)
    with clock_at(FRIDAY_EVENING):
        conversation_id = push(db, inbox(db, support), "m1").conversation.id
    with clock_at(MONDAY_0930 - timedelta(minutes=20)), db.transaction() as session:
        row = session.get(Conversation, conversation_id)
        inbox_actions.reply(session, row, author=None, text="Я бот", author_kind=AuthorKind.BOT)
    assert conversation(db, conversation_id).first_reply_due_at == MONDAY_0930
    run_until_idle(db)
    assert [b.kind for b in _breaches(db)] == ["first_reply"]


def test_the_next_wait_gets_a_new_target(db):
    support = department(db)
    _policy(db, support, first_reply_minutes=60)
    box = inbox(db, support)
    with clock_at(WEDNESDAY_10):
        conversation_id = push(db, box, "m1").conversation.id
    with clock_at(WEDNESDAY_10 + timedelta(minutes=10)), db.transaction() as session:
        inbox_actions.reply(session, session.get(Conversation, conversation_id), author=_operator(session), text="Да")
    with clock_at(datetime(2026, 11, 4, 17, 30, tzinfo=MSK)):
        push(db, box, "m2", text="А когда?")
    # 30 minutes on Wednesday until 18:00, 30 more from Thursday 09:00.
    assert conversation(db, conversation_id).first_reply_due_at == datetime(2026, 11, 5, 9, 30, tzinfo=MSK)
    assert len(jobs(db, CHECK_JOB)) == 2


def test_resolution_the_same_business_day(db):
    support = department(db)
    _policy(db, support, resolution_same_day=True)
    box = inbox(db, support)
    with clock_at(WEDNESDAY_10):
        resolved = push(db, box, "m1", who="a").conversation.id
        late = push(db, box, "m2", who="b").conversation.id
    closing = datetime(2026, 11, 4, 18, 0, tzinfo=MSK)
    assert conversation(db, resolved).resolution_due_at == closing
    assert conversation(db, resolved).first_reply_due_at is None  # no reply target in this policy
    with clock_at(closing - timedelta(hours=1)):
        _with(db, resolved, inbox_actions.set_status, Actor.system(), status=Status.RESOLVED)
    assert conversation(db, resolved).resolution_due_at is None
    run_until_idle(db)
    [breach] = _breaches(db)
    assert (breach.conversation_id, breach.kind, breach.due_at) == (late, "resolution", closing)
    assert conversation(db, late).resolution_breached_at == closing
    # After hours, the same day means the next business day.
    with clock_at(datetime(2026, 11, 6, 18, 30, tzinfo=MSK)):
        evening = push(db, box, "m3", who="c").conversation.id
    assert conversation(db, evening).resolution_due_at == datetime(2026, 11, 9, 18, 0, tzinfo=MSK)


def test_targets_in_plain_time_without_business_hours(db):
    support = department(db)
    _policy(db, support, first_reply_minutes=15, resolution_hours=24, business_hours_only=False)
    with clock_at(FRIDAY_EVENING):
        conversation_id = push(db, inbox(db, support), "m1").conversation.id
    row = conversation(db, conversation_id)
    assert row.first_reply_due_at == FRIDAY_EVENING + timedelta(minutes=15)
    assert row.resolution_due_at == FRIDAY_EVENING + timedelta(hours=24)


def test_pending_and_snoozed_pause_the_reply_target_but_not_resolution(db):
    support = department(db)
    _policy(db, support, first_reply_minutes=30, resolution_hours=8)
    with clock_at(WEDNESDAY_10):
        conversation_id = push(db, inbox(db, support), "m1").conversation.id
    due = WEDNESDAY_10 + timedelta(minutes=30)
    resolution = datetime(2026, 11, 4, 18, 0, tzinfo=MSK)
    assert conversation(db, conversation_id).first_reply_due_at == due
    with clock_at(WEDNESDAY_10 + timedelta(minutes=5)):
        _with(db, conversation_id, inbox_actions.set_status, Actor.system(), status=Status.PENDING)
    row = conversation(db, conversation_id)
    assert (row.first_reply_due_at, row.resolution_due_at) == (None, resolution)
    with clock_at(WEDNESDAY_10 + timedelta(minutes=10)):
        _with(db, conversation_id, inbox_actions.set_status, Actor.system(), status=Status.OPEN)
    # Open again: the customer's wait still counts from their message.
    assert conversation(db, conversation_id).first_reply_due_at == due
    snooze_until = WEDNESDAY_10 + timedelta(hours=1)
    with clock_at(WEDNESDAY_10 + timedelta(minutes=15)):
        _with(db, conversation_id, inbox_actions.snooze, Actor.system(), until=snooze_until)
    assert conversation(db, conversation_id).first_reply_due_at is None
    with clock_at(snooze_until + timedelta(seconds=1)):
        run_until_idle(db)  # the wake-up job opens it; the reply target is already missed
    row = conversation(db, conversation_id)
    assert row.status == Status.OPEN
    assert row.first_reply_breached_at == due
    assert [b.kind for b in _breaches(db)] == ["first_reply"]


def test_transfer_applies_the_new_departments_targets(db):
    fast, slow, none = department(db, "Быстрые"), department(db, "Медленные"), department(db, "Без SLA")
    _policy(db, fast, first_reply_minutes=30)
    _policy(db, slow, first_reply_minutes=120)
    with clock_at(WEDNESDAY_10):
        conversation_id = push(db, inbox(db, fast), "m1").conversation.id
    with clock_at(WEDNESDAY_10 + timedelta(minutes=5)), db.transaction() as session:
        row = session.get(Conversation, conversation_id)
        inbox_actions.transfer(session, Actor.system(), row, session.get(Department, slow))
    assert conversation(db, conversation_id).first_reply_due_at == WEDNESDAY_10 + timedelta(hours=2)
    with clock_at(WEDNESDAY_10 + timedelta(minutes=10)), db.transaction() as session:
        row = session.get(Conversation, conversation_id)
        inbox_actions.transfer(session, Actor.system(), row, session.get(Department, none))
    assert conversation(db, conversation_id).first_reply_due_at is None
    run_until_idle(db)
    assert _breaches(db) == []


def test_transfer_into_a_department_whose_target_already_passed_flags_at_once(db):
    support, strict = department(db, "Поддержка"), department(db, "Строгие")
    _policy(db, strict, first_reply_minutes=10)
    with clock_at(WEDNESDAY_10):
        conversation_id = push(db, inbox(db, support), "m1").conversation.id
    with clock_at(WEDNESDAY_10 + timedelta(minutes=30)), db.transaction() as session:
        row = session.get(Conversation, conversation_id)
        inbox_actions.transfer(session, Actor.system(), row, session.get(Department, strict))
    row = conversation(db, conversation_id)
    assert row.first_reply_breached_at == WEDNESDAY_10 + timedelta(minutes=10)
    [event] = events(db, "conversation.sla_breached")
    assert event.payload["department_id"] == strict


def test_reopen_restarts_the_resolution_clock(db):
    support = department(db)
    _policy(db, support, resolution_hours=2)
    box = inbox(db, support)
    with clock_at(WEDNESDAY_10):
        conversation_id = push(db, box, "m1").conversation.id
    with clock_at(WEDNESDAY_10 + timedelta(hours=1)):
        _with(db, conversation_id, inbox_actions.set_status, Actor.system(), status=Status.RESOLVED)
    assert conversation(db, conversation_id).resolution_due_at is None
    reopened_at = WEDNESDAY_10 + timedelta(hours=3)
    with clock_at(reopened_at):
        assert push(db, box, "m2", text="Снова не работает").conversation.id == conversation_id
    row = conversation(db, conversation_id)
    assert row.reopened_count == 1
    assert row.cycle_opened_at == reopened_at
    assert row.resolution_due_at == reopened_at + timedelta(hours=2)


def test_policy_changes_recompute_open_conversations_in_a_job(db):
    support = department(db)
    with clock_at(WEDNESDAY_10):
        conversation_id = push(db, inbox(db, support), "m1").conversation.id
    assert conversation(db, conversation_id).first_reply_due_at is None
    with clock_at(WEDNESDAY_10 + timedelta(minutes=1)):
        _policy(db, support, first_reply_minutes=45)
        run_until_idle(db)
    assert conversation(db, conversation_id).first_reply_due_at == WEDNESDAY_10 + timedelta(minutes=45)
    [set_event] = events(db, "sla_policy.set")
    assert set_event.payload["first_reply_minutes"] == 45 and set_event.payload["previous"] is None
    # Setting the same values again changes nothing and records nothing.
    _policy(db, support, first_reply_minutes=45)
    assert len(events(db, "sla_policy.set")) == 1

    with clock_at(WEDNESDAY_10 + timedelta(minutes=2)):
        _policy(db, support, first_reply_minutes=45, active=False)
        run_until_idle(db)
    assert conversation(db, conversation_id).first_reply_due_at is None
    with clock_at(WEDNESDAY_10 + timedelta(minutes=3)), db.transaction() as session:
        assert actions.clear_policy(session, Actor.user(1), session.get(Department, support))
        assert not actions.clear_policy(session, Actor.user(1), session.get(Department, support))
    assert len(events(db, "sla_policy.cleared")) == 1
    assert [j.status for j in jobs(db, RECOMPUTE_JOB)] == ["done", "done", "queued"]
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(SlaPolicy)) == 0


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "needs a reply target or a resolution target"),
        ({"first_reply_minutes": 0}, "between 1 and"),
        ({"resolution_hours": 10**6}, "between 1 and"),
        ({"resolution_hours": 8, "resolution_same_day": True}, "not both"),
    ],
)
def test_policy_validation(db, values, message):
    support = department(db)
    with pytest.raises(DomainError, match=message), db.transaction() as session:
        actions.set_policy(session, Actor.system(), session.get(Department, support), **values)


def test_breaches_per_department_per_day_and_queue_numbers(db, make_user):
    support, sales, quiet = department(db, "Поддержка"), department(db, "Продажи"), department(db, "Тихий")
    _policy(db, support, first_reply_minutes=30, resolution_same_day=True)
    _policy(db, sales, first_reply_minutes=30)
    support_box, sales_box = inbox(db, support, "Support"), inbox(db, sales, "Sales")
    with clock_at(WEDNESDAY_10):
        for n in range(3):
            push(db, support_box, f"s{n}", who=f"s{n}")
        push(db, sales_box, "x1", who="x1")
    run_until_idle(db)
    rows = {r.name: r for r in _day(db, date(2026, 11, 4))}
    assert (rows["Поддержка"].first_reply, rows["Поддержка"].resolution, rows["Поддержка"].total) == (3, 3, 6)
    assert (rows["Продажи"].first_reply, rows["Продажи"].resolution) == (1, 0)
    assert "Тихий" not in rows  # no policy, no breaches
    assert all(r.total == 0 for r in _day(db, date(2026, 11, 5)))
    assert quiet

    with db.transaction() as session:
        stats = {s.name: s for s in queries.queue_stats(session)}
    assert stats["Поддержка"].open == 3 and stats["Поддержка"].unassigned == 3
    assert stats["Поддержка"].awaiting_reply == 3 and stats["Поддержка"].overdue == 3
    assert stats["Поддержка"].has_policy and not stats["Тихий"].has_policy
    assert stats["Тихий"].open == 0
    assert stats["Поддержка"].oldest_waiting_since == WEDNESDAY_10
    assert stats["Поддержка"].breaches_today == 0  # those were missed on 4 November, not today


def _day(db: Database, day: date) -> list[queries.DepartmentBreaches]:
    with db.transaction() as session:
        return queries.breaches_by_department(session, day)


def test_due_soon_in_the_queue_numbers(db):
    support = department(db)
    _policy(db, support, first_reply_minutes=20, business_hours_only=False)
    now = datetime.now(UTC)
    with clock_at(now - timedelta(minutes=10)):
        push(db, inbox(db, support), "m1")
    with db.transaction() as session:
        [stats] = [s for s in queries.queue_stats(session) if s.department_id == support]
    assert (stats.due_soon, stats.overdue) == (1, 0)


def test_changing_business_hours_schedules_a_recompute_of_due_times(db):
    from sqlalchemy import select

    from zabota.events.actions import Actor as _Actor
    from zabota.jobs.models import Job
    from zabota.org.actions import update_organization
    from zabota.sla.actions import RECOMPUTE_JOB

    with db.transaction() as session:
        update_organization(session, _Actor.system(), name="Renamed")  # not a calendar change
        assert session.scalar(select(Job).where(Job.name == RECOMPUTE_JOB)) is None
        update_organization(session, _Actor.system(), holidays=["2030-01-01"])
        job = session.scalar(select(Job).where(Job.name == RECOMPUTE_JOB))
        assert job is not None and job.payload == {"department_id": None}

"""Presence, capacity and the auto-assignment policies, sequential and concurrent."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.sla.helpers import conversation, department, events, inbox, push
from zabota.assignment import actions, queries
from zabota.assignment.actions import Presence
from zabota.assignment.models import AssignmentCursor
from zabota.auth.actions import start_session, update_user
from zabota.auth.models import User, UserSession
from zabota.conversations import actions as inbox_actions
from zabota.conversations.models import Conversation, Status
from zabota.db import Database, utcnow
from zabota.departments.models import Department
from zabota.errors import DomainError
from zabota.events.actions import Actor


def _online(db: Database, *users) -> None:  # type: ignore[no-untyped-def]
    """Each user opens the operator UI (a live browser session)."""
    with db.transaction() as session:
        for user in users:
            start_session(session, session.get(User, user.id), days=1)


def _assignees(db: Database, conversation_ids: list[int]) -> list[int | None]:
    with db.transaction() as session:
        rows = {
            c.id: c.assignee_id
            for c in session.scalars(select(Conversation).where(Conversation.id.in_(conversation_ids)))
        }
    return [rows[i] for i in conversation_ids]


def _presence(db: Database, user) -> Presence:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        return actions.presence_of(session, session.get(User, user.id))


def _set_availability(db: Database, user, value: str) -> Presence:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        return actions.set_availability(session, Actor.user(user.id), session.get(User, user.id), value)


def test_presence_online_away_offline(db, make_user):
    anna = make_user("operator")
    assert _presence(db, anna) == Presence.OFFLINE  # no browser session
    _online(db, anna)
    assert _presence(db, anna) == Presence.ONLINE
    assert _set_availability(db, anna, "away") == Presence.AWAY
    assert _set_availability(db, anna, "offline") == Presence.OFFLINE
    assert _set_availability(db, anna, "online") == Presence.ONLINE
    assert [e.payload for e in events(db, "user.availability_changed")] == [
        {"from": "online", "to": "away"},
        {"from": "away", "to": "offline"},
        {"from": "offline", "to": "online"},
    ]
    with pytest.raises(DomainError, match="Availability must be one of"), db.transaction() as session:
        actions.set_availability(session, Actor.system(), session.get(User, anna.id), "busy")
    # A session not seen for longer than the window is not presence.
    with db.transaction() as session:
        session.execute(
            update(UserSession).values(last_seen_at=utcnow() - actions.PRESENCE_WINDOW - timedelta(seconds=1))
        )
    assert _presence(db, anna) == Presence.OFFLINE
    # The heartbeat brings it back.
    with db.transaction() as session:
        user = session.get(User, anna.id)
        row = session.scalar(select(UserSession).where(UserSession.user_id == anna.id))
        assert actions.touch_presence(session, user, row) == Presence.ONLINE
        assert actions.touch_presence(session, user) == Presence.ONLINE  # API token: only reports
    with db.transaction() as session:
        update_user(session, Actor.system(), session.get(User, anna.id), is_active=False)
    assert _presence(db, anna) == Presence.OFFLINE


def test_round_robin_takes_turns_and_records_who_and_why(db, make_user):
    a, b, c = make_user("operator"), make_user("operator"), make_user("operator")
    _online(db, a, b, c)
    box = inbox(db, department(db, auto_assignment="round_robin", members=[c, a, b]))
    ids = [push(db, box, f"m{n}", who=f"c{n}").conversation.id for n in range(7)]
    assert _assignees(db, ids) == [a.id, b.id, c.id, a.id, b.id, c.id, a.id]
    assigned = events(db, "conversation.assigned", ids[0])
    assert [(e.actor_kind, e.payload) for e in assigned] == [
        ("system", {"from": None, "to": a.id, "by": "auto", "policy": "round_robin"})
    ]


def test_only_online_members_below_capacity_take_conversations(db, make_user):
    online, away, absent, full, outsider = (make_user("operator") for _ in range(5))
    marketer = make_user("marketer")
    _online(db, online, away, absent, full, outsider, marketer)
    _set_availability(db, away, "away")
    with db.transaction() as session:
        session.execute(
            update(UserSession)
            .where(UserSession.user_id == absent.id)
            .values(last_seen_at=utcnow() - timedelta(hours=1))
        )
        update_user(session, Actor.system(), session.get(User, full.id), capacity=0)
        update_user(session, Actor.system(), session.get(User, online.id), capacity=2)
    box = inbox(db, department(db, auto_assignment="round_robin", members=[online, away, absent, full, marketer]))
    inbox(db, department(db, "Другой", members=[outsider]), name="Other")
    ids = [push(db, box, f"m{n}", who=f"c{n}").conversation.id for n in range(3)]
    # Two for the only one who can take them; the third waits, unassigned.
    assert _assignees(db, ids) == [online.id, online.id, None]


def test_least_loaded_prefers_the_lightest_and_breaks_ties_by_rotation(db, make_user):
    a, b, c = make_user("operator"), make_user("operator"), make_user("operator")
    _online(db, a, b, c)
    support = department(db, auto_assignment="least_loaded", members=[a, b, c])
    manual_box = inbox(db, None, name="Manual")
    # a carries two conversations already (assigned by hand), c one.
    manual = [push(db, manual_box, f"x{n}", who=f"x{n}").conversation.id for n in range(3)]
    with db.transaction() as session:
        for conversation_id, user in zip(manual, (a, a, c), strict=True):
            row = session.get(Conversation, conversation_id)
            inbox_actions.assign(session, Actor.system(), row, session.get(User, user.id))
    box = inbox(db, support)
    ids = [push(db, box, f"m{n}", who=f"c{n}").conversation.id for n in range(4)]
    # Loads a=2, b=0, c=1: b; then b=1 and c=1 tie and c comes after b in the rotation: c;
    # then b (1 against 2 and 2); then all are at 2 and the rotation after b starts with c.
    assert _assignees(db, ids) == [b.id, c.id, b.id, c.id]
    [event] = events(db, "conversation.assigned", ids[0])
    assert event.payload["policy"] == "least_loaded"


def test_off_assigns_nobody(db, make_user):
    a = make_user("operator")
    _online(db, a)
    box = inbox(db, department(db, auto_assignment="off", members=[a]))
    assert _assignees(db, [push(db, box, "m1").conversation.id]) == [None]


def test_freed_capacity_picks_up_the_oldest_waiting_conversation(db, make_user):
    a = make_user("operator")
    _online(db, a)
    with db.transaction() as session:
        update_user(session, Actor.system(), session.get(User, a.id), capacity=1)
    box = inbox(db, department(db, auto_assignment="round_robin", members=[a]))
    first, second, third = (push(db, box, f"m{n}", who=f"c{n}").conversation.id for n in range(3))
    assert _assignees(db, [first, second, third]) == [a.id, None, None]
    with db.transaction() as session:
        inbox_actions.set_status(session, Actor.user(a.id), session.get(Conversation, first), Status.RESOLVED)
    assert _assignees(db, [first, second, third]) == [a.id, a.id, None]
    # Pending still counts against capacity; snoozing frees it.
    with db.transaction() as session:
        inbox_actions.set_status(session, Actor.user(a.id), session.get(Conversation, second), Status.PENDING)
    assert _assignees(db, [third]) == [None]
    with db.transaction() as session:
        row = session.get(Conversation, second)
        inbox_actions.snooze(session, Actor.user(a.id), row, utcnow() + timedelta(hours=1))
    assert _assignees(db, [third]) == [a.id]


def test_coming_online_picks_up_waiting_conversations(db, make_user):
    a, b = make_user("operator"), make_user("operator")
    box = inbox(db, department(db, auto_assignment="round_robin", members=[a, b]))
    ids = [push(db, box, f"m{n}", who=f"c{n}").conversation.id for n in range(3)]
    assert _assignees(db, ids) == [None, None, None]  # nobody is online
    _set_availability(db, a, "away")
    _online(db, a, b)  # b's browser session starts, a is away
    with db.transaction() as session:
        assert actions.touch_presence(session, session.get(User, b.id)) == Presence.ONLINE
    assert _assignees(db, ids) == [b.id, b.id, b.id]
    # a comes back; the next new conversation goes to a by rotation.
    _set_availability(db, a, "online")
    assert _assignees(db, [push(db, box, "m9", who="c9").conversation.id]) == [a.id]


def test_transfer_into_an_auto_assigning_department(db, make_user):
    helper, specialist = make_user("operator"), make_user("operator")
    _online(db, helper, specialist)
    front = department(db, "Первая линия", members=[helper])
    returns = department(db, "Возвраты", auto_assignment="round_robin", members=[specialist])
    conversation_id = push(db, inbox(db, front), "m1").conversation.id
    with db.transaction() as session:
        row = session.get(Conversation, conversation_id)
        inbox_actions.assign(session, Actor.system(), row, session.get(User, helper.id))
        inbox_actions.transfer(session, Actor.user(helper.id), row, session.get(Department, returns))
    assert conversation(db, conversation_id).assignee_id == specialist.id


def test_operator_loads_for_the_supervisor(db, make_user):
    a, b = make_user("operator", name="Анна"), make_user("operator", name="Борис")
    make_user("analyst")
    _online(db, a)
    support = department(db, auto_assignment="round_robin", members=[a, b])
    box = inbox(db, support)
    ids = [push(db, box, f"m{n}", who=f"c{n}").conversation.id for n in range(3)]
    with db.transaction() as session:
        inbox_actions.set_status(session, Actor.system(), session.get(Conversation, ids[0]), Status.PENDING)
        rows = {r.name: r for r in queries.operator_loads(session)}
        assert set(rows) == {"Анна", "Борис"}
        anna = rows["Анна"]
        assert (anna.open, anna.pending, anna.load, anna.capacity, anna.free) == (2, 1, 3, 10, 7)
        assert anna.presence == Presence.ONLINE and rows["Борис"].presence == Presence.OFFLINE
        assert anna.department_ids == [support]
        assert [r.name for r in queries.operator_loads(session, support)] == ["Анна", "Борис"]


def _concurrent_ingest(db: Database, boxes: list[int], per_box: int) -> list[int]:
    """Ingest from many threads at once, each message a new customer in its own transaction."""
    jobs = [(box, n) for box in boxes for n in range(per_box)]
    barrier = threading.Barrier(len(jobs))
    ids: list[int] = []
    errors: list[BaseException] = []

    def run(box: int, n: int) -> None:
        try:
            barrier.wait()
            ids.append(push(db, box, f"b{box}-{n}", who=f"b{box}-c{n}").conversation.id)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return ids


def _team(db: Database, make_user, capacity: int, policy: str = "round_robin"):  # type: ignore[no-untyped-def]
    operators = [make_user("operator") for _ in range(3)]
    _online(db, *operators)
    with db.transaction() as session:
        for user in operators:
            update_user(session, Actor.system(), session.get(User, user.id), capacity=capacity)
    return operators, inbox(db, department(db, auto_assignment=policy, members=operators))


def test_round_robin_under_concurrency_assigns_everything_evenly(db, make_user):
    operators, box = _team(db, make_user, capacity=10)
    ids = _concurrent_ingest(db, [box], 12)
    counts = Counter(_assignees(db, ids))
    assert counts == {operators[0].id: 4, operators[1].id: 4, operators[2].id: 4}  # nobody left out
    assert len(events(db, "conversation.assigned")) == 12
    with db.transaction() as session:
        cursor = session.scalars(select(AssignmentCursor)).one()
        assert cursor.assigned_count == 12


@pytest.mark.parametrize("policy", ["round_robin", "least_loaded"])
def test_capacity_is_never_exceeded_under_concurrency(db, make_user, policy):
    operators, box = _team(db, make_user, capacity=2, policy=policy)
    ids = _concurrent_ingest(db, [box], 10)
    counts = Counter(_assignees(db, ids))
    assert counts == {operators[0].id: 2, operators[1].id: 2, operators[2].id: 2, None: 4}


def test_capacity_holds_across_departments_under_concurrency(db, make_user):
    shared = make_user("operator")
    _online(db, shared)
    with db.transaction() as session:
        update_user(session, Actor.system(), session.get(User, shared.id), capacity=3)
    sales = inbox(db, department(db, "Продажи", auto_assignment="round_robin", members=[shared]), name="Sales")
    support = inbox(db, department(db, "Поддержка", auto_assignment="least_loaded", members=[shared]), name="Support")
    ids = _concurrent_ingest(db, [sales, support], 5)
    counts = Counter(_assignees(db, ids))
    assert counts == {shared.id: 3, None: 7}

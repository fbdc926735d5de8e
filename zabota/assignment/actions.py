"""Presence, capacity and automatic assignment.

**Presence** of a staff member:

* `online`: they chose to be available (`User.availability == "online"`, the default) and a
  browser session of theirs was seen within `PRESENCE_WINDOW` (the UI calls `touch_presence`
  every `HEARTBEAT_SECONDS`; any request of that session counts too);
* `away`: they chose "away" (a break, a meeting) and a browser session is live;
* `offline`: no live browser session (closed the tab, logged out, the session expired), or
  they chose "offline". API tokens do not make anyone present.

**Load** is the number of open and pending conversations assigned to a person; **capacity**
(`User.capacity`) is how many they can carry. Snoozed and resolved ones do not count.

**Auto-assignment** is per department (`Department.auto_assignment`): `off`, `round_robin`
(members take turns in a stored rotation, skipping those who cannot take one now) or
`least_loaded` (the member with the lowest load; ties go by the rotation). Only members who
are online, may work conversations, and are below their capacity take conversations
automatically; a person who assigns by hand may exceed it. It runs for a new (or reopened)
open unassigned conversation, after a transfer leaves one unassigned, and when capacity frees
up or appears (a conversation is resolved, someone comes online): then the oldest waiting
unassigned conversations of their departments are handed out by each department's policy.

Concurrency: an assignment locks its department row and then the chosen person's row (both
`FOR NO KEY UPDATE` on PostgreSQL, so inserts referencing them are not blocked; SQLite
serialises writers anyway), recounts that person's load under the lock, and advances the
department's rotation cursor; so parallel assignments take turns fairly and never push
anyone over capacity. Every department lock is taken before any person's lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from zabota.assignment.models import AssignmentCursor
from zabota.auth.models import User, UserSession
from zabota.auth.roles import Permission, Role, role_has
from zabota.conversations.models import BotState, Conversation, Status, in_human_queue
from zabota.db import utcnow
from zabota.departments.actions import department_ids_of
from zabota.departments.models import Department, DepartmentMember
from zabota.errors import DomainError
from zabota.events.actions import Actor, record_event

AVAILABILITIES = ("online", "away", "offline")
POLICIES = ("round_robin", "least_loaded")
PRESENCE_WINDOW = timedelta(minutes=3)
HEARTBEAT_SECONDS = 60
# A heartbeat writes the session's last-seen time at most this often.
TOUCH_INTERVAL = timedelta(seconds=20)
LOAD_STATUSES = (Status.OPEN, Status.PENDING)
ASSIGNABLE_ROLES = tuple(r.value for r in Role if role_has(r, Permission.CONVERSATIONS_WRITE))
# How many waiting conversations one pick-up hands out per department (the rest wait for the next).
PICK_UP_LIMIT = 20


class Presence(StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


# --- presence -------------------------------------------------------------------------------


def live_session_clause(now: datetime) -> ColumnElement[bool]:
    """SQL: the user in the enclosing query has a browser session seen within the window."""
    return exists().where(
        UserSession.user_id == User.id,
        UserSession.last_seen_at >= now - PRESENCE_WINDOW,
        UserSession.expires_at > now,
    )


def presences(session: Session, users: Iterable[User]) -> dict[int, Presence]:
    """Presence of each given user, in one query."""
    users = list(users)
    if not users:
        return {}
    now = utcnow()
    live = set(session.scalars(select(User.id).where(User.id.in_([u.id for u in users]), live_session_clause(now))))
    return {u.id: _presence(u, u.id in live) for u in users}


def presence_of(session: Session, user: User) -> Presence:
    return presences(session, [user])[user.id]


def _presence(user: User, live: bool) -> Presence:
    if not user.is_active or not live:
        return Presence.OFFLINE
    return Presence(user.availability) if user.availability in AVAILABILITIES else Presence.ONLINE


def set_availability(session: Session, actor: Actor, user: User, availability: str) -> Presence:
    """Choose online, away or offline; coming online picks up waiting conversations."""
    if availability not in AVAILABILITIES:
        raise DomainError(
            "Availability must be one of {names}.", names=", ".join(AVAILABILITIES), code="bad_availability"
        )
    previous = user.availability
    if availability != previous:
        user.availability = availability
        record_event(
            session, "user.availability_changed", actor, "user", user.id, {"from": previous, "to": availability}
        )
    presence = presence_of(session, user)
    if presence == Presence.ONLINE and availability != previous:
        assign_waiting(session, for_user_id=user.id)
    return presence


def touch_presence(session: Session, user: User, user_session: UserSession | None = None) -> Presence:
    """The UI's heartbeat: mark the browser session as seen and, if online, pick up waiting work.

    Without a browser session (an API token) nothing is marked; the presence is only reported.
    """
    now = utcnow()
    if (
        user_session is not None
        and user_session.user_id == user.id
        and now - user_session.last_seen_at >= TOUCH_INTERVAL
    ):
        user_session.last_seen_at = now
    presence = presence_of(session, user)
    if presence == Presence.ONLINE and user.role in ASSIGNABLE_ROLES:
        assign_waiting(session, for_user_id=user.id)
    return presence


# --- load -----------------------------------------------------------------------------------


def loads(session: Session, user_ids: Sequence[int]) -> dict[int, int]:
    """Open + pending conversations assigned to each user (0 for none)."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(Conversation.assignee_id, func.count())
        .where(Conversation.assignee_id.in_(user_ids), Conversation.status.in_(LOAD_STATUSES))
        .group_by(Conversation.assignee_id)
    )
    counts = dict.fromkeys(user_ids, 0)
    counts.update({user_id: count for user_id, count in rows if user_id is not None})
    return counts


# --- automatic assignment -------------------------------------------------------------------


def _lock_department(session: Session, department_id: int) -> Department | None:
    return session.scalar(
        select(Department)
        .where(Department.id == department_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )


def _candidates(session: Session, department_id: int) -> list[User]:
    """Members who can take a conversation automatically now (capacity is checked separately)."""
    now = utcnow()
    return list(
        session.scalars(
            select(User)
            .join(DepartmentMember, DepartmentMember.user_id == User.id)
            .where(
                DepartmentMember.department_id == department_id,
                User.is_active.is_(True),
                User.role.in_(ASSIGNABLE_ROLES),
                User.availability == Presence.ONLINE.value,
                User.capacity > 0,
                live_session_clause(now),
            )
            .order_by(User.id)
        )
    )


def _preference(policy: str, candidates: list[User], load: dict[int, int], last_user_id: int | None) -> list[User]:
    """Candidates below capacity in the order the policy prefers them."""
    free = [u for u in candidates if load.get(u.id, 0) < u.capacity]
    # The rotation: those after the last one served, then from the start again.
    after = [u for u in free if last_user_id is None or u.id > last_user_id]
    rotation = after + [u for u in free if u not in after]
    if policy == "least_loaded":
        rotation.sort(key=lambda u: load.get(u.id, 0))  # stable: ties keep the rotation order
    return rotation


def _pick(session: Session, department: Department, candidates: list[User], load: dict[int, int]) -> User | None:
    cursor = session.get(AssignmentCursor, department.id, populate_existing=True)
    if cursor is None:
        cursor = AssignmentCursor(department_id=department.id, assigned_count=0)
        session.add(cursor)
    for user in _preference(department.auto_assignment, candidates, load, cursor.last_user_id):
        # Lock the person, then recount: another department may have just given them one.
        session.execute(select(User.id).where(User.id == user.id).with_for_update(key_share=True))
        current = loads(session, [user.id])[user.id]
        load[user.id] = current
        if current < user.capacity:
            cursor.last_user_id = user.id
            cursor.assigned_count += 1
            return user
    return None


def _give(session: Session, conversation: Conversation, user: User, policy: str) -> None:
    previous = conversation.assignee_id
    conversation.assignee_id = user.id
    record_event(
        session,
        "conversation.assigned",
        Actor.system(),
        "conversation",
        conversation.id,
        {"from": previous, "to": user.id, "by": "auto", "policy": policy},
        conversation_id=conversation.id,
    )


def auto_assign(session: Session, conversation: Conversation) -> User | None:
    """Give an open unassigned conversation to a member by its department's policy, if any can take it."""
    if (
        conversation.assignee_id is not None
        or conversation.status != Status.OPEN
        or conversation.department_id is None
        or conversation.bot_state == BotState.ACTIVE  # the bot handles it until the hand-off
    ):
        return None
    department = session.get(Department, conversation.department_id)
    if department is None or department.auto_assignment not in POLICIES:
        return None
    department = _lock_department(session, department.id)
    if department is None or department.auto_assignment not in POLICIES:
        return None
    candidates = _candidates(session, department.id)
    if not candidates:
        return None
    user = _pick(session, department, candidates, loads(session, [u.id for u in candidates]))
    if user is not None:
        _give(session, conversation, user, department.auto_assignment)
    return user


def assign_waiting(
    session: Session,
    *,
    department_ids: Iterable[int] | None = None,
    for_user_id: int | None = None,
    limit: int = PICK_UP_LIMIT,
) -> int:
    """Hand out the oldest waiting unassigned open conversations by each department's policy.

    For the departments given, or those `for_user_id` belongs to (someone came online or freed
    capacity). Returns how many were assigned. Conversations another transaction is working on
    are skipped (PostgreSQL `SKIP LOCKED`); they get their turn on the next pick-up.
    """
    ids = set(department_ids) if department_ids is not None else None
    if for_user_id is not None:
        mine = department_ids_of(session, for_user_id)
        ids = mine if ids is None else ids & mine
    if not ids:
        return 0
    waiting_in = {
        department_id
        for department_id in session.scalars(
            select(Conversation.department_id)
            .where(
                Conversation.department_id.in_(ids),
                Conversation.status == Status.OPEN,
                Conversation.assignee_id.is_(None),
                in_human_queue(),
            )
            .distinct()
        )
        if department_id is not None
    }
    if not waiting_in:
        return 0
    automatic = session.scalars(
        select(Department.id)
        .where(Department.id.in_(waiting_in), Department.auto_assignment.in_(POLICIES))
        .order_by(Department.id)
    ).all()
    # Every department lock before any person's lock (see the module docstring).
    departments = [
        d
        for d in (_lock_department(session, department_id) for department_id in automatic)
        if d is not None and d.auto_assignment in POLICIES
    ]
    assigned = 0
    for department in departments:
        candidates = _candidates(session, department.id)
        load = loads(session, [u.id for u in candidates])
        if not _preference(department.auto_assignment, candidates, load, None):
            continue  # nobody here can take one now: leave the queue untouched
        waiting = session.scalars(
            select(Conversation)
            .where(
                Conversation.department_id == department.id,
                Conversation.status == Status.OPEN,
                Conversation.assignee_id.is_(None),
                in_human_queue(),
            )
            .order_by(func.coalesce(Conversation.awaiting_reply_since, Conversation.opened_at), Conversation.id)
            .limit(limit)
            .with_for_update(skip_locked=True, key_share=True)
        ).all()
        for conversation in waiting:
            if conversation.assignee_id is not None:
                continue
            user = _pick(session, department, candidates, load)
            if user is None:
                break
            _give(session, conversation, user, department.auto_assignment)
            load[user.id] = load.get(user.id, 0) + 1
            assigned += 1
    return assigned

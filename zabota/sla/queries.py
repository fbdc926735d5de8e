"""Read side of SLAs for the supervisor: breaches per department per day, and live queue numbers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from zabota.conversations.models import Conversation, Status, in_human_queue
from zabota.db import utcnow
from zabota.departments.models import Department
from zabota.org.actions import get_organization
from zabota.sla.actions import FIRST_REPLY, RESOLUTION
from zabota.sla.models import SlaBreach, SlaPolicy

DUE_SOON_MINUTES = 15


def day_bounds(session: Session, day: date | None = None) -> tuple[date, datetime, datetime]:
    """A local day of the organization (today by default) as a UTC [start, end) range."""
    tz = ZoneInfo(get_organization(session).timezone)
    if day is None:
        day = utcnow().astimezone(tz).date()
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return day, start, end


@dataclass(frozen=True)
class DepartmentBreaches:
    department_id: int | None  # None: conversations that left every department since
    name: str
    first_reply: int
    resolution: int

    @property
    def total(self) -> int:
        return self.first_reply + self.resolution


def breaches_by_department(session: Session, day: date | None = None) -> list[DepartmentBreaches]:
    """Targets missed on a local day, per department (every department with a policy is listed)."""
    _, start, end = day_bounds(session, day)
    counts: dict[int | None, dict[str, int]] = {}
    rows = session.execute(
        select(SlaBreach.department_id, SlaBreach.kind, func.count())
        .where(SlaBreach.due_at >= start, SlaBreach.due_at < end)
        .group_by(SlaBreach.department_id, SlaBreach.kind)
    )
    for department_id, kind, count in rows:
        counts.setdefault(department_id, {})[kind] = count
    names: dict[int | None, str] = {row.id: row.name for row in session.execute(select(Department.id, Department.name))}
    with_policy = set(session.scalars(select(SlaPolicy.department_id)))
    listed: list[int | None] = sorted(
        (d for d in counts.keys() | with_policy if d is not None), key=lambda d: names.get(d, "")
    )
    if None in counts:
        listed.append(None)
    return [
        DepartmentBreaches(
            department_id,
            names.get(department_id, "") if department_id is not None else "",
            counts.get(department_id, {}).get(FIRST_REPLY, 0),
            counts.get(department_id, {}).get(RESOLUTION, 0),
        )
        for department_id in listed
    ]


def list_breaches(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    department_id: int | None = None,
    conversation_id: int | None = None,
    limit: int = 200,
) -> list[SlaBreach]:
    """Breaches with their due time in [since, until), newest first."""
    query = select(SlaBreach).where(SlaBreach.due_at >= since, SlaBreach.due_at < until)
    if department_id is not None:
        query = query.where(SlaBreach.department_id == department_id)
    if conversation_id is not None:
        query = query.where(SlaBreach.conversation_id == conversation_id)
    return list(session.scalars(query.order_by(SlaBreach.due_at.desc(), SlaBreach.id.desc()).limit(limit)))


def breaches_of(session: Session, conversation_id: int) -> list[SlaBreach]:
    """Every target a conversation missed, oldest first."""
    return list(
        session.scalars(
            select(SlaBreach)
            .where(SlaBreach.conversation_id == conversation_id)
            .order_by(SlaBreach.due_at, SlaBreach.id)
        )
    )


@dataclass(frozen=True)
class QueueStats:
    """One department's queue right now (department_id None: conversations without a department)."""

    department_id: int | None
    name: str
    auto_assignment: str
    has_policy: bool
    open: int
    pending: int
    unassigned: int  # open and nobody's
    awaiting_reply: int  # open with a customer waiting for a person
    overdue: int  # a running target already missed
    due_soon: int  # not overdue, but a target falls due within the next `due_soon_minutes`
    breaches_today: int
    oldest_waiting_since: datetime | None


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def queue_stats(session: Session, *, due_soon_minutes: int = DUE_SOON_MINUTES) -> list[QueueStats]:
    """Live numbers of every department's queue, for the supervisor's view."""
    now = utcnow()
    soon = now + timedelta(minutes=due_soon_minutes)
    is_open = Conversation.status == Status.OPEN
    overdue = or_(Conversation.first_reply_breached_at.is_not(None), Conversation.resolution_breached_at.is_not(None))
    due_soon = and_(
        ~overdue,
        or_(
            and_(Conversation.first_reply_due_at.is_not(None), Conversation.first_reply_due_at <= soon),
            and_(Conversation.resolution_due_at.is_not(None), Conversation.resolution_due_at <= soon),
        ),
    )
    rows = session.execute(
        select(
            Conversation.department_id,
            _count(is_open),
            _count(Conversation.status == Status.PENDING),
            _count(and_(is_open, Conversation.assignee_id.is_(None))),
            _count(and_(is_open, Conversation.awaiting_reply_since.is_not(None))),
            _count(overdue),
            _count(due_soon),
            func.min(case((is_open, Conversation.awaiting_reply_since), else_=None)),
        )
        .where(Conversation.status.in_((Status.OPEN, Status.PENDING, Status.SNOOZED)), in_human_queue())
        .group_by(Conversation.department_id)
    )
    live = {row[0]: row[1:] for row in rows}
    _, start, end = day_bounds(session)
    breaches: dict[int | None, int] = {}
    for department_id, count in session.execute(
        select(SlaBreach.department_id, func.count())
        .where(SlaBreach.due_at >= start, SlaBreach.due_at < end)
        .group_by(SlaBreach.department_id)
    ):
        breaches[department_id] = count
    with_policy = set(session.scalars(select(SlaPolicy.department_id).where(SlaPolicy.active.is_(True))))
    departments: list[tuple[int | None, str, str]] = [
        (d.id, d.name, d.auto_assignment) for d in session.scalars(select(Department).order_by(Department.name))
    ]
    if None in live or None in breaches:
        departments.append((None, "", "off"))
    out = []
    for department_id, name, policy in departments:
        numbers = live.get(department_id)
        oldest = numbers[6] if numbers else None
        if isinstance(oldest, str):  # SQLite returns MIN() over a CASE as text
            oldest = datetime.fromisoformat(oldest)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        out.append(
            QueueStats(
                department_id=department_id,
                name=name,
                auto_assignment=policy,
                has_policy=department_id in with_policy,
                open=int(numbers[0]) if numbers else 0,
                pending=int(numbers[1]) if numbers else 0,
                unassigned=int(numbers[2]) if numbers else 0,
                awaiting_reply=int(numbers[3]) if numbers else 0,
                overdue=int(numbers[4]) if numbers else 0,
                due_soon=int(numbers[5]) if numbers else 0,
                breaches_today=int(breaches.get(department_id, 0)),
                oldest_waiting_since=oldest,
            )
        )
    return out


@dataclass(frozen=True)
class SlaStatus:
    """The target a conversation's badge shows: the running one due first, or the one missed."""

    kind: str  # first_reply | resolution
    due_at: datetime
    breached: bool  # the SLA job flagged it (the clock alone may show it overdue earlier)

    def seconds_left(self, now: datetime | None = None) -> int:
        """Negative when overdue."""
        return math.floor((self.due_at - (now or utcnow())).total_seconds())


def sla_statuses(conversation: Conversation) -> list[SlaStatus]:
    """Every running target of a conversation, reply first (for the conversation pane)."""
    out = []
    for kind in (FIRST_REPLY, RESOLUTION):
        due: datetime | None = getattr(conversation, f"{kind}_due_at")
        if due is not None:
            out.append(SlaStatus(kind, due, getattr(conversation, f"{kind}_breached_at") is not None))
    return out


def sla_status(conversation: Conversation) -> SlaStatus | None:
    """What a list row shows: a flagged breach first, else the target due soonest; None if none runs."""
    running = sorted(sla_statuses(conversation), key=lambda s: (not s.breached, s.due_at))
    return running[0] if running else None

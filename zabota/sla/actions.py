"""SLA policies per department, and the due times and breach flags they put on conversations.

Targets (a department without an active policy has none):

* **Reply** (`first_reply`): while a conversation is open and a customer waits for a person
  (`awaiting_reply_since` is set), a reply is due `first_reply_minutes` after the oldest
  unanswered customer message. It covers the first reply of each cycle and every later wait;
  pending and snoozed conversations pause it (the team parked them on purpose), and when they are
  open again the wait still counts from that oldest message. A reply from a person stops it; a
  bot's does not.
* **Resolution**: until the conversation is resolved, it is due `resolution_hours` after the
  cycle opened (first opening or last reopen), or, with `resolution_same_day`, at closing time
  of the business day it opened in (after hours: of the next business day).

With `business_hours_only` the clocks count only the organization's open hours
(`zabota.sla.calendar`); otherwise plain elapsed time (and "same day" ends at local midnight).

`refresh_sla` recomputes both targets after every change that can move them (ingest, reply,
transfer, status change, reopen, snooze wake-up, a policy change) and schedules a durable
`sla.check` job at each new due time. That job refreshes again: if the target still runs with
the same due time and it has passed, the breach is recorded (`sla_breaches` row, the
conversation's `*_breached_at` flag, a `conversation.sla_breached` event), exactly once per
(conversation, target, due time). A reply or resolution before the due time leaves the job
nothing to do. The flags are live: they clear when the missed target stops (the reply is sent,
the conversation is resolved), while the breach rows keep the history.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zabota.conversations.models import BotState, Conversation, Status
from zabota.db import insert_for, utcnow
from zabota.departments.models import Department
from zabota.errors import DomainError
from zabota.events.actions import Actor, record_event
from zabota.jobs.queue import enqueue
from zabota.org.actions import get_organization
from zabota.sla.calendar import BusinessCalendar, NeverOpen
from zabota.sla.models import SlaBreach, SlaPolicy

FIRST_REPLY = "first_reply"
RESOLUTION = "resolution"
KINDS = (FIRST_REPLY, RESOLUTION)
CHECK_JOB = "sla.check"
RECOMPUTE_JOB = "sla.recompute_department"
MAX_FIRST_REPLY_MINUTES = 30 * 24 * 60
MAX_RESOLUTION_HOURS = 365 * 24
RECOMPUTE_BATCH = 200


# --- policies -------------------------------------------------------------------------------


def get_policy(session: Session, department_id: int) -> SlaPolicy | None:
    return session.scalar(select(SlaPolicy).where(SlaPolicy.department_id == department_id))


def list_policies(session: Session) -> list[SlaPolicy]:
    return list(session.scalars(select(SlaPolicy).order_by(SlaPolicy.department_id)))


def _policy_values(policy: SlaPolicy) -> dict[str, Any]:
    return {
        "first_reply_minutes": policy.first_reply_minutes,
        "resolution_hours": policy.resolution_hours,
        "resolution_same_day": policy.resolution_same_day,
        "business_hours_only": policy.business_hours_only,
        "active": policy.active,
    }


def set_policy(
    session: Session,
    actor: Actor,
    department: Department,
    *,
    first_reply_minutes: int | None = None,
    resolution_hours: int | None = None,
    resolution_same_day: bool = False,
    business_hours_only: bool = True,
    active: bool = True,
) -> SlaPolicy:
    """Create or replace the department's policy; open conversations get new due times."""
    if first_reply_minutes is not None and not 1 <= first_reply_minutes <= MAX_FIRST_REPLY_MINUTES:
        raise DomainError(
            "The reply target must be between 1 and {limit} minutes.", limit=MAX_FIRST_REPLY_MINUTES, code="bad_sla"
        )
    if resolution_hours is not None and not 1 <= resolution_hours <= MAX_RESOLUTION_HOURS:
        raise DomainError(
            "The resolution target must be between 1 and {limit} hours.", limit=MAX_RESOLUTION_HOURS, code="bad_sla"
        )
    if resolution_hours is not None and resolution_same_day:
        raise DomainError(
            "Choose either a resolution time in hours or resolution the same business day, not both.", code="bad_sla"
        )
    if first_reply_minutes is None and resolution_hours is None and not resolution_same_day:
        raise DomainError("An SLA policy needs a reply target or a resolution target.", code="bad_sla")
    policy = get_policy(session, department.id)
    previous = _policy_values(policy) if policy is not None else None
    if policy is None:
        policy = SlaPolicy(department_id=department.id)
        session.add(policy)
    policy.first_reply_minutes = first_reply_minutes
    policy.resolution_hours = resolution_hours
    policy.resolution_same_day = resolution_same_day
    policy.business_hours_only = business_hours_only
    policy.active = active
    session.flush()
    values = _policy_values(policy)
    if values != previous:
        record_event(
            session,
            "sla_policy.set",
            actor,
            "department",
            department.id,
            {"department_id": department.id, **values, "previous": previous},
        )
        schedule_recompute(session, department.id)
    return policy


def clear_policy(session: Session, actor: Actor, department: Department) -> bool:
    """Remove the department's policy; its conversations lose their due times. False if it had none."""
    policy = get_policy(session, department.id)
    if policy is None:
        return False
    previous = _policy_values(policy)
    session.delete(policy)
    session.flush()
    record_event(
        session, "sla_policy.cleared", actor, "department", department.id, {"department_id": department.id, **previous}
    )
    schedule_recompute(session, department.id)
    return True


def schedule_recompute(session: Session, department_id: int | None = None) -> None:
    """Recompute the due times of a department's unresolved conversations (all with None) in a job.

    Call it after business hours, holidays or the timezone change, too.
    """
    now = utcnow()
    key = f"sla-recompute:{department_id if department_id is not None else 'all'}:{now.isoformat()}"
    enqueue(session, RECOMPUTE_JOB, {"department_id": department_id}, dedupe_key=key)


def recompute(session: Session, department_id: int | None = None) -> int:
    """Refresh every unresolved conversation of the department (or all); returns how many."""
    query = select(Conversation.id).where(Conversation.status != Status.RESOLVED).order_by(Conversation.id)
    if department_id is not None:
        query = query.where(Conversation.department_id == department_id)
    ids = list(session.scalars(query))
    for offset in range(0, len(ids), RECOMPUTE_BATCH):
        chunk = ids[offset : offset + RECOMPUTE_BATCH]
        rows = session.scalars(
            select(Conversation)
            .where(Conversation.id.in_(chunk))
            .order_by(Conversation.id)
            .with_for_update(key_share=True)
        )
        for conversation in rows:
            refresh_sla(session, conversation)
    return len(ids)


# --- due times ------------------------------------------------------------------------------


def calendar_of(session: Session) -> BusinessCalendar:
    return BusinessCalendar.for_organization(get_organization(session))


def _after(calendar: BusinessCalendar, policy: SlaPolicy, start: datetime, seconds: int) -> datetime:
    if policy.business_hours_only:
        try:
            return calendar.add_business_seconds(start, seconds)
        except NeverOpen:
            pass  # no business hours configured: count plain time rather than never be due
    return start.astimezone(UTC) + timedelta(seconds=seconds)


def _same_day(calendar: BusinessCalendar, policy: SlaPolicy, start: datetime) -> datetime:
    if policy.business_hours_only:
        closing = calendar.end_of_business_day(start)
        if closing is not None:
            return closing
    return calendar.end_of_calendar_day(start)


def due_times(session: Session, conversation: Conversation) -> tuple[datetime | None, datetime | None]:
    """(reply due, resolution due) under the conversation's department policy, as things stand."""
    if (
        conversation.department_id is None
        or conversation.status == Status.RESOLVED
        or conversation.bot_state == BotState.ACTIVE  # the bot's, not people's yet: no clock runs
    ):
        return None, None
    policy = get_policy(session, conversation.department_id)
    if policy is None or not policy.active:
        return None, None
    calendar = calendar_of(session)
    first_reply = resolution = None
    if (
        policy.first_reply_minutes is not None
        and conversation.status == Status.OPEN
        and conversation.awaiting_reply_since is not None
    ):
        first_reply = _after(calendar, policy, conversation.awaiting_reply_since, policy.first_reply_minutes * 60)
    cycle_start = conversation.cycle_opened_at or conversation.opened_at
    if policy.resolution_hours is not None:
        resolution = _after(calendar, policy, cycle_start, policy.resolution_hours * 3600)
    elif policy.resolution_same_day:
        resolution = _same_day(calendar, policy, cycle_start)
    return first_reply, resolution


def refresh_sla(session: Session, conversation: Conversation) -> None:
    """Bring the conversation's due times and breach flags up to date (see the module docstring)."""
    if (
        conversation.department_id is None
        and conversation.first_reply_due_at is None
        and conversation.resolution_due_at is None
    ):
        return  # no department, no policy, nothing running: no queries on the hot path
    first_reply, resolution = due_times(session, conversation)
    now = utcnow()
    _apply(session, conversation, FIRST_REPLY, first_reply, now)
    _apply(session, conversation, RESOLUTION, resolution, now)


def _apply(session: Session, conversation: Conversation, kind: str, due: datetime | None, now: datetime) -> None:
    due_attr, flag_attr = f"{kind}_due_at", f"{kind}_breached_at"
    due = due.astimezone(UTC) if due is not None else None
    changed = due != getattr(conversation, due_attr)
    if changed:
        setattr(conversation, due_attr, due)
    if due is None:
        setattr(conversation, flag_attr, None)
    elif due <= now:
        if getattr(conversation, flag_attr) != due:
            _record_breach(session, conversation, kind, due, now)
    elif changed:
        setattr(conversation, flag_attr, None)
        stamp = due.isoformat()
        enqueue(
            session,
            CHECK_JOB,
            {"conversation_id": conversation.id, "kind": kind, "due_at": stamp},
            run_at=due,
            dedupe_key=f"sla:{conversation.id}:{kind}:{stamp}",
        )


def _record_breach(session: Session, conversation: Conversation, kind: str, due: datetime, now: datetime) -> None:
    """Flag the missed target; the row and the event are written once per (conversation, kind, due)."""
    stmt: Any = insert_for(session, SlaBreach.__table__).values(
        conversation_id=conversation.id,
        department_id=conversation.department_id,
        assignee_id=conversation.assignee_id,
        kind=kind,
        due_at=due,
        detected_at=now,
    )
    stmt = stmt.on_conflict_do_nothing(index_elements=["conversation_id", "kind", "due_at"])
    breach_id = session.execute(stmt.returning(SlaBreach.__table__.c.id)).scalar()
    setattr(conversation, f"{kind}_breached_at", due)
    if breach_id is None:
        return
    record_event(
        session,
        "conversation.sla_breached",
        Actor.system(),
        "conversation",
        conversation.id,
        {
            "kind": kind,
            "due_at": due.isoformat(),
            "department_id": conversation.department_id,
            "assignee_id": conversation.assignee_id,
            "breach_id": breach_id,
        },
        conversation_id=conversation.id,
    )

"""SLA policies per department, breaches, and the supervisor's live queue numbers."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Response
from pydantic import Field

from zabota.api.deps import DbSession, Principal, require
from zabota.api.schemas import In, Out
from zabota.auth.roles import Permission
from zabota.conversations.actions import access_conversation
from zabota.departments.actions import get_department
from zabota.errors import NotFound
from zabota.sla import actions, queries
from zabota.sla.actions import MAX_FIRST_REPLY_MINUTES, MAX_RESOLUTION_HOURS

router = APIRouter(tags=["sla"])


class SlaPolicyIn(In):
    first_reply_minutes: int | None = Field(
        default=None, ge=1, le=MAX_FIRST_REPLY_MINUTES, description="A person replies to a waiting customer within."
    )
    resolution_hours: int | None = Field(default=None, ge=1, le=MAX_RESOLUTION_HOURS)
    resolution_same_day: bool = Field(default=False, description="Resolved by closing time of the business day.")
    business_hours_only: bool = Field(default=True, description="Count only the organization's business hours.")
    active: bool = True


class SlaPolicyOut(Out):
    department_id: int
    first_reply_minutes: int | None
    resolution_hours: int | None
    resolution_same_day: bool
    business_hours_only: bool
    active: bool
    updated_at: datetime


class BreachOut(Out):
    id: int
    conversation_id: int
    department_id: int | None
    assignee_id: int | None
    kind: str
    due_at: datetime
    detected_at: datetime


class ConversationSlaOut(Out):
    conversation_id: int
    first_reply_due_at: datetime | None
    resolution_due_at: datetime | None
    first_reply_breached_at: datetime | None
    resolution_breached_at: datetime | None
    breaches: list[BreachOut]


class DepartmentBreachesOut(Out):
    department_id: int | None
    name: str
    first_reply: int
    resolution: int
    total: int


class BreachesDayOut(Out):
    day: date
    departments: list[DepartmentBreachesOut]


class QueueStatsOut(Out):
    department_id: int | None
    name: str
    auto_assignment: str
    has_policy: bool
    open: int
    pending: int
    unassigned: int
    awaiting_reply: int
    overdue: int
    due_soon: int
    breaches_today: int
    oldest_waiting_since: datetime | None


@router.get("/sla/policies", response_model=list[SlaPolicyOut])
def list_policies(
    session: DbSession, principal: Principal = require(Permission.DEPARTMENTS_READ)
) -> list[SlaPolicyOut]:
    return [SlaPolicyOut.model_validate(p) for p in actions.list_policies(session)]


@router.get("/departments/{department_id}/sla", response_model=SlaPolicyOut)
def get_policy(
    department_id: int, session: DbSession, principal: Principal = require(Permission.DEPARTMENTS_READ)
) -> SlaPolicyOut:
    department = get_department(session, department_id)
    policy = actions.get_policy(session, department.id)
    if policy is None:
        raise NotFound("{name} has no SLA policy.", name=department.name, code="no_sla_policy")
    return SlaPolicyOut.model_validate(policy)


@router.put("/departments/{department_id}/sla", response_model=SlaPolicyOut)
def set_policy(
    department_id: int, body: SlaPolicyIn, session: DbSession, principal: Principal = require(Permission.SLA_MANAGE)
) -> SlaPolicyOut:
    """Set the department's targets; its open conversations get new due times shortly."""
    department = get_department(session, department_id)
    return SlaPolicyOut.model_validate(actions.set_policy(session, principal.actor, department, **body.model_dump()))


@router.delete("/departments/{department_id}/sla", status_code=204)
def clear_policy(
    department_id: int, session: DbSession, principal: Principal = require(Permission.SLA_MANAGE)
) -> Response:
    actions.clear_policy(session, principal.actor, get_department(session, department_id))
    return Response(status_code=204)


@router.get("/conversations/{conversation_id}/sla", response_model=ConversationSlaOut)
def conversation_sla(
    conversation_id: int, session: DbSession, principal: Principal = require(Permission.CONVERSATIONS_READ)
) -> ConversationSlaOut:
    """Running targets of a conversation and every target it missed."""
    conversation = access_conversation(session, principal.user, conversation_id)
    breaches = queries.breaches_of(session, conversation.id)
    return ConversationSlaOut(
        conversation_id=conversation.id,
        first_reply_due_at=conversation.first_reply_due_at,
        resolution_due_at=conversation.resolution_due_at,
        first_reply_breached_at=conversation.first_reply_breached_at,
        resolution_breached_at=conversation.resolution_breached_at,
        breaches=[BreachOut.model_validate(b) for b in breaches],
    )


@router.get("/sla/breaches", response_model=BreachesDayOut)
def breaches_by_department(
    session: DbSession, day: date | None = None, principal: Principal = require(Permission.QUEUE_READ)
) -> BreachesDayOut:
    """Targets missed on a day (the organization's today by default), per department."""
    resolved_day, _, _ = queries.day_bounds(session, day)
    rows = queries.breaches_by_department(session, resolved_day)
    return BreachesDayOut(day=resolved_day, departments=[DepartmentBreachesOut.model_validate(r) for r in rows])


@router.get("/queue/departments", response_model=list[QueueStatsOut])
def queue_stats(session: DbSession, principal: Principal = require(Permission.QUEUE_READ)) -> list[QueueStatsOut]:
    """Each department's queue now: open, unassigned, waiting, overdue, due within 15 minutes."""
    return [QueueStatsOut.model_validate(row) for row in queries.queue_stats(session)]

"""Organization settings, the audit log and the job queue."""

from __future__ import annotations

from fastapi import APIRouter, Query
from sqlalchemy import select

from zabota.api.deps import DbSession, Principal, require
from zabota.api.schemas import EventOut, JobOut, OrganizationOut, OrganizationUpdate, PageOut
from zabota.auth.roles import Permission
from zabota.events.models import DomainEvent
from zabota.jobs import queue
from zabota.jobs.models import Job
from zabota.org.actions import get_organization, update_organization
from zabota.org.models import Organization
from zabota.pagination import decode_cursor, encode_cursor

router = APIRouter(tags=["administration"])


@router.get("/organization", response_model=OrganizationOut)
def organization(session: DbSession, principal: Principal = require(Permission.PROFILE)) -> Organization:
    return get_organization(session)


@router.patch("/organization", response_model=OrganizationOut)
def patch_organization(
    body: OrganizationUpdate, session: DbSession, principal: Principal = require(Permission.ORGANIZATION_MANAGE)
) -> Organization:
    changes = body.model_dump(exclude_unset=True, mode="json")
    return update_organization(session, principal.actor, **changes)


@router.get("/events", response_model=PageOut[EventOut])
def list_events(
    session: DbSession,
    type: str | None = Query(default=None, max_length=64),
    subject_type: str | None = Query(default=None, max_length=32),
    subject_id: int | None = None,
    conversation_id: int | None = None,
    actor_id: int | None = None,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = require(Permission.AUDIT_READ),
) -> PageOut[EventOut]:
    """The audit log, newest first."""
    query = select(DomainEvent)
    if type:
        query = query.where(DomainEvent.type == type)
    if subject_type:
        query = query.where(DomainEvent.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(DomainEvent.subject_id == subject_id)
    if conversation_id is not None:
        query = query.where(DomainEvent.conversation_id == conversation_id)
    if actor_id is not None:
        query = query.where(DomainEvent.actor_kind == "user", DomainEvent.actor_id == actor_id)
    if cursor:
        (before,) = decode_cursor(cursor, int)
        query = query.where(DomainEvent.id < before)
    rows = list(session.scalars(query.order_by(DomainEvent.id.desc()).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return PageOut[EventOut](items=[EventOut.model_validate(r) for r in rows[:limit]], next_cursor=next_cursor)


@router.get("/jobs", response_model=list[JobOut])
def list_jobs(
    session: DbSession,
    status: str | None = Query(default=None, pattern="^(queued|running|done|failed)$"),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = require(Permission.JOBS_MANAGE),
) -> list[Job]:
    return list(queue.list_jobs(session, status=status, limit=limit))


@router.post("/jobs/{job_id}/retry", response_model=JobOut)
def retry_job(job_id: int, session: DbSession, principal: Principal = require(Permission.JOBS_MANAGE)) -> Job:
    return queue.retry(session, job_id, principal.actor)

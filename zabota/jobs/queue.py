"""Enqueueing, claiming and running jobs; retries with backoff; lease renewal.

The life of a job:

* `enqueue` adds a `queued` row in the caller's transaction; workers see it once that commits.
* `claim_next` takes one due job in its own short transaction: status `running`, `locked_by` the
  worker, `locked_until` the end of the lease, `attempts` + 1. PostgreSQL workers skip rows other
  workers are claiming (`FOR UPDATE SKIP LOCKED`); on SQLite every transaction holds the write
  lock from its start (`BEGIN IMMEDIATE`, see zabota.db), so claims are serialised. A `running`
  job whose lease has run out is a crashed or hung worker's job and is claimed again.
* `run_job` runs the handler and marks the job done in one transaction. The completion is fenced:
  it only updates the row while this worker still holds this claim (same `locked_by` and
  `attempts`), otherwise everything the handler wrote is rolled back. So when two workers end up
  running the same job (a lease ran out under a hung worker), at most one of them commits.
* While the handler runs, a heartbeat thread renews the lease every third of it, in separate
  short transactions, so long jobs are not taken over.
* A failing handler's work is rolled back; the error is recorded and the job is queued again
  after an exponential backoff with jitter, or marked `failed` after `max_attempts`.

On SQLite the handler's transaction holds the database write lock from its first statement to its
commit, and every other writer waits for it: handlers should do slow I/O before they touch the
database, or keep it short.
"""

from __future__ import annotations

import contextvars
import logging
import os
import random
import socket
import threading
import traceback
import uuid
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from zabota.db import Database, insert_for, utcnow
from zabota.errors import Conflict, NotFound
from zabota.events.actions import Actor, record_event
from zabota.jobs.models import DEFAULT_MAX_ATTEMPTS, Job, JobStatus
from zabota.jobs.registry import MAX_NAME_LENGTH, get_handler

logger = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 60.0
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 3600.0
MAX_ERROR_MESSAGE = 1000
MAX_ERROR_LENGTH = 4000
TRACEBACK_FRAMES = 8

Outcome = Literal["done", "retrying", "failed", "lost"]


class _LeaseLost(Exception):
    """The claim was taken over while the handler ran; its work must not commit."""


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def enqueue(
    session: Session,
    name: str,
    payload: dict[str, Any] | None = None,
    *,
    run_at: datetime | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    dedupe_key: str | None = None,
) -> Job:
    """Add a job in the caller's transaction; workers see it once that transaction commits.

    With a `dedupe_key`, enqueueing again (even concurrently, even after the first job finished)
    is a no-op that returns the existing job. The key is permanent, so make it name the one
    occurrence it stands for (`deliver:<message id>`, `wake:<conversation>:<time>`).
    """
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"job name must be 1..{MAX_NAME_LENGTH} characters: {name!r}")
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    now = utcnow()
    if run_at is None:
        run_at = now
    elif run_at.tzinfo is None:
        raise ValueError("run_at must be a timezone-aware datetime")
    values: dict[str, Any] = {
        "name": name,
        "payload": dict(payload or {}),
        "status": JobStatus.QUEUED.value,
        "attempts": 0,
        "max_attempts": max_attempts,
        "run_at": run_at,
        "dedupe_key": dedupe_key,
        "created_at": now,
    }
    if dedupe_key is None:
        job = Job(**values)
        session.add(job)
        session.flush()
        return job

    existing = session.scalars(select(Job).where(Job.dedupe_key == dedupe_key)).first()
    if existing is not None:
        return existing
    # ON CONFLICT DO NOTHING: a concurrent enqueue with the same key neither fails nor duplicates
    # (on PostgreSQL it waits for the other transaction and then sees its row).
    stmt: Any = insert_for(session, Job.__table__).values(**values)
    stmt = stmt.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(Job.__table__.c.id)
    new_id = session.execute(stmt).scalar()
    if new_id is not None:
        created = session.get(Job, new_id)
        assert created is not None
        return created
    return session.scalars(select(Job).where(Job.dedupe_key == dedupe_key)).one()


def claim_next(database: Database, worker_id: str, *, lease_seconds: float) -> Job | None:
    """Claim one due job for `worker_id` and commit the claim; None when nothing is due.

    Due means queued with `run_at` reached, or running with an expired lease (a crashed
    worker's job). Such an abandoned job that has used up its attempts is marked failed instead,
    so a job that kills its worker every time cannot loop forever.
    """
    now = utcnow()
    due = or_(
        and_(Job.status == JobStatus.QUEUED, Job.run_at <= now),
        and_(Job.status == JobStatus.RUNNING, Job.locked_until < now),
    )
    stmt = select(Job).where(due).order_by(Job.run_at, Job.id).limit(1)
    if database.dialect == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    with database.transaction() as session:
        while True:
            job = session.scalars(stmt).first()
            if job is None:
                return None
            if job.status == JobStatus.RUNNING:
                logger.warning(
                    "job %s (%s): lease of %s expired on attempt %d/%d",
                    job.id,
                    job.name,
                    job.locked_by,
                    job.attempts,
                    job.max_attempts,
                )
                if job.attempts >= job.max_attempts:
                    job.status = JobStatus.FAILED
                    job.last_error = (
                        f"LeaseExpired: worker {job.locked_by} stopped renewing its lease on attempt "
                        f"{job.attempts} of {job.max_attempts} (crashed or hung); giving up"
                    )
                    job.finished_at = now
                    job.locked_by = None
                    job.locked_until = None
                    session.flush()
                    continue
            job.status = JobStatus.RUNNING
            job.locked_by = worker_id
            job.locked_until = now + timedelta(seconds=lease_seconds)
            job.attempts += 1
            job.started_at = now
            job.finished_at = None
            return job


def run_job(database: Database, job: Job, worker_id: str, *, lease_seconds: float | None = None) -> Outcome:
    """Run a job this worker claimed; see the module docstring for the guarantees.

    Returns what became of it: done, retrying (queued again after a backoff), failed, or lost
    (another worker took it over; nothing was changed).
    """
    handler = get_handler(job.name)
    if handler is None:
        error = (
            f"UnknownJob: no handler is registered for job {job.name!r} "
            f"(is the module that defines it imported by the worker?)"
        )
        logger.error("job %s: %s", job.id, error)
        return _record_failure(database, job, worker_id, error, permanent=True)
    if lease_seconds is None:
        lease_seconds = _claimed_lease(job)
    if not _holds_claim(database, job, worker_id):
        logger.warning("job %s (%s): no longer held by %s; skipped", job.id, job.name, worker_id)
        return "lost"

    stop = threading.Event()
    heartbeat = threading.Thread(
        target=contextvars.copy_context().run,  # same clock as the caller (zabota.db.clock_at)
        args=(_renew_lease, database, job, worker_id, lease_seconds, stop),
        name=f"zabota-job-{job.id}-heartbeat",
        daemon=True,
    )
    heartbeat.start()
    try:
        try:
            # The transaction (and on SQLite the write lock) starts with the handler's first query.
            with database.transaction() as session:
                current = session.merge(job, load=False)
                handler(session, dict(current.payload), current)
                completed = _update_if_held(
                    session,
                    job,
                    worker_id,
                    status=JobStatus.DONE.value,
                    finished_at=utcnow(),
                    locked_by=None,
                    locked_until=None,
                )
                if not completed:
                    raise _LeaseLost
        finally:
            stop.set()
    except _LeaseLost:
        heartbeat.join()
        logger.warning("job %s (%s): taken over by another worker; its work was rolled back", job.id, job.name)
        return "lost"
    except Exception as exc:
        heartbeat.join()
        return _record_failure(database, job, worker_id, _describe(exc), exc=exc)
    heartbeat.join()
    logger.debug("job %s (%s) done on attempt %d", job.id, job.name, job.attempts)
    return "done"


def retry(session: Session, job_id: int, actor: Actor | None = None) -> Job:
    """Put a failed job back in the queue, due now, with its attempts reset (audited)."""
    job = session.get(Job, job_id, with_for_update=True)
    if job is None:
        raise NotFound("Job {job_id} not found.", job_id=job_id, code="job_not_found")
    if job.status != JobStatus.FAILED:
        raise Conflict(
            "Only failed jobs can be retried; job {job_id} is {status}.",
            job_id=job_id,
            status=job.status,
            code="job_not_failed",
        )
    job.status = JobStatus.QUEUED
    job.attempts = 0
    job.run_at = utcnow()
    job.finished_at = None
    job.locked_by = None
    job.locked_until = None
    session.flush()
    record_event(session, "job.retried", actor or Actor.system(), "job", job.id, {"name": job.name})
    return job


def list_jobs(session: Session, *, status: str | None = None, name: str | None = None, limit: int = 50) -> list[Job]:
    """Most recent jobs first, optionally of one status and/or name."""
    stmt = select(Job).order_by(Job.id.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(Job.status == status)
    if name is not None:
        stmt = stmt.where(Job.name == name)
    return list(session.scalars(stmt))


def run_until_idle(
    database: Database,
    worker_id: str | None = None,
    max_jobs: int = 1000,
    *,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
) -> int:
    """Run due jobs one after another until none is due (or `max_jobs`); return how many ran.

    Jobs that handlers enqueue for now are run too; jobs retried with a backoff are not due yet.
    """
    worker_id = worker_id or default_worker_id()
    count = 0
    while count < max_jobs:
        job = claim_next(database, worker_id, lease_seconds=lease_seconds)
        if job is None:
            break
        run_job(database, job, worker_id, lease_seconds=lease_seconds)
        count += 1
    return count


def backoff_seconds(attempts: int, *, rng: random.Random | None = None) -> float:
    """Delay before the next attempt after `attempts` failed ones: 2 s × 2^(attempts-1), capped at
    one hour, with "equal jitter" (between half and all of it) so failures do not retry in step.
    """
    delay = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * (1 << min(max(attempts - 1, 0), 32)))
    jitter = rng.uniform(0, delay / 2) if rng is not None else random.uniform(0, delay / 2)
    return delay / 2 + jitter


def _fence(job: Job, worker_id: str) -> ColumnElement[bool]:
    """This worker still holds this claim of the job (a later claim increments attempts)."""
    return and_(
        Job.id == job.id,
        Job.status == JobStatus.RUNNING,
        Job.locked_by == worker_id,
        Job.attempts == job.attempts,
    )


def _update_if_held(session: Session, job: Job, worker_id: str, **values: Any) -> bool:
    stmt = update(Job).where(_fence(job, worker_id)).values(**values)
    result = cast(CursorResult[Any], session.execute(stmt, execution_options={"synchronize_session": False}))
    return result.rowcount == 1


def _holds_claim(database: Database, job: Job, worker_id: str) -> bool:
    with database.transaction() as session:
        return session.scalar(select(Job.id).where(_fence(job, worker_id))) is not None


def _claimed_lease(job: Job) -> float:
    if job.locked_until is not None and job.started_at is not None:
        return max((job.locked_until - job.started_at).total_seconds(), 1.0)
    return DEFAULT_LEASE_SECONDS


def _renew_lease(database: Database, job: Job, worker_id: str, lease_seconds: float, stop: threading.Event) -> None:
    """Heartbeat: extend the lease every third of it until the handler finishes."""
    while not stop.wait(lease_seconds / 3):
        try:
            with database.transaction() as session:
                renewed = _update_if_held(
                    session, job, worker_id, locked_until=utcnow() + timedelta(seconds=lease_seconds)
                )
        except Exception:
            logger.warning("job %s: could not renew the lease", job.id, exc_info=True)
            continue
        if not renewed:
            return
        logger.debug("job %s: lease renewed by %s", job.id, worker_id)


def _describe(exc: BaseException) -> str:
    head = f"{type(exc).__name__}: {exc}"
    if len(head) > MAX_ERROR_MESSAGE:
        head = head[: MAX_ERROR_MESSAGE - 1] + "…"
    frames = traceback.format_tb(exc.__traceback__)[-TRACEBACK_FRAMES:]
    return f"{head}\n\nTraceback (most recent call last):\n{''.join(frames)}"[:MAX_ERROR_LENGTH]


def _record_failure(
    database: Database,
    job: Job,
    worker_id: str,
    error: str,
    *,
    permanent: bool = False,
    exc: BaseException | None = None,
) -> Outcome:
    now = utcnow()
    give_up = permanent or job.attempts >= job.max_attempts
    values: dict[str, Any] = {"last_error": error[:MAX_ERROR_LENGTH], "locked_by": None, "locked_until": None}
    if give_up:
        values.update(status=JobStatus.FAILED.value, finished_at=now)
        delay = 0.0
    else:
        delay = backoff_seconds(job.attempts)
        values.update(status=JobStatus.QUEUED.value, run_at=now + timedelta(seconds=delay))
    try:
        with database.transaction() as session:
            recorded = _update_if_held(session, job, worker_id, **values)
    except Exception:
        # The lease runs out and the job is claimed again; attempts still bound it.
        logger.exception("job %s: could not record its failure", job.id)
        return "lost"
    if not recorded:
        logger.warning("job %s (%s): failed after being taken over by another worker", job.id, job.name)
        return "lost"
    if give_up:
        logger.error(
            "job %s (%s) failed for good after attempt %d/%d: %s",
            job.id,
            job.name,
            job.attempts,
            job.max_attempts,
            error.splitlines()[0],
            exc_info=exc,
        )
        return "failed"
    logger.warning(
        "job %s (%s) failed on attempt %d/%d, retrying in %.1f s: %s",
        job.id,
        job.name,
        job.attempts,
        job.max_attempts,
        delay,
        error.splitlines()[0],
    )
    return "retrying"


__all__ = [
    "DEFAULT_LEASE_SECONDS",
    "Outcome",
    "backoff_seconds",
    "claim_next",
    "default_worker_id",
    "enqueue",
    "list_jobs",
    "retry",
    "run_job",
    "run_until_idle",
]

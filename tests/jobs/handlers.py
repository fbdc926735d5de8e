"""Job handlers used by the tests; a module of its own so that worker subprocesses can import it.

Every handler records a `test.job_ran` domain event about its job, so a test counts how many times
a job's database work was committed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zabota.db import Database
from zabota.events.actions import Actor, record_event
from zabota.events.models import DomainEvent
from zabota.jobs.models import Job
from zabota.jobs.registry import job

RAN = "test.job_ran"
RECORD = "tests.jobs.record"
FLAKY = "tests.jobs.flaky"
SLOW = "tests.jobs.slow"
CRASH_ONCE = "tests.jobs.crash_once"
CHAIN = "tests.jobs.chain"

# Tokens of flaky jobs that must fail for now.
FAILING: set[str] = set()


def _ran(session: Session, job_: Job) -> None:
    record_event(session, RAN, Actor.system(), "job", job_.id, {"worker": job_.locked_by, "attempt": job_.attempts})


@job(RECORD)
def record(session: Session, payload: dict[str, Any], job_: Job) -> None:
    _ran(session, job_)


@job(FLAKY)
def flaky(session: Session, payload: dict[str, Any], job_: Job) -> None:
    _ran(session, job_)
    session.flush()  # written, and then rolled back by the failure
    if payload["token"] in FAILING:
        raise RuntimeError(f"boom on attempt {job_.attempts}")


@job(SLOW)
def slow(session: Session, payload: dict[str, Any], job_: Job) -> None:
    time.sleep(payload["seconds"])  # no query yet: on SQLite the write lock is not taken
    _ran(session, job_)


@job(CRASH_ONCE)
def crash_once(session: Session, payload: dict[str, Any], job_: Job) -> None:
    """Writes its row, then on the first attempt tells the test it is inside and hangs."""
    _ran(session, job_)
    session.flush()
    if job_.attempts == 1:
        Path(payload["marker"]).write_text(str(job_.id))
        time.sleep(payload["sleep"])


@job(CHAIN)
def chain(session: Session, payload: dict[str, Any], job_: Job) -> None:
    from zabota.jobs.queue import enqueue

    _ran(session, job_)
    enqueue(session, RECORD, {}, dedupe_key=f"after:{job_.id}")


def runs_of(database: Database, job_id: int) -> int:
    """How many committed runs of the job's work there are."""
    with database.transaction() as session:
        count = session.scalar(
            select(func.count()).where(
                DomainEvent.type == RAN, DomainEvent.subject_type == "job", DomainEvent.subject_id == job_id
            )
        )
    return int(count or 0)


def load(database: Database, job_id: int) -> Job:
    with database.transaction() as session:
        found = session.get(Job, job_id)
        assert found is not None
        return found

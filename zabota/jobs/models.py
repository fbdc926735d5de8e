"""The `jobs` table: one row per unit of background work, from enqueue to done or failed."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zabota.db import Base, BigID, utcnow

DEFAULT_MAX_ATTEMPTS = 8


class JobStatus(StrEnum):
    QUEUED = "queued"  # waiting for run_at
    RUNNING = "running"  # claimed by a worker until locked_until (the lease)
    DONE = "done"
    FAILED = "failed"  # gave up; `retry` puts it back in the queue


class Job(Base):
    """A durable job. A worker holds it through a lease that it renews while the handler runs;
    a job whose lease has run out belongs to a crashed worker and is claimed again.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=DEFAULT_MAX_ATTEMPTS)
    # When the job becomes eligible to run (also the next retry time after a failure).
    run_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_by: Mapped[str | None] = mapped_column(String(255))
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # Enqueueing again with the same key returns the existing job, whatever its status.
    dedupe_key: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_jobs_status_run_at", "status", "run_at"),
    )

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.name} {self.status} attempt {self.attempts}/{self.max_attempts}>"

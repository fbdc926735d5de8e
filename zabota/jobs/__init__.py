"""Durable background jobs stored in the database (outbound delivery, timers, reminders).

Why our own queue: no maintained job library stores its jobs in both SQLite and PostgreSQL
(procrastinate is PostgreSQL-only, huey has no PostgreSQL storage, Celery/RQ/Dramatiq need a
broker). Zabota's embedded default is SQLite with no servers to run, and scale-out is PostgreSQL,
so the jobs live in a `jobs` table next to the data they act on: enqueueing commits atomically with
the change that caused it, a reminder due in six months survives restarts, and a handler's
database writes commit together with the job's completion.

    from zabota.jobs import enqueue, job

    @job("channels.deliver_message")
    def deliver(session, payload, job): ...

    enqueue(session, "channels.deliver_message", {"message_id": 42}, dedupe_key="deliver:42")

See `queue` for the guarantees, `registry` for handlers and `worker` for running them.
"""

from zabota.jobs.models import Job, JobStatus
from zabota.jobs.queue import claim_next, enqueue, list_jobs, retry, run_job, run_until_idle
from zabota.jobs.registry import autodiscover, get_handler, job

__all__ = [
    "Job",
    "JobStatus",
    "autodiscover",
    "claim_next",
    "enqueue",
    "get_handler",
    "job",
    "list_jobs",
    "retry",
    "run_job",
    "run_until_idle",
]

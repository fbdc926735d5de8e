"""SLA timers, run by the job worker."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from zabota.conversations.models import Conversation
from zabota.jobs.models import Job
from zabota.jobs.registry import job
from zabota.sla.actions import CHECK_JOB, RECOMPUTE_JOB, recompute, refresh_sla


@job(CHECK_JOB)
def check_due(session: Session, payload: dict[str, Any], _job: Job) -> None:
    """At a due time: flag the breach if the target still runs and is still due then.

    It re-derives the targets rather than trusting the payload, so a reply, a resolution, a
    transfer or a policy change since the job was scheduled leaves nothing to flag.
    """
    conversation = session.get(Conversation, payload["conversation_id"], with_for_update={"key_share": True})
    if conversation is not None:
        refresh_sla(session, conversation)


@job(RECOMPUTE_JOB)
def recompute_due_times(session: Session, payload: dict[str, Any], _job: Job) -> None:
    recompute(session, payload.get("department_id"))

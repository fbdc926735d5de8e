"""Timers of the inbox, run by the job worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from zabota.conversations.actions import WAKE_JOB, wake_if_due
from zabota.conversations.models import Conversation
from zabota.jobs.models import Job
from zabota.jobs.registry import job


@job(WAKE_JOB)
def wake_snoozed(session: Session, payload: dict[str, Any], _job: Job) -> None:
    conversation = session.get(Conversation, payload["conversation_id"], with_for_update=True)
    if conversation is not None:
        wake_if_due(session, conversation, datetime.fromisoformat(payload["snoozed_until"]))

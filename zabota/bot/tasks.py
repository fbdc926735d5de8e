"""The bot's jobs: answer a customer message, close an idle bot conversation, record bot-resolved."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from zabota.bot.actions import check_resolved, close_if_idle, respond
from zabota.bot.config import IDLE_JOB, RESOLVED_JOB, RESPOND_JOB
from zabota.conversations.models import Conversation
from zabota.jobs.models import Job
from zabota.jobs.registry import job


@job(RESPOND_JOB)
def respond_to_message(session: Session, payload: dict[str, Any], _job: Job) -> None:
    """Enqueued with the customer's message (same transaction); answers it once however often it runs."""
    respond(session, int(payload["message_id"]))


@job(IDLE_JOB)
def close_idle(session: Session, payload: dict[str, Any], _job: Job) -> None:
    conversation = session.get(Conversation, payload["conversation_id"], with_for_update={"key_share": True})
    if conversation is not None:
        close_if_idle(session, conversation, int(payload["reply_message_id"]))


@job(RESOLVED_JOB)
def record_if_resolved(session: Session, payload: dict[str, Any], _job: Job) -> None:
    conversation = session.get(Conversation, payload["conversation_id"], with_for_update={"key_share": True})
    if conversation is not None:
        check_resolved(session, conversation, datetime.fromisoformat(payload["resolved_at"]))

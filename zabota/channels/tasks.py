"""The outbox: delivering each outbound message through its channel, with retries."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from zabota.channels.base import PermanentDeliveryError, get_adapter
from zabota.channels.models import Inbox
from zabota.conversations.actions import DELIVER_JOB
from zabota.conversations.models import Conversation, DeliveryStatus, Message
from zabota.customers.models import Customer
from zabota.db import utcnow
from zabota.events.actions import Actor, record_event
from zabota.jobs.models import Job
from zabota.jobs.registry import job


@job(DELIVER_JOB)
def deliver_message(session: Session, payload: dict[str, Any], current: Job) -> None:
    message = session.get(Message, payload["message_id"], with_for_update=True)
    if message is None or message.delivery_status not in (DeliveryStatus.QUEUED, DeliveryStatus.FAILED):
        return  # already delivered by an earlier attempt, or gone
    conversation = session.get(Conversation, message.conversation_id)
    inbox = session.get(Inbox, message.inbox_id)
    assert conversation is not None
    assert inbox is not None
    customer = session.get(Customer, conversation.customer_id)
    assert customer is not None
    adapter = get_adapter(inbox.channel_type)
    try:
        receipt = adapter.deliver(session, inbox, conversation, customer, message)
    except PermanentDeliveryError as exc:
        _give_up(session, message, conversation.id, str(exc))
        return
    except Exception as exc:
        if current.attempts < current.max_attempts:
            raise  # the queue retries with backoff
        _give_up(session, message, conversation.id, f"{type(exc).__name__}: {exc} (after {current.attempts} attempts)")
        return
    message.delivery_status = DeliveryStatus.SENT
    message.delivery_error = None
    message.sent_at = utcnow()
    if receipt.external_id:
        message.external_id = receipt.external_id
    record_event(
        session,
        "message.sent",
        Actor.system(),
        "conversation",
        conversation.id,
        {"message_id": message.id, "attempt": current.attempts},
        conversation_id=conversation.id,
    )


def _give_up(session: Session, message: Message, conversation_id: int, error: str) -> None:
    """Show the operator that the customer did not get this message; they can retry it."""
    message.delivery_status = DeliveryStatus.FAILED
    message.delivery_error = error[:2000]
    record_event(
        session,
        "message.delivery_failed",
        Actor.system(),
        "conversation",
        conversation_id,
        {"message_id": message.id, "error": message.delivery_error},
        conversation_id=conversation_id,
    )

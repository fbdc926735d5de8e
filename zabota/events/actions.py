"""Recording domain events inside the caller's transaction.

Actions call `record_event`; the row is written in the same transaction as the change it
describes, so the audit trail and the outbox can never disagree with the data. Listeners
registered with `on_commit` are told about the events only after that transaction commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import event as sa_event
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from zabota.db import utcnow
from zabota.events.models import DomainEvent

ActorKind = Literal["user", "customer", "system", "inbox", "bot"]


@dataclass(frozen=True)
class Actor:
    """Who caused a change: an operator, a customer, a channel, the bot or the system."""

    kind: ActorKind
    id: int | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls("system")

    @classmethod
    def user(cls, user_id: int) -> Actor:
        return cls("user", user_id)


CommitListener = Callable[[list[DomainEvent]], None]
_commit_listeners: list[CommitListener] = []
_PENDING_KEY = "zabota_pending_events"


def on_commit(listener: CommitListener) -> None:
    """Subscribe to events after their transaction commits (live updates, webhooks, rules)."""
    if listener not in _commit_listeners:
        _commit_listeners.append(listener)


def remove_commit_listener(listener: CommitListener) -> None:
    if listener in _commit_listeners:
        _commit_listeners.remove(listener)


def record_event(
    session: Session,
    type: str,
    actor: Actor,
    subject_type: str,
    subject_id: int | None,
    payload: dict[str, Any] | None = None,
    *,
    conversation_id: int | None = None,
) -> DomainEvent:
    row = DomainEvent(
        type=type,
        actor_kind=actor.kind,
        actor_id=actor.id,
        subject_type=subject_type,
        subject_id=subject_id,
        conversation_id=conversation_id,
        payload=payload or {},
        created_at=utcnow(),  # now, not at flush: keeps `clock_at` imports of history exact
    )
    session.add(row)
    session.info.setdefault(_PENDING_KEY, []).append(row)
    return row


@sa_event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    # Rows added inside a savepoint that was rolled back lost their identity: skip them.
    pending = [row for row in session.info.pop(_PENDING_KEY, []) if inspect(row).has_identity]
    if not pending or not _commit_listeners:
        return
    for listener in list(_commit_listeners):
        listener(pending)


@sa_event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)

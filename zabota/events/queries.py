"""Reading the domain events table: where it ends, and what a follower has not seen yet."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from zabota.db import Database
from zabota.events.models import DomainEvent


def latest_event_id(session: Session) -> int:
    return int(session.scalar(select(func.max(DomainEvent.id))) or 0)


def read_latest_event_id(database: Database) -> int:
    """latest_event_id in its own read-only session, for a live reader's thread-pool call."""
    with database.reading() as session:
        return latest_event_id(session)


def unseen_event_ids(
    session: Session,
    after: int,
    seen: Collection[int],
    *,
    limit: int,
    where: Iterable[ColumnElement[bool]] = (),
) -> list[int]:
    """Ids after `after` that the follower has not seen, oldest first.

    Followers look some way behind their cursor, because ids are taken at insert and become
    visible at commit; reading only the ids of that window (an index-only read) and loading whole
    rows just for the new ones keeps every wake-up cheap.
    """
    query = select(DomainEvent.id).where(DomainEvent.id > after, *where).order_by(DomainEvent.id).limit(limit)
    return [event_id for event_id in session.scalars(query) if event_id not in seen]

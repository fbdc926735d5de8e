from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from zabota.db import Base, BigID, utcnow


class DomainEvent(Base):
    """One state change. Never updated or deleted; its id is the consumers' cursor."""

    __tablename__ = "domain_events"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(BigInteger)
    conversation_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_domain_events_subject", "subject_type", "subject_id", "id"),
        Index("ix_domain_events_type_created", "type", "created_at"),
        Index("ix_domain_events_conversation", "conversation_id", "id"),
    )

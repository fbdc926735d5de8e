from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zabota.db import Base, BigID, utcnow


class SlaPolicy(Base):
    """A department's service targets: reply within N minutes, resolve within hours or the same day.

    `business_hours_only` counts only the organization's open hours (the clock stops at night,
    at weekends and on holidays); otherwise targets are in plain elapsed time.
    """

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"), unique=True)
    # Minutes until a waiting customer gets a reply from a person; None: no reply target.
    first_reply_minutes: Mapped[int | None]
    # Resolution: within this many hours of (re)opening, or by the end of the business day; or none.
    resolution_hours: Mapped[int | None]
    resolution_same_day: Mapped[bool] = mapped_column(default=False)
    business_hours_only: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SlaBreach(Base):
    """One target missed: written once, the moment the due time passes without the reply or resolution."""

    __tablename__ = "sla_breaches"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    # Who had the conversation when the target was missed.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))  # first_reply | resolution
    # The due time that passed; this is when the breach happened.
    due_at: Mapped[datetime]
    # When the worker noticed (later than due_at only if workers were down).
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("conversation_id", "kind", "due_at"),
        Index("ix_sla_breaches_due", "due_at", "department_id"),
    )

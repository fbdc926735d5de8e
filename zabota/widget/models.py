from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from zabota.db import Base, BigID, utcnow


class WidgetVisitor(Base):
    """One browser talking through a widget inbox, known by a random token (only its hash is kept).

    An anonymous visitor is the customer identity `widget:<inbox_id>` / `public_id`; a visitor the
    site vouched for (a valid HMAC of its user id) is `widget-user:<inbox_id>` / `user_id`.
    `customer_id` is set on the first message (or form) of an anonymous visitor. A revoked
    visitor's token opens nothing (it was folded into a verified one, or its customer merged).
    """

    __tablename__ = "widget_visitors"
    __table_args__ = (Index("ix_widget_visitors_customer", "customer_id"),)

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    inbox_id: Mapped[int] = mapped_column(ForeignKey("inboxes.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    public_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

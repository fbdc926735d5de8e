from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zabota.db import Base, BigID, utcnow

customer_tags = Table(
    "customer_tags",
    Base.metadata,
    Column("customer_id", ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)


class Customer(Base):
    """A person the company serves, one record across every channel they use.

    A merged customer is kept (merged_into_id set) so that old references and the audit trail
    still resolve; queries skip it.
    """

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8))
    birthday: Mapped[date | None]
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # {"marketing_email": {"granted": true, "at": "...", "source": "widget"}, ...}
    consents: Mapped[dict[str, Any]] = mapped_column(default=dict)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_seen_at: Mapped[datetime | None]

    identities: Mapped[list[CustomerIdentity]] = relationship(back_populates="customer", order_by="CustomerIdentity.id")
    # Loaded on access (or with selectinload in list queries): ingest never needs them.
    tags: Mapped[list[Tag]] = relationship(secondary=customer_tags, order_by=Tag.name)

    __table_args__ = (
        Index("ix_customers_email", "email"),
        Index("ix_customers_phone", "phone"),
        Index("ix_customers_created", "created_at", "id"),
    )


class CustomerIdentity(Base):
    """How a customer is known on one channel.

    `channel` is the identity's namespace: global addresses use "email" and "phone"; platform
    accounts are scoped to the inbox they came through ("api:3", "telegram:5"), since the same
    numeric id means different people on different bots or systems.
    """

    __tablename__ = "customer_identities"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="identities")

    __table_args__ = (UniqueConstraint("channel", "external_id"),)

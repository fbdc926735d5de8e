from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from zabota.db import Base, BigID, utcnow

# Monday..Sunday, each a list of [start, end) "HH:MM" ranges in the organization's timezone.
DEFAULT_BUSINESS_HOURS: dict[str, Any] = {
    "mon": [["09:00", "18:00"]],
    "tue": [["09:00", "18:00"]],
    "wed": [["09:00", "18:00"]],
    "thu": [["09:00", "18:00"]],
    "fri": [["09:00", "18:00"]],
    "sat": [],
    "sun": [],
}


class Organization(Base):
    """The single tenant of a Zabota installation and its care policies."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    business_hours: Mapped[dict[str, Any]] = mapped_column(default=lambda: dict(DEFAULT_BUSINESS_HOURS))
    holidays: Mapped[list[Any]] = mapped_column(default=list)
    languages: Mapped[list[Any]] = mapped_column(default=lambda: ["ru", "en"])
    default_language: Mapped[str] = mapped_column(String(8), default="ru")
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    # A customer writing within this many hours after a resolution reopens the same conversation.
    reopen_window_hours: Mapped[int] = mapped_column(default=72)
    # When on, operators see only conversations of their own departments (or assigned to them).
    department_isolation: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

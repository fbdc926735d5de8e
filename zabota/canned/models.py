from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zabota.db import Base, BigID, utcnow


class CannedReply(Base):
    """A saved answer in one language, for everyone or for one department.

    `body` is a template with placeholders such as `{{customer.first_name}}` (zabota.canned.render).
    """

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # Typed after "/" in the reply box, stored with it and in lower case: "/delay", "/задержка".
    shortcut: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    # None: for every department.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index("ix_canned_replies_language_shortcut", "language", "shortcut"),
        Index("ix_canned_replies_department", "department_id"),
    )

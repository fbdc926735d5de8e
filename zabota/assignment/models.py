from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from zabota.db import Base, utcnow


class AssignmentCursor(Base):
    """Where a department's round-robin rotation stands: the member who was given the last one.

    Changed only while the department row is locked, so concurrent assignments take turns.
    """

    __tablename__ = "assignment_cursors"

    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    # No foreign key: a removed user simply drops out of the rotation.
    last_user_id: Mapped[int | None] = mapped_column(BigInteger)
    assigned_count: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

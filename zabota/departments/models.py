from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from zabota.db import Base, BigID, utcnow


class Department(Base):
    """A team that owns a queue of conversations (e.g. Sales, Support, Returns)."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    # off | round_robin | least_loaded (the operator workspace issue implements the policies).
    auto_assignment: Mapped[str] = mapped_column(String(16), default="off")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DepartmentMember(Base):
    __tablename__ = "department_members"

    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

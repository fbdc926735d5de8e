"""Read side of assignment for the supervisor: who is present and how loaded."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zabota.assignment.actions import ASSIGNABLE_ROLES, Presence, presences
from zabota.auth.models import User
from zabota.conversations.models import Conversation, Status
from zabota.departments.models import DepartmentMember


@dataclass(frozen=True)
class OperatorLoad:
    user_id: int
    name: str
    handle: str
    role: str
    availability: str  # what they chose
    presence: Presence  # what it amounts to (see zabota.assignment.actions)
    open: int
    pending: int
    capacity: int
    department_ids: list[int]

    @property
    def load(self) -> int:
        return self.open + self.pending

    @property
    def free(self) -> int:
        return max(self.capacity - self.load, 0)


def operator_loads(session: Session, department_id: int | None = None) -> list[OperatorLoad]:
    """Every active person who can work conversations (or the members of one department)."""
    query = select(User).where(User.is_active.is_(True), User.role.in_(ASSIGNABLE_ROLES)).order_by(User.name, User.id)
    if department_id is not None:
        query = query.where(
            User.id.in_(select(DepartmentMember.user_id).where(DepartmentMember.department_id == department_id))
        )
    users = list(session.scalars(query))
    if not users:
        return []
    ids = [u.id for u in users]
    counts: dict[tuple[int | None, str], int] = {}
    rows = session.execute(
        select(Conversation.assignee_id, Conversation.status, func.count())
        .where(Conversation.assignee_id.in_(ids), Conversation.status.in_((Status.OPEN, Status.PENDING)))
        .group_by(Conversation.assignee_id, Conversation.status)
    )
    for assignee_id, status, count in rows:
        counts[(assignee_id, status)] = count
    memberships: dict[int, list[int]] = {}
    for dept_id, user_id in session.execute(
        select(DepartmentMember.department_id, DepartmentMember.user_id).where(DepartmentMember.user_id.in_(ids))
    ):
        memberships.setdefault(user_id, []).append(dept_id)
    present = presences(session, users)
    return [
        OperatorLoad(
            user_id=u.id,
            name=u.name,
            handle=u.handle,
            role=u.role,
            availability=u.availability,
            presence=present[u.id],
            open=counts.get((u.id, Status.OPEN.value), 0),
            pending=counts.get((u.id, Status.PENDING.value), 0),
            capacity=u.capacity,
            department_ids=sorted(memberships.get(u.id, [])),
        )
        for u in users
    ]

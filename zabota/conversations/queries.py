"""Read side of the inbox: filtered, permission-aware, cursor-paginated lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select, tuple_
from sqlalchemy.orm import Session

from zabota.auth.models import User
from zabota.auth.roles import Role
from zabota.conversations.models import Conversation, Message, Note, Status
from zabota.departments.actions import department_ids_of
from zabota.errors import DomainError
from zabota.org.actions import get_organization
from zabota.pagination import Page, clamp_limit, decode_cursor, encode_cursor


@dataclass
class ConversationFilter:
    status: list[str] | None = None
    department_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    channel: str | None = None
    inbox_id: int | None = None
    customer_id: int | None = None
    urgent: bool | None = None
    important: bool | None = None


def visibility_clause(session: Session, user: User) -> ColumnElement[bool] | None:
    """The SQL form of `actions.can_see`, so lists and single reads agree."""
    if user.role in (Role.ADMIN, Role.SUPERVISOR) or not get_organization(session).department_isolation:
        return None
    departments = department_ids_of(session, user.id)
    return or_(
        Conversation.assignee_id == user.id,
        Conversation.department_id.is_(None),
        Conversation.department_id.in_(departments) if departments else Conversation.id.is_(None),
    )


def list_conversations(
    session: Session, user: User, filters: ConversationFilter, *, cursor: str | None = None, limit: int = 50
) -> Page[Conversation]:
    limit = clamp_limit(limit)
    query = select(Conversation)
    if filters.status:
        for value in filters.status:
            if value not in Status.__members__.values():
                raise DomainError(
                    f"Unknown status {value!r}; use open, pending, snoozed or resolved.", code="bad_status"
                )
        query = query.where(Conversation.status.in_(filters.status))
    if filters.department_id is not None:
        query = query.where(Conversation.department_id == filters.department_id)
    if filters.unassigned:
        query = query.where(Conversation.assignee_id.is_(None))
    elif filters.assignee_id is not None:
        query = query.where(Conversation.assignee_id == filters.assignee_id)
    if filters.channel is not None:
        query = query.where(Conversation.channel == filters.channel)
    if filters.inbox_id is not None:
        query = query.where(Conversation.inbox_id == filters.inbox_id)
    if filters.customer_id is not None:
        query = query.where(Conversation.customer_id == filters.customer_id)
    if filters.urgent is not None:
        query = query.where(Conversation.urgent.is_(filters.urgent))
    if filters.important is not None:
        query = query.where(Conversation.important.is_(filters.important))
    visible = visibility_clause(session, user)
    if visible is not None:
        query = query.where(visible)
    if cursor:
        activity, last_id = decode_cursor(cursor, datetime, int)
        query = query.where(tuple_(Conversation.last_activity_at, Conversation.id) < tuple_(activity, last_id))
    query = query.order_by(Conversation.last_activity_at.desc(), Conversation.id.desc()).limit(limit + 1)
    rows = list(session.scalars(query))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].last_activity_at, rows[-1].id)
    return Page(rows, next_cursor)


def list_messages(
    session: Session, conversation_id: int, *, cursor: str | None = None, limit: int = 50
) -> Page[Message]:
    """Oldest first; the cursor continues after the last message seen."""
    limit = clamp_limit(limit)
    query = select(Message).where(Message.conversation_id == conversation_id)
    if cursor:
        (after_id,) = decode_cursor(cursor, int)
        query = query.where(Message.id > after_id)
    rows = list(session.scalars(query.order_by(Message.id).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].id)
    return Page(rows, next_cursor)


def list_notes(session: Session, conversation_id: int) -> list[Note]:
    return list(session.scalars(select(Note).where(Note.conversation_id == conversation_id).order_by(Note.id)))

"""Read side of the inbox: filtered, permission-aware, cursor-paginated lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select, tuple_
from sqlalchemy.orm import Session

from zabota.auth.models import User
from zabota.auth.roles import Role
from zabota.conversations.models import (
    BotState,
    Conversation,
    ConversationRead,
    Message,
    Note,
    Status,
    in_human_queue,
)
from zabota.departments.actions import department_ids_of
from zabota.errors import DomainError
from zabota.events.models import DomainEvent
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
    # False: people's work only (bot-active conversations are not in the human queue);
    # True: only those the bot is handling (the supervisors' Bot view); None: both.
    bot_active: bool | None = False


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
    if filters.bot_active is False:
        query = query.where(in_human_queue())
    elif filters.bot_active:
        query = query.where(Conversation.bot_state == BotState.ACTIVE)
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


def notes_by_conversation(
    session: Session, conversation_ids: list[int], *, per_conversation: int = 5
) -> dict[int, list[Note]]:
    """The latest notes of each given conversation, oldest first (a customer's earlier conversations)."""
    if not conversation_ids:
        return {}
    ranked = (
        select(Note.id, func.row_number().over(partition_by=Note.conversation_id, order_by=Note.id.desc()).label("n"))
        .where(Note.conversation_id.in_(conversation_ids))
        .subquery()
    )
    rows = session.scalars(
        select(Note).join(ranked, ranked.c.id == Note.id).where(ranked.c.n <= per_conversation).order_by(Note.id)
    )
    out: dict[int, list[Note]] = {}
    for note in rows:
        out.setdefault(note.conversation_id, []).append(note)
    return out


@dataclass(frozen=True)
class TimelineItem:
    """One line of a conversation as an operator reads it: a message, a note or a system event."""

    kind: str  # "message" | "note" | "event"
    at: datetime
    row: Message | Note | DomainEvent


SYSTEM_EVENT_TYPES = (
    "conversation.assigned",
    "conversation.transferred",
    "conversation.status_changed",
    "conversation.priority_changed",
    "conversation.reopened",
    "conversation.sla_breached",
    "message.delivery_failed",
    "bot.handed_off",
)


def timeline(session: Session, conversation_id: int, *, limit: int = 500) -> list[TimelineItem]:
    """The last `limit` messages with the notes and system events among them, oldest first."""
    messages = list(
        session.scalars(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id.desc()).limit(limit)
        )
    )
    messages.reverse()
    since = messages[0].created_at if len(messages) == limit else None
    notes_query = select(Note).where(Note.conversation_id == conversation_id)
    events_query = select(DomainEvent).where(
        DomainEvent.conversation_id == conversation_id, DomainEvent.type.in_(SYSTEM_EVENT_TYPES)
    )
    if since is not None:
        notes_query = notes_query.where(Note.created_at >= since)
        events_query = events_query.where(DomainEvent.created_at >= since)
    items = [TimelineItem("message", m.created_at, m) for m in messages]
    items += [TimelineItem("note", n.created_at, n) for n in session.scalars(notes_query)]
    items += [TimelineItem("event", e.created_at, e) for e in session.scalars(events_query)]
    order = {"message": 0, "note": 1, "event": 2}
    items.sort(key=lambda item: (item.at, order[item.kind], item.row.id))
    return items


@dataclass(frozen=True)
class InboxCounts:
    mine: int
    unassigned: int
    open: int
    pending: int
    snoozed: int
    unanswered: int
    by_department: dict[int, int]
    bot: int = 0  # open conversations the bot is handling (not in the other counts)


def unread_ids(session: Session, user: User, conversations: Sequence[Conversation]) -> set[int]:
    """Which of these conversations have a customer message newer than the user's last look."""
    candidates = [c for c in conversations if c.last_inbound_at is not None]
    if not candidates:
        return set()
    query = select(ConversationRead.conversation_id, ConversationRead.read_at).where(
        ConversationRead.user_id == user.id, ConversationRead.conversation_id.in_([c.id for c in candidates])
    )
    read: dict[int, datetime] = {row.conversation_id: row.read_at for row in session.execute(query)}
    return {
        c.id
        for c in candidates
        if c.last_inbound_at is not None and (c.id not in read or c.last_inbound_at > read[c.id])
    }


def inbox_counts(session: Session, user: User) -> InboxCounts:
    """Counts for the inbox's views, honouring department isolation, in two grouped queries."""
    visible = visibility_clause(session, user)
    # Grouped by (status, assignee): at most a few rows per colleague, whatever the volume.
    # Grouped by the bot state too: bot-active ones are counted apart, never in the people's views.
    bot_active = (Conversation.bot_state == BotState.ACTIVE).label("bot_active")
    grouped = (
        select(Conversation.status, Conversation.assignee_id, bot_active, func.count())
        .where(Conversation.status.in_((Status.OPEN, Status.PENDING, Status.SNOOZED)))  # not the many resolved
        .group_by(Conversation.status, Conversation.assignee_id, bot_active)
    )
    unanswered_query = select(func.count()).where(
        Conversation.status == Status.OPEN, Conversation.awaiting_reply_since.is_not(None), in_human_queue()
    )
    departments_query = (
        select(Conversation.department_id, func.count())
        .where(
            Conversation.status.in_((Status.OPEN, Status.PENDING)),
            Conversation.department_id.is_not(None),
            in_human_queue(),
        )
        .group_by(Conversation.department_id)
    )
    if visible is not None:
        grouped = grouped.where(visible)
        unanswered_query = unanswered_query.where(visible)
        departments_query = departments_query.where(visible)
    mine = unassigned = open_ = pending = snoozed = bot = 0
    for status, assignee_id, is_bot, count in session.execute(grouped):
        if is_bot:
            bot += count if status in (Status.OPEN, Status.PENDING) else 0
            continue
        is_mine = assignee_id == user.id
        if status == Status.OPEN:
            open_ += count
            unassigned += count if assignee_id is None else 0
        elif status == Status.PENDING:
            pending += count
        elif status == Status.SNOOZED:
            snoozed += count
        if is_mine and status in (Status.OPEN, Status.PENDING):
            mine += count
    by_department = {dept: count for dept, count in session.execute(departments_query) if dept is not None}
    unanswered = session.scalar(unanswered_query) or 0
    return InboxCounts(mine, unassigned, open_, pending, snoozed, unanswered, by_department, bot)


def longest_waiting(session: Session, user: User, *, limit: int = 20) -> list[Conversation]:
    """Open conversations whose customer waits for a person, the longest wait first."""
    query = select(Conversation).where(
        Conversation.status == Status.OPEN, Conversation.awaiting_reply_since.is_not(None), in_human_queue()
    )
    visible = visibility_clause(session, user)
    if visible is not None:
        query = query.where(visible)
    return list(session.scalars(query.order_by(Conversation.awaiting_reply_since, Conversation.id).limit(limit)))


def search_conversations(session: Session, user: User, text: str, *, limit: int = 50) -> list[Conversation]:
    """Conversations whose customer (name, email, phone, channel id) or messages match `text`."""
    from zabota.customers.models import Customer, CustomerIdentity

    needle = f"%{text.strip().lower()}%"
    customers = select(Customer.id).where(
        or_(
            func.lower(Customer.name).like(needle),
            func.lower(Customer.email).like(needle),
            Customer.phone.like(needle),
            Customer.id.in_(
                select(CustomerIdentity.customer_id).where(func.lower(CustomerIdentity.external_id).like(needle))
            ),
        )
    )
    by_text = select(Message.conversation_id).where(func.lower(Message.text).like(needle)).limit(limit * 4)
    query = select(Conversation).where(or_(Conversation.customer_id.in_(customers), Conversation.id.in_(by_text)))
    visible = visibility_clause(session, user)
    if visible is not None:
        query = query.where(visible)
    return list(session.scalars(query.order_by(Conversation.last_activity_at.desc()).limit(limit)))

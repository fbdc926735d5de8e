from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from sqlalchemy import select

from zabota.api.deps import DbSession, Principal, require
from zabota.api.schemas import (
    AssignIn,
    ConversationOut,
    MessageOut,
    NoteIn,
    NoteOut,
    PageOut,
    PriorityIn,
    ReplyIn,
    SnoozeIn,
    StatusIn,
    TransferIn,
)
from zabota.auth.actions import get_user
from zabota.auth.roles import Permission
from zabota.conversations import actions, queries
from zabota.conversations.models import Conversation, Mention, Message, Note
from zabota.departments.actions import get_department
from zabota.errors import NotFound

router = APIRouter(tags=["conversations"])

READ = Permission.CONVERSATIONS_READ
WRITE = Permission.CONVERSATIONS_WRITE


def _out(conversation: Conversation) -> ConversationOut:
    return ConversationOut.model_validate(conversation)


@router.get("/conversations", response_model=PageOut[ConversationOut])
def list_conversations(
    session: DbSession,
    status: list[str] | None = Query(default=None, description="Repeat for several: ?status=open&status=pending"),
    department_id: int | None = None,
    assignee_id: int | None = None,
    unassigned: bool = False,
    channel: str | None = Query(default=None, max_length=16),
    inbox_id: int | None = None,
    customer_id: int | None = None,
    urgent: bool | None = None,
    important: bool | None = None,
    bot: Literal["exclude", "only", "include"] = Query(
        default="exclude",
        description="Conversations the bot is handling: left out (the people's queue), only, or both.",
    ),
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = require(READ),
) -> PageOut[ConversationOut]:
    """Most recent activity first."""
    filters = queries.ConversationFilter(
        status=status,
        department_id=department_id,
        assignee_id=assignee_id,
        unassigned=unassigned,
        channel=channel,
        inbox_id=inbox_id,
        customer_id=customer_id,
        urgent=urgent,
        important=important,
        bot_active={"exclude": False, "only": True, "include": None}[bot],
    )
    page = queries.list_conversations(session, principal.user, filters, cursor=cursor, limit=limit)
    return PageOut[ConversationOut](items=[_out(c) for c in page.items], next_cursor=page.next_cursor)


@router.get("/conversations/{conversation_id}", response_model=ConversationOut)
def get_conversation(conversation_id: int, session: DbSession, principal: Principal = require(READ)) -> ConversationOut:
    return _out(actions.access_conversation(session, principal.user, conversation_id))


@router.get("/conversations/{conversation_id}/messages", response_model=PageOut[MessageOut])
def list_messages(
    conversation_id: int,
    session: DbSession,
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = require(READ),
) -> PageOut[MessageOut]:
    conversation = actions.access_conversation(session, principal.user, conversation_id)
    page = queries.list_messages(session, conversation.id, cursor=cursor, limit=limit)
    return PageOut[MessageOut](items=[MessageOut.model_validate(m) for m in page.items], next_cursor=page.next_cursor)


@router.post("/conversations/{conversation_id}/messages", response_model=MessageOut, status_code=201)
def reply(conversation_id: int, body: ReplyIn, session: DbSession, principal: Principal = require(WRITE)) -> MessageOut:
    conversation = actions.access_conversation(session, principal.user, conversation_id)
    message = actions.reply(
        session,
        conversation,
        author=principal.user,
        text=body.text,
        html=body.html,
        attachments=[a.model_dump() for a in body.attachments],
        attachment_ids=body.attachment_ids,
    )
    return MessageOut.model_validate(message)


@router.post("/conversations/{conversation_id}/messages/{message_id}/retry", response_model=MessageOut)
def retry_delivery(
    conversation_id: int, message_id: int, session: DbSession, principal: Principal = require(WRITE)
) -> MessageOut:
    """Send a message that failed to reach the customer once more."""
    conversation = actions.access_conversation(session, principal.user, conversation_id)
    message = session.get(Message, message_id)
    if message is None or message.conversation_id != conversation.id:
        raise NotFound("Message {message_id} does not exist.", message_id=message_id)
    return MessageOut.model_validate(actions.retry_delivery(session, principal.actor, message))


def _note_out(note: Note, mentioned: list[int]) -> NoteOut:
    out = NoteOut.model_validate(note)
    out.mentioned_user_ids = mentioned
    return out


@router.get("/conversations/{conversation_id}/notes", response_model=list[NoteOut])
def list_notes(conversation_id: int, session: DbSession, principal: Principal = require(READ)) -> list[NoteOut]:
    conversation = actions.access_conversation(session, principal.user, conversation_id)
    notes = queries.list_notes(session, conversation.id)
    mentions: dict[int, list[int]] = {}
    if notes:
        rows = session.execute(
            select(Mention.note_id, Mention.user_id).where(Mention.note_id.in_([n.id for n in notes]))
        )
        for note_id, user_id in rows:
            mentions.setdefault(note_id, []).append(user_id)
    return [_note_out(n, sorted(mentions.get(n.id, []))) for n in notes]


@router.post("/conversations/{conversation_id}/notes", response_model=NoteOut, status_code=201)
def add_note(conversation_id: int, body: NoteIn, session: DbSession, principal: Principal = require(WRITE)) -> NoteOut:
    conversation = actions.access_conversation(session, principal.user, conversation_id)
    note = actions.add_note(session, conversation, author=principal.user, text=body.text)
    mentioned = sorted(session.scalars(select(Mention.user_id).where(Mention.note_id == note.id)))
    return _note_out(note, mentioned)


@router.post("/conversations/{conversation_id}/assign", response_model=ConversationOut)
def assign(
    conversation_id: int, body: AssignIn, session: DbSession, principal: Principal = require(WRITE)
) -> ConversationOut:
    conversation = actions.access_conversation(session, principal.user, conversation_id)
    assignee = get_user(session, body.assignee_id) if body.assignee_id is not None else None
    return _out(actions.assign(session, principal.actor, conversation, assignee))


@router.post("/conversations/{conversation_id}/transfer", response_model=ConversationOut)
def transfer(
    conversation_id: int, body: TransferIn, session: DbSession, principal: Principal = require(WRITE)
) -> ConversationOut:
    conversation = actions.access_conversation(session, principal.user, conversation_id)
    department = get_department(session, body.department_id)
    return _out(
        actions.transfer(session, principal.actor, conversation, department, note=body.note, author=principal.user)
    )


@router.post("/conversations/{conversation_id}/status", response_model=ConversationOut)
def set_status(
    conversation_id: int, body: StatusIn, session: DbSession, principal: Principal = require(WRITE)
) -> ConversationOut:
    conversation = actions.access_conversation(session, principal.user, conversation_id)
    return _out(
        actions.set_status(session, principal.actor, conversation, body.status, snoozed_until=body.snoozed_until)
    )


@router.post("/conversations/{conversation_id}/snooze", response_model=ConversationOut)
def snooze(
    conversation_id: int, body: SnoozeIn, session: DbSession, principal: Principal = require(WRITE)
) -> ConversationOut:
    conversation = actions.access_conversation(session, principal.user, conversation_id)
    return _out(actions.snooze(session, principal.actor, conversation, body.until))


@router.post("/conversations/{conversation_id}/priority", response_model=ConversationOut)
def set_priority(
    conversation_id: int, body: PriorityIn, session: DbSession, principal: Principal = require(WRITE)
) -> ConversationOut:
    conversation = actions.access_conversation(session, principal.user, conversation_id)
    return _out(
        actions.set_priority(session, principal.actor, conversation, urgent=body.urgent, important=body.important)
    )

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zabota.db import Base, BigID, utcnow


class Status(StrEnum):
    OPEN = "open"
    PENDING = "pending"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class Direction(StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"


class AuthorKind(StrEnum):
    CUSTOMER = "customer"
    OPERATOR = "operator"
    BOT = "bot"
    SYSTEM = "system"


class BotState(StrEnum):
    """Where the first-line bot stands in a conversation (zabota.bot); None: the bot never took it."""

    ACTIVE = "active"  # the bot handles it: not in the human queue, no first-reply clock
    HANDED_OFF = "handed_off"  # passed to people; the hand-off started the human wait
    RESOLVED = "resolved"  # closed without a hand-off and the customer did not return within 24 h


class DeliveryStatus(StrEnum):
    RECEIVED = "received"  # inbound, stored
    QUEUED = "queued"  # outbound, waiting for the delivery job
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class Conversation(Base):
    """One issue a customer raised on one inbox, from first message to resolution.

    The cycle_* timestamps restart on every reopen so that first response time is measured per
    cycle, as the brief defines it; the first_* ones keep the conversation's very first values.
    """

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    inbox_id: Mapped[int] = mapped_column(ForeignKey("inboxes.id"))
    channel: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=Status.OPEN)
    snoozed_until: Mapped[datetime | None]
    urgent: Mapped[bool] = mapped_column(default=False)
    important: Mapped[bool] = mapped_column(default=False)
    # True once a person set the priority by hand; rules then leave it alone.
    priority_manual: Mapped[bool] = mapped_column(default=False)
    subject: Mapped[str] = mapped_column(String(300), default="")
    last_message_preview: Mapped[str] = mapped_column(String(200), default="")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_customer_message_at: Mapped[datetime | None]
    first_human_reply_at: Mapped[datetime | None]
    cycle_first_customer_message_at: Mapped[datetime | None]
    cycle_first_human_reply_at: Mapped[datetime | None]
    # Oldest customer message not yet answered by a person; drives "waiting" and SLA flags.
    awaiting_reply_since: Mapped[datetime | None]
    # Start of the current cycle (opening or last reopen); the resolution target counts from it.
    cycle_opened_at: Mapped[datetime | None]
    # Due times of the SLA targets now running (zabota.sla); None when no target runs.
    first_reply_due_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime | None]
    # The due time of a running target once it was missed; cleared when that target stops.
    first_reply_breached_at: Mapped[datetime | None]
    resolution_breached_at: Mapped[datetime | None]
    last_message_at: Mapped[datetime | None]
    # The customer's latest message; an operator who has not read the conversation since sees it as unread.
    last_inbound_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    reopened_count: Mapped[int] = mapped_column(default=0)
    message_count: Mapped[int] = mapped_column(default=0)
    # BotState, or None when the bot never took the conversation.
    bot_state: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index("ix_conversations_status_activity", "status", "last_activity_at", "id"),
        Index("ix_conversations_activity", "last_activity_at", "id"),
        Index("ix_conversations_assignee_status", "assignee_id", "status", "last_activity_at"),
        Index("ix_conversations_department_status", "department_id", "status", "last_activity_at"),
        Index("ix_conversations_customer_inbox", "customer_id", "inbox_id", "id"),
        Index("ix_conversations_channel_status", "channel", "status", "last_activity_at"),
        Index("ix_conversations_snoozed", "status", "snoozed_until"),
    )


def in_human_queue() -> ColumnElement[bool]:
    """SQL: the conversation is people's work, i.e. not one the bot is handling now."""
    return Conversation.bot_state.is_distinct_from(BotState.ACTIVE.value)


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    inbox_id: Mapped[int] = mapped_column(ForeignKey("inboxes.id"))
    direction: Mapped[str] = mapped_column(String(4))
    author_kind: Mapped[str] = mapped_column(String(16))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    # The platform's id for the message; inbound idempotency key within one inbox.
    external_id: Mapped[str | None] = mapped_column(String(255))
    delivery_status: Mapped[str] = mapped_column(String(16))
    delivery_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("inbox_id", "external_id"),
        Index("ix_messages_conversation", "conversation_id", "id"),
    )


class Note(Base):
    """An internal note on a conversation, never shown to the customer."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_notes_conversation", "conversation_id", "id"),)


class Mention(Base):
    """An @mention of a colleague in a note: the notification to read."""

    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("note_id", "user_id"),
        Index("ix_mentions_user_unread", "user_id", "read_at"),
    )


class ConversationRead(Base):
    """When an operator last looked at a conversation: what came from the customer after it is unread."""

    __tablename__ = "conversation_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)

"""The inbox's state changes: ingest, reply, note, assign, transfer, status, priority, snooze.

Every function takes the caller's session (the caller owns the transaction) and records a
domain event for each change, which feeds the audit log, live updates and analytics.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, null, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from zabota.assignment.actions import assign_waiting, auto_assign
from zabota.attachments.actions import claim_for_message, describe
from zabota.auth.models import User
from zabota.auth.roles import Permission, Role, role_has
from zabota.bot.config import RESOLVED_JOB, RESPOND_JOB
from zabota.channels.actions import InboxRef
from zabota.channels.models import Inbox
from zabota.conversations.content import preview, sanitize_html, text_from_html
from zabota.conversations.models import (
    AuthorKind,
    BotState,
    Conversation,
    ConversationRead,
    DeliveryStatus,
    Direction,
    Mention,
    Message,
    Note,
    Status,
)
from zabota.customers.actions import (
    CustomerProfile,
    create_customers,
    fill_profile_gaps,
    identify_customer,
    is_plain_first_contact,
)
from zabota.customers.models import Customer, CustomerIdentity
from zabota.db import insert_for, utcnow
from zabota.departments.actions import department_ids_of, member_ids
from zabota.departments.models import Department
from zabota.errors import DomainError, NotFound
from zabota.events.actions import Actor, record_event
from zabota.jobs.queue import enqueue
from zabota.org.actions import get_organization
from zabota.sla.actions import refresh_sla

MAX_TEXT_LENGTH = 20_000
MENTION_RE = re.compile(r"(?<![\w@])@([a-z0-9][a-z0-9._-]{0,63})", re.IGNORECASE)
DELIVER_JOB = "channels.deliver_message"
WAKE_JOB = "conversations.wake_snoozed"


@dataclass
class InboundMessage:
    """A customer message as any channel adapter hands it to the inbox."""

    identity_channel: str
    identity_id: str
    text: str = ""
    html: str | None = None
    external_id: str | None = None
    profile: CustomerProfile = field(default_factory=CustomerProfile)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    # Files the customer uploaded to their conversation beforehand (store_attachment), e.g. in the widget.
    attachment_ids: Sequence[int] = ()
    subject: str = ""
    sent_at: datetime | None = None


@dataclass(frozen=True)
class IngestResult:
    message: Message
    conversation: Conversation
    created: bool


def _event(
    session: Session, type: str, actor: Actor, conversation: Conversation, payload: dict[str, Any] | None = None
) -> None:
    record_event(session, type, actor, "conversation", conversation.id, payload or {}, conversation_id=conversation.id)


def _preview(text: str, attachments: list[dict[str, Any]]) -> str:
    """The list's preview of a message; a message of files alone shows their names."""
    return preview(text or " ".join(str(a.get("filename") or "") for a in attachments))


def _check_text(text: str, html: str | None, attachments: list[dict[str, Any]]) -> None:
    if not text.strip() and not html and not attachments:
        raise DomainError("A message needs text or an attachment.", code="empty_message")
    if len(text) > MAX_TEXT_LENGTH:
        raise DomainError("A message may be at most {limit} characters long.", limit=MAX_TEXT_LENGTH, code="too_long")


def ingest_inbound_message(session: Session, inbox: Inbox | InboxRef, inbound: InboundMessage) -> IngestResult:
    """Store a customer's message exactly once and route it to their open conversation.

    Idempotent on (inbox, external id): a redelivery returns the stored message. Concurrent
    deliveries are serialised on the customer row, so one person never gets two open
    conversations on one inbox and one external id never becomes two messages.
    """
    text, html = _content(inbound)
    actor = Actor("inbox", inbox.id)
    now = utcnow()
    known = _touch_known_customer(session, inbox.id, inbound, now)
    if known is not None:
        customer, existing_id = known
        fill_profile_gaps(session, customer, inbound.profile)
    else:
        customer, _ = identify_customer(session, actor, inbound.identity_channel, inbound.identity_id, inbound.profile)
        # The row lock, as on the known-customer path: a concurrent first contact of the same
        # person waits here and then sees the conversation the first one opened.
        session.execute(
            update(Customer)
            .where(Customer.id == customer.id)
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )
        set_committed_value(customer, "last_seen_at", now)
        existing_id = None  # a redelivery then meets ON CONFLICT below
    if existing_id is not None:
        stored = session.get_one(Message, existing_id)
        return IngestResult(stored, _get(session, stored.conversation_id), False)

    latest = _latest_conversations(session, inbox.id, {customer.id}).get(customer.id)
    conversation = _conversation_for_inbound(session, inbox, customer, actor, inbound.subject, now, latest)
    uploads = claim_for_message(session, conversation, inbound.attachment_ids)
    attachments = [*(describe(a) for a in uploads), *inbound.attachments]
    # One round trip; ON CONFLICT covers the odd case of the same external id from another customer.
    statement = (
        insert_for(session, Message)
        .values(**_message_row(inbox.id, conversation.id, inbound, text, html, attachments, now))
        .on_conflict_do_nothing(index_elements=["inbox_id", "external_id"])
        .returning(Message)
    )
    message = session.scalar(statement)
    if message is None:
        existing = _message_by_external_id(session, inbox.id, inbound.external_id or "")
        if existing is None:
            raise DomainError("The message could not be stored; please retry.", code="ingest_conflict")
        return IngestResult(existing, _get(session, existing.conversation_id), False)

    for upload in uploads:
        upload.message_id = message.id
    _route_stored_inbound(session, actor, customer, conversation, message, now)
    return IngestResult(message, conversation, True)


def ingest_inbound_messages(
    session: Session, inbox: Inbox | InboxRef, inbounds: Sequence[InboundMessage]
) -> list[IngestResult]:
    """Many customer messages of one inbox in the caller's transaction, with the outcome of
    calling `ingest_inbound_message` for each in turn, in a handful of statements instead of a
    handful per message.

    Reads and writes are set-wise: one statement locks all the known customers' rows (in id
    order, so two batches cannot deadlock on each other), three create the new ones with their
    identities, one finds earlier deliveries, one the latest conversations, one INSERT stores the
    messages. Messages carrying uploaded files, and first contacts whose email or phone may be a
    known customer's, go through the one-message path. Raises on the first message that cannot
    be stored; the caller rolls back and ingests the messages one by one
    (`zabota.conversations.group_commit`), so one bad message never costs the others.
    """
    actor = Actor("inbox", inbox.id)
    now = utcnow()
    contents = [_content(inbound) for inbound in inbounds]
    customers = _lock_known_customers(session, inbounds, now)
    # A customer with a message for the one-message path sends all their messages of the batch
    # there, so that their order within the conversation is kept: messages with uploaded files,
    # and first contacts whose email or phone may belong to someone we know (identify_customer).
    first_contacts: dict[tuple[str, str], CustomerProfile] = {}
    for inbound in inbounds:
        if _identity(inbound) not in customers:
            first_contacts.setdefault(_identity(inbound), inbound.profile)
    one_by_one = {_identity(i) for i in inbounds if i.attachment_ids} | {
        identity for identity, profile in first_contacts.items() if not is_plain_first_contact(profile)
    }
    newcomers = [(*identity, profile) for identity, profile in first_contacts.items() if identity not in one_by_one]
    created = create_customers(session, actor, newcomers, seen_at=now)
    customers.update(
        {(channel, identity_id): c for (channel, identity_id, _), c in zip(newcomers, created, strict=True)}
    )
    set_wise = [n for n, i in enumerate(inbounds) if _identity(i) not in one_by_one]
    external_ids = {inbounds[n].external_id for n in set_wise} - {None}
    earlier: dict[str | None, int] = dict(
        session.execute(
            select(Message.external_id, Message.id).where(
                Message.inbox_id == inbox.id, Message.external_id.in_(external_ids)
            )
        ).all()
    )
    known = {customers[_identity(inbounds[n])].id for n in set_wise} - {c.id for c in created}
    latest: dict[int, Conversation | None] = {
        **_latest_conversations(session, inbox.id, known),
        **dict.fromkeys(c.id for c in created),
    }
    results: dict[int, IngestResult] = {}
    stored: list[tuple[int, Customer, Conversation]] = []
    rows: list[dict[str, Any]] = []
    first_of: dict[str, int] = {}  # external id -> the batch's message carrying it first
    for n in set_wise:
        inbound, (text, html) = inbounds[n], contents[n]
        customer = customers[_identity(inbound)]
        fill_profile_gaps(session, customer, inbound.profile)
        if inbound.external_id in earlier:
            existing = session.get_one(Message, earlier[inbound.external_id])
            results[n] = IngestResult(existing, _get(session, existing.conversation_id), False)
            continue
        if inbound.external_id is not None:
            if inbound.external_id in first_of:
                continue  # a redelivery within the batch: answered below, once the first is stored
            first_of[inbound.external_id] = n
        conversation = _conversation_for_inbound(
            session, inbox, customer, actor, inbound.subject, now, latest.get(customer.id)
        )
        latest[customer.id] = conversation
        rows.append(_message_row(inbox.id, conversation.id, inbound, text, html, list(inbound.attachments), now))
        stored.append((n, customer, conversation))
    # The messages in one INSERT (a clash of external ids raises here), as session objects.
    messages = (
        session.scalars(insert(Message).returning(Message, sort_by_parameter_order=True), rows).all() if rows else []
    )
    for (n, customer, conversation), message in zip(stored, messages, strict=True):
        _route_stored_inbound(session, actor, customer, conversation, message, now)
        results[n] = IngestResult(message, conversation, True)
    for n in set_wise:
        if n not in results:
            first = results[first_of[inbounds[n].external_id or ""]]
            results[n] = IngestResult(first.message, first.conversation, False)
    for n, inbound in enumerate(inbounds):
        if n not in results:
            results[n] = ingest_inbound_message(session, inbox, inbound)
    return [results[n] for n in range(len(inbounds))]


def _content(inbound: InboundMessage) -> tuple[str, str | None]:
    """The message's text and sanitized HTML (text taken from the HTML when none came), checked."""
    html = sanitize_html(inbound.html)
    text = inbound.text or (text_from_html(html) if html else "")
    _check_text(text, html, [*inbound.attachments, *({"id": i} for i in inbound.attachment_ids)])
    return text, html


def _message_row(
    inbox_id: int,
    conversation_id: int,
    inbound: InboundMessage,
    text: str,
    html: str | None,
    attachments: list[dict[str, Any]],
    now: datetime,
) -> dict[str, Any]:
    """The messages row of a received customer message."""
    return {
        "conversation_id": conversation_id,
        "inbox_id": inbox_id,
        "direction": Direction.INBOUND,
        "author_kind": AuthorKind.CUSTOMER,
        "text": text,
        "html": html,
        "attachments": attachments,
        "external_id": inbound.external_id,
        "delivery_status": DeliveryStatus.RECEIVED,
        "created_at": now,
        "sent_at": inbound.sent_at,
    }


def _identity(inbound: InboundMessage) -> tuple[str, str]:
    return inbound.identity_channel, inbound.identity_id


def _lock_known_customers(
    session: Session, inbounds: Sequence[InboundMessage], now: datetime
) -> dict[tuple[str, str], Customer]:
    """The customers behind these identities that we already know, row-locked in id order and
    touched (last seen now), as `_touch_known_customer` does for one."""
    wanted: dict[str, set[str]] = {}
    for inbound in inbounds:
        wanted.setdefault(inbound.identity_channel, set()).add(inbound.identity_id)
    owners: dict[int, list[tuple[str, str]]] = {}
    for channel, identity_ids in wanted.items():
        # Identities first, then customers by key: a plan that stays right on a young table
        # without statistics (a join there became a nested loop over every customer).
        for customer_id, identity_id in session.execute(
            select(CustomerIdentity.customer_id, CustomerIdentity.external_id).where(
                CustomerIdentity.channel == channel, CustomerIdentity.external_id.in_(identity_ids)
            )
        ):
            owners.setdefault(customer_id, []).append((channel, identity_id))
    if not owners:
        return {}
    customers = session.scalars(
        select(Customer)
        .where(Customer.id.in_(owners), Customer.merged_into_id.is_(None))
        .order_by(Customer.id)
        .with_for_update()
    ).all()
    session.execute(
        update(Customer)
        .where(Customer.id.in_([c.id for c in customers]))
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    found: dict[tuple[str, str], Customer] = {}
    for customer in customers:
        set_committed_value(customer, "last_seen_at", now)
        found.update(dict.fromkeys(owners[customer.id], customer))
    return found


def _latest_conversations(session: Session, inbox_id: int, customer_ids: set[int]) -> dict[int, Conversation]:
    """Each customer's most recent conversation on the inbox (open or not), in one query."""
    if not customer_ids:
        return {}
    newest = (
        select(func.max(Conversation.id))
        .where(Conversation.inbox_id == inbox_id, Conversation.customer_id.in_(customer_ids))
        .group_by(Conversation.customer_id)
    )
    return {c.customer_id: c for c in session.scalars(select(Conversation).where(Conversation.id.in_(newest)))}


def _route_stored_inbound(
    session: Session, actor: Actor, customer: Customer, conversation: Conversation, message: Message, now: datetime
) -> None:
    """What a stored customer message changes in its conversation: the list fields, the wait, a
    paused conversation reopened, the event, and who answers next (the bot, or SLA and assignment)."""
    conversation.last_message_at = conversation.last_activity_at = conversation.last_inbound_at = now
    conversation.last_message_preview = _preview(message.text, message.attachments)
    conversation.message_count += 1
    conversation.first_customer_message_at = conversation.first_customer_message_at or now
    bot_active = conversation.bot_state == BotState.ACTIVE
    if not bot_active:  # with the bot, the human wait starts at the hand-off (zabota.bot)
        conversation.cycle_first_customer_message_at = conversation.cycle_first_customer_message_at or now
        conversation.awaiting_reply_since = conversation.awaiting_reply_since or now
    if conversation.status in (Status.PENDING, Status.SNOOZED):
        _event(session, "conversation.status_changed", actor, conversation, {"from": conversation.status, "to": "open"})
        conversation.status = Status.OPEN
        conversation.snoozed_until = None
    _event(
        session,
        "message.created",
        actor,
        conversation,
        {"message_id": message.id, "direction": "in", "author_kind": "customer", "customer_id": customer.id},
    )
    if bot_active:
        # In this transaction: a crash loses no message, and the key makes the bot answer it once.
        enqueue(session, RESPOND_JOB, {"message_id": message.id}, dedupe_key=f"bot:{message.id}")
        return
    refresh_sla(session, conversation)
    auto_assign(session, conversation)


def _touch_known_customer(
    session: Session, inbox_id: int, inbound: InboundMessage, now: datetime
) -> tuple[Customer, int | None] | None:
    """The hot path of every ingest, in one statement: find the customer by their channel identity,
    take their row lock (touching last_seen_at), and look for an earlier delivery of this message.

    Concurrent messages of one customer queue on that lock, so the conversation choice that
    follows sees what the others committed. None for a first contact.
    """
    owner = (
        select(CustomerIdentity.customer_id)
        .where(
            CustomerIdentity.channel == inbound.identity_channel,
            CustomerIdentity.external_id == inbound.identity_id,
        )
        .scalar_subquery()
    )
    earlier = (
        select(Message.id)
        .where(Message.inbox_id == inbox_id, Message.external_id == inbound.external_id)
        .scalar_subquery()
        if inbound.external_id is not None
        else null()
    )
    row = session.execute(
        update(Customer)
        .where(Customer.id == owner, Customer.merged_into_id.is_(None))
        .values(last_seen_at=now)
        .returning(Customer, earlier)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        return None
    return row[0], row[1]


def _message_by_external_id(session: Session, inbox_id: int, external_id: str) -> Message | None:
    return session.scalar(select(Message).where(Message.inbox_id == inbox_id, Message.external_id == external_id))


def _conversation_for_inbound(
    session: Session,
    inbox: Inbox | InboxRef,
    customer: Customer,
    actor: Actor,
    subject: str,
    now: datetime,
    latest: Conversation | None,
) -> Conversation:
    """The customer's open conversation on this inbox, a resolved one reopened within the
    organization's window, or a new one; `latest` is their most recent one on the inbox, if any
    (`_latest_conversations`)."""
    if latest is not None and latest.status != Status.RESOLVED:
        return latest
    if latest is not None and latest.resolved_at is not None:
        window = timedelta(hours=get_organization(session).reopen_window_hours)
        if now - latest.resolved_at <= window:
            _reopen(session, latest, actor)
            return latest
    conversation = Conversation(
        inbox_id=inbox.id,
        channel=inbox.channel_type,
        customer_id=customer.id,
        department_id=inbox.default_department_id,
        status=Status.OPEN,
        bot_state=BotState.ACTIVE if inbox.bot_enabled else None,
        subject=subject[:300],
        opened_at=now,
        cycle_opened_at=now,
        last_activity_at=now,
    )
    session.add(conversation)
    session.flush()
    _event(
        session,
        "conversation.created",
        actor,
        conversation,
        {"customer_id": customer.id, "inbox_id": inbox.id, "department_id": inbox.default_department_id},
    )
    return conversation


def _reopen(session: Session, conversation: Conversation, actor: Actor) -> None:
    previous = conversation.status
    conversation.status = Status.OPEN
    conversation.reopened_count += 1
    conversation.resolved_at = None
    conversation.snoozed_until = None
    conversation.cycle_opened_at = utcnow()
    conversation.cycle_first_customer_message_at = None
    conversation.cycle_first_human_reply_at = None
    _event(
        session, "conversation.reopened", actor, conversation, {"from": previous, "count": conversation.reopened_count}
    )


def _get(session: Session, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound("Conversation {conversation_id} does not exist.", conversation_id=conversation_id)
    return conversation


@dataclass(frozen=True)
class Viewer:
    """Everything that decides which conversations a person may see, so that a long-lived reader
    (a live stream) can decide it for many conversations without asking the database each time."""

    user_id: int
    role: str
    isolation: bool
    department_ids: frozenset[int]

    def sees(self, department_id: int | None, assignee_id: int | None) -> bool:
        """Department isolation: operators see their departments' queues and what is assigned to them."""
        if self.role in (Role.ADMIN, Role.SUPERVISOR):
            return True
        if not role_has(self.role, Permission.CONVERSATIONS_READ):
            return False
        if not self.isolation:
            return True
        return assignee_id == self.user_id or department_id is None or department_id in self.department_ids


def viewer_of(session: Session, user: User) -> Viewer:
    isolation = get_organization(session).department_isolation
    departments = frozenset(department_ids_of(session, user.id)) if isolation else frozenset()
    return Viewer(user.id, user.role, isolation, departments)


def can_see(session: Session, user: User, conversation: Conversation) -> bool:
    if user.role in (Role.ADMIN, Role.SUPERVISOR):  # the common case, without a query
        return True
    return viewer_of(session, user).sees(conversation.department_id, conversation.assignee_id)


def access_conversation(session: Session, user: User, conversation_id: int) -> Conversation:
    """Fetch a conversation the user may see; hidden ones look like missing ones."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not can_see(session, user, conversation):
        raise NotFound("Conversation {conversation_id} does not exist.", conversation_id=conversation_id)
    return conversation


def mark_read(session: Session, user: User, conversation: Conversation) -> None:
    """The operator has seen the conversation as it is now (opening it, replying, noting)."""
    now = utcnow()
    session.execute(
        insert_for(session, ConversationRead)
        .values(user_id=user.id, conversation_id=conversation.id, read_at=now)
        .on_conflict_do_update(index_elements=["user_id", "conversation_id"], set_={"read_at": now})
    )


def reply(
    session: Session,
    conversation: Conversation,
    *,
    author: User | None,
    text: str,
    html: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
    attachment_ids: Sequence[int] = (),
    author_kind: AuthorKind = AuthorKind.OPERATOR,
    delivered_at: datetime | None = None,
) -> Message:
    """Send a message to the customer through the conversation's channel (via the outbox).

    `attachment_ids` are files uploaded to this conversation beforehand (store_attachment);
    `attachments` describes files that live elsewhere (a URL). `delivered_at` records a message
    that was already delivered elsewhere, when importing history from another helpdesk: it is
    stored as sent and not queued for delivery.
    """
    uploads = claim_for_message(session, conversation, attachment_ids)
    attachments = [*(describe(a) for a in uploads), *(attachments or [])]
    html = sanitize_html(html)
    _check_text(text, html, attachments)
    if author_kind == AuthorKind.OPERATOR and author is None:
        raise DomainError("An operator reply needs an author.")
    if author_kind == AuthorKind.OPERATOR and author is not None and conversation.bot_state == BotState.ACTIVE:
        from zabota.bot.actions import hand_off  # the bot domain builds on this one

        hand_off(session, conversation, reason="operator", actor=Actor.user(author.id))
    actor = Actor.user(author.id) if author is not None else Actor("bot" if author_kind == AuthorKind.BOT else "system")
    now = utcnow()
    message = Message(
        conversation_id=conversation.id,
        inbox_id=conversation.inbox_id,
        direction=Direction.OUTBOUND,
        author_kind=author_kind,
        author_user_id=author.id if author else None,
        text=text,
        html=html,
        attachments=attachments,
        delivery_status=DeliveryStatus.SENT if delivered_at else DeliveryStatus.QUEUED,
        created_at=now,
        sent_at=delivered_at,
    )
    session.add(message)
    session.flush()
    for upload in uploads:
        upload.message_id = message.id
    conversation.last_message_at = conversation.last_activity_at = now
    conversation.last_message_preview = _preview(text, attachments)
    conversation.message_count += 1
    payload: dict[str, Any] = {"message_id": message.id, "direction": "out", "author_kind": str(author_kind)}
    if author_kind == AuthorKind.OPERATOR and author is not None:
        conversation.awaiting_reply_since = None
        conversation.first_human_reply_at = conversation.first_human_reply_at or now
        if conversation.cycle_first_customer_message_at and conversation.cycle_first_human_reply_at is None:
            conversation.cycle_first_human_reply_at = now
            payload["first_response_seconds"] = int(
                (now - conversation.cycle_first_customer_message_at).total_seconds()
            )
        if conversation.assignee_id is None:
            _set_assignee(session, conversation, author, actor)
    _event(session, "message.created", actor, conversation, payload)
    refresh_sla(session, conversation)
    if delivered_at is None:
        enqueue(session, DELIVER_JOB, {"message_id": message.id}, dedupe_key=f"deliver:{message.id}")
    return message


def retry_delivery(session: Session, actor: Actor, message: Message) -> Message:
    """Queue a failed outbound message for delivery again."""
    if message.direction != Direction.OUTBOUND or message.delivery_status != DeliveryStatus.FAILED:
        raise DomainError("Only a message that failed to send can be sent again.", code="not_failed")
    message.delivery_status = DeliveryStatus.QUEUED
    message.delivery_error = None
    now = utcnow()
    enqueue(session, DELIVER_JOB, {"message_id": message.id}, dedupe_key=f"deliver:{message.id}:{now.isoformat()}")
    conversation = _get(session, message.conversation_id)
    _event(session, "message.delivery_retried", actor, conversation, {"message_id": message.id})
    return message


def add_note(session: Session, conversation: Conversation, *, author: User | None, text: str) -> Note:
    """An internal note; each @handle of an active colleague becomes a mention to notify.

    Without an author it is the bot's (the hand-off transcript).
    """
    text = text.strip()
    if not text:
        raise DomainError("A note needs text.", code="empty_note")
    if len(text) > MAX_TEXT_LENGTH:
        raise DomainError("A note may be at most {limit} characters long.", limit=MAX_TEXT_LENGTH, code="too_long")
    note = Note(
        conversation_id=conversation.id, author_id=author.id if author else None, text=text, created_at=utcnow()
    )
    session.add(note)
    session.flush()
    # "@anna." at the end of a sentence means @anna: try each handle with trailing punctuation cut.
    handles = {h.lower() for found in MENTION_RE.findall(text) for h in (found, found.rstrip("._-")) if h}
    mentioned: list[User] = []
    if handles:
        mentioned = list(session.scalars(select(User).where(User.handle.in_(handles), User.is_active.is_(True))))
    for user in mentioned:
        session.add(
            Mention(note_id=note.id, user_id=user.id, conversation_id=conversation.id, created_at=note.created_at)
        )
    conversation.last_activity_at = utcnow()
    _event(
        session,
        "note.created",
        Actor.user(author.id) if author else Actor("bot"),
        conversation,
        {"note_id": note.id, "mentioned_user_ids": [u.id for u in mentioned]},
    )
    return note


def _set_assignee(session: Session, conversation: Conversation, assignee: User | None, actor: Actor) -> None:
    previous = conversation.assignee_id
    conversation.assignee_id = assignee.id if assignee else None
    _event(
        session,
        "conversation.assigned",
        actor,
        conversation,
        {"from": previous, "to": conversation.assignee_id},
    )


def assign(session: Session, actor: Actor, conversation: Conversation, assignee: User | None) -> Conversation:
    if assignee is not None:
        if not assignee.is_active or not role_has(assignee.role, Permission.CONVERSATIONS_WRITE):
            raise DomainError("{name} cannot take conversations.", name=assignee.name, code="bad_assignee")
        if (
            get_organization(session).department_isolation
            and conversation.department_id is not None
            and assignee.role == Role.OPERATOR
            and conversation.department_id not in department_ids_of(session, assignee.id)
        ):
            raise DomainError(
                "{name} is not a member of this conversation's department.",
                name=assignee.name,
                code="not_in_department",
            )
    if (assignee.id if assignee else None) != conversation.assignee_id:
        _set_assignee(session, conversation, assignee, actor)
    return conversation


def transfer(
    session: Session,
    actor: Actor,
    conversation: Conversation,
    department: Department,
    *,
    note: str | None = None,
    author: User | None = None,
) -> Conversation:
    """Hand a conversation to another department, with a note for the colleagues who take it."""
    if conversation.department_id == department.id:
        raise DomainError("The conversation is already in {name}.", name=department.name, code="same_department")
    if note and author is None:
        raise DomainError("A transfer note needs an author.", code="note_without_author")
    note_row = add_note(session, conversation, author=author, text=note) if note and author is not None else None
    previous_department = conversation.department_id
    conversation.department_id = department.id
    previous_assignee = conversation.assignee_id
    if previous_assignee is not None and previous_assignee not in set(member_ids(session, department.id)):
        conversation.assignee_id = None
    _event(
        session,
        "conversation.transferred",
        actor,
        conversation,
        {
            "from_department_id": previous_department,
            "to_department_id": department.id,
            "note_id": note_row.id if note_row else None,
            "previous_assignee_id": previous_assignee,
            "assignee_id": conversation.assignee_id,
        },
    )
    refresh_sla(session, conversation)
    auto_assign(session, conversation)
    return conversation


def set_status(
    session: Session,
    actor: Actor,
    conversation: Conversation,
    status: Status | str,
    *,
    snoozed_until: datetime | None = None,
) -> Conversation:
    status = Status(status)
    now = utcnow()
    if status == Status.SNOOZED:
        if snoozed_until is None or snoozed_until <= now:
            raise DomainError("Snoozing needs a time in the future.", code="bad_snooze")
    elif snoozed_until is not None:
        raise DomainError("Only a snoozed conversation has a wake-up time.", code="bad_snooze")
    previous = conversation.status
    if status == previous and status != Status.SNOOZED:
        return conversation
    if previous == Status.RESOLVED and status != Status.RESOLVED:
        _reopen(session, conversation, actor)
    conversation.status = status
    conversation.snoozed_until = snoozed_until
    if status == Status.RESOLVED:
        conversation.resolved_at = now
        if conversation.bot_state == BotState.ACTIVE:
            # Bot-resolved if the customer does not come back within a day (zabota.bot.tasks).
            enqueue(
                session,
                RESOLVED_JOB,
                {"conversation_id": conversation.id, "resolved_at": now.isoformat()},
                run_at=now + timedelta(hours=24),
                dedupe_key=f"bot-resolved:{conversation.id}:{now.isoformat()}",
            )
    payload: dict[str, Any] = {"from": previous, "to": str(status)}
    if snoozed_until is not None:
        payload["snoozed_until"] = snoozed_until.isoformat()
        enqueue(
            session,
            WAKE_JOB,
            {"conversation_id": conversation.id, "snoozed_until": snoozed_until.isoformat()},
            run_at=snoozed_until,
            dedupe_key=f"wake:{conversation.id}:{snoozed_until.isoformat()}",
        )
    _event(session, "conversation.status_changed", actor, conversation, payload)
    refresh_sla(session, conversation)
    if status in (Status.RESOLVED, Status.SNOOZED) and conversation.assignee_id is not None:
        assign_waiting(session, for_user_id=conversation.assignee_id)  # capacity freed up
    return conversation


def snooze(session: Session, actor: Actor, conversation: Conversation, until: datetime) -> Conversation:
    return set_status(session, actor, conversation, Status.SNOOZED, snoozed_until=until)


def wake_if_due(session: Session, conversation: Conversation, snoozed_until: datetime) -> bool:
    """Called by the timer job; a conversation re-snoozed or answered since is left alone."""
    if conversation.status != Status.SNOOZED or conversation.snoozed_until != snoozed_until:
        return False
    conversation.status = Status.OPEN
    conversation.snoozed_until = None
    conversation.last_activity_at = utcnow()
    _event(
        session,
        "conversation.status_changed",
        Actor.system(),
        conversation,
        {"from": "snoozed", "to": "open", "reason": "snooze_ended"},
    )
    refresh_sla(session, conversation)
    return True


def set_priority(
    session: Session, actor: Actor, conversation: Conversation, *, urgent: bool, important: bool, manual: bool = True
) -> Conversation:
    """Place the conversation on the Eisenhower matrix; a manual choice pins it against rules."""
    if not manual and conversation.priority_manual:
        return conversation
    if (urgent, important) != (conversation.urgent, conversation.important) or manual != conversation.priority_manual:
        previous = {"urgent": conversation.urgent, "important": conversation.important}
        conversation.urgent, conversation.important = urgent, important
        conversation.priority_manual = manual
        _event(
            session,
            "conversation.priority_changed",
            actor,
            conversation,
            {"from": previous, "to": {"urgent": urgent, "important": important}, "manual": manual},
        )
    return conversation

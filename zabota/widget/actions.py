"""Visitors of the widget: sessions, identity verification, messages, files, forms, typing.

Every function takes the caller's session. A visitor is authorised by its token alone; what it
may read is decided by `visitor_customer_id`: an anonymous visitor reads only its own customer's
conversations on its inbox, a verified one the conversations of the customer behind the site's
user id. An anonymous visitor never follows a merge, so it can never reach a verified history.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from zabota.attachments.actions import Upload, detect_content_type, store_attachment
from zabota.attachments.models import Attachment
from zabota.auth.secrets import digests_equal, token_digest
from zabota.bot.config import bot_enabled
from zabota.channels.actions import InboxRef, inbox_secrets
from zabota.channels.models import Inbox
from zabota.conversations.actions import InboundMessage, IngestResult, ingest_inbound_message
from zabota.conversations.models import Conversation, DeliveryStatus, Direction, Message, Status
from zabota.customers.actions import (
    CustomerProfile,
    get_customer,
    identify_customer,
    merge_customers,
    normalize_email,
    normalize_phone,
    update_customer,
)
from zabota.customers.models import Customer
from zabota.db import is_read_only, utcnow
from zabota.errors import Conflict, DomainError, Forbidden, NotFound, TooLarge, Unauthorized, UnsupportedType
from zabota.events.actions import Actor, on_commit, record_event
from zabota.events.models import DomainEvent
from zabota.org.actions import get_organization
from zabota.widget.channel import CHANNEL_TYPE, kind_of
from zabota.widget.models import WidgetVisitor

TOKEN_KIND = "zwv"  # noqa: S105  (a label, not a secret)
MAX_CLIENT_ID = 64
# A visitor's last_seen_at is written at most this often.
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class WidgetInbox:
    """What a widget request needs to know of its inbox: small, immutable, cached by key."""

    id: int
    key: str
    default_department_id: int | None
    allowed_origins: tuple[str, ...]
    settings: dict[str, Any]

    @property
    def ref(self) -> InboxRef:
        return InboxRef(self.id, CHANNEL_TYPE, self.default_department_id, bot_enabled(self.settings))


class WidgetInboxCache:
    """Widget inboxes by public key, kept a few seconds; emptied by any committed inbox event."""

    def __init__(self, ttl: float = 5.0) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, WidgetInbox | None]] = {}
        self._lock = threading.Lock()

    def find(self, session: Session, key: str) -> WidgetInbox:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            found = _load_widget_inbox(session, key)
            with self._lock:
                if len(self._entries) > 1000:
                    self._entries.clear()
                self._entries[key] = (time.monotonic() + self.ttl, found)
            entry = self._entries[key]
        if entry[1] is None:
            raise NotFound("There is no widget with this key.", code="no_widget")
        return entry[1]

    def cached(self, key: str) -> WidgetInbox | None:
        """The inbox if it is in the cache and fresh; None otherwise (look it up with `find`)."""
        entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] >= time.monotonic() else None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def first_widget_inbox(session: Session) -> str | None:
    """The key of the oldest active widget inbox (the demo page shows it)."""
    inbox = session.scalar(
        select(Inbox).where(Inbox.channel_type == CHANNEL_TYPE, Inbox.is_active.is_(True)).order_by(Inbox.id).limit(1)
    )
    return str(inbox.settings.get("key")) if inbox is not None else None


def _load_widget_inbox(session: Session, key: str) -> WidgetInbox | None:
    for inbox in session.scalars(select(Inbox).where(Inbox.channel_type == CHANNEL_TYPE, Inbox.is_active.is_(True))):
        stored = str(inbox.settings.get("key") or "")
        if stored and digests_equal(stored, key):
            return WidgetInbox(
                inbox.id,
                stored,
                inbox.default_department_id,
                tuple(inbox.settings.get("allowed_origins") or ()),
                dict(inbox.settings),
            )
    return None


widget_inboxes = WidgetInboxCache()


def _forget_on_inbox_change(events: list[DomainEvent]) -> None:
    if any(event.subject_type == "inbox" for event in events):
        widget_inboxes.clear()


on_commit(_forget_on_inbox_change)


def embed_snippet(base_url: str, inbox: Inbox) -> str:
    return f'<script src="{base_url.rstrip("/")}/widget.js" data-inbox="{inbox.settings["key"]}" async></script>'


# --- identity ---------------------------------------------------------------------------------


def user_hash(secret: str, user_id: str) -> str:
    """What the site computes on its server: hex HMAC-SHA256 of the user id under the inbox secret."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def identity_secret(session: Session, inbox_id: int) -> str:
    inbox = session.get(Inbox, inbox_id)
    secret = inbox_secrets(inbox).get("identity_secret") if inbox is not None else None
    if not secret:
        raise Conflict("This widget has no identity secret.", code="no_identity_secret")
    return str(secret)


def verify_user(session: Session, inbox: WidgetInbox, user_id: str, signature: str) -> None:
    if not user_id or len(user_id) > 255:
        raise DomainError("The user id must be 1 to 255 characters long.", code="bad_user_id")
    expected = user_hash(identity_secret(session, inbox.id), user_id)
    if not digests_equal(expected, signature.strip().lower()):
        raise Forbidden("The user hash does not match this user id; the chat stays anonymous.", code="bad_user_hash")


# --- sessions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitorSession:
    visitor: WidgetVisitor
    token: str  # plaintext: answered once to the browser, which keeps it
    resumed: bool


def _issue(
    session: Session, inbox: WidgetInbox, *, customer_id: int | None, user_id: str | None, language: str
) -> VisitorSession:
    token = f"{TOKEN_KIND}_{secrets.token_urlsafe(32)}"
    visitor = WidgetVisitor(
        inbox_id=inbox.id,
        customer_id=customer_id,
        token_hash=token_digest(token),
        public_id=secrets.token_hex(12),
        user_id=user_id,
        language=language,
    )
    session.add(visitor)
    session.flush()
    return VisitorSession(visitor, token, resumed=False)


def find_visitor(session: Session, inbox_id: int, token: str | None) -> WidgetVisitor | None:
    """The live visitor this token opens on this inbox, or None (wrong, revoked, other inbox)."""
    if not token or not token.startswith(TOKEN_KIND + "_") or len(token) > 200:
        return None
    found = session.execute(
        select(WidgetVisitor, Customer.id, Customer.merged_into_id)
        .outerjoin(Customer, Customer.id == WidgetVisitor.customer_id)
        .where(WidgetVisitor.token_hash == token_digest(token))
    ).first()
    if found is None:
        return None
    visitor, customer_id, merged_into_id = found
    if visitor.inbox_id != inbox_id or visitor.revoked_at is not None:
        return None
    if visitor.user_id is None and visitor.customer_id is not None and (customer_id is None or merged_into_id):
        return None  # folded into another customer: an anonymous token must not follow it
    return visitor


def authenticate_visitor(session: Session, inbox: WidgetInbox, token: str | None) -> WidgetVisitor:
    """The token's visitor, or 401. Its last-seen time is touched only where the session may write."""
    visitor = find_visitor(session, inbox.id, token)
    if visitor is None:
        raise Unauthorized("The chat session is missing or has expired; start a new one.", code="bad_visitor_token")
    now = utcnow()
    if now - visitor.last_seen_at > TOUCH_INTERVAL and not is_read_only(session):
        visitor.last_seen_at = now
    return visitor


def start_session(
    session: Session,
    inbox: WidgetInbox,
    *,
    token: str | None,
    language: str,
    user_id: str | None = None,
    signature: str | None = None,
) -> VisitorSession:
    """Resume the browser's visitor or begin a new one; with a valid user hash, a verified one.

    A wrong hash raises (403): the browser then starts anonymously. A verified visitor is only
    ever resumed with its hash again, so a page without the user (signed out) cannot reopen it.
    An anonymous visitor who proves a user id brings its conversations along (its customer is
    merged into the verified one) and its anonymous token stops working.
    """
    current = find_visitor(session, inbox.id, token)
    if user_id is None:
        if current is not None and current.user_id is None:
            current.language = language
            return VisitorSession(current, token or "", resumed=True)
        return _issue(session, inbox, customer_id=None, user_id=None, language=language)

    verify_user(session, inbox, user_id, signature or "")
    if current is not None and current.user_id == user_id:
        current.language = language
        return VisitorSession(current, token or "", resumed=True)
    actor = Actor("inbox", inbox.id)
    customer, _ = identify_customer(
        session, actor, f"widget-user:{inbox.id}", user_id, CustomerProfile(language=language)
    )
    if current is not None and current.user_id is None:
        if current.customer_id is not None and current.customer_id != customer.id:
            anonymous = session.get(Customer, current.customer_id)
            if anonymous is not None and anonymous.merged_into_id is None and customer.merged_into_id is None:
                merge_customers(session, actor, customer, anonymous)
        current.revoked_at = utcnow()
        record_event(
            session,
            "widget.visitor_verified",
            actor,
            "customer",
            customer.id,
            {"inbox_id": inbox.id, "visitor_id": current.id},
        )
    return _issue(session, inbox, customer_id=customer.id, user_id=user_id, language=language)


def _identity(inbox: WidgetInbox, visitor: WidgetVisitor) -> tuple[str, str]:
    if visitor.user_id is not None:
        return f"widget-user:{inbox.id}", visitor.user_id
    return f"widget:{inbox.id}", visitor.public_id


def visitor_customer_id(session: Session, visitor: WidgetVisitor) -> int | None:
    """Whose conversations this visitor reads: none before its first contact."""
    if visitor.customer_id is None:
        return None
    if visitor.user_id is not None:
        return get_customer(session, visitor.customer_id).id  # an operator's merge is followed
    return visitor.customer_id


def ensure_customer(session: Session, inbox: WidgetInbox, visitor: WidgetVisitor) -> Customer:
    if visitor.customer_id is not None:
        return get_customer(session, visitor.customer_id)
    channel, external_id = _identity(inbox, visitor)
    customer, _ = identify_customer(
        session, Actor("inbox", inbox.id), channel, external_id, CustomerProfile(language=visitor.language)
    )
    visitor.customer_id = customer.id
    return customer


def visitor_conversations(session: Session, inbox_id: int, visitor: WidgetVisitor) -> list[Conversation]:
    customer_id = visitor_customer_id(session, visitor)
    if customer_id is None:
        return []
    return list(
        session.scalars(
            select(Conversation)
            .where(Conversation.customer_id == customer_id, Conversation.inbox_id == inbox_id)
            .order_by(Conversation.id)
        )
    )


def access_visitor_conversation(
    session: Session, inbox_id: int, visitor: WidgetVisitor, conversation_id: int
) -> Conversation:
    """A conversation this visitor may read; anything else looks missing."""
    conversation = session.get(Conversation, conversation_id)
    customer_id = visitor_customer_id(session, visitor)
    if (
        conversation is None
        or customer_id is None
        or conversation.inbox_id != inbox_id
        or conversation.customer_id != customer_id
    ):
        raise NotFound("Conversation {conversation_id} does not exist.", conversation_id=conversation_id)
    return conversation


def current_conversation(session: Session, inbox_id: int, visitor: WidgetVisitor) -> Conversation | None:
    """The conversation the visitor's next message goes to, if one is running (or may reopen)."""
    conversations = visitor_conversations(session, inbox_id, visitor)
    if not conversations:
        return None
    latest = conversations[-1]
    if latest.status != Status.RESOLVED:
        return latest
    window = timedelta(hours=get_organization(session).reopen_window_hours)
    if latest.resolved_at is not None and utcnow() - latest.resolved_at <= window:
        return latest
    return None


# --- messages and files -----------------------------------------------------------------------


def send_message(
    session: Session,
    inbox: WidgetInbox,
    visitor: WidgetVisitor,
    *,
    client_id: str,
    text: str,
    attachment_ids: Sequence[int] = (),
) -> IngestResult:
    """Store the visitor's message once per client id: a retried send returns the stored one."""
    client_id = client_id.strip()
    if not client_id or len(client_id) > MAX_CLIENT_ID:
        raise DomainError(
            "A message needs a client id of 1 to {limit} characters.", limit=MAX_CLIENT_ID, code="bad_client_id"
        )
    channel, external_id = _identity(inbox, visitor)
    result = ingest_inbound_message(
        session,
        inbox.ref,
        InboundMessage(
            identity_channel=channel,
            identity_id=external_id,
            text=text,
            external_id=f"widget-{visitor.id}-{client_id}",
            attachment_ids=attachment_ids,
            profile=CustomerProfile(language=visitor.language),
        ),
    )
    if visitor.customer_id is None:
        visitor.customer_id = result.conversation.customer_id
    return result


def upload_file(session: Session, inbox: WidgetInbox, visitor: WidgetVisitor, filename: str, data: bytes) -> Attachment:
    """Keep a file for the visitor's next message, within the inbox's size and type limits."""
    conversation = current_conversation(session, inbox.id, visitor)
    if conversation is None:
        raise Conflict("Write a message first; then you can attach files.", code="no_conversation")
    limits = inbox.settings.get("attachments") or {}
    max_bytes = int(limits.get("max_bytes") or 0)
    if max_bytes and len(data) > max_bytes:
        raise TooLarge(
            "The file {filename} is larger than the {limit} MB limit.",
            filename=filename,
            limit=round(max_bytes / 1_048_576, 1),
            code="file_too_large",
        )
    content_type = detect_content_type(filename, data)
    if content_type is not None and kind_of(content_type) not in (limits.get("kinds") or ()):
        raise UnsupportedType(
            "Files of this type cannot be sent in this chat: {filename}.", filename=filename, code="file_type"
        )
    customer_id = visitor_customer_id(session, visitor)
    return store_attachment(session, Actor("customer", customer_id), conversation, Upload(filename, data))


def visitor_attachment(session: Session, inbox_id: int, visitor: WidgetVisitor, attachment_id: int) -> Attachment:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound("Attachment {attachment_id} does not exist.", attachment_id=attachment_id)
    try:
        access_visitor_conversation(session, inbox_id, visitor, attachment.conversation_id)
    except NotFound:
        raise NotFound("Attachment {attachment_id} does not exist.", attachment_id=attachment_id) from None
    return attachment


def mark_delivered(session: Session, message_ids: Sequence[int]) -> list[int]:
    """Replies the visitor's browser has received: `delivered`, with one event per conversation."""
    if not message_ids:
        return []
    rows = list(
        session.execute(
            update(Message)
            .where(
                Message.id.in_(list(message_ids)),
                Message.direction == Direction.OUTBOUND,
                Message.delivery_status.in_((DeliveryStatus.QUEUED, DeliveryStatus.SENT)),
            )
            .values(delivery_status=DeliveryStatus.DELIVERED)
            .returning(Message.id, Message.conversation_id)
            .execution_options(synchronize_session=False)
        )
    )
    by_conversation: dict[int, list[int]] = {}
    for message_id, conversation_id in rows:
        by_conversation.setdefault(conversation_id, []).append(message_id)
    for conversation_id, ids in by_conversation.items():
        record_event(
            session,
            "message.delivered",
            Actor.system(),
            "conversation",
            conversation_id,
            {"message_ids": sorted(ids)},
            conversation_id=conversation_id,
        )
    return [r[0] for r in rows]


# --- forms ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrechatForm:
    name: str = ""
    email: str = ""
    phone: str = ""
    consent: bool = False


def submit_prechat(session: Session, inbox: WidgetInbox, visitor: WidgetVisitor, form: PrechatForm) -> Customer:
    """Name, email or phone and consent from the pre-chat form, onto the visitor's own customer.

    An address typed here is never used to find another customer: an anonymous visitor must not
    reach anyone else's history by typing their email. Operators can merge duplicates.
    """
    required = set((inbox.settings.get("prechat") or {}).get("required") or [])
    name, email, phone = form.name.strip(), normalize_email(form.email), normalize_phone(form.phone)
    missing = [
        label
        for field, label, present in (
            ("name", "name", bool(name)),
            ("email", "email", bool(email)),
            ("phone", "phone", bool(phone)),
            ("email_or_phone", "email or phone", bool(email or phone)),
            ("consent", "consent", form.consent),
        )
        if field in required and not present
    ]
    if missing:
        raise DomainError("Please fill in: {fields}.", fields=", ".join(missing), code="prechat_incomplete")
    customer = ensure_customer(session, inbox, visitor)
    verified = visitor.user_id is not None
    changes: dict[str, Any] = {}
    if name and (not verified or not customer.name):
        changes["name"] = name
    if email and (not verified or not customer.email):
        changes["email"] = email
    if phone and (not verified or not customer.phone):
        changes["phone"] = phone
    changes["consents"] = {"personal_data": form.consent}
    update_customer(session, Actor("customer", customer.id), customer, changes)
    return customer


def leave_email(session: Session, inbox: WidgetInbox, visitor: WidgetVisitor, email: str) -> Customer:
    """While nobody can answer: where to reply by mail (the email channel continues the thread)."""
    address = normalize_email(email)
    if address is None:
        raise DomainError("Please enter an email address.", code="bad_email")
    customer = ensure_customer(session, inbox, visitor)
    if customer.email != address and (visitor.user_id is None or not customer.email):
        update_customer(session, Actor("customer", customer.id), customer, {"email": address})
    conversation = current_conversation(session, inbox.id, visitor)
    record_event(
        session,
        "widget.email_left",
        Actor("customer", customer.id),
        "customer",
        customer.id,
        {"email": address, "inbox_id": inbox.id},
        conversation_id=conversation.id if conversation else None,
    )
    return customer

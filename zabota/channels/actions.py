"""Inboxes: create, configure, rotate their ingress token, and find them by it."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zabota.auth.secrets import digests_equal, issue_token, split_token, token_digest
from zabota.bot.config import bot_enabled, validate_bot_settings
from zabota.channels.base import ChannelAdapter, get_adapter
from zabota.channels.crypto import seal, unseal
from zabota.channels.models import Inbox
from zabota.departments.actions import get_department
from zabota.errors import DomainError, NotFound, Unauthorized
from zabota.events.actions import Actor, on_commit, record_event
from zabota.events.models import DomainEvent


class Keep(Enum):
    """Marks an optional argument as "leave unchanged" where None is a meaningful value."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class NewInbox:
    inbox: Inbox
    token: str


def get_inbox(session: Session, inbox_id: int) -> Inbox:
    inbox = session.get(Inbox, inbox_id)
    if inbox is None:
        raise NotFound("Inbox {inbox_id} does not exist.", inbox_id=inbox_id)
    return inbox


def create_inbox(
    session: Session,
    actor: Actor,
    *,
    channel_type: str,
    name: str,
    settings: dict[str, Any] | None = None,
    secrets_: dict[str, Any] | None = None,
    default_department_id: int | None = None,
) -> NewInbox:
    try:
        adapter = get_adapter(channel_type)
    except LookupError:
        raise DomainError(
            "Unknown channel type {channel_type}.", channel_type=repr(channel_type), code="bad_channel_type"
        ) from None
    if not name.strip():
        raise DomainError("An inbox needs a name.")
    if default_department_id is not None:
        get_department(session, default_department_id)
    sealed = dict(secrets_ or {})
    unknown = set(sealed) - set(adapter.secret_names)
    if unknown:
        raise DomainError(
            "Unknown secrets for a {channel_type} inbox: {names}.",
            channel_type=channel_type,
            names=", ".join(sorted(unknown)),
        )
    for generated in adapter.generated_secrets:  # the API channel's webhook key, the widget's identity key
        if not sealed.get(generated):
            sealed[generated] = _new_secret()
    issued = issue_token("zbi")
    inbox = Inbox(
        channel_type=channel_type,
        name=name.strip(),
        settings=_validate_settings(adapter, dict(settings or {})),
        secrets_encrypted=seal(sealed),
        default_department_id=default_department_id,
        token_prefix=issued.prefix,
        token_hash=issued.digest,
    )
    session.add(inbox)
    session.flush()
    record_event(session, "inbox.created", actor, "inbox", inbox.id, {"channel_type": channel_type, "name": inbox.name})
    return NewInbox(inbox, issued.plaintext)


def update_inbox(
    session: Session,
    actor: Actor,
    inbox: Inbox,
    *,
    name: str | None = None,
    settings: dict[str, Any] | None = None,
    secrets_: dict[str, Any] | None = None,
    default_department_id: int | Keep | None = KEEP,
    is_active: bool | None = None,
) -> Inbox:
    adapter = get_adapter(inbox.channel_type)
    changes: dict[str, Any] = {}
    if name is not None and name.strip() and name.strip() != inbox.name:
        inbox.name = changes["name"] = name.strip()
    if settings is not None:
        inbox.settings = _validate_settings(adapter, {**inbox.settings, **settings})
        changes["settings"] = sorted(settings)
    if secrets_:
        unknown = set(secrets_) - set(adapter.secret_names)
        if unknown:
            raise DomainError(
                "Unknown secrets for a {channel_type} inbox: {names}.",
                channel_type=inbox.channel_type,
                names=", ".join(sorted(unknown)),
            )
        inbox.secrets_encrypted = seal({**unseal(inbox.secrets_encrypted), **secrets_})
        changes["secrets"] = sorted(secrets_)  # names only, never values
    if not isinstance(default_department_id, Keep):
        if default_department_id is not None:
            get_department(session, default_department_id)
        inbox.default_department_id = default_department_id
        changes["default_department_id"] = default_department_id
    if is_active is not None and is_active != inbox.is_active:
        inbox.is_active = changes["is_active"] = is_active
    if changes:
        record_event(session, "inbox.updated", actor, "inbox", inbox.id, changes)
    return inbox


def _validate_settings(adapter: ChannelAdapter, settings: dict[str, Any]) -> dict[str, Any]:
    """The channel's own settings checked by its adapter; `bot` (any channel) by zabota.bot.config."""
    bot = settings.pop("bot", None)
    validated = adapter.validate_settings(settings)
    if bot is not None:
        validated["bot"] = validate_bot_settings(bot)
    return validated


def rotate_inbox_token(session: Session, actor: Actor, inbox: Inbox) -> str:
    issued = issue_token("zbi")
    inbox.token_prefix, inbox.token_hash = issued.prefix, issued.digest
    record_event(session, "inbox.token_rotated", actor, "inbox", inbox.id)
    return issued.plaintext


def inbox_secrets(inbox: Inbox) -> dict[str, Any]:
    return unseal(inbox.secrets_encrypted)


def authenticate_inbox(session: Session, inbox_id: int, token: str | None) -> Inbox:
    """The inbox an ingress token opens; the same error for a wrong id and a wrong token."""
    parts = split_token(token or "")
    if parts is None:
        raise _refused()
    inbox = session.get(Inbox, inbox_id)
    if (
        inbox is None
        or not inbox.is_active
        or inbox.token_prefix != parts[0]
        or not digests_equal(inbox.token_hash, token_digest(parts[1]))
    ):
        raise _refused()
    return inbox


def _refused() -> Unauthorized:
    return Unauthorized("The inbox token is missing or not valid for this inbox.", code="bad_inbox_token")


@dataclass(frozen=True)
class InboxRef:
    """What ingest needs to know of an inbox: small, immutable, safe to keep between requests."""

    id: int
    channel_type: str
    default_department_id: int | None
    # The first-line bot takes new conversations (zabota.bot): known here, so ingest needs no query.
    bot_enabled: bool = False

    @classmethod
    def of(cls, inbox: Inbox) -> InboxRef:
        return cls(inbox.id, inbox.channel_type, inbox.default_department_id, bot_enabled(inbox.settings))


class IngressTokenCache:
    """Inbox tokens opened in the last few seconds, so each pushed message skips the inbox query.

    Only a digest of the token is kept. Any committed `inbox.*` event in this process empties the
    cache, so a rotated token or a deactivated inbox is refused here at once; other processes
    follow within `ttl` seconds.
    """

    def __init__(self, ttl: float = 5.0) -> None:
        self.ttl = ttl
        self._entries: dict[tuple[int, str], tuple[float, InboxRef]] = {}
        self._lock = threading.Lock()

    def get(self, inbox_id: int, token: str | None) -> InboxRef | None:
        if not token:
            return None
        entry = self._entries.get((inbox_id, token_digest(token)))
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def open(self, session: Session, inbox_id: int, token: str | None) -> InboxRef:
        """The inbox this token opens, from the cache or, on a miss, from the database."""
        cached = self.get(inbox_id, token)
        if cached is not None:
            return cached
        ref = InboxRef.of(authenticate_inbox(session, inbox_id, token))
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[(inbox_id, token_digest(token or ""))] = (time.monotonic() + self.ttl, ref)
        return ref

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


ingress_tokens = IngressTokenCache()


def _forget_tokens_on_inbox_change(events: list[DomainEvent]) -> None:
    if any(event.subject_type == "inbox" for event in events):
        ingress_tokens.clear()


on_commit(_forget_tokens_on_inbox_change)


def list_inboxes(session: Session) -> list[Inbox]:
    return list(session.scalars(select(Inbox).order_by(Inbox.id)))


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def _generated_secret_name(inbox: Inbox, name: str) -> str:
    if name not in get_adapter(inbox.channel_type).generated_secrets:
        raise NotFound("This inbox has no secret called {name}.", name=name)
    return name


def reveal_secret(session: Session, actor: Actor, inbox: Inbox, name: str) -> str:
    """A generated secret (such as the widget's identity key) for an admin to copy; every look is audited."""
    value = str(unseal(inbox.secrets_encrypted).get(_generated_secret_name(inbox, name), ""))
    record_event(session, "inbox.secret_revealed", actor, "inbox", inbox.id, {"name": name})
    return value


def rotate_secret(session: Session, actor: Actor, inbox: Inbox, name: str) -> str:
    """A new value for a generated secret; whatever was signed with the old one stops verifying."""
    sealed = unseal(inbox.secrets_encrypted)
    sealed[_generated_secret_name(inbox, name)] = _new_secret()
    inbox.secrets_encrypted = seal(sealed)
    record_event(session, "inbox.secret_rotated", actor, "inbox", inbox.id, {"name": name})
    return str(sealed[name])

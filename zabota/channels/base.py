"""The one interface every channel implements, and the registry that finds them.

Inbound: each channel's edge (webhook endpoint, IMAP poller, widget socket) turns platform
payloads into `InboundMessage` and calls `ingest_inbound_message`. Outbound: replies go through
the outbox (a durable job per message) and the job calls the channel's `deliver`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from zabota.channels.models import Inbox
from zabota.conversations.models import Conversation, Message
from zabota.customers.models import Customer


@dataclass(frozen=True)
class DeliveryReceipt:
    """What the platform answered: its id for the message, if any."""

    external_id: str | None = None


class PermanentDeliveryError(Exception):
    """The platform refused the message for good (blocked bot, bad address): do not retry."""


class ChannelAdapter(Protocol):
    channel_type: str
    # Settings a user may set on an inbox of this type, and the secrets it needs sealed.
    setting_names: tuple[str, ...]
    secret_names: tuple[str, ...]
    # Secrets made for the inbox when it is created without them (and renewable by an admin).
    generated_secrets: tuple[str, ...]

    def validate_settings(self, settings: dict[str, Any]) -> dict[str, Any]: ...

    def deliver(
        self, session: Session, inbox: Inbox, conversation: Conversation, customer: Customer, message: Message
    ) -> DeliveryReceipt:
        """Send one outbound message; raise to retry, PermanentDeliveryError to give up."""
        ...


_adapters: dict[str, ChannelAdapter] = {}


def register_adapter(adapter: ChannelAdapter) -> ChannelAdapter:
    _adapters[adapter.channel_type] = adapter
    return adapter


def get_adapter(channel_type: str) -> ChannelAdapter:
    from zabota.channels import api_channel  # noqa: F401  (registers the built-in adapters)
    from zabota.widget import channel  # noqa: F401

    try:
        return _adapters[channel_type]
    except KeyError:
        raise LookupError(f"No channel adapter for {channel_type!r}") from None

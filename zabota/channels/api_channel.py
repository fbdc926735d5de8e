"""The generic API channel: any system pushes customer messages in and receives replies out.

Inbound: `POST /api/v1/inboxes/{id}/messages` with the inbox token. Outbound: when the inbox has a
`callback_url`, each reply is POSTed there as JSON, signed with HMAC-SHA256 of the raw body under
the inbox's webhook secret (`X-Zabota-Signature: sha256=<hex>`), with the message id as
`Idempotency-Key` so that a retried delivery can be recognised. Without a callback URL the
integrator reads replies from the REST API and they are marked sent at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlparse

import httpx
from sqlalchemy.orm import Session

from zabota.channels.base import DeliveryReceipt, PermanentDeliveryError, register_adapter
from zabota.channels.crypto import unseal
from zabota.channels.models import Inbox
from zabota.conversations.models import Conversation, Message
from zabota.customers.models import Customer
from zabota.errors import DomainError

CALLBACK_TIMEOUT_SECONDS = 10.0


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class ApiChannel:
    channel_type = "api"
    setting_names: tuple[str, ...] = ("callback_url",)
    secret_names: tuple[str, ...] = ("webhook_secret",)
    generated_secrets: tuple[str, ...] = ("webhook_secret",)

    def validate_settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        unknown = set(settings) - set(self.setting_names)
        if unknown:
            raise DomainError("Unknown API inbox settings: {names}.", names=", ".join(sorted(unknown)))
        url = settings.get("callback_url")
        if url:
            parsed = urlparse(url)
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                raise DomainError("callback_url must be an http(s) URL.", code="bad_callback_url")
        return settings

    def deliver(
        self, session: Session, inbox: Inbox, conversation: Conversation, customer: Customer, message: Message
    ) -> DeliveryReceipt:
        url = inbox.settings.get("callback_url")
        if not url:
            return DeliveryReceipt()
        identifier = next((i.external_id for i in customer.identities if i.channel == f"api:{inbox.id}"), None)
        body = json.dumps(
            {
                "event": "message.created",
                "inbox_id": inbox.id,
                "conversation_id": conversation.id,
                "customer": {"id": customer.id, "identifier": identifier, "name": customer.name},
                "message": {
                    "id": message.id,
                    "text": message.text,
                    "html": message.html,
                    "attachments": message.attachments,
                    "author_kind": message.author_kind,
                    "created_at": message.created_at.isoformat(),
                },
            },
            ensure_ascii=False,
        ).encode()
        timestamp = str(int(time.time()))
        secret = unseal(inbox.secrets_encrypted).get("webhook_secret", "")
        headers = {
            "Content-Type": "application/json",
            "X-Zabota-Timestamp": timestamp,
            "X-Zabota-Signature": sign(secret, timestamp, body),
            "Idempotency-Key": f"zabota-message-{message.id}",
        }
        response = httpx.post(url, content=body, headers=headers, timeout=CALLBACK_TIMEOUT_SECONDS)
        if response.status_code in (408, 429) or response.status_code >= 500:
            raise RuntimeError(f"callback answered HTTP {response.status_code}")
        if response.status_code >= 400:
            raise PermanentDeliveryError(f"callback refused the message: HTTP {response.status_code}")
        external_id = None
        if response.headers.get("content-type", "").startswith("application/json"):
            try:
                external_id = str(response.json().get("id")) if response.json().get("id") is not None else None
            except (ValueError, AttributeError):
                external_id = None
        return DeliveryReceipt(external_id=external_id)


API_CHANNEL = register_adapter(ApiChannel())

"""The widget as a channel adapter: its settings, its sealed secret, and outbound "delivery".

The visitor pulls replies (its live stream or a poll), so delivering a reply only marks it sent;
it becomes `delivered` when the visitor's stream or poll hands it over (zabota.widget.actions).
"""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import urlparse

from sqlalchemy.orm import Session

from zabota.channels.base import DeliveryReceipt, register_adapter
from zabota.channels.models import Inbox
from zabota.conversations.models import Conversation, Message
from zabota.customers.models import Customer
from zabota.errors import DomainError

CHANNEL_TYPE = "widget"
PRECHAT_FIELDS = ("name", "email", "phone", "email_or_phone", "consent")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_MAX_BYTES = 5 * 1_048_576
# Families of the types zabota.attachments accepts; an inbox may narrow them further.
ATTACHMENT_KINDS = ("image", "pdf", "document", "text", "audio", "video", "archive")
DEFAULTS: dict[str, Any] = {
    "allowed_origins": [],
    "prechat": {"enabled": False, "required": []},
    "title": {"ru": "Поддержка", "en": "Support"},
    "greeting": {"ru": "Здравствуйте! Чем можем помочь?", "en": "Hello! How can we help?"},
    "color": "#2563eb",
    "attachments": {"max_bytes": DEFAULT_MAX_BYTES, "kinds": list(ATTACHMENT_KINDS)},
}


def normalize_origin(value: str) -> str:
    """`https://shop.example:8443/path` → `https://shop.example:8443`; "*" stays as it is."""
    value = value.strip()
    if value == "*":
        return value
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise DomainError(
            "{origin} is not a site origin such as https://shop.example.", origin=repr(value), code="bad_origin"
        )
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.hostname.lower()}{port}"


def _localized(value: Any, name: str) -> dict[str, str]:
    if isinstance(value, str):
        return {"ru": value[:200], "en": value[:200]}
    if not isinstance(value, dict) or not set(value) <= {"ru", "en"}:
        raise DomainError("{name} must be a text per language: ru, en.", name=name, code="bad_widget_setting")
    return {k: str(v)[:500] for k, v in value.items()}


class WidgetChannel:
    channel_type = CHANNEL_TYPE
    setting_names: tuple[str, ...] = (
        "key",
        "allowed_origins",
        "prechat",
        "title",
        "greeting",
        "color",
        "attachments",
        "bot",
    )
    # HMAC key that signs the site's user ids (identity verification); made with the inbox.
    secret_names: tuple[str, ...] = ("identity_secret",)
    generated_secrets: tuple[str, ...] = ("identity_secret",)

    def validate_settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        unknown = set(settings) - set(self.setting_names)
        if unknown:
            raise DomainError("Unknown widget inbox settings: {names}.", names=", ".join(sorted(unknown)))
        out = {**DEFAULTS, **settings}
        # The public key that the embed snippet names; not a secret (every page shows it).
        key = out.get("key")
        if not isinstance(key, str) or not re.fullmatch(r"zw_[A-Za-z0-9_-]{16,64}", key):
            out["key"] = "zw_" + secrets.token_urlsafe(16)
        origins = out.get("allowed_origins") or []
        if not isinstance(origins, list):
            raise DomainError("allowed_origins must be a list of site origins.", code="bad_origin")
        out["allowed_origins"] = list(dict.fromkeys(normalize_origin(str(o)) for o in origins))
        prechat = out.get("prechat") or {}
        if not isinstance(prechat, dict):
            raise DomainError("prechat must be an object with enabled and required.", code="bad_widget_setting")
        required = [str(f) for f in prechat.get("required") or []]
        bad = [f for f in required if f not in PRECHAT_FIELDS]
        if bad:
            raise DomainError(
                "Unknown pre-chat fields: {names}; use {allowed}.",
                names=", ".join(bad),
                allowed=", ".join(PRECHAT_FIELDS),
                code="bad_widget_setting",
            )
        out["prechat"] = {"enabled": bool(prechat.get("enabled")), "required": required}
        out["title"] = _localized(out.get("title"), "title")
        out["greeting"] = _localized(out.get("greeting"), "greeting")
        if not COLOR_RE.match(str(out.get("color") or "")):
            raise DomainError("color must look like #2563eb.", code="bad_widget_setting")
        limits = out.get("attachments") or {}
        if not isinstance(limits, dict):
            raise DomainError("attachments must be an object with max_bytes and kinds.", code="bad_widget_setting")
        try:
            max_bytes = int(limits.get("max_bytes", DEFAULT_MAX_BYTES))
        except (TypeError, ValueError):
            raise DomainError("attachments.max_bytes must be a number of bytes.", code="bad_widget_setting") from None
        kinds = [str(k) for k in limits.get("kinds", ATTACHMENT_KINDS)]
        if not set(kinds) <= set(ATTACHMENT_KINDS):
            raise DomainError(
                "attachments.kinds may name only: {allowed}.",
                allowed=", ".join(ATTACHMENT_KINDS),
                code="bad_widget_setting",
            )
        out["attachments"] = {"max_bytes": max(0, max_bytes), "kinds": kinds}
        if "bot" in out and not isinstance(out["bot"], dict):
            raise DomainError("bot must be an object.", code="bad_widget_setting")
        return out

    def deliver(
        self, session: Session, inbox: Inbox, conversation: Conversation, customer: Customer, message: Message
    ) -> DeliveryReceipt:
        return DeliveryReceipt()  # the visitor pulls: sent now, delivered when its stream hands it over


WIDGET_CHANNEL = register_adapter(WidgetChannel())


def kind_of(content_type: str) -> str:
    """The family (ATTACHMENT_KINDS) of a content type that zabota.attachments accepted."""
    if content_type.startswith("image/"):
        return "image"
    if content_type == "application/pdf":
        return "pdf"
    if content_type.startswith("audio/"):
        return "audio"
    if content_type.startswith("video/"):
        return "video"
    if content_type.startswith("text/"):
        return "text"
    if content_type == "application/zip":
        return "archive"
    return "document"

"""Templates, per-request language, and the small helpers every page uses."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.units import format_unit
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from zabota.auth.models import User
from zabota.config import get_settings
from zabota.i18n import N_, gettext, negotiate
from zabota.sla.queries import sla_status, sla_statuses

TEMPLATES = Path(__file__).parent / "templates"
env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True)
# What people call each channel type; an unknown type shows as it is.
CHANNEL_NAMES = {
    "api": N_("API"), "widget": N_("Web chat"), "email": N_("Email"), "telegram": N_("Telegram"),
    "whatsapp": N_("WhatsApp"), "vk": N_("VK"), "sms": N_("SMS"),
}  # fmt: skip
env.globals.update(sla_status=sla_status, sla_statuses=sla_statuses, channel_names=CHANNEL_NAMES)
# A moment as app.js reads it (whole seconds, UTC).
env.filters["iso"] = lambda value: value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def language_for(request: Request, user: User | None) -> str:
    if user is not None and user.language in ("ru", "en"):
        return user.language
    return negotiate(request.headers.get("accept-language"), get_settings().default_language)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


class Formatter:
    """Times in the organization's timezone, in the reader's language."""

    def __init__(self, language: str, timezone: str) -> None:
        self.language = language
        self.tz = ZoneInfo(timezone)

    def time(self, value: datetime | None) -> str:
        if value is None:
            return ""
        local = value.astimezone(self.tz)
        now = datetime.now(UTC).astimezone(self.tz)
        pattern = "HH:mm" if local.date() == now.date() else "d MMM, HH:mm"
        return format_datetime(local, pattern, locale=self.language)

    def full(self, value: datetime | None) -> str:
        return (
            "" if value is None else format_datetime(value.astimezone(self.tz), "d MMMM y, HH:mm", locale=self.language)
        )

    def span(self, seconds: float, *, up: bool = True) -> str:
        """A duration as the badges show it (app.js `span` writes the same while the page is open)."""
        return format_span(seconds, self.language, up=up)

    def size(self, n: int) -> str:
        """A file size as people read it: 12 B, 340 kB, 1.5 MB (1,5 МБ in Russian)."""
        for unit, scale in (("digital-megabyte", 1_048_576), ("digital-kilobyte", 1024)):
            if n >= scale:
                return format_unit(n / scale, unit, length="short", locale=self.language, format="#,##0.#")
        return format_unit(n, "digital-byte", length="short", locale=self.language)

    def since(self, value: datetime | None) -> float:
        """Seconds from `value` to now (0 for none)."""
        return 0.0 if value is None else (datetime.now(UTC) - value).total_seconds()


def format_span(seconds: float, language: str, *, up: bool = True) -> str:
    """12 min, 3 h 5 min, 2 d, never less than a minute.

    Time left is rounded up (a minute left until it is gone), time passed down (a wait of 4½ min
    is 4 min).
    """
    minutes = max(1, (math.ceil if up else math.floor)(abs(seconds) / 60))
    if minutes < 60:
        return gettext("{n} min", language).format(n=minutes)
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        if rest:
            return gettext("{h} h {m} min", language).format(h=hours, m=rest)
        return gettext("{n} h", language).format(n=hours)
    return gettext("{n} d", language).format(n=minutes // (24 * 60))


# The words app.js needs to write the same badges while a page stays open.
CLIENT_MESSAGES = (
    N_("{n} min"), N_("{h} h {m} min"), N_("{n} h"), N_("{n} d"),
    N_("SLA: {time} left"), N_("SLA overdue {time}"), N_("waits {time}"),
)  # fmt: skip


def client_messages(language: str) -> dict[str, str]:
    return {message: gettext(message, language) for message in CLIENT_MESSAGES}


def render(request: Request, template: str, context: dict[str, Any], *, status: int = 200) -> HTMLResponse:
    user: User | None = context.get("user")
    language = context.get("language") or language_for(request, user)

    def _(message: str, **params: Any) -> str:
        text = gettext(message, language)
        return text.format(**params) if params else text

    timezone = context.get("timezone") or get_settings().timezone
    page = env.get_template(template).render(
        {
            **context,
            "_": _,
            "language": language,
            "fmt": Formatter(language, timezone),
            "request": request,
            "client_messages": client_messages(language),
            "attachment_max_bytes": get_settings().attachment_max_bytes,
        }
    )
    return HTMLResponse(page, status_code=status)


# Words the templates translate from data (statuses, roles, delivery states): listed for extraction.
DATA_WORDS = (
    N_("open"), N_("pending"), N_("snoozed"), N_("resolved"),
    N_("admin"), N_("supervisor"), N_("operator"), N_("marketer"), N_("analyst"),
    N_("received"), N_("queued"), N_("sent"), N_("delivered"), N_("read"), N_("failed"),
    N_("online"), N_("away"), N_("offline"),
)  # fmt: skip

"""Templates, per-request language, and the small helpers every page uses."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_timedelta
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from zabota.auth.models import User
from zabota.config import get_settings
from zabota.i18n import N_, gettext, negotiate

TEMPLATES = Path(__file__).parent / "templates"
env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True)


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

    def ago(self, value: datetime | None) -> str:
        if value is None:
            return ""
        return format_timedelta(datetime.now(UTC) - value, locale=self.language, threshold=1.1, format="narrow")


def render(request: Request, template: str, context: dict[str, Any], *, status: int = 200) -> HTMLResponse:
    user: User | None = context.get("user")
    language = context.get("language") or language_for(request, user)

    def _(message: str, **params: Any) -> str:
        text = gettext(message, language)
        return text.format(**params) if params else text

    timezone = context.get("timezone") or get_settings().timezone
    page = env.get_template(template).render(
        {**context, "_": _, "language": language, "fmt": Formatter(language, timezone), "request": request}
    )
    return HTMLResponse(page, status_code=status)


# Words the templates translate from data (statuses, roles, delivery states): listed for extraction.
DATA_WORDS = (
    N_("open"), N_("pending"), N_("snoozed"), N_("resolved"),
    N_("admin"), N_("supervisor"), N_("operator"), N_("marketer"), N_("analyst"),
    N_("received"), N_("queued"), N_("sent"), N_("delivered"), N_("read"), N_("failed"),
)  # fmt: skip

"""What the widget shows: its configuration and words, availability, and a visitor's messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import babel.dates
from sqlalchemy import select
from sqlalchemy.orm import Session

from zabota.assignment.actions import ASSIGNABLE_ROLES, live_session_clause
from zabota.auth.models import User
from zabota.conversations.models import Conversation, Message
from zabota.db import utcnow
from zabota.i18n import N_, gettext
from zabota.org.actions import get_organization
from zabota.sla.calendar import BusinessCalendar
from zabota.widget.actions import WidgetInbox, visitor_customer_id
from zabota.widget.models import WidgetVisitor

PAGE = 200

# The widget's own words, sent to the browser in the visitor's language by the config endpoint.
STRINGS: dict[str, str] = {
    "open": N_("Chat with us"),
    "close": N_("Close"),
    "placeholder": N_("Write a message…"),
    "send": N_("Send"),
    "attach": N_("Attach a file"),
    "typing": N_("{name} is typing…"),
    "operator": N_("Operator"),
    "bot": N_("Bot"),
    "you": N_("You"),
    "handoff": N_("Talk to a person"),
    "handoff_done": N_("We have called an operator; they will reply here."),
    "suggestions": N_("These articles may help:"),
    "prechat_title": N_("Before we start"),
    "name": N_("Your name"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    "consent": N_("I agree to the processing of my personal data"),
    "start": N_("Start the chat"),
    "offline_email": N_("Leave your email and we will reply there:"),
    "email_saved": N_("Thank you! We will reply to {email}."),
    "save": N_("Save"),
    "reconnecting": N_("Connection lost; reconnecting…"),
    "failed": N_("Not sent; tap to retry"),
    "upload_first": N_("Write a message first; then you can attach files."),
}


@dataclass(frozen=True)
class Availability:
    open_now: bool  # within business hours (or no hours configured)
    someone_online: bool
    next_opening: datetime | None

    @property
    def available(self) -> bool:
        return self.open_now and self.someone_online


def anyone_online(session: Session) -> bool:
    """Is any person who can answer chats online (zabota.assignment presence)?"""
    now = utcnow()
    query = select(User.id).where(
        User.is_active.is_(True),
        User.role.in_(ASSIGNABLE_ROLES),
        User.availability == "online",
        live_session_clause(now),
    )
    return session.scalar(query.limit(1)) is not None


def availability(session: Session, now: datetime | None = None) -> Availability:
    now = now or utcnow()
    calendar = BusinessCalendar.for_organization(get_organization(session))
    open_now = calendar.is_open(now) if calendar.has_hours else True
    next_opening = None if open_now else calendar.next_opening(now)
    return Availability(open_now, anyone_online(session), next_opening)


def offline_notice(session: Session, state: Availability, language: str, now: datetime | None = None) -> str | None:
    """What the widget says when nobody can answer now: when we will, in the org's timezone."""
    if state.available:
        return None
    if not state.open_now and state.next_opening is not None:
        org = get_organization(session)
        tz = babel.dates.get_timezone(org.timezone)
        local = state.next_opening.astimezone(tz)
        today = (now or utcnow()).astimezone(tz).date()
        if local.date() == today:
            day = gettext("today", language)
        elif local.date() == today + timedelta(days=1):
            day = gettext("tomorrow", language)
        else:
            pattern = "d MMMM" if language == "ru" else "MMMM d"
            day = gettext("on {date}", language).format(
                date=babel.dates.format_date(local.date(), pattern, locale=language)
            )
        city = babel.dates.get_timezone_location(tz, locale=language, return_city=True)
        return gettext("We are closed now. We will answer {day} after {time} ({city} time).", language).format(
            day=day, time=local.strftime("%H:%M"), city=city
        )
    return gettext("Nobody is online right now; we will answer as soon as we can.", language)


def widget_config(session: Session, inbox: WidgetInbox, language: str) -> dict[str, Any]:
    settings = inbox.settings
    state = availability(session)
    strings = {key: gettext(message, language) for key, message in STRINGS.items()}
    return {
        "inbox": inbox.key,
        "language": language,
        "title": (settings.get("title") or {}).get(language, ""),
        "greeting": (settings.get("greeting") or {}).get(language, ""),
        "color": settings.get("color"),
        "prechat": settings.get("prechat"),
        "attachments": settings.get("attachments"),
        "bot": bool((settings.get("bot") or {}).get("enabled")),
        "available": state.available,
        "open_now": state.open_now,
        "someone_online": state.someone_online,
        "next_opening": state.next_opening.isoformat() if state.next_opening else None,
        "offline_notice": offline_notice(session, state, language),
        "strings": strings,
    }


def operator_names(session: Session, user_ids: set[int]) -> dict[int, str]:
    """Operators by their first name only: the customer needs no surname."""
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))
    return {user_id: (name.split() or [""])[0] for user_id, name in rows}


def render_message(message: Message, names: dict[int, str]) -> dict[str, Any]:
    """A message as the visitor sees it: no internal fields, files through the widget's route."""
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "direction": message.direction,
        "author_kind": message.author_kind,
        "author_name": names.get(message.author_user_id or 0, "") if message.author_kind == "operator" else "",
        "text": message.text,
        "client_id": _client_id(message),
        "attachments": [
            {
                "id": a.get("attachment_id"),
                "filename": a.get("filename"),
                "content_type": a.get("content_type"),
                "size": a.get("size"),
            }
            for a in message.attachments or []
            if a.get("attachment_id")
        ],
        "created_at": message.created_at.isoformat(),
    }


def _client_id(message: Message) -> str | None:
    external = message.external_id or ""
    if message.direction != "in" or not external.startswith("widget-"):
        return None
    return external.split("-", 2)[2] if external.count("-") >= 2 else None


def visitor_messages(
    session: Session, inbox_id: int, visitor: WidgetVisitor, *, after: int = 0, limit: int = PAGE
) -> list[dict[str, Any]]:
    """The visitor's thread on this inbox (every conversation of theirs), oldest first, after an id."""
    customer_id = visitor_customer_id(session, visitor)
    if customer_id is None:
        return []
    conversations = select(Conversation.id).where(
        Conversation.customer_id == customer_id, Conversation.inbox_id == inbox_id
    )
    rows = list(
        session.scalars(
            select(Message)
            .where(Message.conversation_id.in_(conversations), Message.id > after)
            .order_by(Message.id)
            .limit(limit)
        )
    )
    names = operator_names(session, {m.author_user_id for m in rows if m.author_user_id})
    return [render_message(m, names) for m in rows]

"""One's own presence in the page header: the online/away choice and the open tab's heartbeat."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from zabota.api.deps import SESSION_COOKIE, DbSession, Principal
from zabota.assignment import actions
from zabota.auth.actions import resolve_session
from zabota.auth.roles import Permission, role_has
from zabota.web.deps import page
from zabota.web.render import render

router = APIRouter(include_in_schema=False)


def header_context(session: Session, principal: Principal) -> dict[str, Any]:
    """What the shared top bar needs on every workspace page."""
    return {
        "user": principal.user,
        "csrf_token": principal.csrf_token,
        "presence": actions.presence_of(session, principal.user).value,
        "heartbeat_seconds": actions.HEARTBEAT_SECONDS,
        "can_queue": role_has(principal.user.role, Permission.QUEUE_READ),
    }


def _fragment(request: Request, session: Session, principal: Principal, presence: actions.Presence) -> HTMLResponse:
    context = {**header_context(session, principal), "presence": presence.value}
    return render(request, "_presence.html", context)


@router.post("/presence", response_class=HTMLResponse)
def set_availability(
    request: Request, session: DbSession, availability: str = Form(), principal: Principal = page(Permission.PROFILE)
) -> HTMLResponse:
    presence = actions.set_availability(session, principal.actor, principal.user, availability)
    return _fragment(request, session, principal, presence)


@router.post("/presence/heartbeat", response_class=HTMLResponse)
def heartbeat(request: Request, session: DbSession, principal: Principal = page(Permission.PROFILE)) -> HTMLResponse:
    """Sent by the open tab every `HEARTBEAT_SECONDS`: the browser session counts as present."""
    cookie = request.cookies.get(SESSION_COOKIE)
    user_session = resolve_session(session, cookie) if cookie else None
    presence = actions.touch_presence(session, principal.user, user_session)
    return _fragment(request, session, principal, presence)

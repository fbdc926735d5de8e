"""Sign-in, sign-out and one's own account, as pages."""

from __future__ import annotations

import secrets
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zabota.api.deps import SESSION_COOKIE, DbSession, Principal
from zabota.api.ratelimit import client_address
from zabota.auth import actions
from zabota.auth.roles import Permission
from zabota.auth.secrets import digests_equal
from zabota.config import get_settings
from zabota.errors import DomainError
from zabota.web.deps import page
from zabota.web.render import language_for, render

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "zabota_login_csrf"
LANGUAGE_COOKIE = "zabota_lang"


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would let a phishing link borrow our login page."""
    if not target or not target.startswith("/") or target.startswith("//") or urlparse(target).netloc:
        return "/"
    return target


def _login_page(
    request: Request, *, error: str = "", email: str = "", next_: str = "/", status: int = 200
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    language = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE) or language_for(request, None)
    language = language if language in ("ru", "en") else "ru"
    response = render(
        request,
        "login.html",
        {"login_csrf": token, "error": error, "email": email, "next": next_, "language": language},
        status=status,
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login")
    response.set_cookie(LANGUAGE_COOKIE, language, samesite="lax", path="/")
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return _login_page(request, next_=_safe_next(next))


@router.post("/login", response_model=None)
def login(
    request: Request,
    session: DbSession,
    email: str = Form(default=""),
    password: str = Form(default=""),
    csrf_token: str = Form(default=""),
    next: str = Form(default="/"),
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    language = request.cookies.get(LANGUAGE_COOKIE) or language_for(request, None)
    from zabota.i18n import gettext

    if not cookie or not csrf_token or not digests_equal(cookie, csrf_token):
        return _login_page(
            request, error=gettext("The form expired; please try again.", language), email=email, status=403
        )
    ip = client_address(request)
    try:
        request.app.state.login_limiter.check(ip, email)
        user = actions.authenticate(session, email, password)
    except DomainError as exc:
        return _login_page(
            request, error=exc.translated(language), email=email, next_=_safe_next(next), status=exc.status
        )
    settings = get_settings()
    new = actions.start_session(
        session, user, days=settings.session_days, user_agent=request.headers.get("user-agent", ""), ip=ip
    )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, new.token, max_age=settings.session_days * 86400, httponly=True, samesite="lax",
        secure=request.url.scheme == "https", path="/",
    )  # fmt: skip
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, session: DbSession, principal: Principal = page(Permission.PROFILE)) -> RedirectResponse:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        actions.end_session(session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response

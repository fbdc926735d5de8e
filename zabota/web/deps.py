"""Who is looking at a page, and may they: session cookie, CSRF on every form, role checks."""

from __future__ import annotations

from fastapi import Form, Request
from sqlalchemy.orm import Session

from zabota.api.deps import SAFE_METHODS, SESSION_COOKIE, DbSession, Principal
from zabota.auth.actions import resolve_session
from zabota.auth.roles import Permission, role_has
from zabota.auth.secrets import digests_equal
from zabota.errors import Forbidden


class LoginRequired(Exception):
    """Raised by page dependencies; answered with a redirect to the login page."""


class RequirePage:
    """A page or form dependency naming its permission, like the API's RequirePermission.

    Unsafe methods must carry the session's CSRF token, as the `X-CSRF-Token` header (htmx sends
    it on every request) or as the `csrf_token` form field.
    """

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(self, request: Request, session: DbSession, csrf_token: str | None = Form(default=None)) -> Principal:
        return authenticate_page(session, request, self.permission, csrf_token)


def authenticate_page(
    session: Session, request: Request, permission: Permission, csrf_token: str | None = None
) -> Principal:
    cookie = request.cookies.get(SESSION_COOKIE)
    row = resolve_session(session, cookie) if cookie else None
    if row is None:
        raise LoginRequired
    if request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token") or csrf_token or ""
        if not sent or not digests_equal(sent, row.csrf_token):
            raise Forbidden("The CSRF token is missing or wrong; reload the page.", code="csrf")
    if not role_has(row.user.role, permission):
        raise Forbidden(
            "Your role ({role}) does not allow this ({permission}).",
            role=row.user.role,
            permission=permission,
            code="role",
        )
    return Principal(row.user, "session", "write", row.csrf_token)


def page(permission: Permission) -> Principal:
    """`principal: Principal = page(Permission.X)` in a UI route signature."""
    from fastapi import Depends

    return Depends(RequirePage(permission))  # type: ignore[no-any-return]

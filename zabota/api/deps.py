"""Request dependencies: the database session, who is calling, and what they may do."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from zabota.auth.actions import resolve_api_token, resolve_session
from zabota.auth.models import User
from zabota.auth.roles import Permission, role_has
from zabota.auth.secrets import digests_equal
from zabota.conversations.group_commit import InboundBatcher
from zabota.db import Database
from zabota.errors import Forbidden, Unauthorized
from zabota.events.actions import Actor

SESSION_COOKIE = "zabota_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def ingest_batcher(request: Request) -> InboundBatcher:
    batcher: InboundBatcher = request.app.state.ingest_batcher
    return batcher


def db_session(request: Request) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent."""
    with get_database(request).transaction() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session, scope="function")]


@dataclass(frozen=True)
class Principal:
    user: User
    via: str  # "session" | "token"
    scope: str  # "write" | "read"
    csrf_token: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor.user(self.user.id)


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def authenticate_request(request: Request, session: Session) -> Principal:
    token = bearer_token(request)
    if token is not None:
        api_token = resolve_api_token(session, token)
        if api_token is None:
            raise Unauthorized("The API token is not valid, expired or revoked.", code="bad_token")
        return Principal(api_token.user, "token", api_token.scope)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        row = resolve_session(session, cookie)
        if row is not None:
            principal = Principal(row.user, "session", "write", row.csrf_token)
            if request.method not in SAFE_METHODS:
                sent = request.headers.get(CSRF_HEADER, "")
                if not sent or not digests_equal(sent, row.csrf_token):
                    raise Forbidden("The CSRF token is missing or wrong; reload the page.", code="csrf")
            return principal
    raise Unauthorized("Sign in or send an API token in the Authorization header.", code="not_authenticated")


class RequirePermission:
    """A route dependency naming the permission it needs; the authorization test reads it."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(self, request: Request, session: DbSession) -> Principal:
        principal = authenticate_request(request, session)
        if principal.scope == "read" and request.method not in SAFE_METHODS:
            raise Forbidden("This API token is read-only.", code="read_only_token")
        if not role_has(principal.user.role, self.permission):
            raise Forbidden(
                "Your role ({role}) does not allow this ({permission}).",
                role=principal.user.role,
                permission=self.permission,
                code="role",
            )
        return principal


def require(permission: Permission) -> Principal:
    """`principal: Principal = require(Permission.X)` in a route signature."""
    return Depends(RequirePermission(permission))  # type: ignore[no-any-return]

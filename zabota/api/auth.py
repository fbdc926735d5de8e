"""Sign-in, sign-out, one's own profile and API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from zabota.api.deps import SESSION_COOKIE, DbSession, Principal, require
from zabota.api.ratelimit import client_address
from zabota.api.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenOut,
    LoginIn,
    LoginOut,
    PasswordChangeIn,
    UserOut,
)
from zabota.auth import actions
from zabota.auth.models import ApiToken
from zabota.auth.roles import Permission
from zabota.config import get_settings
from zabota.errors import NotFound

router = APIRouter(tags=["auth"])


@router.post("/auth/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, response: Response, session: DbSession) -> LoginOut:
    ip = client_address(request)
    request.app.state.login_limiter.check(ip, body.email)
    user = actions.authenticate(session, body.email, body.password)
    settings = get_settings()
    new = actions.start_session(
        session, user, days=settings.session_days, user_agent=request.headers.get("user-agent", ""), ip=ip
    )
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return LoginOut(user=UserOut.model_validate(user), csrf_token=new.csrf_token)


@router.post("/auth/logout", status_code=204)
def logout(
    request: Request, response: Response, session: DbSession, principal: Principal = require(Permission.PROFILE)
) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        actions.end_session(session, token)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", response_model=UserOut)
def me(principal: Principal = require(Permission.PROFILE)) -> UserOut:
    return UserOut.model_validate(principal.user)


@router.post("/me/password", status_code=204)
def change_password(
    body: PasswordChangeIn, request: Request, session: DbSession, principal: Principal = require(Permission.PROFILE)
) -> None:
    """Other browser sessions end; the one making the change (if any) stays signed in."""
    cookie = request.cookies.get(SESSION_COOKIE) if principal.via == "session" else None
    keep = actions.resolve_session(session, cookie) if cookie else None
    actions.change_password(
        session, principal.actor, principal.user, current=body.current_password, new=body.new_password, keep=keep
    )


@router.get("/api-tokens", response_model=list[ApiTokenOut])
def list_tokens(session: DbSession, principal: Principal = require(Permission.PROFILE)) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == principal.user.id).order_by(ApiToken.id)))


@router.post("/api-tokens", response_model=ApiTokenCreated, status_code=201)
def create_token(
    body: ApiTokenCreate, session: DbSession, principal: Principal = require(Permission.PROFILE)
) -> ApiTokenCreated:
    new = actions.create_api_token(
        session, principal.actor, principal.user, name=body.name, scope=body.scope, expires_in_days=body.expires_in_days
    )
    return ApiTokenCreated.model_validate({**ApiTokenOut.model_validate(new.row).model_dump(), "token": new.plaintext})


@router.delete("/api-tokens/{token_id}", status_code=204)
def revoke_token(token_id: int, session: DbSession, principal: Principal = require(Permission.PROFILE)) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != principal.user.id:
        raise NotFound("API token {token_id} does not exist.", token_id=token_id)
    actions.revoke_api_token(session, principal.actor, token)

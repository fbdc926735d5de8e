"""Staff accounts (admin) and the colleague directory (everyone)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from zabota.api.deps import DbSession, Principal, require
from zabota.api.schemas import UserBrief, UserCreate, UserOut, UserUpdate
from zabota.auth import actions
from zabota.auth.models import User
from zabota.auth.roles import Permission

router = APIRouter(tags=["users"])


@router.get("/users", response_model=list[UserOut])
def list_users(session: DbSession, principal: Principal = require(Permission.USERS_MANAGE)) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


@router.get("/directory", response_model=list[UserBrief])
def directory(session: DbSession, principal: Principal = require(Permission.DIRECTORY_READ)) -> list[User]:
    """Active colleagues, for @mentions and assignment pickers."""
    return list(session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.name)))


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserCreate, session: DbSession, principal: Principal = require(Permission.USERS_MANAGE)) -> User:
    return actions.create_user(session, principal.actor, **body.model_dump())


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: int, session: DbSession, principal: Principal = require(Permission.USERS_MANAGE)) -> User:
    return actions.get_user(session, user_id)


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(
    user_id: int, body: UserUpdate, session: DbSession, principal: Principal = require(Permission.USERS_MANAGE)
) -> User:
    user = actions.get_user(session, user_id)
    fields = body.model_dump(exclude_unset=True)
    password = fields.pop("password", None)
    actions.update_user(session, principal.actor, user, **fields)
    if password:
        actions.set_password(session, principal.actor, user, password)
    return user

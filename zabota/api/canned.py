"""Canned replies: the "/" picker, personalised text for a conversation, and their management."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query, Response
from pydantic import Field

from zabota.api.deps import DbSession, Principal, require
from zabota.api.schemas import In, Language, Out
from zabota.auth.roles import Permission
from zabota.canned import actions
from zabota.canned.render import MAX_BODY_LENGTH, validate_template
from zabota.conversations.actions import access_conversation

router = APIRouter(tags=["canned replies"])

READ = Permission.CONVERSATIONS_READ
MANAGE = Permission.CANNED_MANAGE


class CannedReplyOut(Out):
    id: int
    title: str
    shortcut: str
    body: str
    language: str
    department_id: int | None
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime


class CannedReplyCreate(In):
    title: str = Field(min_length=1, max_length=200)
    shortcut: str = Field(min_length=1, max_length=64, description='Typed after "/" in the reply box, e.g. /delay.')
    body: str = Field(min_length=1, max_length=MAX_BODY_LENGTH, description="Text with {{placeholders}}.")
    language: Language
    department_id: int | None = Field(default=None, description="null: for every department.")


class CannedReplyUpdate(In):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    shortcut: str | None = Field(default=None, min_length=1, max_length=64)
    body: str | None = Field(default=None, min_length=1, max_length=MAX_BODY_LENGTH)
    language: Language | None = None
    department_id: int | None = None


class PreviewIn(In):
    body: str = Field(min_length=1, max_length=MAX_BODY_LENGTH)
    conversation_id: int | None = None


class RenderedOut(Out):
    text: str


@router.get("/canned-replies", response_model=list[CannedReplyOut])
def search(
    session: DbSession,
    q: str = Query(default="", max_length=100, description='What follows "/" (or words of the title).'),
    language: Literal["ru", "en"] | None = None,
    department_id: int | None = Query(default=None, description="The conversation's department."),
    all_departments: bool = Query(default=False, description="Every department's replies (for managing them)."),
    limit: int = Query(default=20, ge=1, le=100),
    principal: Principal = require(READ),
) -> list[CannedReplyOut]:
    """General replies and those of `department_id`, best match first."""
    rows = actions.search_canned(
        session, q, language=language, department_id=department_id, any_department=all_departments, limit=limit
    )
    return [CannedReplyOut.model_validate(r) for r in rows]


@router.post("/canned-replies", response_model=CannedReplyOut, status_code=201)
def create(body: CannedReplyCreate, session: DbSession, principal: Principal = require(MANAGE)) -> CannedReplyOut:
    reply = actions.create_canned(session, principal.actor, **body.model_dump(), created_by=principal.user)
    return CannedReplyOut.model_validate(reply)


@router.post("/canned-replies/preview", response_model=RenderedOut)
def preview(body: PreviewIn, session: DbSession, principal: Principal = require(MANAGE)) -> RenderedOut:
    """Check an unsaved text (400 with the reason if it is not valid) and show it personalised."""
    validate_template(body.body)
    conversation = (
        access_conversation(session, principal.user, body.conversation_id) if body.conversation_id is not None else None
    )
    return RenderedOut(text=actions.render_canned(session, body.body, conversation, principal.user))


@router.get("/canned-replies/{canned_id}", response_model=CannedReplyOut)
def get(canned_id: int, session: DbSession, principal: Principal = require(READ)) -> CannedReplyOut:
    return CannedReplyOut.model_validate(actions.get_canned(session, canned_id))


@router.patch("/canned-replies/{canned_id}", response_model=CannedReplyOut)
def update(
    canned_id: int, body: CannedReplyUpdate, session: DbSession, principal: Principal = require(MANAGE)
) -> CannedReplyOut:
    reply = actions.get_canned(session, canned_id)
    return CannedReplyOut.model_validate(
        actions.update_canned(session, principal.actor, reply, **body.model_dump(exclude_unset=True))
    )


@router.delete("/canned-replies/{canned_id}", status_code=204)
def delete(canned_id: int, session: DbSession, principal: Principal = require(MANAGE)) -> Response:
    actions.delete_canned(session, principal.actor, actions.get_canned(session, canned_id))
    return Response(status_code=204)


@router.get("/canned-replies/{canned_id}/render", response_model=RenderedOut)
def render(
    canned_id: int, conversation_id: int, session: DbSession, principal: Principal = require(READ)
) -> RenderedOut:
    """The reply's text personalised for this conversation's customer and for you."""
    reply = actions.get_canned(session, canned_id)
    conversation = access_conversation(session, principal.user, conversation_id)
    return RenderedOut(text=actions.render_canned(session, reply, conversation, principal.user))

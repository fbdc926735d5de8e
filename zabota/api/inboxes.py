"""Inbox configuration (admin) and the generic API channel's ingress endpoint."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from zabota.api.deps import DbSession, Principal, bearer_token, get_database, ingest_batcher, require
from zabota.api.schemas import InboundMessageIn, InboundMessageOut, InboxCreate, InboxCreated, InboxOut, InboxUpdate
from zabota.auth.roles import Permission
from zabota.channels import actions
from zabota.channels.models import Inbox
from zabota.conversations.actions import InboundMessage
from zabota.customers.actions import CustomerProfile
from zabota.db import Database
from zabota.errors import DomainError

router = APIRouter(tags=["inboxes"])
ingress = APIRouter(tags=["channel: api"])


def _out(inbox: Inbox) -> InboxOut:
    out = InboxOut.model_validate(inbox)
    out.secret_names = sorted(actions.inbox_secrets(inbox))
    return out


@router.get("/inboxes", response_model=list[InboxOut])
def list_inboxes(session: DbSession, principal: Principal = require(Permission.INBOXES_READ)) -> list[InboxOut]:
    return [_out(i) for i in actions.list_inboxes(session)]


@router.post("/inboxes", response_model=InboxCreated, status_code=201)
def create_inbox(
    body: InboxCreate, session: DbSession, principal: Principal = require(Permission.INBOXES_MANAGE)
) -> InboxCreated:
    new = actions.create_inbox(
        session,
        principal.actor,
        channel_type=body.channel_type,
        name=body.name,
        settings=body.settings,
        secrets_=body.secrets,
        default_department_id=body.default_department_id,
    )
    return InboxCreated.model_validate({**_out(new.inbox).model_dump(), "token": new.token})


@router.get("/inboxes/{inbox_id}", response_model=InboxOut)
def get_inbox(inbox_id: int, session: DbSession, principal: Principal = require(Permission.INBOXES_READ)) -> InboxOut:
    return _out(actions.get_inbox(session, inbox_id))


@router.patch("/inboxes/{inbox_id}", response_model=InboxOut)
def update_inbox(
    inbox_id: int, body: InboxUpdate, session: DbSession, principal: Principal = require(Permission.INBOXES_MANAGE)
) -> InboxOut:
    inbox = actions.get_inbox(session, inbox_id)
    fields = body.model_dump(exclude_unset=True)
    actions.update_inbox(
        session,
        principal.actor,
        inbox,
        name=fields.get("name"),
        settings=fields.get("settings"),
        secrets_=fields.get("secrets"),
        default_department_id=fields.get("default_department_id", actions.KEEP),
        is_active=fields.get("is_active"),
    )
    return _out(inbox)


@router.post("/inboxes/{inbox_id}/rotate-token", response_model=InboxCreated)
def rotate_token(
    inbox_id: int, session: DbSession, principal: Principal = require(Permission.INBOXES_MANAGE)
) -> InboxCreated:
    inbox = actions.get_inbox(session, inbox_id)
    token = actions.rotate_inbox_token(session, principal.actor, inbox)
    return InboxCreated.model_validate({**_out(inbox).model_dump(), "token": token})


def _open_inbox(database: Database, inbox_id: int, token: str | None) -> actions.InboxRef:
    with database.reading() as session:
        return actions.ingress_tokens.open(session, inbox_id, token)


async def ingress_inbox(inbox_id: int, request: Request) -> actions.InboxRef:
    """The inbox named in the path, opened by its token before the body is even validated.

    Async, and a database read only when the token is not in the short-lived cache: this runs
    for every pushed message.
    """
    token = bearer_token(request) or request.headers.get("x-inbox-token")
    inbox = actions.ingress_tokens.get(inbox_id, token)
    if inbox is None:
        inbox = await run_in_threadpool(_open_inbox, get_database(request), inbox_id, token)
    if inbox.channel_type != "api":
        raise DomainError("Only API inboxes accept pushed messages.", code="wrong_channel")
    return inbox


def _inbound(inbox: actions.InboxRef, body: InboundMessageIn) -> InboundMessage:
    customer = body.customer
    return InboundMessage(
        identity_channel=f"api:{inbox.id}",
        identity_id=customer.identifier,
        text=body.text,
        html=body.html,
        external_id=body.external_id,
        subject=body.subject,
        attachments=[a.model_dump() for a in body.attachments],
        sent_at=body.sent_at,
        profile=CustomerProfile(
            name=customer.name,
            email=customer.email,
            phone=customer.phone,
            language=customer.language,
            attributes=dict(customer.attributes),
        ),
    )


@ingress.post(
    "/inboxes/{inbox_id}/messages",
    response_model=InboundMessageOut,
    responses={200: {"description": "Already received (same external_id)"}, 201: {"description": "Stored"}},
    status_code=201,
)
async def push_message(
    body: InboundMessageIn, request: Request, response: Response, inbox: actions.InboxRef = Depends(ingress_inbox)
) -> InboundMessageOut:
    """Push one customer message from any system, authenticated by the inbox token.

    Send the token as `Authorization: Bearer zbi_…` (or `X-Inbox-Token`). Resending a message
    with the same `external_id` returns the stored one with `created: false`.
    """
    # The hottest endpoint: async, and concurrent pushes share one transaction (group commit).
    receipt = await ingest_batcher(request).ingest(inbox, _inbound(inbox, body))
    if not receipt.created:
        response.status_code = 200
    return InboundMessageOut.model_validate(receipt)

from __future__ import annotations

from fastapi import APIRouter, Query

from zabota.api.deps import DbSession, Principal, require
from zabota.api.schemas import (
    ConversationOut,
    CustomerCreate,
    CustomerOut,
    CustomerUpdate,
    IdentityIn,
    MergeIn,
    PageOut,
)
from zabota.auth.roles import Permission
from zabota.conversations.queries import ConversationFilter, list_conversations
from zabota.customers import actions
from zabota.customers.models import Customer
from zabota.customers.queries import search_customers

router = APIRouter(tags=["customers"])


def customer_out(customer: Customer) -> CustomerOut:
    return CustomerOut.model_validate(
        {
            **{k: getattr(customer, k) for k in CustomerOut.model_fields if k not in ("tags", "identities")},
            "tags": [t.name for t in customer.tags],
            "identities": [{"channel": i.channel, "external_id": i.external_id} for i in customer.identities],
        }
    )


@router.get("/customers", response_model=PageOut[CustomerOut])
def list_customers(
    session: DbSession,
    q: str | None = Query(default=None, max_length=200, description="Name, email, phone or channel id."),
    cursor: str | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = require(Permission.CUSTOMERS_READ),
) -> PageOut[CustomerOut]:
    page = search_customers(session, q=q, cursor=cursor, limit=limit)
    return PageOut[CustomerOut](items=[customer_out(c) for c in page.items], next_cursor=page.next_cursor)


@router.post("/customers", response_model=CustomerOut, status_code=201)
def create_customer(
    body: CustomerCreate, session: DbSession, principal: Principal = require(Permission.CUSTOMERS_WRITE)
) -> CustomerOut:
    profile = actions.CustomerProfile(**body.model_dump())
    return customer_out(actions.create_customer(session, principal.actor, profile))


@router.get("/customers/{customer_id}", response_model=CustomerOut)
def get_customer(
    customer_id: int, session: DbSession, principal: Principal = require(Permission.CUSTOMERS_READ)
) -> CustomerOut:
    """A merged customer's id answers with the customer it was merged into."""
    return customer_out(actions.get_customer(session, customer_id))


@router.patch("/customers/{customer_id}", response_model=CustomerOut)
def update_customer(
    customer_id: int,
    body: CustomerUpdate,
    session: DbSession,
    principal: Principal = require(Permission.CUSTOMERS_WRITE),
) -> CustomerOut:
    customer = actions.get_customer(session, customer_id)
    return customer_out(
        actions.update_customer(session, principal.actor, customer, body.model_dump(exclude_unset=True))
    )


@router.post("/customers/{customer_id}/identities", response_model=CustomerOut, status_code=201)
def add_identity(
    customer_id: int, body: IdentityIn, session: DbSession, principal: Principal = require(Permission.CUSTOMERS_WRITE)
) -> CustomerOut:
    customer = actions.get_customer(session, customer_id)
    actions.add_identity(session, principal.actor, customer, body.channel, body.external_id)
    return customer_out(customer)


@router.post("/customers/{customer_id}/merge", response_model=CustomerOut)
def merge(
    customer_id: int, body: MergeIn, session: DbSession, principal: Principal = require(Permission.CUSTOMERS_MERGE)
) -> CustomerOut:
    target = actions.get_customer(session, customer_id, follow_merges=False)
    source = actions.get_customer(session, body.source_id, follow_merges=False)
    return customer_out(actions.merge_customers(session, principal.actor, target, source))


@router.get("/customers/{customer_id}/conversations", response_model=PageOut[ConversationOut])
def customer_conversations(
    customer_id: int,
    session: DbSession,
    cursor: str | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = require(Permission.CONVERSATIONS_READ),
) -> PageOut[ConversationOut]:
    customer = actions.get_customer(session, customer_id)
    page = list_conversations(
        session, principal.user, ConversationFilter(customer_id=customer.id), cursor=cursor, limit=limit
    )
    return PageOut[ConversationOut](
        items=[ConversationOut.model_validate(c) for c in page.items], next_cursor=page.next_cursor
    )

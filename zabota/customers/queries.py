"""Finding customers."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from zabota.customers.models import Customer, CustomerIdentity
from zabota.pagination import Page, clamp_limit, decode_cursor, encode_cursor


def search_customers(
    session: Session, *, q: str | None = None, cursor: str | None = None, limit: int = 50
) -> Page[Customer]:
    """Newest first; `q` matches name, email, phone or any channel identity."""
    limit = clamp_limit(limit)
    query = select(Customer).where(Customer.merged_into_id.is_(None))
    if q:
        needle = f"%{q.strip().lower()}%"
        by_identity = select(CustomerIdentity.customer_id).where(func.lower(CustomerIdentity.external_id).like(needle))
        query = query.where(
            or_(
                func.lower(Customer.name).like(needle),
                func.lower(Customer.email).like(needle),
                Customer.phone.like(needle),
                Customer.id.in_(by_identity),
            )
        )
    if cursor:
        (before_id,) = decode_cursor(cursor, int)
        query = query.where(Customer.id < before_id)
    query = query.options(selectinload(Customer.identities), selectinload(Customer.tags))
    rows = list(session.scalars(query.order_by(Customer.id.desc()).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].id)
    return Page(rows, next_cursor)

"""The supervisor's queue: who waits, what is overdue, and how loaded everyone is, refreshed live."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from zabota.api.deps import DbSession, Principal
from zabota.assignment.queries import operator_loads
from zabota.auth.models import User
from zabota.auth.roles import Permission
from zabota.conversations.queries import longest_waiting
from zabota.customers.models import Customer
from zabota.departments.models import Department
from zabota.org.actions import get_organization
from zabota.sla.queries import day_bounds, list_breaches, queue_stats
from zabota.web.deps import page
from zabota.web.presence import header_context
from zabota.web.render import render

router = APIRouter(include_in_schema=False)
REFRESH_SECONDS = 5


def _panel_context(session: Session, principal: Principal) -> dict[str, Any]:
    departments = queue_stats(session)
    waiting = longest_waiting(session, principal.user, limit=20)
    _, start, end = day_bounds(session)
    breaches = list_breaches(session, since=start, until=end, limit=20)
    customer_ids = {c.customer_id for c in waiting}
    oldest = [d.oldest_waiting_since for d in departments if d.oldest_waiting_since is not None]
    return {
        "departments": departments,
        "department_names": {d.id: d.name for d in session.scalars(select(Department))},
        "users": {u.id: u for u in session.scalars(select(User))},
        "operators": operator_loads(session),
        "waiting": waiting,
        "customers": {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))},
        "breaches": breaches,
        "totals": {
            "waiting": sum(d.awaiting_reply for d in departments),
            "unassigned": sum(d.unassigned for d in departments),
            "overdue": sum(d.overdue for d in departments),
            "breaches_today": sum(d.breaches_today for d in departments),
            "oldest_waiting_since": min(oldest) if oldest else None,
        },
        "timezone": get_organization(session).timezone,
        "refresh_seconds": REFRESH_SECONDS,
    }


@router.get("/queue", response_class=HTMLResponse)
def queue_page(
    request: Request, session: DbSession, principal: Principal = page(Permission.QUEUE_READ)
) -> HTMLResponse:
    context = {**header_context(session, principal), "section": "queue", **_panel_context(session, principal)}
    return render(request, "queue.html", context)


@router.get("/queue/panel", response_class=HTMLResponse)
def queue_panel(
    request: Request, session: DbSession, principal: Principal = page(Permission.QUEUE_READ)
) -> HTMLResponse:
    """The numbers alone, for the page's periodic refresh."""
    return render(request, "_queue.html", {"user": principal.user, **_panel_context(session, principal)})

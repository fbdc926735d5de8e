"""The composer's canned-reply picker: search by shortcut or title, personalised for the conversation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from zabota.api.deps import DbSession, Principal
from zabota.auth.roles import Permission
from zabota.canned.actions import render_canned, search_canned
from zabota.conversations.actions import access_conversation
from zabota.customers.models import Customer
from zabota.i18n import LANGUAGES
from zabota.web.deps import page
from zabota.web.render import render

router = APIRouter(include_in_schema=False)
PICKER_LIMIT = 8


@router.get("/inbox/c/{conversation_id}/canned", response_class=HTMLResponse)
def picker(
    conversation_id: int, request: Request, session: DbSession, q: str = "",
    principal: Principal = page(Permission.CONVERSATIONS_WRITE),
) -> HTMLResponse:  # fmt: skip
    """Replies matching what follows "/" in the reply box, each already filled in for this customer."""
    conversation = access_conversation(session, principal.user, conversation_id)
    customer = session.get(Customer, conversation.customer_id)
    # The customer's language when known; otherwise every language, each reply marked with its own.
    language = customer.language if customer is not None and customer.language in LANGUAGES else None
    replies = search_canned(
        session, q[:64], language=language, department_id=conversation.department_id, limit=PICKER_LIMIT
    )
    options = [(reply, render_canned(session, reply, conversation, principal.user)) for reply in replies]
    return render(request, "_canned.html", {"user": principal.user, "options": options, "query": q})

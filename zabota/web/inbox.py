"""The unified inbox: views, the conversation pane and every operator action, as pages and partials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from zabota.api.deps import DbSession, Principal
from zabota.assignment.actions import ASSIGNABLE_ROLES, presences
from zabota.auth.models import User
from zabota.auth.roles import Permission, role_has
from zabota.channels.actions import list_inboxes
from zabota.conversations import actions, queries
from zabota.conversations.models import Conversation, Status
from zabota.customers.models import Customer
from zabota.departments.actions import get_department
from zabota.departments.models import Department
from zabota.errors import DomainError, NotFound
from zabota.events.queries import latest_event_id
from zabota.org.actions import get_organization
from zabota.web.deps import page
from zabota.web.presence import header_context
from zabota.web.render import is_htmx, render

router = APIRouter(include_in_schema=False)
READ = Permission.CONVERSATIONS_READ
WRITE = Permission.CONVERSATIONS_WRITE
OPEN_STATES = [Status.OPEN.value, Status.PENDING.value]
VIEWS = ("mine", "unassigned", "all", "unanswered", "pending", "snoozed", "resolved", "bot")


@dataclass
class InboxQuery:
    """What the operator is looking at, from the URL; every list and link is built from it."""

    view: str = "mine"
    department: int | None = None
    channel: str | None = None
    urgent: bool | None = None
    important: bool | None = None
    q: str = ""

    @classmethod
    def from_request(cls, request: Request) -> InboxQuery:
        params = request.query_params
        view = params.get("view", "mine")
        department = params.get("department")
        return cls(
            view=view if view in VIEWS or view == "department" else "mine",
            department=int(department) if department and department.isdigit() else None,
            channel=params.get("channel") or None,
            urgent=_flag(params.get("urgent")),
            important=_flag(params.get("important")),
            q=(params.get("q") or "").strip()[:200],
        )

    def filters(self, user: User) -> queries.ConversationFilter:
        f = queries.ConversationFilter(
            status=OPEN_STATES, channel=self.channel, urgent=self.urgent, important=self.important
        )
        if self.view == "mine":
            f.assignee_id = user.id
        elif self.view == "unassigned":
            f.unassigned, f.status = True, [Status.OPEN.value]
        elif self.view in ("pending", "snoozed", "resolved"):
            f.status = [self.view]
        elif self.view == "unanswered":
            f.status = [Status.OPEN.value]
        elif self.view == "bot":  # what the first-line bot is handling now (zabota.bot)
            f.bot_active = True
        if self.department is not None:
            f.department_id = self.department
        return f

    def query_string(self, **overrides: Any) -> str:
        values = {"view": self.view, "department": self.department, "channel": self.channel,
                  "urgent": self.urgent, "important": self.important, "q": self.q, **overrides}  # fmt: skip
        parts = []
        for key, value in values.items():
            if value is None or value == "":
                continue
            parts.append(f"{key}={'1' if value is True else '0' if value is False else value}")
        return "&".join(parts)


def _flag(value: str | None) -> bool | None:
    return {"1": True, "0": False}.get(value or "")


def _directory(session: Session) -> tuple[dict[int, User], dict[int, Department]]:
    users = {u.id: u for u in session.scalars(select(User).order_by(User.name))}
    departments = {d.id: d for d in session.scalars(select(Department).order_by(Department.name))}
    return users, departments


def _list_context(session: Session, user: User, inbox: InboxQuery, cursor: str | None) -> dict[str, Any]:
    if inbox.q:
        rows = queries.search_conversations(session, user, inbox.q)
        next_cursor = None
    else:
        result = queries.list_conversations(session, user, inbox.filters(user), cursor=cursor, limit=50)
        rows, next_cursor = result.items, result.next_cursor
        if inbox.view == "unanswered":
            rows = [c for c in rows if c.awaiting_reply_since is not None]
    customers = {
        c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_({r.customer_id for r in rows})))
    }
    unread = queries.unread_ids(session, user, rows)
    return {"conversations": rows, "customers": customers, "next_cursor": next_cursor, "inbox": inbox, "unread": unread}


def _page_context(session: Session, principal: Principal, request: Request) -> dict[str, Any]:
    inbox = InboxQuery.from_request(request)
    users, departments = _directory(session)
    org = get_organization(session)
    return {
        **header_context(session, principal),
        "section": "inbox",
        "timezone": org.timezone,
        "org": org,
        "users": users,
        "departments": departments,
        "counts": queries.inbox_counts(session, principal.user),
        "channels": sorted({inbox.channel_type for inbox in list_inboxes(session)}),
        "can_write": role_has(principal.user.role, WRITE),
        "show_bot_view": role_has(principal.user.role, Permission.QUEUE_READ),
        # The live stream resumes from here, so nothing committed while the page loads is missed.
        "last_event_id": latest_event_id(session),
        **_list_context(session, principal.user, inbox, None),
    }


@router.get("/", response_model=None)
def home(request: Request) -> RedirectResponse:
    return RedirectResponse("/inbox", status_code=303)


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, session: DbSession, principal: Principal = page(READ)) -> HTMLResponse:
    return render(request, "inbox.html", {**_page_context(session, principal, request), "conversation": None})


@router.get("/inbox/list", response_class=HTMLResponse)
def inbox_list(
    request: Request, session: DbSession, cursor: str | None = None, principal: Principal = page(READ)
) -> HTMLResponse:
    users, departments = _directory(session)
    org = get_organization(session)
    inbox = InboxQuery.from_request(request)
    context = {"user": principal.user, "users": users, "departments": departments, "timezone": org.timezone,
               "counts": queries.inbox_counts(session, principal.user), "refresh_counts": cursor is None,
               **_list_context(session, principal.user, inbox, cursor)}  # fmt: skip
    return render(request, "_list.html", context)


def _conversation_context(session: Session, principal: Principal, conversation: Conversation) -> dict[str, Any]:
    customer = session.get(Customer, conversation.customer_id)
    assert customer is not None
    history = [
        c
        for c in queries.list_conversations(
            session, principal.user, queries.ConversationFilter(customer_id=customer.id, bot_active=None), limit=20
        ).items
        if c.id != conversation.id
    ]
    staff = session.scalars(
        select(User).where(User.is_active.is_(True), User.role.in_(ASSIGNABLE_ROLES)).order_by(User.name, User.id)
    ).all()
    return {
        "conversation": conversation,
        "customer": customer,
        "timeline": queries.timeline(session, conversation.id),
        "history": history,
        "history_notes": queries.notes_by_conversation(session, [c.id for c in history]),
        "assignable": staff,
        "staff_presence": {user_id: p.value for user_id, p in presences(session, staff).items()},
    }


@router.get("/inbox/c/{conversation_id}", response_class=HTMLResponse)
def conversation_page(
    conversation_id: int, request: Request, session: DbSession, principal: Principal = page(READ)
) -> HTMLResponse:
    conversation = actions.access_conversation(session, principal.user, conversation_id)
    actions.mark_read(session, principal.user, conversation)
    if is_htmx(request) and request.headers.get("hx-target") == "conversation":
        return _pane(request, session, principal, conversation)
    context = {**_page_context(session, principal, request), **_conversation_context(session, principal, conversation)}
    return render(request, "inbox.html", context)


def _pane(request: Request, session: Session, principal: Principal, conversation: Conversation) -> HTMLResponse:
    """The conversation pane alone, for htmx swaps into #conversation."""
    users, departments = _directory(session)
    context = {
        "user": principal.user,
        "users": users,
        "departments": departments,
        "timezone": get_organization(session).timezone,
        "can_write": role_has(principal.user.role, WRITE),
        "csrf_token": principal.csrf_token,
        **_conversation_context(session, principal, conversation),
    }
    return render(request, "_conversation.html", context)


def _after_action(request: Request, session: Session, principal: Principal, conversation: Conversation) -> HTMLResponse:
    actions.mark_read(session, principal.user, conversation)
    session.flush()
    response = _pane(request, session, principal, conversation)
    response.headers["HX-Trigger"] = "inbox-changed"
    return response


@router.post("/inbox/c/{conversation_id}/reply", response_class=HTMLResponse)
def reply(
    conversation_id: int, request: Request, session: DbSession, text: str = Form(default=""),
    attachment_ids: list[int] = Form(default=[]), principal: Principal = page(WRITE),
) -> HTMLResponse:  # fmt: skip
    conversation = actions.access_conversation(session, principal.user, conversation_id)
    actions.reply(session, conversation, author=principal.user, text=text, attachment_ids=attachment_ids)
    return _after_action(request, session, principal, conversation)


@router.post("/inbox/c/{conversation_id}/note", response_class=HTMLResponse)
def note(
    conversation_id: int, request: Request, session: DbSession, text: str = Form(default=""),
    principal: Principal = page(WRITE),
) -> HTMLResponse:  # fmt: skip
    conversation = actions.access_conversation(session, principal.user, conversation_id)
    actions.add_note(session, conversation, author=principal.user, text=text)
    return _after_action(request, session, principal, conversation)


@router.post("/inbox/c/{conversation_id}/assign", response_class=HTMLResponse)
def assign(
    conversation_id: int, request: Request, session: DbSession, assignee_id: str = Form(default=""),
    principal: Principal = page(WRITE),
) -> HTMLResponse:  # fmt: skip
    conversation = actions.access_conversation(session, principal.user, conversation_id)
    assignee = None
    if assignee_id == "me":
        assignee = principal.user
    elif assignee_id.isdigit():
        assignee = session.get(User, int(assignee_id))
        if assignee is None:
            raise NotFound("User {user_id} does not exist.", user_id=int(assignee_id))
    actions.assign(session, principal.actor, conversation, assignee)
    return _after_action(request, session, principal, conversation)


@router.post("/inbox/c/{conversation_id}/transfer", response_class=HTMLResponse)
def transfer(
    conversation_id: int, request: Request, session: DbSession, department_id: int = Form(),
    note: str = Form(default=""), principal: Principal = page(WRITE),
) -> HTMLResponse:  # fmt: skip
    conversation = actions.access_conversation(session, principal.user, conversation_id)
    department = get_department(session, department_id)
    actions.transfer(
        session, principal.actor, conversation, department, note=note.strip() or None, author=principal.user
    )
    return _after_action(request, session, principal, conversation)


@router.post("/inbox/c/{conversation_id}/status", response_class=HTMLResponse)
def status(
    conversation_id: int, request: Request, session: DbSession, status: str = Form(),
    snoozed_until: str = Form(default=""), principal: Principal = page(WRITE),
) -> HTMLResponse:  # fmt: skip
    conversation = actions.access_conversation(session, principal.user, conversation_id)
    if status not in Status.__members__.values():
        raise DomainError("Unknown status.", code="bad_status")
    until = None
    if status == Status.SNOOZED:
        until = _local_datetime(snoozed_until, get_organization(session).timezone)
    actions.set_status(session, principal.actor, conversation, status, snoozed_until=until)
    return _after_action(request, session, principal, conversation)


@router.post("/inbox/c/{conversation_id}/priority", response_class=HTMLResponse)
def priority(
    conversation_id: int, request: Request, session: DbSession, urgent: str = Form(default=""),
    important: str = Form(default=""), principal: Principal = page(WRITE),
) -> HTMLResponse:  # fmt: skip
    conversation = actions.access_conversation(session, principal.user, conversation_id)
    actions.set_priority(session, principal.actor, conversation, urgent=bool(urgent), important=bool(important))
    return _after_action(request, session, principal, conversation)


def _local_datetime(value: str, timezone: str) -> datetime:
    """A `datetime-local` form value, read in the organization's timezone."""
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        raise DomainError("Pick a date and time to snooze until.", code="bad_snooze") from None
    return naive.replace(tzinfo=ZoneInfo(timezone)) if naive.tzinfo is None else naive

"""Canned replies: create, change, delete (audited), find for the "/" picker, personalise."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from zabota.auth.models import User
from zabota.canned.models import CannedReply
from zabota.canned.render import ReplyContext, render_template, validate_template
from zabota.conversations.models import Conversation
from zabota.customers.models import Customer
from zabota.departments.actions import get_department
from zabota.errors import Conflict, DomainError, NotFound
from zabota.events.actions import Actor, record_event

LANGUAGES = ("ru", "en")
SHORTCUT_RE = re.compile(r"^/[\w-]{1,63}$")
MAX_TITLE_LENGTH = 200
SEARCH_LIMIT = 20
_UNSET: Any = object()


def normalize_shortcut(shortcut: str) -> str:
    """ "Delay" → "/delay"; "/Задержка" → "/задержка"."""
    value = shortcut.strip().lower()
    value = value if value.startswith("/") else "/" + value
    if not SHORTCUT_RE.match(value):
        raise DomainError(
            "A shortcut is a slash and up to 63 letters, digits, dashes or underscores, like /delay.",
            code="bad_shortcut",
        )
    return value


def get_canned(session: Session, canned_id: int) -> CannedReply:
    reply = session.get(CannedReply, canned_id)
    if reply is None:
        raise NotFound("Canned reply {canned_id} does not exist.", canned_id=canned_id)
    return reply


def _check_fields(title: str, body: str, language: str) -> None:
    if not title or len(title) > MAX_TITLE_LENGTH:
        raise DomainError("A canned reply needs a title of at most {limit} characters.", limit=MAX_TITLE_LENGTH)
    if not body.strip():
        raise DomainError("A canned reply needs text.", code="empty_canned")
    if language not in LANGUAGES:
        raise DomainError("Language must be one of {names}.", names=", ".join(LANGUAGES), code="bad_language")
    validate_template(body)


def _check_unique(
    session: Session, shortcut: str, language: str, department_id: int | None, exclude_id: int | None = None
) -> None:
    query = select(CannedReply.id).where(
        CannedReply.shortcut == shortcut,
        CannedReply.language == language,
        CannedReply.department_id.is_(None) if department_id is None else CannedReply.department_id == department_id,
    )
    if exclude_id is not None:
        query = query.where(CannedReply.id != exclude_id)
    if session.scalar(query.limit(1)) is not None:
        raise Conflict(
            "The shortcut {shortcut} is already taken in this language and department.",
            shortcut=shortcut,
            code="shortcut_taken",
        )


def create_canned(
    session: Session,
    actor: Actor,
    *,
    title: str,
    shortcut: str,
    body: str,
    language: str,
    department_id: int | None = None,
    created_by: User | None = None,
) -> CannedReply:
    title = title.strip()
    shortcut = normalize_shortcut(shortcut)
    _check_fields(title, body, language)
    if department_id is not None:
        get_department(session, department_id)
    _check_unique(session, shortcut, language, department_id)
    reply = CannedReply(
        title=title,
        shortcut=shortcut,
        body=body,
        language=language,
        department_id=department_id,
        created_by_id=created_by.id if created_by is not None else None,
    )
    session.add(reply)
    session.flush()
    record_event(
        session,
        "canned_reply.created",
        actor,
        "canned_reply",
        reply.id,
        {"shortcut": shortcut, "title": title, "language": language, "department_id": department_id},
    )
    return reply


def update_canned(
    session: Session,
    actor: Actor,
    reply: CannedReply,
    *,
    title: str | None = None,
    shortcut: str | None = None,
    body: str | None = None,
    language: str | None = None,
    department_id: int | None = _UNSET,
) -> CannedReply:
    """Change the given fields; `department_id=None` makes the reply available to every department."""
    new_title = title.strip() if title is not None else reply.title
    new_shortcut = normalize_shortcut(shortcut) if shortcut is not None else reply.shortcut
    new_body = body if body is not None else reply.body
    new_language = language if language is not None else reply.language
    new_department = reply.department_id if department_id is _UNSET else department_id
    _check_fields(new_title, new_body, new_language)
    if new_department is not None and new_department != reply.department_id:
        get_department(session, new_department)
    changes: dict[str, Any] = {}
    for field, value in (
        ("title", new_title),
        ("shortcut", new_shortcut),
        ("body", new_body),
        ("language", new_language),
        ("department_id", new_department),
    ):
        if getattr(reply, field) != value:
            changes[field] = value
    if not changes:
        return reply
    if {"shortcut", "language", "department_id"} & changes.keys():
        _check_unique(session, new_shortcut, new_language, new_department, exclude_id=reply.id)
    for field, value in changes.items():
        setattr(reply, field, value)
    audit = {k: v for k, v in changes.items() if k != "body"}
    if "body" in changes:
        audit["body_length"] = len(new_body)  # the audit notes the change, not the whole text again
    record_event(session, "canned_reply.updated", actor, "canned_reply", reply.id, audit)
    return reply


def delete_canned(session: Session, actor: Actor, reply: CannedReply) -> None:
    record_event(
        session,
        "canned_reply.deleted",
        actor,
        "canned_reply",
        reply.id,
        {"shortcut": reply.shortcut, "title": reply.title, "language": reply.language},
    )
    session.delete(reply)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_canned(
    session: Session,
    query: str = "",
    *,
    language: str | None = None,
    department_id: int | None = None,
    any_department: bool = False,
    limit: int = SEARCH_LIMIT,
) -> list[CannedReply]:
    """The "/" picker: replies whose shortcut or a word of whose title starts with `query`.

    Only the general replies and those of `department_id` (a conversation's department) are
    offered, unless `any_department` (for managing them). Exact shortcut first, then shortcut
    prefixes, then titles; the department's own before the general ones.
    """
    stmt = select(CannedReply)
    if language is not None:
        stmt = stmt.where(CannedReply.language == language)
    if not any_department:
        general = CannedReply.department_id.is_(None)
        stmt = stmt.where(
            general if department_id is None else or_(general, CannedReply.department_id == department_id)
        )
    term = query.strip().lower().lstrip("/")
    order: list[Any] = []
    if term:
        prefix = _like_escape(term) + "%"
        title = func.lower(CannedReply.title)
        shortcut_match = CannedReply.shortcut.like("/" + prefix, escape="\\")
        stmt = stmt.where(or_(shortcut_match, title.like(prefix, escape="\\"), title.like("% " + prefix, escape="\\")))
        order.append(case((CannedReply.shortcut == "/" + term, 0), (shortcut_match, 1), else_=2))
    order.append(case((CannedReply.department_id.is_(None), 1), else_=0))
    stmt = stmt.order_by(*order, CannedReply.shortcut, CannedReply.id).limit(max(1, min(limit, 100)))
    return list(session.scalars(stmt))


def reply_context(session: Session, conversation: Conversation | None, operator: User | None) -> ReplyContext:
    customer = session.get(Customer, conversation.customer_id) if conversation is not None else None
    return ReplyContext(
        customer_name=customer.name if customer is not None else "",
        customer_attributes=customer.attributes if customer is not None else None,
        operator_name=operator.name if operator is not None else "",
        conversation_id=conversation.id if conversation is not None else None,
    )


def render_canned(
    session: Session, reply: CannedReply | str, conversation: Conversation | None, operator: User | None
) -> str:
    """The reply's text for this conversation and operator (a saved reply, or a body to preview)."""
    body = reply if isinstance(reply, str) else reply.body
    return render_template(body, reply_context(session, conversation, operator))

"""The widget's public edge: its JSON API under /widget/v1/{key}/…, its live stream, the script
and a demo page; plus the operator's "typing" signal for the conversation pane.

Visitors are authorised by the token the session endpoint gave them, in the `X-Widget-Token`
header (no cookies: the widget runs on other sites). Cross-origin calls are answered only for
the inbox's allowed origins (`WidgetCors`); every handler is a thin call into zabota.widget.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zabota.api.deps import DbSession, Principal
from zabota.api.problems import problem
from zabota.api.ratelimit import ActionLimiter, client_address
from zabota.attachments.actions import file_response_headers, read_upload
from zabota.auth.roles import Permission
from zabota.auth.secrets import token_digest
from zabota.config import get_settings
from zabota.conversations.actions import access_conversation
from zabota.conversations.models import Conversation
from zabota.db import Database
from zabota.errors import Conflict, DomainError, NotFound
from zabota.events.actions import Actor
from zabota.events.live import LiveFeed
from zabota.events.queries import latest_event_id
from zabota.helpcenter.search import search_articles
from zabota.i18n import LANGUAGES, gettext, negotiate
from zabota.web.deps import page
from zabota.web.live import RequireLive
from zabota.widget import actions, queries
from zabota.widget.live import LOOKBACK, Subscriber, WidgetHub, read_events
from zabota.widget.models import WidgetVisitor

log = logging.getLogger(__name__)

router = APIRouter(tags=["widget"])
PREFIX = "/widget/v1/{key}"
TOKEN_HEADER = "X-Widget-Token"  # noqa: S105  (a header name)
SCRIPT = Path(__file__).parent / "static" / "widget.js"
KEEPALIVE_SECONDS = 15.0
TYPING_EVERY = 2.0  # a visitor's typing signal is passed on at most this often
SUGGEST_LIMIT = 3


# --- helpers --------------------------------------------------------------------------------


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def _language(request: Request, asked: str | None = None) -> str:
    if asked in LANGUAGES:
        return str(asked)
    return negotiate(request.headers.get("accept-language"), get_settings().default_language)


def _limiter(request: Request, name: str, rate: str) -> ActionLimiter:
    state = request.app.state
    attribute = f"widget_{name}_limiter"
    limiter = getattr(state, attribute, None)
    if limiter is None:
        limiter = ActionLimiter(f"widget-{name}", rate, get_settings().redis_url)
        setattr(state, attribute, limiter)
    return limiter


T = TypeVar("T")


async def _transaction(
    request: Request, work: Callable[[Session], T], *, limit: tuple[ActionLimiter, str] | None = None
) -> T:
    """The whole request's database work in one thread-pool hop, in one transaction.

    With SQLite, a transaction held across several hops (a generator dependency) can wait for a
    free thread while the threads wait for its write lock; one hop cannot deadlock that way.
    `limit` (a limiter and the client's key) is counted first, outside the transaction: with
    Redis it is a round trip, which must not hold a database connection and row locks.
    """
    database = _database(request)

    def run() -> T:
        if limit is not None:
            limit[0].check(limit[1])
        with database.transaction() as session:
            return work(session)

    return await run_in_threadpool(run)


def hub_for(request: Request) -> WidgetHub:
    state = request.app.state
    hub = getattr(state, "widget_hub", None)
    if hub is None:
        hub = state.widget_hub = WidgetHub(_database(request), request.app.state.live_feed)
    return hub


def _visitor(session: Session, request: Request, key: str) -> tuple[actions.WidgetInbox, WidgetVisitor]:
    inbox = actions.widget_inboxes.find(session, key)
    return inbox, actions.authenticate_visitor(session, inbox, request.headers.get(TOKEN_HEADER))


def _visitor_key(request: Request) -> str:
    """Whom a visitor's rate counts against, known before any query: their token's digest."""
    return token_digest(request.headers.get(TOKEN_HEADER) or "")[:32]


def _handoff_offered(session: Session, inbox_id: int, visitor: WidgetVisitor) -> bool:
    conversation = actions.current_conversation(session, inbox_id, visitor)
    if conversation is None:
        return False
    try:
        bot = importlib.import_module("zabota.bot.queries")
    except ImportError:
        return False
    return bool(bot.bot_offers_handoff(conversation))


# --- configuration and session ------------------------------------------------------------------


@router.get(PREFIX + "/config")
async def config(key: str, request: Request, lang: str | None = None) -> dict[str, Any]:
    """The widget's look, words and availability in the visitor's language (public)."""
    language = _language(request, lang)
    return await _transaction(
        request, lambda session: queries.widget_config(session, actions.widget_inboxes.find(session, key), language)
    )


class SessionIn(BaseModel):
    user_id: str | None = Field(default=None, max_length=255)
    user_hash: str | None = Field(default=None, max_length=128)
    language: str | None = None


@router.post(PREFIX + "/session")
async def start_session(key: str, body: SessionIn, request: Request) -> dict[str, Any]:
    """Resume the visitor of the `X-Widget-Token` header, or begin one; a site's signed user id
    (`user_id` + `user_hash` = hex HMAC-SHA256 of it under the inbox's identity secret) makes it a
    verified one. A wrong hash is refused with 403 `bad_user_hash`."""
    limiter = _limiter(request, "session", get_settings().widget_session_rate_limit)
    token, language = request.headers.get(TOKEN_HEADER), _language(request, body.language)

    def work(session: Session) -> dict[str, Any]:
        inbox = actions.widget_inboxes.find(session, key)
        started = actions.start_session(
            session, inbox, token=token, language=language, user_id=body.user_id or None, signature=body.user_hash
        )
        visitor = started.visitor
        return {
            "token": started.token,
            "resumed": started.resumed,
            "verified": visitor.user_id is not None,
            "has_conversation": actions.visitor_customer_id(session, visitor) is not None,
        }

    return await _transaction(request, work, limit=(limiter, client_address(request)))


# --- messages -------------------------------------------------------------------------------


@router.get(PREFIX + "/messages")
async def list_messages(key: str, request: Request, after: int = Query(default=0, ge=0, le=2**62)) -> dict[str, Any]:
    """The visitor's messages after a message id, and the event cursor to resume the stream from."""

    def work(session: Session) -> dict[str, Any]:
        inbox, visitor = _visitor(session, request, key)
        cursor = latest_event_id(session)  # first: what commits later is in the stream too
        messages = queries.visitor_messages(session, inbox.id, visitor, after=after)
        actions.mark_delivered(session, [m["id"] for m in messages if m["direction"] == "out"])
        return {
            "messages": messages,
            "cursor": cursor,
            "handoff_offered": _handoff_offered(session, inbox.id, visitor),
            "has_conversation": actions.visitor_customer_id(session, visitor) is not None,
        }

    return await _transaction(request, work)


class MessageIn(BaseModel):
    client_id: str = Field(min_length=1, max_length=actions.MAX_CLIENT_ID)
    text: str = Field(default="", max_length=20_000)
    attachment_ids: list[int] = Field(default_factory=list, max_length=10)


@router.post(PREFIX + "/messages", status_code=201)
async def send_message(key: str, body: MessageIn, request: Request, response: Response) -> dict[str, Any]:
    """Send a message; resending the same `client_id` returns the stored one (200)."""
    limiter = _limiter(request, "send", get_settings().widget_send_rate_limit)

    def work(session: Session) -> dict[str, Any]:
        inbox, visitor = _visitor(session, request, key)
        result = actions.send_message(
            session, inbox, visitor, client_id=body.client_id, text=body.text, attachment_ids=body.attachment_ids
        )
        return {"message": queries.render_message(result.message, {}), "created": result.created}

    out = await _transaction(request, work, limit=(limiter, _visitor_key(request)))
    if not out["created"]:
        response.status_code = 200
    return out


@router.post(PREFIX + "/attachments", status_code=201)
async def upload(key: str, request: Request, file: UploadFile = File(description="The file.")) -> dict[str, Any]:
    """Upload a file for the next message (`attachment_ids`), within the inbox's limits."""
    limiter = _limiter(request, "send", get_settings().widget_send_rate_limit)

    def work(session: Session) -> dict[str, Any]:
        inbox, visitor = _visitor(session, request, key)
        stored = actions.upload_file(session, inbox, visitor, file.filename or "", read_upload(file.file))
        return {"id": stored.id, "filename": stored.filename, "content_type": stored.content_type, "size": stored.size}

    return await _transaction(request, work, limit=(limiter, _visitor_key(request)))


@router.get(PREFIX + "/attachments/{attachment_id}")
async def download(key: str, attachment_id: int, request: Request) -> Response:
    def work(session: Session) -> Response:
        inbox, visitor = _visitor(session, request, key)
        attachment = actions.visitor_attachment(session, inbox.id, visitor, attachment_id)
        return Response(attachment.data, media_type=attachment.content_type, headers=file_response_headers(attachment))

    return await _transaction(request, work)


class TypingIn(BaseModel):
    typing: bool = True


@router.post(PREFIX + "/typing", status_code=204)
async def typing(key: str, body: TypingIn, request: Request) -> Response:
    """The visitor is typing: passed live to the operators who see the conversation; not stored."""

    def work(session: Session) -> Conversation | None:
        inbox, visitor = _visitor(session, request, key)
        return actions.current_conversation(session, inbox.id, visitor)

    conversation = await _transaction(request, work)
    if conversation is not None:
        feed: LiveFeed = request.app.state.live_feed
        feed.publish_ephemeral(
            {"kind": "typing", "side": "customer", "conversation_id": conversation.id, "typing": body.typing}
        )
    return Response(status_code=204)


@router.post(PREFIX + "/handoff")
async def handoff(key: str, request: Request) -> dict[str, Any]:
    """«Talk to a person»: the bot passes the conversation to the operators."""

    def work(session: Session) -> dict[str, Any]:
        inbox, visitor = _visitor(session, request, key)
        conversation = actions.current_conversation(session, inbox.id, visitor)
        if conversation is None:
            raise Conflict("There is no conversation to hand over yet.", code="no_conversation")
        try:
            bot = importlib.import_module("zabota.bot.actions")
        except ImportError:
            raise NotFound("This chat has no bot to hand over from.", code="no_bot") from None
        actor = Actor("customer", actions.visitor_customer_id(session, visitor))
        done = bot.hand_off(session, conversation, reason="customer_request", actor=actor, language=visitor.language)
        return {"handed_off": bool(done), "conversation_id": conversation.id}

    return await _transaction(request, work)


class PrechatIn(BaseModel):
    name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=32)
    consent: bool = False


@router.post(PREFIX + "/prechat")
async def prechat(key: str, body: PrechatIn, request: Request) -> dict[str, Any]:
    form = actions.PrechatForm(name=body.name, email=body.email, phone=body.phone, consent=body.consent)

    def work(session: Session) -> dict[str, Any]:
        inbox, visitor = _visitor(session, request, key)
        customer = actions.submit_prechat(session, inbox, visitor, form)
        return {"name": customer.name, "email": customer.email, "phone": customer.phone}

    return await _transaction(request, work)


class EmailIn(BaseModel):
    email: str = Field(max_length=254)


@router.post(PREFIX + "/email")
async def leave_email(key: str, body: EmailIn, request: Request) -> dict[str, Any]:
    """While nobody can answer: the address to reply to by mail."""

    def work(session: Session) -> dict[str, Any]:
        inbox, visitor = _visitor(session, request, key)
        return {"email": actions.leave_email(session, inbox, visitor, body.email).email}

    return await _transaction(request, work)


@router.get(PREFIX + "/suggest")
async def suggest(
    key: str, request: Request, q: str = Query(default="", max_length=300), lang: str | None = None
) -> dict[str, Any]:
    """Published help articles for what the visitor is typing, before the chat starts."""
    language = _language(request, lang)
    base = str(request.base_url).rstrip("/")

    def work(session: Session) -> dict[str, Any]:
        actions.widget_inboxes.find(session, key)
        if len(q.strip()) < 3:
            return {"articles": []}
        articles = []
        for hit in search_articles(session, q, language, limit=SUGGEST_LIMIT):
            version = hit.article.version(language) or hit.article.version(hit.language)
            if version is not None:
                url = f"{base}/help/articles/{hit.article.slug}?lang={version.language}"
                articles.append({"title": version.title, "snippet": hit.snippet, "url": url})
        return {"articles": articles}

    return await _transaction(request, work)


# --- the live stream --------------------------------------------------------------------------


def _stream_start(database: Database, key: str, token: str | None, resume: int | None) -> tuple[Subscriber, int]:
    # A read-only session: a thousand widgets reconnecting must not queue for SQLite's write lock.
    with database.reading() as session:
        inbox = actions.widget_inboxes.find(session, key)
        visitor = actions.authenticate_visitor(session, inbox, token)
        customer_id = actions.visitor_customer_id(session, visitor)
        conversations = {c.id for c in actions.visitor_conversations(session, inbox.id, visitor)}
        start = resume if resume is not None else latest_event_id(session)
    return Subscriber(inbox.id, customer_id, conversations), start


def _catch_up(database: Database, subscriber: Subscriber, after: int) -> list[tuple[int | None, str, dict[str, Any]]]:
    customers = {subscriber.customer_id: subscriber.inbox_id} if subscriber.customer_id is not None else {}
    out: list[tuple[int | None, str, dict[str, Any]]] = []
    with database.reading() as session:
        while True:
            rows, read = read_events(session, after, conversations=subscriber.conversations, customers=customers)
            for row, item in rows:
                if row.type == "conversation.created" and row.conversation_id is not None:
                    subscriber.conversations.add(row.conversation_id)
                out.append(item)
            if len(read) < 500 or not read:
                return out
            after = max(read)


def _delivered(database: Database, message_ids: list[int]) -> None:
    with database.transaction() as session:
        actions.mark_delivered(session, message_ids)


@router.get(PREFIX + "/stream")
async def stream(key: str, request: Request) -> StreamingResponse:
    """Server-sent events for the visitor: messages, status, hand-off, operator typing.

    Send `Last-Event-ID` (the `cursor` of GET …/messages, or the last id received) to resume:
    what happened since is sent first. A visitor without a conversation yet reconnects after
    its first message.
    """
    database = _database(request)
    resume_header = request.headers.get("last-event-id") or request.query_params.get("after") or ""
    resume = int(resume_header) if resume_header.isdigit() and len(resume_header) < 19 else None
    subscriber, start = await run_in_threadpool(_stream_start, database, key, request.headers.get(TOKEN_HEADER), resume)
    hub = hub_for(request)
    await hub.subscribe(subscriber)  # first: whatever commits from now on is queued for us
    backlog = await run_in_threadpool(_catch_up, database, subscriber, max(0, start - LOOKBACK)) if resume else []
    hub.track(subscriber)  # conversations found while catching up

    async def events() -> AsyncIterator[str]:
        sent: set[int] = set()
        try:
            yield "retry: 3000\n\n"
            pending = list(backlog)
            while not await request.is_disconnected() and not subscriber.overflowed:
                if not pending:
                    try:
                        pending.append(await asyncio.wait_for(subscriber.queue.get(), timeout=KEEPALIVE_SECONDS))
                    except TimeoutError:
                        yield ": keepalive\n\n"
                        continue
                while not subscriber.queue.empty():
                    pending.append(subscriber.queue.get_nowait())
                delivered: list[int] = []
                for event_id, name, data in pending:
                    if event_id is not None:
                        if event_id in sent:
                            continue
                        sent.add(event_id)
                        message = data.get("message") or {}
                        if message.get("direction") == "out":
                            delivered.append(int(message["id"]))
                        yield f"id: {event_id}\nevent: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
                    else:
                        yield f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
                pending = []
                if delivered:
                    try:
                        await run_in_threadpool(_delivered, database, delivered)
                    except SQLAlchemyError:  # the visitor has them; the status is only late
                        log.warning("marking %d widget messages delivered failed", len(delivered), exc_info=True)
                if len(sent) > 5000:
                    sent = set(sorted(sent)[-1000:])
        finally:
            hub.unsubscribe(subscriber)

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


# --- the script and the demo page --------------------------------------------------------------


@router.get("/widget.js", include_in_schema=False)
def script() -> Response:
    """The embeddable widget: one hand-written file, no dependencies, nothing loaded from elsewhere."""
    return Response(
        SCRIPT.read_bytes(),
        media_type="application/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"},
    )


@router.get("/widget/demo", include_in_schema=False)
def demo(request: Request, session: DbSession, key: str | None = None, lang: str | None = None) -> HTMLResponse:
    """A sample shop page with the widget embedded (the first widget inbox, or `?key=`)."""
    language = _language(request, lang)
    inbox = None
    if key:
        inbox = actions.widget_inboxes.find(session, key)
    else:
        found = actions.first_widget_inbox(session)
        inbox = actions.widget_inboxes.find(session, found) if found else None
    base = str(request.base_url).rstrip("/")
    title = gettext("Demo shop", language)
    if inbox is None:
        body = "<p>" + gettext("There is no widget inbox yet: run `zabota demo-data`.", language) + "</p>"
        snippet = ""
    else:
        body = "<p>" + gettext("This page embeds the chat widget with one script tag:", language) + "</p>"
        snippet = f'<script src="{base}/widget.js" data-inbox="{inbox.key}" data-language="{language}" async></script>'
        body += f"<pre>{_escape(snippet)}</pre>"
    html = (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:760px;margin:40px auto;padding:0 16px;color:#1f2937}"
        "pre{background:#f3f4f6;padding:12px;border-radius:8px;white-space:pre-wrap;word-break:break-all}</style>"
        f"</head><body><h1>{title}</h1>{body}{snippet}</body></html>"
    )
    return HTMLResponse(html)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# --- the operator's side: typing in the conversation pane ------------------------------------


@router.post("/inbox/c/{conversation_id}/typing", status_code=204, include_in_schema=False)
def operator_typing(
    conversation_id: int,
    request: Request,
    session: DbSession,
    principal: Principal = page(Permission.CONVERSATIONS_WRITE),
) -> Response:
    """The operator is typing a reply: shown in the widget of the conversation's visitor."""
    access_conversation(session, principal.user, conversation_id)
    feed: LiveFeed = request.app.state.live_feed
    feed.publish_ephemeral(
        {
            "kind": "typing",
            "side": "operator",
            "conversation_id": conversation_id,
            "name": (principal.user.name.split() or [""])[0],
            "typing": request.query_params.get("typing", "1") != "0",
        }
    )
    return Response(status_code=204)


@router.get("/live/typing/{conversation_id}", include_in_schema=False)
async def customer_typing(
    conversation_id: int, request: Request, principal: Principal = Depends(RequireLive())
) -> StreamingResponse:
    """Server-sent "the customer is typing" signals of one widget conversation, for its open pane."""
    database = _database(request)

    def check() -> None:
        with database.reading() as session:
            access_conversation(session, principal.user, conversation_id)

    await run_in_threadpool(check)
    feed: LiveFeed = request.app.state.live_feed
    queue: asyncio.Queue[bool] = asyncio.Queue(100)

    def listener(message: dict[str, Any]) -> None:
        if (
            message.get("kind") == "typing"
            and message.get("side") == "customer"
            and message.get("conversation_id") == conversation_id
            and not queue.full()
        ):
            queue.put_nowait(bool(message.get("typing", True)))

    feed.subscribe_ephemeral(listener)

    async def events() -> AsyncIterator[str]:
        try:
            yield "retry: 3000\n\n"
            while not await request.is_disconnected():
                try:
                    typing = await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                yield f"event: typing\ndata: {json.dumps({'typing': typing})}\n\n"
        finally:
            feed.unsubscribe_ephemeral(listener)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


# --- cross-origin access ------------------------------------------------------------------------


class WidgetCors:
    """CORS for /widget/v1/{key}/…: only the inbox's allowed origins (and our own) may call it.

    The allowed Origin is reflected (never "*"), preflights are answered here, and a call from any
    other site is refused with 403 before it reaches a handler, error answers included.
    """

    ALLOW_HEADERS = "Content-Type, X-Widget-Token, Last-Event-ID, Accept-Language"

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/widget/v1/"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        origin = headers.get("origin")
        if origin is None or origin == _own_origin(scope, headers):
            await self.app(scope, receive, send)
            return
        key = path.split("/")[3] if path.count("/") >= 3 else ""
        allowed = await _origin_allowed(scope, key, origin)
        if not allowed:
            language = negotiate(headers.get("accept-language"), get_settings().default_language)
            detail = gettext("This site may not use this chat widget: {origin}.", language).format(origin=origin)
            await problem(403, detail, code="origin_refused", language=language)(scope, receive, send)
            return
        cors = [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"vary", b"Origin"),
        ]
        if scope.get("method") == "OPTIONS" and "access-control-request-method" in headers:
            preflight = [
                *cors,
                (b"access-control-allow-methods", b"GET, POST"),
                (b"access-control-allow-headers", self.ALLOW_HEADERS.encode()),
                (b"access-control-max-age", b"600"),
            ]
            await send({"type": "http.response.start", "status": 204, "headers": preflight})
            await send({"type": "http.response.body", "body": b""})
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *cors]}
            await send(message)

        await self.app(scope, receive, with_cors)


def _own_origin(scope: Scope, headers: dict[str, str]) -> str:
    return f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"


async def _origin_allowed(scope: Scope, key: str, origin: str) -> bool:
    inbox = actions.widget_inboxes.cached(key)
    if inbox is None:
        database: Database = scope["app"].state.database

        def load() -> actions.WidgetInbox | None:
            with database.reading() as session:
                try:
                    return actions.widget_inboxes.find(session, key)
                except DomainError:
                    return None

        inbox = await run_in_threadpool(load)
    return inbox is not None and ("*" in inbox.allowed_origins or origin in inbox.allowed_origins)


def install_widget(app: Any) -> None:
    app.add_middleware(WidgetCors)

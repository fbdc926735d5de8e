"""Server-sent events for open operator views, resumable with Last-Event-ID.

One reader per process (`OperatorFeed`) follows the domain events table and hands each new batch,
with the conversations' current department and assignee, to every open stream; each stream then
decides what its operator may see from a cached `Viewer`, without a query. So fifty open views
cost one read per change, not fifty. A stream that resumes from an older id first catches up on
its own, from the database, then follows the shared reader; ids already sent are never resent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from zabota.api.deps import Principal
from zabota.auth.models import User
from zabota.auth.roles import Permission
from zabota.conversations.actions import Viewer, viewer_of
from zabota.conversations.models import Conversation
from zabota.db import Database
from zabota.events.live import LiveFeed
from zabota.events.models import DomainEvent
from zabota.events.queries import read_latest_event_id, unseen_event_ids
from zabota.i18n import gettext
from zabota.web.deps import authenticate_page

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
# Ids are assigned at insert but become visible at commit, so a later id can appear before an
# earlier one: each read looks this far behind the cursor and skips what it already sent.
LOOKBACK = 200
BATCH = 500
KEEPALIVE_SECONDS = 15.0
# Without Redis, commits of other processes (a separate `zabota worker`, the CLI) wake nobody:
# the shared reader then also looks on its own this often.
POLL_SECONDS = 2.0
# A viewer's departments and the isolation switch are read again this often, and at once when
# an event may have changed them.
VIEWER_REFRESH_SECONDS = 30.0
VIEWER_EVENT_PREFIXES = ("department.", "organization.", "user.")
LEAVING_TYPES = ("conversation.transferred", "conversation.assigned")


@dataclass(frozen=True)
class Change:
    """One event as the streams need it: the event and where its conversation is now."""

    id: int
    type: str
    conversation_id: int | None
    department_id: int | None
    assignee_id: int | None
    payload: dict[str, Any]


@dataclass
class Cursor:
    last_id: int
    floor: int = 0  # the reader began after this id: nothing at or below it is (re)read
    seen: set[int] = field(default_factory=set)

    def forget_old(self) -> None:
        if len(self.seen) > 4 * LOOKBACK:
            self.seen = {i for i in self.seen if i > self.last_id - LOOKBACK}


def read_changes(database: Database, cursor: Cursor) -> list[Change]:
    """Events after the cursor (looking LOOKBACK behind it for late commits), oldest first."""
    columns = (DomainEvent.id, DomainEvent.type, DomainEvent.conversation_id, DomainEvent.payload)
    with database.reading() as session:
        after = max(cursor.floor, cursor.last_id - LOOKBACK)
        new_ids = unseen_event_ids(session, after, cursor.seen, limit=BATCH + LOOKBACK)
        rows = (
            list(session.execute(select(*columns).where(DomainEvent.id.in_(new_ids)).order_by(DomainEvent.id)))
            if new_ids
            else []
        )
        ids = {row.conversation_id for row in rows if row.conversation_id is not None}
        where = {
            c.id: (c.department_id, c.assignee_id)
            for c in session.execute(
                select(Conversation.id, Conversation.department_id, Conversation.assignee_id).where(
                    Conversation.id.in_(ids)
                )
            )
        } if ids else {}  # fmt: skip
    changes = []
    for row in rows:
        cursor.seen.add(row.id)
        cursor.last_id = max(cursor.last_id, row.id)
        department_id, assignee_id = where.get(row.conversation_id or 0, (None, None))
        changes.append(Change(row.id, row.type, row.conversation_id, department_id, assignee_id, row.payload))
    cursor.forget_old()
    return changes


def catch_up(database: Database, after: int, until: int) -> list[Change]:
    """Everything after `after` up to at least `until`, for a stream that resumes from an old id."""
    cursor = Cursor(after, floor=after)
    changes: list[Change] = []
    while True:
        batch = read_changes(database, cursor)
        changes += batch
        if not batch or cursor.last_id >= until:
            return changes


class OperatorFeed:
    """The one reader of new events in this process; every open operator stream subscribes."""

    def __init__(self, database: Database, feed: LiveFeed) -> None:
        self.database = database
        self.feed = feed
        self.cursor: Cursor | None = None
        self._queues: set[asyncio.Queue[list[Change]]] = set()
        self._task: asyncio.Task[None] | None = None

    async def subscribe(self) -> asyncio.Queue[list[Change]]:
        """A queue of change batches from now on, and the id the shared reader has reached."""
        if self._task is None or self._task.done():
            start = await run_in_threadpool(read_latest_event_id, self.database)
            if self._task is None or self._task.done():
                self.cursor = Cursor(start, floor=start)
                self._task = asyncio.create_task(self._run(), name="operator-feed")
        queue: asyncio.Queue[list[Change]] = asyncio.Queue()
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[list[Change]]) -> None:
        self._queues.discard(queue)

    @property
    def position(self) -> int:
        return self.cursor.last_id if self.cursor else 0

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        assert self.cursor is not None
        wait = KEEPALIVE_SECONDS if self.feed.redis_url else POLL_SECONDS
        loop = asyncio.get_running_loop()
        while True:
            signal = self.feed.signal  # taken before reading, so a commit during the read wakes us again
            read_at = loop.time()
            try:
                changes = await run_in_threadpool(read_changes, self.database, self.cursor)
                if not changes and await run_in_threadpool(read_latest_event_id, self.database) < self.cursor.last_id:
                    # The events table went back (a restore, or tests emptying it): follow it anew.
                    self.cursor = Cursor(0)
                    continue
            except Exception:  # a database hiccup must not end live updates for everyone
                log.exception("reading events for live streams failed")
                changes = []
            if changes:
                for queue in list(self._queues):
                    queue.put_nowait(changes)
            await self.feed.next_read(signal, wait, last_read_at=read_at)


def _left_sight(change: Change, viewer: Viewer) -> bool:
    """Whether this event moved a conversation away from someone who could see it before."""
    if change.type == "conversation.transferred":
        return (
            change.payload.get("previous_assignee_id") == viewer.user_id
            or change.payload.get("from_department_id") in viewer.department_ids
        )
    if change.type == "conversation.assigned":
        return bool(change.payload.get("from") == viewer.user_id)
    return False


def messages_for(changes: list[Change], viewer: Viewer, language: str) -> list[tuple[str, dict[str, object]]]:
    """What one operator's stream sends of a batch: (SSE event name, data)."""
    out: list[tuple[str, dict[str, object]]] = []
    for change in changes:
        if change.conversation_id is None:
            continue
        data: dict[str, object] = {"id": change.id, "type": change.type, "conversation_id": change.conversation_id}
        if not viewer.sees(change.department_id, change.assignee_id):
            # A transfer or reassignment that took it out of this operator's sight still has to
            # reach them, or it would linger in their list; only the ids are sent.
            if change.type in LEAVING_TYPES and _left_sight(change, viewer):
                out.append(("change", data))
            continue
        out.append(("change", data))
        mentioned = change.payload.get("mentioned_user_ids") or [] if change.type == "note.created" else []
        if viewer.user_id in mentioned:
            text = gettext("You were mentioned in conversation #{id}", language).format(id=change.conversation_id)
            out.append(("mention", {**data, "text": text}))
    return out


def _viewer(database: Database, user: User) -> Viewer:
    with database.reading() as session:
        return viewer_of(session, user)


class RequireLive:
    """Like `page()`, but in its own short transaction: a stream must not hold one open."""

    permission = Permission.CONVERSATIONS_READ

    async def __call__(self, request: Request) -> Principal:
        database: Database = request.app.state.database

        def check() -> Principal:
            with database.transaction() as session:
                return authenticate_page(session, request, self.permission)

        return await run_in_threadpool(check)


def operator_feed(request: Request) -> OperatorFeed:
    state = request.app.state
    if getattr(state, "operator_feed", None) is None:
        state.operator_feed = OperatorFeed(state.database, state.live_feed)
    feed: OperatorFeed = state.operator_feed
    return feed


@router.get("/live/events")
async def live_events(request: Request, principal: Principal = Depends(RequireLive())) -> StreamingResponse:
    database: Database = request.app.state.database
    shared = operator_feed(request)
    user, language = principal.user, principal.user.language
    resume = request.headers.get("last-event-id") or request.query_params.get("after")
    loop = asyncio.get_running_loop()

    async def stream() -> AsyncIterator[str]:
        queue = await shared.subscribe()
        try:
            viewer = await run_in_threadpool(_viewer, database, user)
            viewer_at = loop.time()
            sent: set[int] = set()
            yield "retry: 2000\n\n"
            pending: list[Change] = []
            if resume and resume.isdigit() and int(resume) < shared.position:
                # Catch up from the database on what happened since the page was rendered.
                pending = await run_in_threadpool(catch_up, database, int(resume), shared.position)
            quiet_since = loop.time()
            while not await request.is_disconnected():
                changes = [c for c in pending if c.id not in sent]
                pending = []
                if any(c.type.startswith(VIEWER_EVENT_PREFIXES) for c in changes) or (
                    loop.time() - viewer_at > VIEWER_REFRESH_SECONDS
                ):
                    try:
                        viewer = await run_in_threadpool(_viewer, database, user)
                    except SQLAlchemyError:  # keep the last known sight; the next batch retries
                        log.warning("refreshing an operator's viewer failed", exc_info=True)
                    else:
                        viewer_at = loop.time()
                for change in changes:
                    sent.add(change.id)
                for name, data in messages_for(changes, viewer, language):
                    quiet_since = loop.time()
                    yield f"id: {data['id']}\nevent: {name}\ndata: {json.dumps(data)}\n\n"
                if len(sent) > 4 * BATCH:
                    newest = max(sent)
                    sent = {i for i in sent if i > newest - 2 * LOOKBACK}
                try:
                    pending = await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_SECONDS)
                    while not queue.empty():
                        pending += queue.get_nowait()
                except TimeoutError:
                    if loop.time() - quiet_since >= KEEPALIVE_SECONDS:
                        quiet_since = loop.time()
                        yield ": keepalive\n\n"
        finally:
            shared.unsubscribe(queue)

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)

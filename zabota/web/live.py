"""Server-sent events for open operator views, resumable with Last-Event-ID."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from zabota.api.deps import Principal
from zabota.auth.roles import Permission
from zabota.conversations.actions import can_see
from zabota.conversations.models import Conversation
from zabota.db import Database
from zabota.departments.actions import department_ids_of
from zabota.events.live import LiveFeed
from zabota.events.models import DomainEvent
from zabota.i18n import gettext
from zabota.web.deps import authenticate_page

router = APIRouter(include_in_schema=False)
# Ids are assigned at insert but become visible at commit, so a later id can appear before an
# earlier one: each read looks this far behind the cursor and skips what it already sent.
LOOKBACK = 200
BATCH = 500
KEEPALIVE_SECONDS = 15.0
# Without Redis, commits of other processes (a separate `zabota worker`, the CLI) wake nobody:
# the stream then also looks on its own this often.
POLL_SECONDS = 2.0
LEAVING_TYPES = ("conversation.transferred", "conversation.assigned")


@dataclass
class Cursor:
    last_id: int
    floor: int = 0  # the connection began after this id: nothing at or below it is (re)sent
    sent: set[int] = field(default_factory=set)


def _read(database: Database, principal: Principal, cursor: Cursor) -> list[tuple[str, dict[str, object]]]:
    """New events this operator may see, as (SSE event name, data)."""
    out: list[tuple[str, dict[str, object]]] = []
    with database.reading() as session:
        user = principal.user
        rows = list(
            session.scalars(
                select(DomainEvent)
                .where(
                    DomainEvent.id > max(cursor.floor, cursor.last_id - LOOKBACK),
                    DomainEvent.conversation_id.is_not(None),
                )
                .order_by(DomainEvent.id)
                .limit(BATCH + LOOKBACK)
            )
        )
        rows = [r for r in rows if r.id not in cursor.sent]
        if not rows:
            return out
        # Visibility once per conversation in the batch, not once per event.
        ids = {r.conversation_id for r in rows}
        visible = {
            c.id
            for c in session.scalars(select(Conversation).where(Conversation.id.in_(ids)))
            if can_see(session, user, c)
        }
        mine: set[int] | None = None
        for row in rows:
            cursor.sent.add(row.id)
            cursor.last_id = max(cursor.last_id, row.id)
            if row.conversation_id not in visible:
                # A transfer or reassignment that took it out of this operator's sight still has
                # to reach them, or it would linger in their list; only the ids are sent.
                if mine is None and row.type in LEAVING_TYPES:
                    mine = department_ids_of(session, user.id)
                if not _left_sight(row, user.id, mine or set()):
                    continue
                out.append(("change", {"id": row.id, "type": row.type, "conversation_id": row.conversation_id}))
                continue
            data: dict[str, object] = {"id": row.id, "type": row.type, "conversation_id": row.conversation_id}
            out.append(("change", data))
            mentioned = row.payload.get("mentioned_user_ids") or [] if row.type == "note.created" else []
            if user.id in mentioned:
                text = gettext("You were mentioned in conversation #{id}", user.language).format(id=row.conversation_id)
                out.append(("mention", {**data, "text": text}))
    if len(cursor.sent) > 4 * LOOKBACK:
        cursor.sent = {i for i in cursor.sent if i > cursor.last_id - LOOKBACK}
    return out


def _left_sight(row: DomainEvent, user_id: int, departments: set[int]) -> bool:
    """Whether this event moved a conversation away from someone who could see it before."""
    if row.type == "conversation.transferred":
        return (
            row.payload.get("previous_assignee_id") == user_id or row.payload.get("from_department_id") in departments
        )
    if row.type == "conversation.assigned":
        return bool(row.payload.get("from") == user_id)
    return False


def _latest_id(database: Database) -> int:
    with database.reading() as session:
        return int(session.scalar(select(func.max(DomainEvent.id))) or 0)


class RequireLive:
    """Like `page()`, but in its own short transaction: a stream must not hold one open."""

    permission = Permission.CONVERSATIONS_READ

    async def __call__(self, request: Request) -> Principal:
        database: Database = request.app.state.database

        def check() -> Principal:
            with database.transaction() as session:
                return authenticate_page(session, request, self.permission)

        return await run_in_threadpool(check)


@router.get("/live/events")
async def live_events(request: Request, principal: Principal = Depends(RequireLive())) -> StreamingResponse:
    database: Database = request.app.state.database
    feed: LiveFeed = request.app.state.live_feed
    resume = request.headers.get("last-event-id") or request.query_params.get("after")
    start = int(resume) if resume and resume.isdigit() else await run_in_threadpool(_latest_id, database)
    cursor = Cursor(start, floor=start)

    wait = KEEPALIVE_SECONDS if feed.redis_url else POLL_SECONDS
    loop = asyncio.get_running_loop()

    async def stream() -> AsyncIterator[str]:
        yield "retry: 2000\n\n"
        quiet_since = loop.time()
        while not await request.is_disconnected():
            signal = feed.signal
            for name, data in await run_in_threadpool(_read, database, principal, cursor):
                quiet_since = loop.time()
                yield f"id: {data['id']}\nevent: {name}\ndata: {json.dumps(data)}\n\n"
            try:
                await asyncio.wait_for(signal.wait(), timeout=wait)
            except TimeoutError:
                if loop.time() - quiet_since >= KEEPALIVE_SECONDS:
                    quiet_since = loop.time()
                    yield ": keepalive\n\n"

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)

"""Live updates for widget visitors: one reader per process, fanned out to every visitor stream.

Each web process runs one `WidgetHub` task. A commit anywhere (LiveFeed) wakes it; it reads the
new domain events once, loads the messages that some connected visitor is waiting for, and hands
each event to the streams of that conversation's visitors. A thousand open widgets thus cost one
query per wake-up, not a thousand. Typing signals arrive through LiveFeed's ephemeral channel.

A stream resumes from Last-Event-ID: it subscribes first, then reads what it missed from the
database, so nothing falls between the two; event ids already sent are skipped, and the browser
also drops messages it already shows (by message id).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from zabota.conversations.models import Message
from zabota.db import Database
from zabota.events.live import LiveFeed
from zabota.events.models import DomainEvent
from zabota.events.queries import latest_event_id, read_latest_event_id, unseen_event_ids
from zabota.widget.queries import operator_names, render_message

log = logging.getLogger(__name__)
LOOKBACK = 200  # ids are taken at insert and seen at commit: look behind the cursor (web/live.py)
BATCH = 500
POLL_SECONDS = 2.0  # without Redis, commits of other processes wake nobody: look this often too
QUEUE_LIMIT = 1000
VISITOR_TYPES = ("message.created", "conversation.status_changed", "conversation.created")

Item = tuple[int | None, str, dict[str, Any]]  # (event id or None for ephemeral, SSE event name, data)


@dataclass(frozen=True)
class Event:
    """What the hub needs of a domain event once its session is gone."""

    id: int
    type: str
    conversation_id: int | None
    payload: dict[str, Any]


@dataclass(eq=False)
class Subscriber:
    """One open visitor stream: the customer whose conversations it follows on one inbox."""

    inbox_id: int
    customer_id: int | None
    conversations: set[int]
    queue: asyncio.Queue[Item] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    overflowed: bool = False

    def put(self, item: Item) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed = True  # the stream ends; the browser resumes from its last id


def read_events(
    session: Session,
    after: int,
    *,
    conversations: Collection[int],
    customers: Mapping[int, int],
    skip: Iterable[int] = (),
    limit: int = BATCH + LOOKBACK,
    filtered: bool = True,
) -> tuple[list[tuple[Event, Item]], list[int]]:
    """Events after `after` for the given conversations, as visitor stream items.

    `filtered` narrows the query itself to those conversations (a stream's catch-up); the hub
    reads every event once (`filtered=False`) and picks in Python.

    `customers` maps customer id → inbox id: a new conversation of theirs there joins the set.
    Returns (event, item) pairs and the ids of every event read (picked or not).
    """
    where: list[ColumnElement[bool]] = [DomainEvent.conversation_id.is_not(None)]
    if filtered:
        where.append(
            or_(DomainEvent.conversation_id.in_(conversations or {0}), DomainEvent.type == "conversation.created")
        )
    new_ids = unseen_event_ids(session, after, set(skip), limit=limit, where=where)
    rows = (
        list(session.scalars(select(DomainEvent).where(DomainEvent.id.in_(new_ids)).order_by(DomainEvent.id)))
        if new_ids
        else []
    )
    joined: set[int] = set()  # new conversations of followed customers (`conversations` is not copied)
    picked: list[DomainEvent] = []
    for row in rows:
        if row.type == "conversation.created":
            customer_id = row.payload.get("customer_id")
            if customer_id is not None and customers.get(customer_id) == row.payload.get("inbox_id"):
                joined.add(row.conversation_id or 0)
        wanted = row.conversation_id in conversations or row.conversation_id in joined
        if wanted and (row.type in VISITOR_TYPES or "hand" in row.type):
            picked.append(row)
    message_ids = [
        int(r.payload["message_id"]) for r in picked if r.type == "message.created" and r.payload.get("message_id")
    ]
    messages = (
        {m.id: m for m in session.scalars(select(Message).where(Message.id.in_(message_ids)))} if message_ids else {}
    )
    names = operator_names(session, {m.author_user_id for m in messages.values() if m.author_user_id})
    out: list[tuple[Event, Item]] = []
    for picked_row in picked:
        event = Event(picked_row.id, picked_row.type, picked_row.conversation_id, dict(picked_row.payload))
        base = {"event_id": event.id, "conversation_id": event.conversation_id}
        if event.type == "message.created":
            message = messages.get(int(event.payload.get("message_id") or 0))
            if message is not None:
                out.append((event, (event.id, "message", {**base, "message": render_message(message, names)})))
        elif event.type == "conversation.status_changed":
            out.append((event, (event.id, "status", {**base, "status": event.payload.get("to")})))
        elif event.type == "conversation.created":
            out.append((event, (event.id, "conversation", {**base, "customer_id": event.payload.get("customer_id")})))
        else:
            out.append((event, (event.id, "handoff", {**base, "type": event.type})))
    return out, [r.id for r in rows]


class WidgetHub:
    def __init__(self, database: Database, feed: LiveFeed) -> None:
        self.database = database
        self.feed = feed
        self._by_conversation: dict[int, set[Subscriber]] = {}
        self._by_customer: dict[int, set[Subscriber]] = {}
        # customer id → inbox id of their open streams, kept up to date rather than rebuilt at
        # every read: the reader thread only looks keys up, while the loop changes it.
        self._customer_inbox: dict[int, int] = {}
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._cursor = 0
        self._sent: set[int] = set()

    @property
    def subscribers(self) -> int:
        return len({s for subs in self._by_customer.values() for s in subs})

    async def subscribe(self, subscriber: Subscriber) -> None:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._loop is not loop:
            self._loop = loop
            self._cursor = await run_in_threadpool(read_latest_event_id, self.database)
            self._sent = set()
            self._by_conversation.clear()
            self._by_customer.clear()
            self._customer_inbox.clear()
            self.feed.subscribe_ephemeral(self._ephemeral)
            self._task = asyncio.create_task(self._run())
        if subscriber.customer_id is not None:
            self._by_customer.setdefault(subscriber.customer_id, set()).add(subscriber)
            self._customer_inbox[subscriber.customer_id] = subscriber.inbox_id
        for conversation_id in subscriber.conversations:
            self._by_conversation.setdefault(conversation_id, set()).add(subscriber)

    def track(self, subscriber: Subscriber) -> None:
        """Index conversations the subscriber learned of itself (while catching up)."""
        for conversation_id in subscriber.conversations:
            self._by_conversation.setdefault(conversation_id, set()).add(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        for index, key in (
            (self._by_customer, subscriber.customer_id),
            *((self._by_conversation, c) for c in subscriber.conversations),
        ):
            if key is None:
                continue
            subs = index.get(key)
            if subs is not None:
                subs.discard(subscriber)
                if not subs:
                    del index[key]
                    if index is self._by_customer:
                        self._customer_inbox.pop(key, None)

    async def stop(self) -> None:
        self.feed.unsubscribe_ephemeral(self._ephemeral)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _ephemeral(self, message: dict[str, Any]) -> None:
        if message.get("kind") != "typing" or message.get("side") != "operator":
            return
        conversation_id = message.get("conversation_id")
        data = {
            "conversation_id": conversation_id,
            "name": message.get("name", ""),
            "typing": message.get("typing", True),
        }
        for subscriber in list(self._by_conversation.get(int(conversation_id or 0), ())):
            subscriber.put((None, "typing", data))

    async def _run(self) -> None:
        wait = 15.0 if self.feed.redis_url else POLL_SECONDS
        loop = asyncio.get_running_loop()
        while True:
            signal = self.feed.signal
            read_at = loop.time()
            try:
                # The live indexes, not copies: the read only looks ids up in them.
                items, full = await run_in_threadpool(self._read_batch, self._by_conversation, self._customer_inbox)
                for row, item in items:
                    self._dispatch(row, item)
                if full:
                    continue  # a backlog: read on at once
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup: streams stay open, the next wake-up retries
                log.exception("widget hub read failed")
                await asyncio.sleep(1)
            await self.feed.next_read(signal, wait, last_read_at=read_at)

    def _read_batch(
        self, conversations: Collection[int], customers: Mapping[int, int]
    ) -> tuple[list[tuple[Event, Item]], bool]:
        with self.database.reading() as session:
            out, read = read_events(
                session,
                max(0, self._cursor - LOOKBACK),
                conversations=conversations,
                customers=customers,
                skip=self._sent,
                filtered=False,
            )
            latest = latest_event_id(session) if not read else self._cursor
            if latest < self._cursor:
                # The events table went back (a restored backup, an emptied test database).
                self._cursor, self._sent = latest, set()
        # Every event read is remembered, picked or not, so the look-behind never repeats it.
        self._sent.update(read)
        self._cursor = max(self._cursor, *read) if read else self._cursor
        if len(self._sent) > 4 * (BATCH + LOOKBACK):
            self._sent = {i for i in self._sent if i > self._cursor - LOOKBACK}
        return out, len(read) >= BATCH

    def _dispatch(self, row: Event, item: Item) -> None:
        if row.type == "conversation.created":
            customer_id = row.payload.get("customer_id")
            for subscriber in list(self._by_customer.get(int(customer_id or 0), ())):
                if subscriber.inbox_id == row.payload.get("inbox_id") and row.conversation_id is not None:
                    subscriber.conversations.add(row.conversation_id)
                    self._by_conversation.setdefault(row.conversation_id, set()).add(subscriber)
                    subscriber.put(item)
            return
        for subscriber in list(self._by_conversation.get(row.conversation_id or 0, ())):
            subscriber.put(item)

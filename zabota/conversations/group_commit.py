"""Group commit for inbound messages: concurrent pushes share one transaction.

Each pushed message used to cost a transaction of its own, and the Python around its half-dozen
statements was the limit of ingest, not the database. Here a request hands its message to the
process's `InboundBatcher` and waits; whatever arrived meanwhile is stored together by
`ingest_inbound_messages`, committed once, and every request then gets its own answer. Nothing is
acknowledged before its commit, so a crash loses nothing that was answered, and a sender's retry
meets the idempotency key as before.

Batches form by themselves: while one is being stored, the next requests queue; under light
load a batch holds a single message and adds no wait. If a batch fails as a whole (a message
with bad content, a deadlock, a clash of external ids between senders) it is rolled back and its
messages are stored one by one, so each sender gets exactly the answer it would have got alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from anyio import to_thread
from prometheus_client import Counter, Histogram

from zabota.channels.actions import InboxRef
from zabota.conversations.actions import InboundMessage, IngestResult, ingest_inbound_message, ingest_inbound_messages
from zabota.db import Database

log = logging.getLogger(__name__)

BATCH_SIZE = Histogram(
    "zabota_ingest_batch_messages",
    "Inbound messages stored per group-commit transaction",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)

FALLBACKS = Counter(
    "zabota_ingest_batch_fallbacks", "Group-commit batches rolled back and stored one message at a time"
)


@dataclass(frozen=True)
class IngestReceipt:
    """What the sender learns about its message; plain values, valid after the session is gone."""

    message_id: int
    conversation_id: int
    customer_id: int
    created: bool

    @classmethod
    def of(cls, result: IngestResult) -> IngestReceipt:
        return cls(result.message.id, result.conversation.id, result.conversation.customer_id, result.created)


@dataclass(frozen=True)
class _Waiting:
    inbox: InboxRef
    inbound: InboundMessage
    answer: asyncio.Future[IngestReceipt]


class InboundBatcher:
    """Stores the messages of concurrent requests in shared transactions (one per event loop).

    `max_batch` bounds one transaction's size, and so its lock time. `max_in_flight` transactions
    may run at once; more than one keeps the process busy while one waits on the disk, but halves
    the batches, which costs more CPU than it saves (ADR 7), so one is the default.
    """

    def __init__(self, database: Database, *, max_batch: int = 64, max_in_flight: int = 1) -> None:
        self.database = database
        self.max_batch = max_batch
        self.max_in_flight = max_in_flight
        self._waiting: list[_Waiting] = []
        self._in_flight = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def ingest(self, inbox: InboxRef, inbound: InboundMessage) -> IngestReceipt:
        """Store one message (with whatever else is waiting) and return once it is committed."""
        answer: asyncio.Future[IngestReceipt] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(inbox, inbound, answer))
        if self._in_flight < self.max_in_flight:
            self._in_flight += 1
            task = asyncio.create_task(self._drain())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await answer

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
                try:
                    outcomes = await to_thread.run_sync(self._store, batch)
                except Exception as exc:  # a bug: no request may hang
                    log.exception("group commit failed")
                    outcomes = [exc] * len(batch)
                except BaseException:  # cancelled at shutdown: the senders get no answer and retry
                    for waiting in batch:
                        waiting.answer.cancel()
                    raise
                for waiting, outcome in zip(batch, outcomes, strict=True):
                    _answer(waiting.answer, outcome)
        finally:
            self._in_flight -= 1

    def _store(self, batch: Sequence[_Waiting]) -> list[IngestReceipt | Exception]:
        """In a worker thread: the whole batch in one transaction, else each message alone."""
        BATCH_SIZE.observe(len(batch))
        try:
            with self.database.transaction() as session:
                receipts: dict[int, IngestReceipt] = {}
                for inbox_id in dict.fromkeys(w.inbox.id for w in batch):
                    positions = [n for n, w in enumerate(batch) if w.inbox.id == inbox_id]
                    inbox, inbounds = batch[positions[0]].inbox, [batch[n].inbound for n in positions]
                    results = ingest_inbound_messages(session, inbox, inbounds)
                    receipts.update(zip(positions, map(IngestReceipt.of, results), strict=True))
            return [receipts[n] for n in range(len(batch))]
        except Exception as exc:
            FALLBACKS.inc()
            log.info("group commit of %d messages fell back to one by one: %s", len(batch), exc)
            return [self._store_one(w) for w in batch]

    def _store_one(self, waiting: _Waiting) -> IngestReceipt | Exception:
        try:
            with self.database.transaction() as session:
                return IngestReceipt.of(ingest_inbound_message(session, waiting.inbox, waiting.inbound))
        except Exception as exc:  # handed to the request, which turns it into its problem answer
            return exc


def _answer(future: asyncio.Future[IngestReceipt], outcome: IngestReceipt | Exception) -> None:
    if future.done():  # the sender went away; its message is stored all the same
        return
    if isinstance(outcome, Exception):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)

"""Waking live connections when domain events commit, in one process or across many.

The database stays the source of truth: a wake-up only tells connections to read the events
table after their last id. In one process the after-commit listener wakes them directly; with
REDIS_URL set it also publishes on a Redis channel that every web process listens to, so an
event committed by any process (or a worker) reaches every open operator view.

Ephemeral signals (someone is typing) are never stored: `publish_ephemeral` hands a small dict
to every `subscribe_ephemeral` callback of every process (through Redis when configured).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

from zabota.events.actions import on_commit, remove_commit_listener
from zabota.events.models import DomainEvent

log = logging.getLogger(__name__)
CHANNEL = "zabota:events"
EPHEMERAL_CHANNEL = "zabota:ephemeral"
EphemeralListener = Callable[[dict[str, Any]], None]
# A shared reader reads at most this often: under load, commits arrive faster than reads are
# worth making, and each read costs the same whether it brings one event or ten. Idle, a
# commit is read at once (the previous read is long past).
MIN_READ_INTERVAL = 0.025


class LiveFeed:
    def __init__(self, redis_url: str | None = None) -> None:
        self.redis_url = redis_url
        self._loop: asyncio.AbstractEventLoop | None = None
        self._signal = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._publisher: Any = None
        self._ephemeral: list[EphemeralListener] = []

    @property
    def signal(self) -> asyncio.Event:
        """Take this before reading the database, then wait on it: no wake-up is lost in between."""
        return self._signal

    async def next_read(self, signal: asyncio.Event, timeout: float, *, last_read_at: float) -> None:
        """Wait for a commit (or `timeout`), then until MIN_READ_INTERVAL has passed since the
        last read began, so that commits arriving meanwhile are read together."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(signal.wait(), timeout=timeout)
        loop = asyncio.get_running_loop()
        rest = last_read_at + MIN_READ_INTERVAL - loop.time()
        if rest > 0:
            await asyncio.sleep(rest)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._signal = asyncio.Event()
        on_commit(self._committed)
        if self.redis_url:
            import redis

            self._publisher = redis.Redis.from_url(self.redis_url)
            self._task = asyncio.create_task(self._listen_redis())

    async def stop(self) -> None:
        remove_commit_listener(self._committed)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._publisher is not None:
            self._publisher.close()

    def subscribe_ephemeral(self, listener: EphemeralListener) -> None:
        """`listener` runs on the event loop for every ephemeral signal; keep it quick."""
        self._ephemeral.append(listener)

    def unsubscribe_ephemeral(self, listener: EphemeralListener) -> None:
        with contextlib.suppress(ValueError):
            self._ephemeral.remove(listener)

    def publish_ephemeral(self, message: dict[str, Any]) -> None:
        """Send a signal that is not stored (typing); from any thread, best effort."""
        if self._publisher is not None:
            try:
                self._publisher.publish(EPHEMERAL_CHANNEL, json.dumps(message))
            except Exception as exc:
                log.warning("could not publish to Redis: %s", exc)
            return
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._dispatch_ephemeral, message)

    def _dispatch_ephemeral(self, message: dict[str, Any]) -> None:
        for listener in list(self._ephemeral):
            try:
                listener(message)
            except Exception:  # one broken listener must not silence the others
                log.exception("ephemeral listener failed")

    def _wake(self) -> None:
        fired, self._signal = self._signal, asyncio.Event()
        fired.set()

    def _committed(self, events: list[DomainEvent]) -> None:
        """Runs in whichever thread committed; hops onto the event loop."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake)
        if self._publisher is not None:
            try:
                self._publisher.publish(CHANNEL, str(max(e.id for e in events)))
            except Exception as exc:  # live updates degrade to polling; never fail a commit
                log.warning("could not publish to Redis: %s", exc)

    async def _listen_redis(self) -> None:
        import redis.asyncio as aioredis

        while True:
            client = aioredis.Redis.from_url(self.redis_url or "")
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL, EPHEMERAL_CHANNEL)
                    async for message in pubsub.listen():
                        if message.get("type") != "message":
                            continue
                        channel = message.get("channel")
                        if channel in (EPHEMERAL_CHANNEL, EPHEMERAL_CHANNEL.encode()):
                            with contextlib.suppress(ValueError, TypeError):
                                self._dispatch_ephemeral(json.loads(message["data"]))
                        else:
                            self._wake()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("Redis subscription lost (%s); retrying in 1 s", exc)
                await asyncio.sleep(1)
            finally:
                await client.aclose()

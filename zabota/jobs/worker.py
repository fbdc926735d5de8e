"""The job worker: a loop that claims due jobs and runs them, in its own process or in a thread.

`zabota worker` runs `main()`; `zabota serve` can process jobs in-process with
`Worker(database).start_in_thread()`. Any number of workers may share one database. Stopping is
graceful: the job in hand is finished, then the loop ends. A worker that dies instead (SIGKILL,
power loss) leaves its job `running` until the lease runs out; another worker then runs it again,
and the uncommitted work of the dead one never happened.

    python -m zabota.jobs.worker [--import MODULE ...] [--concurrency N] [--lease-seconds S]
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import threading
from collections.abc import Sequence
from types import FrameType

from zabota.db import Database
from zabota.jobs.queue import DEFAULT_LEASE_SECONDS, claim_next, default_worker_id, run_job
from zabota.jobs.registry import autodiscover, registered_names

logger = logging.getLogger(__name__)

MAX_WORKER_ID_LENGTH = 200


class Worker:
    """Claims and runs jobs with `concurrency` threads, sleeping `poll_interval` when idle."""

    def __init__(
        self,
        database: Database,
        *,
        worker_id: str | None = None,
        concurrency: int = 1,
        poll_interval: float = 0.5,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if lease_seconds <= 0 or poll_interval < 0:
            raise ValueError("lease_seconds must be positive and poll_interval not negative")
        self.database = database
        self.worker_id = (worker_id or default_worker_id())[:MAX_WORKER_ID_LENGTH]
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.lease_seconds = lease_seconds
        self.processed = 0
        self._count_lock = threading.Lock()
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None

    def run(self, stop: threading.Event) -> None:
        """Process jobs until `stop` is set; the jobs in hand are finished first."""
        logger.info(
            "worker %s started: concurrency %d, lease %.0f s, handlers: %s",
            self.worker_id,
            self.concurrency,
            self.lease_seconds,
            ", ".join(registered_names()) or "none",
        )
        if self.concurrency == 1:
            self._loop(self.worker_id, stop)
        else:
            # Each slot claims under its own id so that the claims of one process stay distinct.
            slots = [
                threading.Thread(
                    target=self._loop,
                    args=(f"{self.worker_id}/{n}", stop),
                    name=f"zabota-worker-{n}",
                    daemon=True,
                )
                for n in range(1, self.concurrency + 1)
            ]
            for slot in slots:
                slot.start()
            for slot in slots:
                slot.join()
        logger.info("worker %s stopped after %d jobs", self.worker_id, self.processed)

    def start_in_thread(self) -> threading.Thread:
        """Run in a daemon thread (for `zabota serve`); `stop()` ends it gracefully."""
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("worker is already running")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.run, args=(self._stop,), name="zabota-worker", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float | None = None) -> None:
        """Ask the thread started by `start_in_thread` to stop, and wait for it."""
        if self._stop is not None:
            self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self, slot_id: str, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                job = claim_next(self.database, slot_id, lease_seconds=self.lease_seconds)
            except Exception:
                logger.exception("worker %s: could not claim a job", slot_id)
                stop.wait(max(self.poll_interval, 1.0))
                continue
            if job is None:
                stop.wait(self.poll_interval)
                continue
            try:
                run_job(self.database, job, slot_id, lease_seconds=self.lease_seconds)
            except Exception:
                # run_job records handler errors itself; this is the database failing under it.
                logger.exception("worker %s: job %s could not be run", slot_id, job.id)
                stop.wait(self.poll_interval)
            with self._count_lock:
                self.processed += 1


def main(
    database_url: str,
    *,
    concurrency: int = 1,
    poll_interval: float = 0.5,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
    worker_id: str | None = None,
    imports: Sequence[str] = (),
    stop: threading.Event | None = None,
) -> int:
    """Run a worker until SIGTERM / SIGINT (or `stop`); for the `zabota worker` command.

    Handlers come from every `zabota.<package>.tasks` module and from the `imports` modules.
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    import zabota.models  # noqa: F401  (the whole schema, so every mapper is configured)

    autodiscover()
    for module in imports:
        importlib.import_module(module)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():

        def _on_signal(signum: int, _frame: FrameType | None) -> None:
            logger.info("received %s, stopping after the current job", signal.Signals(signum).name)
            stop.set()

        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)
    database = Database(database_url, pool_size=max(2, concurrency * 2))
    try:
        Worker(
            database,
            worker_id=worker_id,
            concurrency=concurrency,
            poll_interval=poll_interval,
            lease_seconds=lease_seconds,
        ).run(stop)
    finally:
        database.dispose()
    return 0


def _cli(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m zabota.jobs.worker", description="Run a Zabota job worker.")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--poll-interval", type=float, default=0.5)
    parser.add_argument("--lease-seconds", type=float, default=DEFAULT_LEASE_SECONDS)
    parser.add_argument("--worker-id")
    parser.add_argument("--import", dest="imports", action="append", default=[], metavar="MODULE")
    args = parser.parse_args(argv)
    url: str = args.database_url or ""
    if not url:
        from zabota.config import get_settings

        url = get_settings().database_url
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return main(
        url,
        concurrency=args.concurrency,
        poll_interval=args.poll_interval,
        lease_seconds=args.lease_seconds,
        worker_id=args.worker_id,
        imports=args.imports,
    )


if __name__ == "__main__":
    raise SystemExit(_cli())

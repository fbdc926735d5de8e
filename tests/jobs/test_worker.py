from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.jobs import handlers
from tests.jobs.handlers import load, runs_of
from zabota.db import Database
from zabota.events.models import DomainEvent
from zabota.jobs.models import Job, JobStatus
from zabota.jobs.queue import claim_next, enqueue, run_job
from zabota.jobs.worker import Worker

REPO_ROOT = Path(__file__).resolve().parents[2]


def _enqueue(db: Database, name: str, payload: dict[str, Any]) -> int:
    with db.transaction() as session:
        return enqueue(session, name, payload).id


def _wait_for(condition: Callable[[], bool], timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            details = f"\n--- worker log ---\n{log.read_text()}" if log is not None and log.exists() else ""
            raise AssertionError(f"timed out after {timeout} s waiting for {what}{details}")
        time.sleep(0.05)


def _ran_events(db: Database) -> list[DomainEvent]:
    with db.transaction() as session:
        return list(session.scalars(select(DomainEvent).where(DomainEvent.type == handlers.RAN)))


def test_two_workers_racing_run_every_job_exactly_once(db: Database) -> None:
    with db.transaction() as session:
        ids = [enqueue(session, handlers.RECORD, {"n": n}).id for n in range(200)]
    workers = [Worker(db, worker_id=name, poll_interval=0.01, lease_seconds=30) for name in ("race-a", "race-b")]
    for worker in workers:
        worker.start_in_thread()
    try:

        def all_done() -> bool:
            with db.transaction() as session:
                statuses = session.scalars(select(Job.status)).all()
            return len(statuses) == 200 and all(s == JobStatus.DONE for s in statuses)

        _wait_for(all_done, 60, "all 200 jobs to be done")
    finally:
        for worker in workers:
            worker.stop(timeout=10)
    assert all(not t.is_alive() for w in workers if (t := w._thread) is not None)

    events = _ran_events(db)
    per_job = Counter(e.subject_id for e in events)
    assert set(per_job) == set(ids)
    assert set(per_job.values()) == {1}, "every job ran exactly once"
    with db.transaction() as session:
        jobs = session.scalars(select(Job)).all()
    assert {(j.status, j.attempts, j.locked_by) for j in jobs} == {("done", 1, None)}
    by_worker = Counter(e.payload["worker"] for e in events)
    assert set(by_worker) == {"race-a", "race-b"}, f"both workers took part: {by_worker}"
    assert sum(w.processed for w in workers) == 200


def test_worker_with_several_threads_drains_the_queue(db: Database) -> None:
    with db.transaction() as session:
        ids = [enqueue(session, handlers.RECORD, {}).id for _ in range(30)]
    worker = Worker(db, worker_id="pool", concurrency=3, poll_interval=0.01, lease_seconds=30)
    worker.start_in_thread()
    try:
        _wait_for(lambda: worker.processed == 30, 30, "30 jobs to be run")
    finally:
        worker.stop(timeout=10)
    events = _ran_events(db)
    assert sorted(e.subject_id or 0 for e in events) == ids
    assert {e.payload["worker"] for e in events} <= {"pool/1", "pool/2", "pool/3"}
    with db.transaction() as session:
        assert set(session.scalars(select(Job.status))) == {JobStatus.DONE}


def test_heartbeat_renews_the_lease_of_a_long_job(db: Database) -> None:
    job_id = _enqueue(db, handlers.SLOW, {"seconds": 1.8})
    claimed = claim_next(db, "long", lease_seconds=1)
    assert claimed is not None
    first_lease = claimed.locked_until
    assert first_lease is not None
    outcome: list[str] = []
    runner = threading.Thread(target=lambda: outcome.append(run_job(db, claimed, "long")))
    runner.start()
    try:
        time.sleep(1.3)  # past the original one-second lease
        assert claim_next(db, "other", lease_seconds=1) is None, "the renewed lease still holds"
        renewed = load(db, job_id).locked_until
        assert renewed is not None and renewed > first_lease
    finally:
        runner.join()
    assert outcome == ["done"]
    job = load(db, job_id)
    assert (job.status, job.attempts) == ("done", 1)
    assert runs_of(db, job_id) == 1


def _start_worker(database_url: str, worker_id: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url}
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "zabota.jobs.worker",
                "--import",
                "tests.jobs.handlers",
                "--worker-id",
                worker_id,
                "--lease-seconds",
                "2",
                "--poll-interval",
                "0.05",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def test_killed_worker_process_job_completes_exactly_once(db: Database, database_url: str, tmp_path: Path) -> None:
    marker = tmp_path / "inside-the-handler"
    job_id = _enqueue(db, handlers.CRASH_ONCE, {"marker": str(marker), "sleep": 60})

    first_log = tmp_path / "first.log"
    first = _start_worker(database_url, "first", first_log)
    try:
        _wait_for(marker.exists, 30, "the first worker to be inside the handler", first_log)
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()

    crashed = load(db, job_id)
    assert crashed.status == JobStatus.RUNNING
    assert crashed.locked_by == "first"
    assert crashed.attempts == 1
    assert runs_of(db, job_id) == 0, "the killed worker's writes never committed"

    second_log = tmp_path / "second.log"
    second = _start_worker(database_url, "second", second_log)
    try:
        _wait_for(lambda: load(db, job_id).status == JobStatus.DONE, 30, "the job to be done", second_log)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=10) == 0, second_log.read_text()
    finally:
        if second.poll() is None:
            second.kill()
            second.wait()

    done = load(db, job_id)
    assert done.status == JobStatus.DONE
    assert done.attempts == 2
    assert done.locked_by is None
    events = _ran_events(db)
    assert [(e.subject_id, e.payload["worker"], e.payload["attempt"]) for e in events] == [(job_id, "second", 2)]
    assert "lease of first expired" in second_log.read_text()

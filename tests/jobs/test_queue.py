from __future__ import annotations

import random
import threading
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests.jobs import handlers
from tests.jobs.handlers import load, runs_of
from zabota.db import Database, utcnow
from zabota.errors import Conflict, NotFound
from zabota.jobs.models import Job, JobStatus
from zabota.jobs.queue import (
    BACKOFF_CAP_SECONDS,
    backoff_seconds,
    claim_next,
    enqueue,
    list_jobs,
    retry,
    run_job,
    run_until_idle,
)


def _enqueue(db: Database, name: str, payload: dict[str, Any] | None = None, **kwargs: Any) -> int:
    with db.transaction() as session:
        return enqueue(session, name, payload or {}, **kwargs).id


def _make_due(db: Database, job_id: int) -> None:
    with db.transaction() as session:
        session.execute(update(Job).where(Job.id == job_id).values(run_at=utcnow() - timedelta(seconds=1)))


def _job_count(db: Database) -> int:
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Job)) or 0)


def test_enqueued_job_runs_once_and_its_writes_commit_with_completion(db: Database) -> None:
    job_id = _enqueue(db, handlers.RECORD, {"x": 1})
    queued = load(db, job_id)
    assert (queued.status, queued.attempts, queued.max_attempts) == ("queued", 0, 8)

    assert run_until_idle(db, "w1") == 1

    done = load(db, job_id)
    assert done.status == JobStatus.DONE
    assert done.attempts == 1
    assert done.locked_by is None and done.locked_until is None
    assert done.started_at is not None and done.finished_at is not None
    assert done.finished_at >= done.started_at >= done.created_at
    assert runs_of(db, job_id) == 1
    assert run_until_idle(db, "w1") == 0
    assert runs_of(db, job_id) == 1


def test_job_is_visible_only_when_the_enqueueing_transaction_commits(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as session:
        enqueue(session, handlers.RECORD, {})
        raise RuntimeError("the caller's change failed")
    assert _job_count(db) == 0
    assert run_until_idle(db) == 0


def test_jobs_enqueued_by_a_handler_run_in_the_same_pass(db: Database) -> None:
    first = _enqueue(db, handlers.CHAIN)
    assert run_until_idle(db) == 2
    with db.transaction() as session:
        follow_up = session.scalars(select(Job).where(Job.dedupe_key == f"after:{first}")).one()
    assert follow_up.status == JobStatus.DONE
    assert runs_of(db, first) == 1 and runs_of(db, follow_up.id) == 1


def test_failing_job_backs_off_then_fails_and_retry_brings_it_back(db: Database) -> None:
    token = uuid.uuid4().hex
    handlers.FAILING.add(token)
    try:
        job_id = _enqueue(db, handlers.FLAKY, {"token": token}, max_attempts=3)
        for attempt in (1, 2):
            before = utcnow()
            assert run_until_idle(db) == 1
            job = load(db, job_id)
            assert job.status == JobStatus.QUEUED
            assert job.attempts == attempt
            assert job.locked_by is None and job.locked_until is None
            assert job.last_error is not None
            assert job.last_error.startswith(f"RuntimeError: boom on attempt {attempt}")
            assert "Traceback" in job.last_error and "handlers.py" in job.last_error
            # 2 s × 2^(attempt-1), with jitter between half and all of it.
            delay = (job.run_at - before).total_seconds()
            assert 2 ** (attempt - 1) - 0.1 <= delay <= 2**attempt + 0.5
            assert run_until_idle(db) == 0, "not due before its backoff"
            _make_due(db, job_id)

        assert run_until_idle(db) == 1
        failed = load(db, job_id)
        assert failed.status == JobStatus.FAILED
        assert failed.attempts == 3
        assert failed.finished_at is not None
        assert failed.last_error is not None and "boom on attempt 3" in failed.last_error
        assert runs_of(db, job_id) == 0, "a failed attempt's writes are rolled back"
        assert run_until_idle(db) == 0
        assert [j.id for j in list_jobs_failed(db)] == [job_id]

        handlers.FAILING.discard(token)
        with db.transaction() as session:
            retried = retry(session, job_id)
            assert (retried.status, retried.attempts, retried.finished_at) == ("queued", 0, None)
        assert run_until_idle(db) == 1
        done = load(db, job_id)
        assert (done.status, done.attempts) == ("done", 1)
        assert runs_of(db, job_id) == 1
    finally:
        handlers.FAILING.discard(token)


def list_jobs_failed(db: Database) -> list[Job]:
    with db.transaction() as session:
        return list_jobs(session, status=JobStatus.FAILED)


def test_retry_refuses_jobs_that_have_not_failed(db: Database) -> None:
    job_id = _enqueue(db, handlers.RECORD)
    with pytest.raises(Conflict), db.transaction() as session:
        retry(session, job_id)
    with pytest.raises(NotFound), db.transaction() as session:
        retry(session, job_id + 1000)


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    for attempts in range(1, 40):
        full = min(BACKOFF_CAP_SECONDS, 2.0 * 2 ** (attempts - 1))
        for _ in range(20):
            assert full / 2 <= backoff_seconds(attempts, rng=rng) <= full
    assert backoff_seconds(1000, rng=rng) <= BACKOFF_CAP_SECONDS


def test_dedupe_key_makes_enqueue_idempotent(db: Database) -> None:
    with db.transaction() as session:
        first = enqueue(session, handlers.RECORD, {"n": 1}, dedupe_key="order:1:apology")
        again = enqueue(session, handlers.RECORD, {"n": 2}, dedupe_key="order:1:apology")
        assert again.id == first.id
    assert _enqueue(db, handlers.RECORD, {"n": 3}, dedupe_key="order:1:apology") == first.id
    assert run_until_idle(db) == 1
    # Still a no-op once the job has run.
    assert _enqueue(db, handlers.RECORD, {"n": 4}, dedupe_key="order:1:apology") == first.id
    assert run_until_idle(db) == 0
    other = _enqueue(db, handlers.RECORD, dedupe_key="order:2:apology")
    assert other != first.id
    assert _job_count(db) == 2
    assert load(db, first.id).payload == {"n": 1}


def test_concurrent_enqueues_with_one_dedupe_key_make_one_job(db: Database) -> None:
    ids: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def add() -> None:
        try:
            barrier.wait()
            ids.append(_enqueue(db, handlers.RECORD, dedupe_key="same"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=add) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(ids)) == 1 and len(ids) == 4
    assert _job_count(db) == 1


def test_job_is_not_claimed_before_it_is_due(db: Database) -> None:
    later = _enqueue(db, handlers.RECORD, run_at=utcnow() + timedelta(hours=1))
    now = _enqueue(db, handlers.RECORD)
    claimed = claim_next(db, "w1", lease_seconds=30)
    assert claimed is not None and claimed.id == now
    assert run_job(db, claimed, "w1") == "done"
    assert claim_next(db, "w1", lease_seconds=30) is None
    assert load(db, later).status == JobStatus.QUEUED

    _make_due(db, later)
    assert run_until_idle(db) == 1
    assert load(db, later).status == JobStatus.DONE


def test_naive_run_at_is_refused(db: Database) -> None:
    with pytest.raises(ValueError), db.transaction() as session:
        enqueue(session, handlers.RECORD, {}, run_at=utcnow().replace(tzinfo=None))


def test_claim_records_the_lease(db: Database) -> None:
    job_id = _enqueue(db, handlers.RECORD)
    before = utcnow()
    claimed = claim_next(db, "w1", lease_seconds=30)
    assert claimed is not None and claimed.id == job_id
    stored = load(db, job_id)
    assert stored.status == JobStatus.RUNNING
    assert stored.locked_by == "w1" and stored.attempts == 1
    assert stored.locked_until is not None and stored.started_at is not None
    assert stored.started_at >= before - timedelta(seconds=1)
    assert 29 <= (stored.locked_until - stored.started_at).total_seconds() <= 31
    assert claim_next(db, "w2", lease_seconds=30) is None, "a leased job is not claimed twice"


def test_unknown_job_name_fails_at_once(db: Database) -> None:
    job_id = _enqueue(db, "tests.jobs.no_such_handler")
    assert run_until_idle(db) == 1
    job = load(db, job_id)
    assert job.status == JobStatus.FAILED
    assert job.attempts == 1
    assert job.last_error is not None and "no handler is registered" in job.last_error
    assert "tests.jobs.no_such_handler" in job.last_error


def test_expired_lease_is_taken_over_and_the_old_holder_cannot_complete(db: Database) -> None:
    job_id = _enqueue(db, handlers.SLOW, {"seconds": 0.6})
    stale = claim_next(db, "stale", lease_seconds=60)
    assert stale is not None
    outcome: list[str] = []
    # The stale worker's handler sleeps before touching the database; meanwhile its lease
    # runs out (forced here) and another worker takes the job over.
    runner = threading.Thread(target=lambda: outcome.append(run_job(db, stale, "stale", lease_seconds=60)))
    runner.start()
    time.sleep(0.15)
    with db.transaction() as session:
        session.execute(update(Job).where(Job.id == job_id).values(locked_until=utcnow() - timedelta(seconds=1)))
    fresh = claim_next(db, "fresh", lease_seconds=60)
    assert fresh is not None and fresh.id == job_id and fresh.attempts == 2
    runner.join()
    assert outcome == ["lost"]
    assert runs_of(db, job_id) == 0, "the stale run's writes were rolled back"
    assert load(db, job_id).locked_by == "fresh"

    assert run_job(db, fresh, "fresh") == "done"
    assert runs_of(db, job_id) == 1
    assert run_job(db, stale, "stale") == "lost"
    assert runs_of(db, job_id) == 1


def test_abandoned_job_that_used_up_its_attempts_fails(db: Database) -> None:
    job_id = _enqueue(db, handlers.RECORD, max_attempts=1)
    assert claim_next(db, "crashed", lease_seconds=60) is not None
    with db.transaction() as session:
        session.execute(update(Job).where(Job.id == job_id).values(locked_until=utcnow() - timedelta(seconds=1)))
    assert claim_next(db, "w2", lease_seconds=60) is None
    job = load(db, job_id)
    assert job.status == JobStatus.FAILED
    assert job.last_error is not None and job.last_error.startswith("LeaseExpired")
    assert runs_of(db, job_id) == 0


def test_list_jobs_filters_newest_first(db: Database) -> None:
    ids = [_enqueue(db, handlers.RECORD) for _ in range(3)]
    other = _enqueue(db, handlers.SLOW, {"seconds": 0})
    with db.transaction() as session:
        assert [j.id for j in list_jobs(session)] == [other, *reversed(ids)]
        assert [j.id for j in list_jobs(session, name=handlers.RECORD, limit=2)] == [ids[2], ids[1]]
        assert list_jobs(session, status=JobStatus.DONE) == []
    run_until_idle(db)
    with db.transaction() as session:
        assert len(list_jobs(session, status=JobStatus.DONE)) == 4


def test_concurrent_claims_never_hand_one_job_to_two_workers(db: Database) -> None:
    with db.transaction() as session:
        ids = {enqueue(session, handlers.RECORD, {}).id for _ in range(100)}
    claimed: dict[str, list[int]] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def claim_all(worker_id: str) -> None:
        mine = claimed.setdefault(worker_id, [])
        try:
            barrier.wait()
            misses = 0
            while misses < 3:  # a claim can come back empty while others hold the rows locked
                job = claim_next(db, worker_id, lease_seconds=60)
                if job is None:
                    misses += 1
                    continue
                misses = 0
                mine.append(job.id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=claim_all, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    everything = [job_id for mine in claimed.values() for job_id in mine]
    assert len(everything) == len(set(everything)), "no job was claimed twice"
    assert set(everything) == ids
    with db.transaction() as session:
        rows = session.scalars(select(Job)).all()
    assert {(j.status, j.attempts) for j in rows} == {("running", 1)}
    assert {j.locked_by for j in rows} <= set(claimed)

#!/usr/bin/env python3
"""Where one ingest (or inbox-list) request spends its time, measured in-process.

    .venv/bin/python bench/profile_ingest.py                 # 2,000 ingest requests + 300 list requests
    .venv/bin/python bench/profile_ingest.py --no-pre-ping    # measured what-if

The app is built with `create_app()` against a fresh PostgreSQL database and driven sequentially
through Starlette's TestClient, so there is no concurrency and no network client in the numbers.
psycopg is instrumented at the driver level (Cursor.execute, Connection.commit/rollback), so every
round trip is counted, including SQLAlchemy's pool pre-ping, savepoints and the BEGIN that
psycopg sends before the first statement of a transaction. For each request it records:

- wall time of the request (TestClient call) and the CPU time of the whole process (all threads),
- number of round trips to PostgreSQL and the time spent inside the driver calls (= network +
  PostgreSQL + psycopg's own C/Python work), and the rest (= Python: Starlette/FastAPI, pydantic,
  SQLAlchemy ORM, zabota's code, TestClient).

The statements of one steady-state request are printed, so the SQL count is visible, not inferred.
Nothing under zabota/ is changed; the instrumentation is monkeypatching inside this process.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg

TABLE_PREFIX = re.compile(r"\b(conversations|messages|customers|customer_identities|inboxes|api_tokens|users)\.")
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


class DriverMeter:
    """Counts and times every psycopg round trip made while it is `active`."""

    def __init__(self) -> None:
        self.active = False
        self.calls = 0
        self.seconds = 0.0
        self.statements: list[str] = []
        self.record = False

    def install(self) -> None:
        meter = self
        cursor_execute = psycopg.Cursor.execute
        conn_commit = psycopg.Connection.commit
        conn_rollback = psycopg.Connection.rollback

        def execute(self: psycopg.Cursor[Any], query: Any, params: Any = None, **kw: Any) -> Any:
            if not meter.active:
                return cursor_execute(self, query, params, **kw)
            # psycopg sends BEGIN as its own round trip before the first statement of a transaction.
            begins = (
                not self.connection.autocommit
                and self.connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            )
            t0 = time.perf_counter()
            try:
                return cursor_execute(self, query, params, **kw)
            finally:
                meter.seconds += time.perf_counter() - t0
                meter.calls += 1 + int(begins)
                if meter.record:
                    text = query.decode() if isinstance(query, bytes) else str(query)
                    if begins:
                        meter.statements.append("BEGIN")
                    meter.statements.append(" ".join(text.split())[:160])

        def commit(self: psycopg.Connection[Any]) -> None:
            idle = self.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            t0 = time.perf_counter()
            try:
                conn_commit(self)
            finally:
                if meter.active and not idle:
                    meter.seconds += time.perf_counter() - t0
                    meter.calls += 1
                    if meter.record:
                        meter.statements.append("COMMIT")

        def rollback(self: psycopg.Connection[Any]) -> None:
            idle = self.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            t0 = time.perf_counter()
            try:
                conn_rollback(self)
            finally:
                if meter.active and not idle:
                    meter.seconds += time.perf_counter() - t0
                    meter.calls += 1
                    if meter.record:
                        meter.statements.append("ROLLBACK")

        psycopg.Cursor.execute = execute  # type: ignore[method-assign,assignment]
        psycopg.Connection.commit = commit  # type: ignore[method-assign]
        psycopg.Connection.rollback = rollback  # type: ignore[method-assign]

    @contextlib.contextmanager
    def measure(self, record: bool = False) -> Iterator[dict[str, float]]:
        self.active, self.record = True, record
        self.calls, self.seconds = 0, 0.0
        self.statements = []
        out: dict[str, float] = {}
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            yield out
        finally:
            out["wall"] = time.perf_counter() - t0
            out["cpu"] = time.process_time() - c0
            out["db"] = self.seconds
            out["calls"] = self.calls
            self.active = self.record = False


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    name = f"zabota_bench_profile_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def summary(label: str, rows: list[dict[str, float]]) -> None:
    wall = [r["wall"] * 1000 for r in rows]
    db = [r["db"] * 1000 for r in rows]
    calls = Counter(int(r["calls"]) for r in rows)
    py = [w - d for w, d in zip(wall, db, strict=True)]
    print(f"\n{label}: {len(rows)} sequential requests")
    print(f"  wall per request     mean {statistics.fmean(wall):6.2f} ms   p50 {statistics.median(wall):6.2f} ms")
    share_db, share_py = statistics.fmean(db) / statistics.fmean(wall), statistics.fmean(py) / statistics.fmean(wall)
    print(f"  in the DB driver     mean {statistics.fmean(db):6.2f} ms   ({share_db:.0%})")
    print(f"  Python (the rest)    mean {statistics.fmean(py):6.2f} ms   ({share_py:.0%})")
    cpu = [r["cpu"] * 1000 for r in rows]
    print(f"  CPU of this process  mean {statistics.fmean(cpu):6.2f} ms   (all threads; less noisy than wall time)")
    print(f"  round trips/request  {dict(sorted(calls.items()))}  (count: requests)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--list-requests", type=int, default=300)
    parser.add_argument(
        "--no-pre-ping", action="store_true", help="experiment: engine without pool_pre_ping (one round trip less)"
    )
    args = parser.parse_args()

    meter = DriverMeter()
    meter.install()
    with fresh_database() as url, tempfile.TemporaryDirectory() as tmp:
        sa_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        os.environ.update(
            DATABASE_URL=sa_url, ZABOTA_DATA_DIR=str(Path(tmp) / "var"), SECRET_KEY=secrets.token_urlsafe(48)
        )
        os.environ["RUN_JOBS_IN_PROCESS"] = "false"
        os.chdir(tmp)  # no developer .env
        from fastapi.testclient import TestClient

        from zabota.api.app import create_app
        from zabota.auth.actions import create_api_token, create_user
        from zabota.config import get_settings
        from zabota.db import Database
        from zabota.events.actions import Actor
        from zabota.migrate import upgrade

        get_settings.cache_clear()
        upgrade(sa_url)
        database = Database(sa_url)
        experiments = []
        if args.no_pre_ping:
            from sqlalchemy import create_engine

            from zabota.db import make_session_factory

            database.engine.dispose()
            database.engine = create_engine(sa_url, pool_size=10, max_overflow=10, pool_recycle=1800)
            database.sessions = make_session_factory(database.engine)
            experiments.append("no pool_pre_ping")
        import zabota

        print(f"zabota imported from {Path(zabota.__file__).parent}")
        print("experiments: " + (", ".join(experiments) if experiments else "none (the code as it is)"))
        with database.transaction() as session:
            admin = create_user(
                session, Actor.system(), email="p@example.com", name="P", role="admin", password="profile-pass-123"
            )
            admin_token = create_api_token(session, Actor.system(), admin, name="p", scope="write").plaintext
        app = create_app(get_settings(), database, run_jobs=False)
        with TestClient(app) as client:
            auth = {"Authorization": f"Bearer {admin_token}"}
            inbox = client.post("/api/v1/inboxes", json={"channel_type": "api", "name": "p"}, headers=auth).json()
            path = f"/api/v1/inboxes/{inbox['id']}/messages"
            inbox_auth = {"Authorization": f"Bearer {inbox['token']}"}

            def body(i: int) -> dict[str, Any]:
                c = i % args.customers
                return {
                    "external_id": f"bench-{i}",
                    "customer": {"identifier": f"c-{c}", "name": f"Customer {c}"},
                    "text": f"Hello! This is message {i} from customer {c}: where is my order, please?",
                }

            first: list[dict[str, float]] = []
            steady: list[dict[str, float]] = []
            recorded: dict[str, list[str]] = {}
            for i in range(args.messages):
                kind = "first contact" if i < args.customers else "returning customer"
                record = i in (args.customers // 2, args.customers + args.customers // 2)
                with meter.measure(record=record) as m:
                    response = client.post(path, json=body(i), headers=inbox_auth)
                assert response.status_code == 201, response.text
                (first if i < args.customers else steady).append(m)
                if record:
                    recorded[kind] = list(meter.statements)
            summary("POST /api/v1/inboxes/{id}/messages, first contact (new customer + conversation)", first)
            summary("POST /api/v1/inboxes/{id}/messages, returning customer (steady state)", steady)
            for kind, statements in recorded.items():
                print(f"\n  round trips of one {kind} request ({len(statements)}):")
                for n, text in enumerate(statements, 1):
                    print(f"    {n:2d}. {TABLE_PREFIX.sub('', text)}")

            # Calibration: the same client and framework with (almost) no work behind them.
            for label, url in (
                ("GET unmatched path (404: middleware + routing, no DB)", "/bench-404"),
                ("GET /healthz (sync route in the thread pool + 1 DB query)", "/healthz"),
            ):
                floor: list[dict[str, float]] = []
                for n in range(args.list_requests + 20):
                    with meter.measure() as m:
                        client.get(url)
                    if n >= 20:
                        floor.append(m)
                summary(label, floor)

            listing: list[dict[str, float]] = []
            for n in range(args.list_requests + 20):
                record = n == 10
                with meter.measure(record=record) as m:
                    response = client.get("/api/v1/conversations", params={"status": "open", "limit": 50}, headers=auth)
                assert response.status_code == 200
                if n >= 20:
                    listing.append(m)
                if record:
                    list_statements = list(meter.statements)
            summary(
                f"GET /api/v1/conversations?status=open&limit=50 ({len(response.json()['items'])} items per page)",
                listing,
            )
            print(f"\n  round trips of one list request ({len(list_statements)}):")
            for n, text in enumerate(list_statements, 1):
                print(f"    {n:2d}. {text}")

        database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

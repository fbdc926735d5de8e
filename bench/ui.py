#!/usr/bin/env python3
"""Operator UI speed on PostgreSQL with a million messages: page server time and live latency.

One command (see bench/README.md):

    .venv/bin/python bench/ui.py            # full run: 1,000,000 messages, 50 operators
    .venv/bin/python bench/ui.py --quick    # smoke run with small numbers

Phases, against one fresh PostgreSQL database (unique name, dropped at the end):

1. Seed `--messages` messages server-side (the same generator as bench/ingest.py: conversations
   of 10 messages, 20% open, 70% assigned to the admin), plus one open conversation with
   `--thread` (200) messages, then VACUUM ANALYZE.
2. Pages, signed in as the admin with a session cookie, `--requests` sequential requests each:
   the inbox page (Mine and All views), the list partial htmx fetches, and the conversation
   with 200 messages (the pane htmx fetches, and the full page a direct link opens). Each
   request's server time is read from the Server-Timing header the server sets when the first
   byte leaves (`app;dur=`), beside the client's wall time on loopback.
3. Live latency: `--operators` operator accounts signed in, each with an open SSE stream on
   /live/events (what the inbox page opens). Messages are pushed through the API channel at
   `--rate` per second, each from a new customer, so each opens its own conversation; the
   latency of one delivery is from just before the POST is sent to the moment that operator's
   stream yields the `message.created` change for that conversation. Run once with one server
   process and no Redis (in-process wake-ups) and once with `--live-workers` processes and
   Redis pub/sub (an event committed by one process reaches streams held by the others).

Only loopback addresses are used; the server is killed and the database dropped on every exit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest as common

OPERATOR_PASSWORD = "bench-operator-password-1"  # throwaway accounts in a throwaway database


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000, help="messages seeded in the database")
    parser.add_argument("--thread", type=int, default=200, help="messages in the conversation that is opened")
    parser.add_argument("--requests", type=int, default=300, help="sequential requests per page")
    parser.add_argument("--operators", type=int, default=50, help="operators with an open live stream")
    parser.add_argument("--live-messages", type=int, default=300, help="messages pushed per live run")
    parser.add_argument("--rate", type=float, default=5.0, help="messages pushed per second")
    parser.add_argument("--live-workers", type=int, default=2, help="server processes of the Redis live run")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"))
    parser.add_argument("--skip-redis", action="store_true", help="only the single-process live run")
    parser.add_argument("--quick", action="store_true", help="smoke run: small numbers")
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--json", type=Path, help="write all results as JSON here")
    parser.add_argument("--markdown", type=Path, help="write the markdown summary here")
    args = parser.parse_args(argv)
    if args.quick:
        args.messages, args.requests, args.operators, args.live_messages = 20_000, 60, 10, 40
    common.check_loopback_url(args.pg_url)
    return args


# --- seeding ---------------------------------------------------------------------------------------

THREAD_SQL = """
WITH target AS (
    SELECT id, opened_at, last_activity_at FROM conversations WHERE status = 'open' ORDER BY id LIMIT 1
)
INSERT INTO messages (conversation_id, inbox_id, direction, author_kind, author_user_id, text, html,
                      attachments, external_id, delivery_status, created_at, sent_at)
SELECT t.id, c.inbox_id, CASE WHEN k %% 2 = 0 THEN 'in' ELSE 'out' END,
       CASE WHEN k %% 2 = 0 THEN 'customer' ELSE 'operator' END,
       CASE WHEN k %% 2 = 1 THEN c.assignee_id END,
       'Long thread message ' || k || ': ' || repeat('Здравствуйте, подскажите по заказу. ', 3), NULL, '[]',
       CASE WHEN k %% 2 = 0 THEN 'thread-' || k END,
       CASE WHEN k %% 2 = 0 THEN 'received' ELSE 'sent' END,
       t.opened_at - (%(extra)s - k) * interval '1 minute',
       CASE WHEN k %% 2 = 1 THEN t.opened_at - (%(extra)s - k) * interval '1 minute' END
FROM target t JOIN conversations c ON c.id = t.id, generate_series(0, %(extra)s - 1) k
RETURNING conversation_id
"""


def seed(url: str, messages: int, thread: int) -> dict[str, Any]:
    counts = common.seed_list_database(url, messages=messages)
    with psycopg.connect(url) as conn:
        extra = max(0, thread - 10)
        rows = conn.execute(THREAD_SQL, {"extra": extra}).fetchall()  # type: ignore[arg-type]
        conversation_id = rows[0][0] if rows else None
        if conversation_id is None:
            conversation_id = conn.execute(
                "SELECT id FROM conversations WHERE status = 'open' ORDER BY id LIMIT 1"
            ).fetchone()[0]  # type: ignore[index]
        conn.execute(
            "UPDATE conversations SET message_count = (SELECT count(*) FROM messages WHERE conversation_id = %s) "
            "WHERE id = %s",
            (conversation_id, conversation_id),
        )
        thread_messages = conn.execute(
            "SELECT count(*) FROM messages WHERE conversation_id = %s", (conversation_id,)
        ).fetchone()[0]  # type: ignore[index]
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return {**counts, "thread_conversation": conversation_id, "thread_messages": thread_messages}


# --- pages -----------------------------------------------------------------------------------------


def login(client: httpx.Client, email: str, password: str) -> str:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    response.raise_for_status()
    return str(response.json()["csrf_token"])


def server_ms(response: httpx.Response) -> float:
    value = response.headers.get("server-timing", "")
    return float(value.split("dur=", 1)[1]) if "dur=" in value else float("nan")


def measure_page(client: httpx.Client, path: str, requests: int, htmx: bool) -> dict[str, Any]:
    headers = {"HX-Request": "true"} if htmx else {}
    wall: list[float] = []
    server: list[float] = []
    size = 0
    for _ in range(5):  # warm-up: connection, statement caches, templates
        client.get(path, headers=headers).raise_for_status()
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path, headers=headers)
        wall.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
        server.append(server_ms(response))
        size = len(response.content)
    return {
        "path": path,
        "htmx": htmx,
        "bytes": size,
        "server": common.summarise(server),
        "wall": common.summarise(wall),
    }


def run_pages(base: str, args: argparse.Namespace, thread_id: int) -> list[dict[str, Any]]:
    pages = [
        ("inbox page, Mine view", "/inbox?view=mine", False),
        ("inbox page, All view", "/inbox?view=all", False),
        ("list partial, All view (htmx)", "/inbox/list?view=all", True),
        (f"conversation with {args.thread} messages, pane (htmx)", f"/inbox/c/{thread_id}", True),
        (f"conversation with {args.thread} messages, full page", f"/inbox/c/{thread_id}", False),
    ]
    results = []
    with httpx.Client(base_url=base, timeout=30) as client:
        login(client, common.ADMIN_EMAIL, common.ADMIN_PASSWORD)
        for label, path, htmx in pages:
            result = measure_page(client, path, args.requests, htmx)
            result["label"] = label
            s = result["server"]
            common.log(f"  {label}: server p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms ({result['bytes']:,} bytes)")
            results.append(result)
    return results


# --- live latency ----------------------------------------------------------------------------------


@dataclass
class Stream:
    """One operator's SSE stream: when each conversation's first message.created arrived."""

    index: int
    arrivals: dict[int, float] = field(default_factory=dict)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    errors: int = 0


async def follow(base: str, cookies: httpx.Cookies, stream: Stream, stop: asyncio.Event) -> None:
    async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=httpx.Timeout(30, read=None)) as client:
        try:
            async with client.stream("GET", "/live/events", headers={"Accept": "text/event-stream"}) as response:
                response.raise_for_status()
                event = ""
                async for line in response.aiter_lines():
                    if stop.is_set():
                        return
                    if line.startswith("retry:"):
                        stream.ready.set()
                    elif line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:") and event == "change":
                        data = json.loads(line[5:])
                        if data.get("type") == "message.created":
                            stream.arrivals.setdefault(int(data["conversation_id"]), time.perf_counter())
        except (httpx.HTTPError, asyncio.CancelledError):
            if not stop.is_set():
                stream.errors += 1
            stream.ready.set()


def create_operators(base: str, admin_token: str, count: int) -> list[str]:
    emails = []
    with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {admin_token}"}) as client:
        for i in range(count):
            email = f"bench-operator-{i}@example.com"
            response = client.post(
                "/api/v1/users",
                json={"email": email, "name": f"Operator {i}", "role": "operator", "password": OPERATOR_PASSWORD},
            )
            if response.status_code not in (201, 409):
                raise RuntimeError(f"could not create {email}: {response.status_code} {response.text}")
            emails.append(email)
    return emails


async def run_live(
    server: common.Server, args: argparse.Namespace, emails: list[str], inbox: tuple[int, str], tag: str
) -> dict[str, Any]:
    base = server.base
    cookie_jars = []
    for email in emails:
        with httpx.Client(base_url=base, timeout=30) as client:
            login(client, email, OPERATOR_PASSWORD)
            cookie_jars.append(client.cookies)
    stop = asyncio.Event()
    streams = [Stream(i) for i in range(len(emails))]
    tasks = [asyncio.create_task(follow(base, jar, s, stop)) for s, jar in zip(streams, cookie_jars, strict=True)]
    await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in streams)), timeout=60)
    await asyncio.sleep(1.0)

    inbox_id, inbox_token = inbox
    sent: dict[int, float] = {}
    failures = 0
    before = common.cpu_snapshot()
    started = time.perf_counter()
    interval = 1.0 / args.rate
    async with httpx.AsyncClient(base_url=base, timeout=30) as pusher:
        for i in range(args.live_messages):
            due = started + i * interval
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            at = time.perf_counter()
            response = await pusher.post(
                f"/api/v1/inboxes/{inbox_id}/messages",
                json={
                    "external_id": f"live-{tag}-{i}",
                    "customer": {"identifier": f"live-{tag}-{i}"},
                    "text": f"ping {i}",
                },
                headers={"Authorization": f"Bearer {inbox_token}"},
            )
            if response.status_code != 201:
                failures += 1
                continue
            sent[int(response.json()["conversation_id"])] = at
    await asyncio.sleep(3.0)  # the last deliveries
    after = common.cpu_snapshot()
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    latencies = []
    missing = 0
    for stream in streams:
        for conversation_id, at in sent.items():
            arrived = stream.arrivals.get(conversation_id)
            if arrived is None:
                missing += 1
            else:
                latencies.append((arrived - at) * 1000)
    server_pids = common._descendants(after.per_pid, server.pid)
    split = common.cpu_split(
        before,
        after,
        {
            "zabota serve": lambda pid, comm: pid in server_pids,
            "postgres": lambda pid, comm: comm == "postgres",
            "redis": lambda pid, comm: comm.startswith("redis"),
            "bench client (this process)": lambda pid, comm: pid == os.getpid(),
        },
    )
    return {
        "operators": len(streams),
        "messages": len(sent),
        "push_failures": failures,
        "deliveries": len(latencies),
        "missing": missing,
        "stream_errors": sum(s.errors for s in streams),
        "latency_ms": common.summarise(latencies),
        "cpu": common.format_cpu(split, len(sent) or 1),
    }


def live_phase(
    args: argparse.Namespace, zenv: common.ZabotaEnv, admin_token: str, workers: int, redis: bool
) -> dict[str, Any]:
    env_extra = {"LOGIN_RATE_LIMIT": "10000/minute"}
    if redis:
        env_extra["REDIS_URL"] = args.redis_url
    zenv_live = LiveEnv(zenv.url, zenv.workdir, zenv.secret_key, env_extra)
    label = f"{workers} process{'es' if workers > 1 else ''}, {'Redis pub/sub' if redis else 'in-process'}"
    with common.Server(zenv_live, workers) as server:
        emails = create_operators(server.base, admin_token, args.operators)
        inbox = common.create_api_inbox(server.base, admin_token)
        common.log(
            f"  live ({label}): {args.operators} operators streaming, {args.live_messages} messages at {args.rate}/s"
        )
        result = asyncio.run(run_live(server, args, emails, inbox, tag=f"w{workers}{'r' if redis else ''}"))
    result["label"] = label
    s = result["latency_ms"]
    common.log(
        f"  live ({label}): p50 {s['p50']:.0f} ms, p99 {s['p99']:.0f} ms, max {s['max']:.0f} ms; "
        f"{result['deliveries']:,} deliveries, {result['missing']} missing"
    )
    return result


@dataclass
class LiveEnv(common.ZabotaEnv):
    extra: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return {**super().env(), **self.extra}


# --- report ----------------------------------------------------------------------------------------


def markdown(
    args: argparse.Namespace,
    facts: dict[str, Any],
    seeded: dict[str, Any],
    pages: list[dict[str, Any]],
    live: list[dict[str, Any]],
) -> str:
    lines = [
        "### Run",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- code: {common.code_version()}",
        f"- command: `python bench/ui.py {' '.join(sys.argv[1:])}`".rstrip(),
        f"- machine: {facts['nproc']} cores ({facts['cpu_model']}), {facts['memory_gib']} GiB RAM, "
        f"Python {facts['python']}",
        f"- PostgreSQL: {facts.get('postgresql', '')}",
        f"- database: {seeded['messages']:,} messages, {seeded['conversations']:,} conversations "
        f"({seeded['open_conversations']:,} open), {seeded['customers']:,} customers; the opened conversation "
        f"has {seeded['thread_messages']} messages",
        "",
        f"#### Pages (one server process, {args.requests} sequential requests each, admin session)",
        "",
        "| page | server p50 ms | server p95 ms | wall p50 ms | wall p95 ms | bytes |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in pages:
        s, w = page["server"], page["wall"]
        lines.append(
            f"| {page['label']} | {s['p50']:.1f} | {s['p95']:.1f} | {w['p50']:.1f} | {w['p95']:.1f} "
            f"| {page['bytes']:,} |"
        )
    lines += [
        "",
        f"#### Live updates ({args.operators} operators with an open stream, "
        f"{args.live_messages} messages at {args.rate}/s)",
        "",
        "| server | deliveries | missing | p50 ms | p95 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in live:
        s = run["latency_ms"]
        lines.append(
            f"| {run['label']} | {run['deliveries']:,} | {run['missing']} | {s['p50']:.0f} | {s['p95']:.0f} | "
            f"{s['p99']:.0f} | {s['max']:.0f} |"
        )
    for run in live:
        lines.append(f"- CPU during the live run ({run['label']}): " + "; ".join(run["cpu"]))
    worst_page = max(p["server"]["p95"] for p in pages)
    worst_live = max((r["latency_ms"]["p99"] for r in live), default=float("nan"))
    lines += [
        "",
        f"Goals: page server time p95 ≤ 300 ms (worst here {worst_page:.0f} ms); "
        f"live p99 ≤ 500 ms (worst here {worst_live:.0f} ms).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    dbs = common.Databases(args.pg_url)
    results: dict[str, Any] = {}
    try:
        with common.scratch_dir() as workdir:
            facts = common.machine_facts(args.pg_url)
            url = dbs.create("ui")
            zenv = common.ZabotaEnv(url, workdir)
            zenv.migrate()
            admin_token = zenv.admin_token()
            common.log(f"Seeding {args.messages:,} messages and a {args.thread}-message conversation")
            seeded = seed(url, args.messages, args.thread)
            common.log(f"  seeded: {seeded}")
            common.log("Pages (1 server process)")
            with common.Server(zenv, 1) as server:
                pages = run_pages(server.base, args, seeded["thread_conversation"])
            live = [live_phase(args, zenv, admin_token, 1, redis=False)]
            if not args.skip_redis:
                live.append(live_phase(args, zenv, admin_token, args.live_workers, redis=True))
            results = {"facts": facts, "seeded": seeded, "pages": pages, "live": live}
            report = markdown(args, facts, seeded, pages, live)
    finally:
        dbs.close()
    print()
    print(report)
    if args.markdown:
        args.markdown.write_text(report + "\n")
    if args.json:
        args.json.write_text(json.dumps(common.to_jsonable(results), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(main())

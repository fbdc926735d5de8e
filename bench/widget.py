#!/usr/bin/env python3
"""Many open chat widgets on one Zabota: customer → operator-view latency and server CPU.

    .venv/bin/python bench/widget.py --mode sqlite --visitors 1000          # one process, SQLite
    .venv/bin/python bench/widget.py --mode pg --visitors 1000 --workers 2  # PostgreSQL + Redis

Each simulated visitor opens a widget session and keeps its own server-sent event stream open
(GET /widget/v1/{key}/stream, the same as the script in a browser), then sends a message every
`--interval` seconds (10 by default), starting at a random offset. One operator, signed in,
keeps the operator inbox's live stream open (GET /live/events). The latency of a message is the
time from just before the visitor's POST to the moment the operator's stream delivers the
`message.created` change of that conversation. Server CPU comes from /proc (bench/ingest.py).

Everything runs on loopback in one asyncio process (httpx); the generator's own CPU is reported,
so a saturated generator is visible rather than hidden in the latency.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest as common  # the bench helpers: server, databases, CPU from /proc

from zabota.api.app import tune_garbage_collector


class Env(common.ZabotaEnv):
    """bench/ingest.py's environment, plus Redis and generous public rate limits."""

    redis_url: str | None = None

    def env(self) -> dict[str, str]:
        env = super().env()
        env.update(WIDGET_SEND_RATE_LIMIT="1000/minute", WIDGET_SESSION_RATE_LIMIT="100000/minute")
        env.update(HTTP_THREADS=os.environ.get("HTTP_THREADS", "10"))
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        else:
            env.pop("REDIS_URL", None)
        return env


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=("sqlite", "pg"), default="sqlite")
    parser.add_argument("--visitors", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between one visitor's messages")
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds after everyone connected")
    parser.add_argument("--workers", type=int, default=None, help="server processes (sqlite: 1, pg: 2)")
    parser.add_argument(
        "--pg-url", default=os.environ.get("ZABOTA_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--server-log", type=Path, help="keep the server's log here")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"))
    return parser.parse_args(argv)


class Run:
    def __init__(self, base: str, key: str, interval: float) -> None:
        self.base, self.key, self.interval = base, key, interval
        self.pending: dict[int, float] = {}  # conversation id → when its last message was sent
        self.send_ms: list[float] = []  # the visitor's POST alone: how long until it was stored
        self.server_ms: list[float] = []  # the same POSTs as the server timed them (Server-Timing)
        self.timeline: list[tuple[float, float]] = []  # (when delivered, latency ms)
        self.measuring = False
        self.sent = self.failed = self.stream_errors = self.operator_reconnects = 0
        self.connected = 0
        self.stop = asyncio.Event()

    async def operator_stream(self, client: httpx.AsyncClient) -> None:
        """Follow the operator's live stream; reconnect from the last id, as EventSource does."""
        last_id = ""
        while not self.stop.is_set():
            try:
                last_id = await self._operator_stream(client, last_id)
            except httpx.HTTPError as exc:
                self.operator_reconnects += 1
                common.log(f"the operator's stream broke, reconnecting: {exc!r}")
                await asyncio.sleep(0.5)

    async def _operator_stream(self, client: httpx.AsyncClient, last_id: str) -> str:
        headers = {"Last-Event-ID": last_id} if last_id else {}
        timeout = httpx.Timeout(10, read=None)
        async with client.stream("GET", "/live/events", headers=headers, timeout=timeout) as response:
            response.raise_for_status()
            name = ""
            async for line in response.aiter_lines():
                if line.startswith("id: "):
                    last_id = line[4:]
                elif line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: ") and name == "change":
                    data = json.loads(line[6:])
                    if data.get("type") == "message.created":
                        started = self.pending.pop(int(data["conversation_id"]), None)
                        if started is not None and self.measuring:
                            now = time.perf_counter()
                            self.timeline.append((now, (now - started) * 1000))
                if self.stop.is_set():
                    break
        return last_id

    async def visitor(self, ramp: float) -> None:
        await asyncio.sleep(random.uniform(0, ramp))
        # One small client per visitor, as each browser is: httpx's shared pool scans all its
        # connections for every request, which made one shared client the bottleneck at 400.
        limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
        async with httpx.AsyncClient(base_url=self.base, limits=limits, timeout=30) as client:
            await self._visit(client)

    async def _visit(self, client: httpx.AsyncClient) -> None:
        api = f"/widget/v1/{self.key}"
        response = await client.post(f"{api}/session", json={})
        response.raise_for_status()
        headers = {"X-Widget-Token": response.json()["token"]}
        conversation: int | None = None
        stream_task: asyncio.Task[None] | None = None

        async def follow() -> None:
            try:
                async with client.stream(
                    "GET", f"{api}/stream", headers=headers, timeout=httpx.Timeout(10, read=None)
                ) as stream:
                    async for _line in stream.aiter_lines():
                        if self.stop.is_set():
                            return
            except httpx.HTTPError:
                if not self.stop.is_set():
                    self.stream_errors += 1

        stream_task = asyncio.create_task(follow())
        self.connected += 1
        await asyncio.sleep(random.uniform(0, self.interval))
        try:
            while not self.stop.is_set():
                started = time.perf_counter()
                if conversation is not None:
                    self.pending[conversation] = started
                try:
                    sent = await client.post(
                        f"{api}/messages",
                        json={"client_id": uuid.uuid4().hex, "text": "Где мой заказ?"},
                        headers=headers,
                    )
                    sent.raise_for_status()
                    self.sent += 1
                    if self.measuring:
                        self.send_ms.append((time.perf_counter() - started) * 1000)
                        timing = sent.headers.get("server-timing", "")
                        if "dur=" in timing:
                            self.server_ms.append(float(timing.split("dur=")[1].split(",")[0]))
                    if conversation is None:
                        conversation = int(sent.json()["message"]["conversation_id"])
                        # The stream now follows the new conversation: reconnect, as the script does.
                        stream_task.cancel()
                        stream_task = asyncio.create_task(follow())
                except httpx.HTTPError:
                    self.failed += 1
                # ±10% jitter, as independent people have: with an exact period, visitors held up
                # together once (a pause anywhere) would keep arriving together every interval.
                period = self.interval * random.uniform(0.9, 1.1)
                await asyncio.sleep(max(0.0, period - (time.perf_counter() - started)))
        finally:
            stream_task.cancel()


async def drive(base: str, key: str, args: argparse.Namespace, server_pid: int) -> dict[str, Any]:
    run = Run(base, key, args.interval)
    async with httpx.AsyncClient(base_url=base, timeout=30) as operator:
        login = await operator.post(
            "/api/v1/auth/login", json={"email": common.ADMIN_EMAIL, "password": common.ADMIN_PASSWORD}
        )
        login.raise_for_status()
        operator_task = asyncio.create_task(run.operator_stream(operator))
        # Visitors arrive at 20 a second: each arrival costs a session, two stream openings and a
        # first message, and a faster ramp leaves a backlog that would still be draining when
        # the measured window begins.
        ramp = max(5.0, args.visitors / 20)
        common.log(f"connecting {args.visitors} visitors over {ramp:.0f} s")
        # The generator holds a thousand clients too: the same collector setting as the server
        # (zabota.api.app.tune_garbage_collector), or its own pauses would count as latency.
        tune_garbage_collector()
        tasks = [asyncio.create_task(run.visitor(ramp)) for _ in range(args.visitors)]
        await asyncio.sleep(ramp + args.interval)
        common.log(f"{run.connected} connected, {run.sent} sent; measuring for {args.duration:.0f} s")
        before = common.cpu_snapshot()
        run.measuring = True
        sent_before = run.sent
        await asyncio.sleep(args.duration)
        run.measuring = False
        after = common.cpu_snapshot()
        sent = run.sent - sent_before
        run.stop.set()
        for task in [*tasks, operator_task]:
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*tasks, operator_task, return_exceptions=True)
    per_pid = after.per_pid
    server_pids = common._descendants(per_pid, server_pid)
    me = os.getpid()
    split = common.cpu_split(
        before,
        after,
        {
            "zabota server": lambda pid, comm: pid in server_pids,
            "bench generator": lambda pid, comm: pid == me,
            "postgres": lambda pid, comm: comm.startswith("postgres"),
            "redis": lambda pid, comm: comm.startswith("redis"),
        },
    )
    latencies = sorted(ms for _, ms in run.timeline)
    if run.timeline:
        # Where the slow ones fall: spread evenly (steady overload) or in bursts (stalls).
        start = run.timeline[0][0]
        slow = [int(when - start) for when, ms in run.timeline if ms > 200]
        if slow:
            common.log(f"{len(slow)} deliveries over 200 ms, in seconds {sorted(set(slow))} of the window")
    return {
        "visitors": args.visitors,
        "connected": run.connected,
        "messages_in_window": sent,
        "messages_per_second": sent / args.duration,
        "latency_samples": len(latencies),
        "latency_ms": common.summarise(latencies) if latencies else {},
        "send_ms": common.summarise(run.send_ms) if run.send_ms else {},
        "send_server_ms": common.summarise(run.server_ms) if run.server_ms else {},
        "lost_in_window": max(0, sent - len(latencies)),
        "failed_sends": run.failed,
        "stream_errors": run.stream_errors,
        "operator_reconnects": run.operator_reconnects,
        "cpu": split,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workers = args.workers or (1 if args.mode == "sqlite" else 2)
    dbs = common.Databases(args.pg_url) if args.mode == "pg" else None
    with tempfile.TemporaryDirectory(prefix="zabota-bench-widget-") as scratch:
        workdir = Path(scratch)
        try:
            if dbs is not None:
                common.check_loopback_url(args.pg_url)
                url = dbs.create("widget")
            else:
                url = f"sqlite:///{workdir / 'bench.db'}"
            zenv = Env(url, workdir)
            zenv.redis_url = args.redis_url if args.mode == "pg" else None
            zenv.migrate()
            token = zenv.admin_token()
            with common.Server(zenv, workers) as server:
                created = httpx.post(
                    server.base + "/api/v1/inboxes",
                    json={"channel_type": "widget", "name": "bench", "settings": {}},
                    headers={"Authorization": f"Bearer {token}"},
                )
                created.raise_for_status()
                inbox = created.json()
                key = (inbox.get("settings") or {}).get("key")
                if not key:
                    raise RuntimeError(f"no widget key in {inbox}")
                # uvloop (installed with uvicorn[standard]) keeps the generator's own loop lag,
                # which the latency includes, small with a thousand open streams.
                result = uvloop.run(drive(server.base, key, args, server.pid))
                if args.server_log:
                    args.server_log.write_bytes(server.log_path.read_bytes())
                if result["operator_reconnects"] or result["stream_errors"] or result["failed_sends"]:
                    common.log("server log, last lines:\n" + server.log_tail(40))
        finally:
            if dbs is not None:
                dbs.close()
    result.update(mode=args.mode, workers=workers, interval=args.interval, duration=args.duration)
    lat = result["latency_ms"]
    common.log(
        f"{args.mode}, {workers} process(es), {result['connected']}/{args.visitors} visitors, "
        f"{result['messages_per_second']:.1f} msg/s: latency p50 {lat.get('p50', float('nan')):.1f} ms, "
        f"p95 {lat.get('p95', float('nan')):.1f} ms, "
        f"p99 {lat.get('p99', float('nan')):.1f} ms over {result['latency_samples']} messages"
    )
    send = result["send_ms"]
    inside = result["send_server_ms"]
    common.log(
        f"  the POST alone: p50 {send.get('p50', float('nan')):.1f} ms, p99 {send.get('p99', float('nan')):.1f} ms; "
        f"inside the server p50 {inside.get('p50', float('nan')):.1f} ms, p99 {inside.get('p99', float('nan')):.1f} ms"
    )
    for line in common.format_cpu(result["cpu"], result["messages_in_window"]):
        common.log("  " + line)
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

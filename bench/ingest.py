#!/usr/bin/env python3
"""Ingest throughput and inbox-list latency of `zabota serve` on PostgreSQL, measured.

One command runs everything (see bench/README.md):

    .venv/bin/python bench/ingest.py            # the full run: 100,000 messages, 1,000,000 for the list
    .venv/bin/python bench/ingest.py --quick    # a smoke run with small numbers

Phases, each against its own fresh PostgreSQL database (unique names, dropped at the end):

1. Generator ceiling: `wrk` against GET /healthz (one DB round trip) and against an unmatched
   path (404 problem JSON: routing + middleware + JSON, no DB, no thread pool) of the same server.
2. Ingest through the API: `wrk` with a Lua script posts message i (external_id "bench-i",
   customer "c-(i mod customers)") to POST /api/v1/inboxes/{id}/messages, exactly once each,
   at the given concurrency, for each --workers value. Rows are counted afterwards.
3. Direct baseline: the same rows written with psycopg 3 from threads (one connection each, the
   same concurrency), one transaction per message, with the minimal SQL the operation needs
   (see DIRECT_SQL below; the docstring of `direct_ingest` says exactly what it does).
4. Inbox list: a database seeded with --list-messages messages (server-side INSERT … SELECT),
   then sequential GET /api/v1/conversations?status=open&limit=50 (p50/p95/p99), deeper pages via
   next_cursor, a `wrk -c1` cross-check and EXPLAIN ANALYZE of the query shape.

Only loopback addresses are used. The server subprocess is killed and the databases dropped on
every exit path.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import platform
import re
import resource
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import psycopg

REPO = Path(__file__).resolve().parent.parent
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CLK_TCK = os.sysconf("SC_CLK_TCK")
ADMIN_EMAIL = "bench-admin@example.com"
ADMIN_PASSWORD = "bench-admin-password-123"  # a throwaway account in a throwaway database


def log(message: str) -> None:
    stamp = datetime.now().strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", flush=True)


# --------------------------------------------------------------------------------------------
# Machine facts and CPU accounting (from /proc, so nothing extra is needed)
# --------------------------------------------------------------------------------------------


def machine_facts(pg_admin_url: str) -> dict[str, Any]:
    cpu_model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        pg_settings = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
            for name in ("shared_buffers", "synchronous_commit", "fsync", "max_connections", "work_mem")
        }
    wrk = shutil.which("wrk")
    wrk_version = ""
    if wrk:
        out = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
        wrk_version = (out.stdout + out.stderr).splitlines()[0] if (out.stdout + out.stderr) else ""
    return {
        "zabota": code_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "cpu_model": cpu_model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": pg_version,
        "pg_settings": pg_settings,
        "wrk": wrk_version,
        "command": (f"PYTHONPATH={os.environ['PYTHONPATH']} " if os.environ.get("PYTHONPATH") else "")
        + " ".join(shlex.quote(a) for a in [Path(sys.executable).name, *sys.argv]),
    }


def code_version() -> str:
    """Which zabota the server subprocesses import (as they do: from a scratch directory)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-c", "import zabota; print(zabota.__file__)"],
            capture_output=True,
            text=True,
            cwd=tmp,
            check=False,
        )
    package = Path(out.stdout.strip()).parent if out.returncode == 0 else None
    if package is None:
        return "unknown"

    def git(*args: str) -> str:
        result = subprocess.run(["git", "-C", str(package), *args], capture_output=True, text=True, check=False)
        return result.stdout.strip() if result.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return f"{package} (not a git checkout)"
    dirty = git("status", "--porcelain", "--", ".")
    return f"{package} at commit {commit}" + (" with uncommitted changes under zabota/" if dirty else "")


def _read_stat(pid: int) -> tuple[str, int, float] | None:
    """(comm, ppid, cpu seconds) of a process, or None if it is gone.

    The CPU includes that of its children that exited and were waited for, so that PostgreSQL
    backends which come and go (pool overflow connections) are still counted, via the postmaster.
    """
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    # fields[0] is state (field 3); utime, stime, cutime, cstime are fields 14-17 → indexes 11-14.
    return comm, int(fields[1]), sum(int(x) for x in fields[11:15]) / CLK_TCK


def _all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _system_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    total = sum(parts[:8])
    return (total - idle) / CLK_TCK, total / CLK_TCK


@dataclass
class CpuSnapshot:
    per_pid: dict[int, tuple[str, int, float]]
    system_busy: float
    system_total: float
    wall: float


def cpu_snapshot() -> CpuSnapshot:
    per_pid = {}
    for pid in _all_pids():
        stat = _read_stat(pid)
        if stat is not None:
            per_pid[pid] = stat
    busy, total = _system_busy()
    return CpuSnapshot(per_pid, busy, total, time.monotonic())


def _descendants(per_pid: dict[int, tuple[str, int, float]], root: int) -> set[int]:
    found = {root}
    changed = True
    while changed:
        changed = False
        for pid, (_, ppid, _) in per_pid.items():
            if ppid in found and pid not in found:
                found.add(pid)
                changed = True
    return found


def cpu_split(
    before: CpuSnapshot, after: CpuSnapshot, groups: dict[str, Callable[[int, str], bool]]
) -> dict[str, float]:
    """CPU seconds used between two snapshots, per named group of processes, plus the machine total.

    A process that exited in between is missed; one that started in between counts from zero.
    """
    out = dict.fromkeys(groups, 0.0)
    for pid, (comm, _, cpu) in after.per_pid.items():
        start = before.per_pid.get(pid)
        used = cpu - (start[2] if start is not None and start[0] == comm else 0.0)
        for name, match in groups.items():
            if match(pid, comm):
                out[name] += used
                break
    out["machine (all processes)"] = after.system_busy - before.system_busy
    out["other processes"] = max(0.0, out["machine (all processes)"] - sum(out[name] for name in groups))
    out["wall seconds"] = after.wall - before.wall
    return out


def format_cpu(split: dict[str, float], messages: int) -> list[str]:
    wall = split["wall seconds"]
    lines = []
    for name, used in split.items():
        if name == "wall seconds":
            continue
        per_msg = used / messages * 1000 if messages else 0.0
        lines.append(f"{name}: {used:.1f} CPU-s ({used / wall:.2f} cores, {per_msg:.2f} CPU-ms/message)")
    return lines


# --------------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------------


def check_loopback_url(url: str) -> None:
    host = urlparse(url).hostname or ""
    if host not in LOOPBACK:
        raise SystemExit(f"refusing to use a database that is not on loopback: {host!r}")


def db_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


class Databases:
    """Creates uniquely named databases and drops every one of them on close()."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.run_id = uuid.uuid4().hex[:8]
        self.created: list[str] = []

    def create(self, purpose: str) -> str:
        name = f"zabota_bench_{self.run_id}_{purpose}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return db_url(self.admin_url, name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.created:
            self.created.remove(name)

    def close(self) -> None:
        for name in list(self.created):
            try:
                self.drop(db_url(self.admin_url, name))
            except psycopg.Error as exc:
                log(f"could not drop {name}: {exc}")


def checkpoint(admin_url: str) -> None:
    """Flush dirty buffers so that one phase's checkpoint does not land in the next one."""
    with contextlib.suppress(psycopg.Error), psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")


# --------------------------------------------------------------------------------------------
# The zabota CLI and server
# --------------------------------------------------------------------------------------------


def zabota_command() -> list[str]:
    script = Path(sys.executable).parent / "zabota"
    return [str(script)] if script.exists() else [sys.executable, "-m", "zabota.cli.main"]


@dataclass
class ZabotaEnv:
    url: str
    workdir: Path
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.url,
            ZABOTA_DATA_DIR=str(self.workdir / "var"),
            SECRET_KEY=self.secret_key,
            RUN_JOBS_IN_PROCESS="false",
        )
        return env

    def run(self, *args: str, timeout: float = 300) -> str:
        # cwd is a scratch directory so that a developer's .env is not picked up.
        out = subprocess.run(
            [*zabota_command(), *args],
            env=self.env(),
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(f"zabota {' '.join(args)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
        return out.stdout

    def migrate(self) -> None:
        self.run("migrate")

    def admin_token(self) -> str:
        self.run(
            "create-user",
            "--email",
            ADMIN_EMAIL,
            "--name",
            "Bench Admin",
            "--role",
            "admin",
            "--password",
            ADMIN_PASSWORD,
            "--language",
            "en",
        )
        out = self.run("api-token", ADMIN_EMAIL, "--name", "bench")
        tokens = re.findall(r"zbt_\S+", out)
        if not tokens:
            raise RuntimeError(f"no token in the output of `zabota api-token`: {out!r}")
        return tokens[-1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`zabota serve --no-jobs` as a subprocess in its own process group."""

    def __init__(self, zenv: ZabotaEnv, workers: int) -> None:
        self.zenv = zenv
        self.workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = zenv.workdir / f"serve-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        cmd = [
            *zabota_command(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--no-jobs",
            "--log-level",
            "warning",
        ]
        with self.log_path.open("wb") as out:
            self.proc = subprocess.Popen(
                cmd,
                env=self.zenv.env(),
                cwd=self.zenv.workdir,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_healthy()
        return self

    def _wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"zabota serve exited with {self.proc.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    # With several workers, wait until every one listens: a process listens only
                    # once started, and wrk's connections would all go to the processes already up.
                    while listening_sockets(self.port) < self.workers and time.monotonic() < deadline:
                        time.sleep(0.2)
                    return
            time.sleep(0.2)
        raise RuntimeError(f"zabota serve did not become healthy in {timeout:.0f}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def __exit__(self, *exc: object) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)


def create_api_inbox(base: str, admin_token: str) -> tuple[int, str]:
    response = httpx.post(
        base + "/api/v1/inboxes",
        json={"channel_type": "api", "name": "bench"},
        headers={"Authorization": f"Bearer {admin_token}"},
        timeout=30,
    )
    response.raise_for_status()
    body = response.json()
    return int(body["id"]), str(body["token"])


# --------------------------------------------------------------------------------------------
# wrk
# --------------------------------------------------------------------------------------------


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit(
            "This benchmark needs `wrk` as its load generator (a Python client on 2 cores tops out near "
            "300 requests/s). Install it with:  apt-get install -y wrk"
        )
    return wrk


def _parse_wrk(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {"raw": text}
    if m := re.search(r"Requests/sec:\s+([\d.]+)", text):
        out["rps"] = float(m.group(1))
    if m := re.search(r"(\d+) requests in ([\d.]+)(\w+)", text):
        out["requests"] = int(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    out["socket_errors"] = sum(int(x) for x in m.groups()) if m else 0
    for pct in ("50", "90", "99"):
        if m := re.search(rf"^\s+{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE):
            value, unit = float(m.group(1)), m.group(2)
            out[f"p{pct}_ms"] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    return out


def wrk_ceiling(wrk: str, url: str, *, threads: int, connections: int, seconds: int) -> dict[str, Any]:
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency", url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    result = _parse_wrk(out.stdout + out.stderr)
    result["command"] = " ".join(cmd)
    return result


LUA_INGEST = r"""
-- Generated by bench/ingest.py: post messages 0..N-1 exactly once each.
-- Thread t sends messages t, t+THREADS, t+2*THREADS, ...; once its share has been answered it
-- stops. While a thread waits for its last answers, its idle connections send GET /healthz as
-- filler, throttled by delay() to one per connection every 200 ms; response() ignores them.
-- wrk calls request() once on thread 0 right after init() to verify the script: that call gets
-- a filler, so that no message number is used up by a request that is never sent.
local N = __N__
local CUSTOMERS = __CUSTOMERS__
local THREADS = __THREADS__
local PATH = "/api/v1/inboxes/__INBOX__/messages"
local created_threads = 0
local threads = {}

function setup(thread)
  thread:set("tid", created_threads)
  created_threads = created_threads + 1
  table.insert(threads, thread)
end

function init(args)
  next_i = tid
  share = 0
  if tid < N then share = math.floor((N - 1 - tid) / THREADS) + 1 end
  sent, answered, created, duplicate, failed = 0, 0, 0, 0, 0
  finished = false
  verifying = (tid == 0)
  waiting_since = nil
  filler = wrk.format("GET", "/healthz")
end

local function finish()
  finished = true
  io.stderr:write("ZBENCH_THREAD_DONE " .. tid .. "\n")
  io.stderr:flush()
  wrk.thread:stop()
end

function request()
  if verifying then
    verifying = false
    return filler
  end
  if sent >= share then
    if share == 0 and not finished then finish() end
    waiting_since = waiting_since or os.time()
    -- A request lost to a socket error is never answered: give up after 60 s (the rows are
    -- counted in the database afterwards, so a loss shows there).
    if os.time() - waiting_since > 60 and not finished then finish() end
    return filler
  end
  local i = next_i
  next_i = next_i + THREADS
  sent = sent + 1
  local c = i % CUSTOMERS
  local body = string.format(
    '{"external_id":"bench-%d","customer":{"identifier":"c-%d","name":"Customer %d"},' ..
    '"text":"Hello! This is message %d from customer %d: where is my order, please?"}',
    i, c, c, i, c)
  return wrk.format("POST", PATH, nil, body)
end

function delay()
  if sent >= share then return 200 end
  return 0
end

function response(status, headers, body)
  if body ~= nil and (string.find(body, '"database"', 1, true) or string.find(body, "db_down", 1, true)) then
    return -- a filler's answer
  end
  answered = answered + 1
  if status == 201 then created = created + 1
  elseif status == 200 then duplicate = duplicate + 1
  else failed = failed + 1 end
  if answered >= share and not finished then finish() end
end

function done(summary, latency, requests)
  local t = {sent = 0, answered = 0, created = 0, duplicate = 0, failed = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    "ZBENCH_RESULT sent=%d answered=%d created=%d duplicate=%d failed=%d duration_us=%d requests=%d " ..
    "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d " ..
    "p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    t.sent, t.answered, t.created, t.duplicate, t.failed, summary.duration, summary.requests,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


@dataclass
class IngestRun:
    label: str
    messages: int
    seconds: float
    counts: dict[str, int]
    detail: dict[str, Any]
    cpu: dict[str, float]

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0


def wrk_ingest(
    wrk: str,
    server: Server,
    inbox_id: int,
    inbox_token: str,
    *,
    messages: int,
    customers: int,
    concurrency: int,
    threads: int,
    max_seconds: int,
    workdir: Path,
) -> tuple[float, dict[str, Any], dict[str, float]]:
    """Run the Lua-driven ingest; returns (seconds until the last answer, wrk's numbers, CPU split)."""
    script = workdir / "ingest.lua"
    lua = LUA_INGEST
    for key, value in {"N": messages, "CUSTOMERS": customers, "THREADS": threads, "INBOX": inbox_id}.items():
        lua = lua.replace(f"__{key}__", str(value))
    script.write_text(lua)
    cmd = [
        wrk,
        f"-t{threads}",
        f"-c{concurrency}",
        f"-d{max_seconds}s",
        "--timeout",
        "60s",
        "-s",
        str(script),
        "-H",
        f"Authorization: Bearer {inbox_token}",
        "-H",
        "Content-Type: application/json",
        f"{server.base}/api/v1/inboxes/{inbox_id}/messages",
    ]
    done_at: list[float] = []
    snapshots: list[CpuSnapshot] = []
    before = cpu_snapshot()
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stderr_lines: list[str] = []

    def watch_stderr() -> None:
        assert proc.stderr is not None
        finished = 0
        for line in proc.stderr:
            stderr_lines.append(line)
            if line.startswith("ZBENCH_THREAD_DONE"):
                finished += 1
                if finished == threads:
                    done_at.append(time.monotonic())
                    snapshots.append(cpu_snapshot())  # while wrk still runs, so that its CPU is seen
                    with contextlib.suppress(ProcessLookupError):
                        proc.send_signal(signal.SIGINT)  # wrk then prints its summary and exits

    watcher = threading.Thread(target=watch_stderr, daemon=True)
    watcher.start()
    progress_every = 30.0
    next_progress = started + progress_every
    try:
        with psycopg.connect(server.zenv.url, autocommit=True) as conn:
            while proc.poll() is None:
                time.sleep(0.2)
                if time.monotonic() >= next_progress:
                    count = conn.execute("SELECT count(*) FROM messages").fetchone()[0]  # type: ignore[index]
                    elapsed = time.monotonic() - started
                    log(f"  … {count:,} messages stored after {elapsed:.0f}s ({count / elapsed:.0f}/s)")
                    next_progress += progress_every
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    stdout = proc.stdout.read() if proc.stdout else ""
    watcher.join(timeout=5)
    after = snapshots[0] if snapshots else cpu_snapshot()
    end = done_at[0] if done_at else time.monotonic()
    result = _parse_wrk(stdout)
    result["command"] = " ".join(shlex.quote(c) for c in cmd).replace(inbox_token, "<inbox token>")
    result["completed"] = bool(done_at)
    if m := re.search(r"ZBENCH_RESULT (.*)", stdout):
        result.update({k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())})
    else:
        result["missing_result_line"] = True
        result["stderr"] = "".join(stderr_lines[-20:])
    server_pids = _descendants(after.per_pid, server.pid)
    split = cpu_split(
        before,
        after,
        {
            "zabota serve": lambda pid, comm: pid in server_pids,
            "postgres": lambda pid, comm: comm == "postgres",
            "wrk": lambda pid, comm: pid == proc.pid,
        },
    )
    split["wall seconds"] = end - started
    return end - started, result, split


def listening_sockets(port: int) -> int:
    """TCP sockets listening on this local port (one per `zabota serve` process, ADR 8)."""
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for f in map(str.split, lines) if int(f[1].split(":")[1], 16) == port and f[3] == "0A")


def group_commit_fallbacks(base: str, scrapes: int = 40) -> dict[str, float]:
    """Group-commit batches that fell back to one by one, summed over the server's processes.

    /metrics is per process; each scrape on a new connection lands on one of them, told apart
    by process_start_time_seconds (two started in the same 10 ms count as one, so the number
    of processes seen is reported beside it). The transactions are counted in the database.
    """
    from prometheus_client.parser import text_string_to_metric_families

    per_process: dict[float, dict[str, float]] = {}
    for _ in range(scrapes):
        try:
            text = httpx.get(f"{base}/metrics", timeout=10).text
        except httpx.HTTPError:
            continue
        values: dict[str, float] = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                values[sample.name] = sample.value
        if "process_start_time_seconds" in values:
            per_process[values["process_start_time_seconds"]] = values
    return {
        "processes seen": len(per_process),
        "fallbacks": sum(v.get("zabota_ingest_batch_fallbacks_total", 0) for v in per_process.values()),
    }


def db_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        out = {}
        for table in ("messages", "customers", "customer_identities", "conversations", "domain_events"):
            out[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
        row = conn.execute(
            "SELECT count(DISTINCT external_id), count(*) FILTER (WHERE external_id LIKE 'bench-%%') FROM messages"
        ).fetchone()
        assert row is not None
        out["distinct_external_ids"], out["bench_messages"] = row[0], row[1]
        # A group-commit batch stamps all its messages with one created_at: distinct stamps count
        # the transactions of every process, where /metrics scrapes may miss a process.
        out["bench_commit_stamps"] = conn.execute(
            "SELECT count(DISTINCT created_at) FROM messages WHERE external_id LIKE 'bench-%%'"
        ).fetchone()[0]  # type: ignore[index]
        out["sum_conversation_message_count"] = conn.execute(
            "SELECT coalesce(sum(message_count), 0) FROM conversations"
        ).fetchone()[0]  # type: ignore[index]
        span = conn.execute("SELECT extract(epoch FROM max(created_at) - min(created_at)) FROM messages").fetchone()
        out["created_at_span_ms"] = int(float(span[0] or 0) * 1000) if span else 0  # type: ignore[index]
    return out


# --------------------------------------------------------------------------------------------
# The direct baseline
# --------------------------------------------------------------------------------------------

DIRECT_SQL = {
    # Steady state: the identity is known. Touch the customer (as zabota does with last_seen_at);
    # the UPDATE also takes the customer's row lock, which serialises one customer's messages.
    "touch_customer": """
        UPDATE customers SET last_seen_at = now(), updated_at = now()
        FROM customer_identities ci
        WHERE ci.channel = %(channel)s AND ci.external_id = %(ident)s AND customers.id = ci.customer_id
        RETURNING customers.id""",
    # First contact: a customer row and its identity. A concurrent first contact of the same
    # identity loses on the unique (channel, external_id) and the transaction is retried.
    "new_customer": """
        WITH c AS (
            INSERT INTO customers (name, attributes, consents, created_at, updated_at, last_seen_at)
            VALUES (%(name)s, '{}', '{}', now(), now(), now()) RETURNING id)
        INSERT INTO customer_identities (customer_id, channel, external_id, created_at)
        SELECT id, %(channel)s, %(ident)s, now() FROM c
        ON CONFLICT (channel, external_id) DO NOTHING
        RETURNING customer_id""",
    # The customer's latest unresolved conversation on this inbox takes the message: bump it.
    "touch_conversation": """
        UPDATE conversations SET
            last_message_at = now(), last_activity_at = now(), last_message_preview = %(preview)s,
            message_count = message_count + 1,
            first_customer_message_at = coalesce(first_customer_message_at, now()),
            cycle_first_customer_message_at = coalesce(cycle_first_customer_message_at, now()),
            awaiting_reply_since = coalesce(awaiting_reply_since, now()),
            status = 'open', snoozed_until = NULL, updated_at = now()
        WHERE id = (SELECT id FROM conversations
                    WHERE customer_id = %(customer)s AND inbox_id = %(inbox)s AND status <> 'resolved'
                    ORDER BY id DESC LIMIT 1)
        RETURNING id""",
    "new_conversation": """
        INSERT INTO conversations (
            inbox_id, channel, customer_id, status, urgent, important, priority_manual, subject,
            last_message_preview, opened_at, first_customer_message_at, cycle_first_customer_message_at,
            awaiting_reply_since, last_message_at, last_activity_at, reopened_count, message_count,
            created_at, updated_at)
        VALUES (%(inbox)s, 'api', %(customer)s, 'open', false, false, false, '',
            %(preview)s, now(), now(), now(), now(), now(), now(), 0, 1, now(), now())
        RETURNING id""",
    # Idempotent on (inbox, external_id), like the API; a duplicate rolls the transaction back.
    "insert_message": """
        INSERT INTO messages (conversation_id, inbox_id, direction, author_kind, text, attachments,
                              external_id, delivery_status, created_at)
        VALUES (%(conversation)s, %(inbox)s, 'in', 'customer', %(text)s, '[]', %(external_id)s, 'received', now())
        ON CONFLICT (inbox_id, external_id) DO NOTHING
        RETURNING id""",
}


def message_fields(i: int, customers: int) -> dict[str, Any]:
    """The same message i as the Lua script sends."""
    c = i % customers
    text = f"Hello! This is message {i} from customer {c}: where is my order, please?"
    return {"external_id": f"bench-{i}", "ident": f"c-{c}", "name": f"Customer {c}", "text": text, "preview": text}


def direct_ingest(
    url: str, *, inbox_id: int, messages: int, customers: int, concurrency: int
) -> tuple[float, dict[str, Any], dict[str, float]]:
    """Write the same rows with psycopg 3, one transaction per message, from `concurrency` threads.

    Each thread holds one connection and takes the next message number from a shared counter.
    Per message, in one transaction (statement texts in DIRECT_SQL):
      1. touch_customer: UPDATE the customer found by its identity (last_seen_at), RETURNING id;
         if none: new_customer (INSERT customer + identity in one statement; retry on a race).
      2. touch_conversation: UPDATE the customer's latest unresolved conversation on the inbox
         (preview, counters, timestamps), RETURNING id; if none: new_conversation (INSERT).
      3. insert_message: INSERT … ON CONFLICT (inbox_id, external_id) DO NOTHING RETURNING id;
         no row means a duplicate: roll back.
      4. COMMIT.
    So 3 statements + BEGIN/COMMIT for a returning customer, 5 for a first contact. No domain
    events, no API-token or inbox lookups: that is zabota's own cost and part of what is measured.
    """
    channel = f"api:{inbox_id}"
    counter = itertools.count()
    lock = threading.Lock()
    stats = {"committed": 0, "duplicates": 0, "retries": 0, "errors": 0}
    latencies: list[float] = []
    errors: list[str] = []

    def worker() -> None:
        local_lat: list[float] = []
        local = {"committed": 0, "duplicates": 0, "retries": 0, "errors": 0}
        with psycopg.connect(url) as conn:
            start_line.wait()
            while True:
                i = next(counter)
                if i >= messages:
                    break
                params = message_fields(i, customers) | {"channel": channel, "inbox": inbox_id}
                t0 = time.perf_counter()
                for _attempt in range(5):
                    try:
                        outcome = _direct_one(conn, params)
                    except psycopg.errors.Error as exc:
                        conn.rollback()
                        local["errors"] += 1
                        if len(errors) < 5:
                            errors.append(repr(exc))
                        continue
                    if outcome == "retry":
                        local["retries"] += 1
                        continue
                    local["committed" if outcome == "ok" else "duplicates"] += 1
                    break
                local_lat.append(time.perf_counter() - t0)
            finish_line.wait()  # the connection (and its backend's CPU count) lives until measured
        with lock:
            for k, v in local.items():
                stats[k] += v
            latencies.extend(local_lat)

    # Connections are opened before the clock starts and closed after it stops: the barriers'
    # actions take the measurements while every thread waits.
    marks: dict[str, Any] = {}

    def mark_start() -> None:
        marks["before"], marks["usage_before"] = cpu_snapshot(), resource.getrusage(resource.RUSAGE_SELF)
        marks["started"] = time.monotonic()

    def mark_end() -> None:
        marks["seconds"] = time.monotonic() - marks["started"]
        marks["after"], marks["usage_after"] = cpu_snapshot(), resource.getrusage(resource.RUSAGE_SELF)

    start_line = threading.Barrier(concurrency + 1, action=mark_start, timeout=120)
    finish_line = threading.Barrier(concurrency + 1, action=mark_end, timeout=7200)
    threads = [threading.Thread(target=worker, name=f"direct-{n}") for n in range(concurrency)]
    for t in threads:
        t.start()
    start_line.wait()
    finish_line.wait()
    for t in threads:
        t.join()
    before, after, seconds = marks["before"], marks["after"], marks["seconds"]
    usage_before, usage_after = marks["usage_before"], marks["usage_after"]
    me = os.getpid()
    split = cpu_split(
        before,
        after,
        {"postgres": lambda pid, comm: comm == "postgres", "bench client (this process)": lambda pid, comm: pid == me},
    )
    split["bench client (this process)"] = (usage_after.ru_utime + usage_after.ru_stime) - (
        usage_before.ru_utime + usage_before.ru_stime
    )
    split["wall seconds"] = seconds
    latencies.sort()
    detail: dict[str, Any] = dict(stats)
    detail["errors_sample"] = errors
    if latencies:
        detail["p50_ms"] = latencies[len(latencies) // 2] * 1000
        detail["p99_ms"] = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return seconds, detail, split


def _direct_one(conn: psycopg.Connection[Any], p: dict[str, Any]) -> str:
    row = conn.execute(DIRECT_SQL["touch_customer"], p).fetchone()
    if row is None:
        row = conn.execute(DIRECT_SQL["new_customer"], p).fetchone()
        if row is None:  # someone else created this identity first
            conn.rollback()
            return "retry"
    p = p | {"customer": row[0]}
    row = conn.execute(DIRECT_SQL["touch_conversation"], p).fetchone()
    if row is None:
        row = conn.execute(DIRECT_SQL["new_conversation"], p).fetchone()
        assert row is not None
    p = p | {"conversation": row[0]}
    if conn.execute(DIRECT_SQL["insert_message"], p).fetchone() is None:
        conn.rollback()
        return "duplicate"
    conn.commit()
    return "ok"


def direct_inbox(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "INSERT INTO inboxes (channel_type, name, settings, secrets_encrypted, token_prefix, token_hash, "
            "is_active, created_at) VALUES ('api', 'bench-direct', '{}', '', %s, %s, true, now()) RETURNING id",
            (secrets.token_hex(6), "0" * 64),
        ).fetchone()
        assert row is not None
        return int(row[0])


# --------------------------------------------------------------------------------------------
# Inbox list
# --------------------------------------------------------------------------------------------

SEED_SQL = [
    # %(…)s parameters: inbox, admin, customers, conversations, per_conv
    """INSERT INTO customers (id, name, attributes, consents, created_at, updated_at, last_seen_at)
       SELECT g, 'Customer ' || g, '{}', '{}', now() - interval '400 days', now(), now()
       FROM generate_series(1, %(customers)s) g""",
    """INSERT INTO customer_identities (customer_id, channel, external_id, created_at)
       SELECT g, 'api:' || %(inbox)s, 'c-' || g, now() - interval '400 days'
       FROM generate_series(1, %(customers)s) g""",
    # Conversation c: customer ((c-1) mod customers)+1; status by a hash of c: 20% open,
    # 10% pending, 5% snoozed, 65% resolved; last activity spread over 180 days; its messages
    # are 5 minutes apart and end at last_activity_at. 70% are assigned to the admin.
    """INSERT INTO conversations (
           id, inbox_id, channel, customer_id, department_id, assignee_id, status, snoozed_until,
           urgent, important, priority_manual, subject, last_message_preview, opened_at,
           first_customer_message_at, first_human_reply_at, cycle_first_customer_message_at,
           cycle_first_human_reply_at, awaiting_reply_since, last_message_at, last_activity_at,
           resolved_at, reopened_count, message_count, created_at, updated_at)
       SELECT c, %(inbox)s, 'api', ((c - 1) %% %(customers)s) + 1, NULL,
              CASE WHEN (c * 13) %% 10 < 7 THEN %(admin)s END,
              s.status,
              CASE WHEN s.status = 'snoozed' THEN now() + interval '1 day' END,
              (c %% 17 = 0), (c %% 11 = 0), false, '',
              'Seed message ' || (%(per_conv)s - 1) || ' of conversation ' || c,
              t.first_at, t.first_at, t.first_at + interval '5 minutes', t.first_at,
              t.first_at + interval '5 minutes',
              CASE WHEN s.status = 'open' THEN t.last_at END,
              t.last_at, t.last_at,
              CASE WHEN s.status = 'resolved' THEN t.last_at END,
              0, %(per_conv)s, t.first_at, t.last_at
       FROM generate_series(1, %(conversations)s) c
       CROSS JOIN LATERAL (SELECT CASE WHEN (c * 37) %% 100 < 20 THEN 'open'
                                       WHEN (c * 37) %% 100 < 30 THEN 'pending'
                                       WHEN (c * 37) %% 100 < 35 THEN 'snoozed'
                                       ELSE 'resolved' END AS status) s
       CROSS JOIN LATERAL (SELECT date_trunc('second', now()) - ((c::bigint * 7919) %% 15552000) * interval '1 second'
                                  AS last_at) l
       CROSS JOIN LATERAL (SELECT l.last_at - (%(per_conv)s - 1) * interval '5 minutes' AS first_at,
                                  l.last_at AS last_at) t""",
    # Message m belongs to conversation (m-1)/per_conv+1 and is its k-th (k = (m-1) mod per_conv);
    # even k are the customer's, odd k the operator's, and an open conversation ends with the customer.
    """INSERT INTO messages (id, conversation_id, inbox_id, direction, author_kind, author_user_id, text,
                             html, attachments, external_id, delivery_status, created_at, sent_at)
       SELECT m, cv.id, %(inbox)s, d.direction,
              CASE WHEN d.direction = 'in' THEN 'customer' ELSE 'operator' END,
              CASE WHEN d.direction = 'out' THEN %(admin)s END,
              'Seed message ' || k || ' of conversation ' || cv.id, NULL, '[]',
              CASE WHEN d.direction = 'in' THEN 'seed-' || m END,
              CASE WHEN d.direction = 'in' THEN 'received' ELSE 'sent' END,
              cv.opened_at + k * interval '5 minutes',
              CASE WHEN d.direction = 'out' THEN cv.opened_at + k * interval '5 minutes' END
       FROM generate_series(1, %(messages)s) m
       CROSS JOIN LATERAL (SELECT (m - 1) %% %(per_conv)s AS k, (m - 1) / %(per_conv)s + 1 AS conv) x
       JOIN conversations cv ON cv.id = x.conv
       CROSS JOIN LATERAL (SELECT CASE WHEN k %% 2 = 0 OR (k = %(per_conv)s - 1 AND cv.status = 'open')
                                       THEN 'in' ELSE 'out' END AS direction) d""",
    "SELECT setval(pg_get_serial_sequence('customers', 'id'), %(customers)s)",
    "SELECT setval(pg_get_serial_sequence('conversations', 'id'), %(conversations)s)",
    "SELECT setval(pg_get_serial_sequence('messages', 'id'), %(messages)s)",
]

LIST_SQL = """SELECT conversations.id, conversations.inbox_id, conversations.channel, conversations.customer_id,
  conversations.department_id, conversations.assignee_id, conversations.status, conversations.snoozed_until,
  conversations.urgent, conversations.important, conversations.priority_manual, conversations.subject,
  conversations.last_message_preview, conversations.opened_at, conversations.first_customer_message_at,
  conversations.first_human_reply_at, conversations.cycle_first_customer_message_at,
  conversations.cycle_first_human_reply_at, conversations.awaiting_reply_since, conversations.last_message_at,
  conversations.last_activity_at, conversations.resolved_at, conversations.reopened_count,
  conversations.message_count, conversations.created_at, conversations.updated_at
FROM conversations
WHERE conversations.status IN ('open'){cursor}
ORDER BY conversations.last_activity_at DESC, conversations.id DESC
LIMIT 51"""


def seed_list_database(url: str, *, messages: int, per_conv: int = 10) -> dict[str, int]:
    conversations = max(1, messages // per_conv)
    messages = conversations * per_conv
    customers = max(1, conversations * 6 // 10)
    with psycopg.connect(url) as conn:
        inbox = conn.execute(
            "INSERT INTO inboxes (channel_type, name, settings, secrets_encrypted, token_prefix, token_hash, "
            "is_active, created_at) VALUES ('api', 'seed', '{}', '', %s, %s, true, now()) RETURNING id",
            (secrets.token_hex(6), "0" * 64),
        ).fetchone()[0]  # type: ignore[index]
        admin = conn.execute("SELECT id FROM users WHERE email = %s", (ADMIN_EMAIL,)).fetchone()[0]  # type: ignore[index]
        params = {
            "inbox": inbox,
            "admin": admin,
            "customers": customers,
            "conversations": conversations,
            "messages": messages,
            "per_conv": per_conv,
        }
        for statement in SEED_SQL:
            conn.execute(statement, params)  # type: ignore[arg-type]
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        counts = {}
        for table in ("messages", "conversations", "customers"):
            counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
        counts["open_conversations"] = conn.execute(
            "SELECT count(*) FROM conversations WHERE status = 'open'"
        ).fetchone()[0]  # type: ignore[index]
    return counts


def explain_list(url: str) -> dict[str, str]:
    plans = {}
    with psycopg.connect(url, autocommit=True) as conn:
        first = LIST_SQL.format(cursor="")
        plans["first page"] = "\n".join(
            r[0]
            for r in conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + first).fetchall()  # type: ignore[arg-type]
        )
        row = conn.execute(
            "SELECT last_activity_at, id FROM conversations WHERE status = 'open' "
            "ORDER BY last_activity_at DESC, id DESC OFFSET 1000 LIMIT 1"
        ).fetchone()
        if row is not None:
            deep = LIST_SQL.format(cursor=" AND (conversations.last_activity_at, conversations.id) < (%s, %s)")
            plans["page 21 (cursor after 1,000 rows)"] = "\n".join(
                r[0]
                for r in conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + deep, row).fetchall()  # type: ignore[arg-type]
            )
    return plans


def percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def summarise(values_ms: list[float]) -> dict[str, float]:
    s = sorted(values_ms)
    return {
        "n": len(s),
        "p50": percentile(s, 50),
        "p95": percentile(s, 95),
        "p99": percentile(s, 99),
        "max": s[-1] if s else 0.0,
        "mean": statistics.fmean(s) if s else 0.0,
    }


def measure_list(base: str, token: str, *, requests: int, deep_pages: int, deep_repeats: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    url = base + "/api/v1/conversations"
    params = {"status": "open", "limit": "50"}
    out: dict[str, Any] = {}
    with httpx.Client(headers=headers, timeout=30) as client:
        for _ in range(min(50, requests)):  # warm-up: connections, caches, prepared plans
            client.get(url, params=params).raise_for_status()
        times: list[float] = []
        items = 0
        for _ in range(requests):
            t0 = time.perf_counter()
            response = client.get(url, params=params)
            times.append((time.perf_counter() - t0) * 1000)
            response.raise_for_status()
            items = len(response.json()["items"])
        out["first_page"] = summarise(times)
        out["items_per_page"] = items
        out["response_bytes"] = len(response.content)
        by_depth: dict[str, list[float]] = {"pages 2-5": [], f"pages 6-{deep_pages}": []}
        for _ in range(deep_repeats):
            cursor = None
            for page in range(1, deep_pages + 1):
                query = dict(params, cursor=cursor) if cursor else params
                t0 = time.perf_counter()
                response = client.get(url, params=query)
                elapsed = (time.perf_counter() - t0) * 1000
                response.raise_for_status()
                if page >= 2:
                    by_depth["pages 2-5" if page <= 5 else f"pages 6-{deep_pages}"].append(elapsed)
                cursor = response.json()["next_cursor"]
                if not cursor:
                    break
        out["deeper_pages"] = {k: summarise(v) for k, v in by_depth.items() if v}
    return out


def wrk_list(wrk: str, base: str, token: str, seconds: int) -> dict[str, Any]:
    cmd = [
        wrk,
        "-t1",
        "-c1",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-H",
        f"Authorization: Bearer {token}",
        f"{base}/api/v1/conversations?status=open&limit=50",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    result = _parse_wrk(out.stdout + out.stderr)
    result["command"] = " ".join(cmd).replace(token, "<admin token>")
    return result


# --------------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100_000, help="messages to ingest per run")
    parser.add_argument("--customers", type=int, default=10_000, help="distinct customers among them")
    parser.add_argument("--concurrency", type=int, default=32, help="connections (wrk) / threads (direct)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (-t)")
    parser.add_argument("--workers", default="1,2", help="comma-separated `zabota serve --workers` values to run")
    parser.add_argument("--list-messages", type=int, default=1_000_000, help="messages in the inbox-list database")
    parser.add_argument("--list-requests", type=int, default=2_000, help="sequential first-page requests")
    parser.add_argument("--list-workers", type=int, default=1, help="server workers for the list phase")
    parser.add_argument("--ceiling-seconds", type=int, default=10, help="duration of each ceiling run")
    parser.add_argument("--max-ingest-seconds", type=int, default=3600, help="upper bound of one ingest run")
    parser.add_argument("--skip-ingest", action="store_true", help="only the inbox-list phase")
    parser.add_argument("--skip-list", action="store_true", help="only the ceiling and ingest phases")
    parser.add_argument("--quick", action="store_true", help="smoke run: small numbers, workers 1")
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--json", type=Path, help="write all results as JSON here")
    parser.add_argument("--markdown", type=Path, help="write the markdown summary here")
    args = parser.parse_args(argv)
    if args.quick:
        args.messages, args.customers = 2_000, 200
        args.list_messages, args.list_requests = 20_000, 200
        args.workers, args.ceiling_seconds = "1", 3
    args.worker_counts = [int(w) for w in str(args.workers).split(",") if w.strip()]
    if not 1 <= args.concurrency <= 256 or args.messages < 1 or args.customers < 1:
        parser.error("--concurrency must be 1..256; --messages and --customers positive")
    return args


def run_ingest_phase(args: argparse.Namespace, dbs: Databases, wrk: str, workdir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {"ceiling": {}, "zabota": [], "direct": None}
    n = args.messages

    # Direct baseline first: fresh database, same schema.
    log(f"Direct baseline: {n:,} messages, {args.customers:,} customers, {args.concurrency} threads (psycopg 3)")
    url = dbs.create("direct")
    ZabotaEnv(url, workdir).migrate()
    inbox = direct_inbox(url)
    checkpoint(args.pg_url)
    seconds, detail, split = direct_ingest(
        url, inbox_id=inbox, messages=n, customers=args.customers, concurrency=args.concurrency
    )
    counts = db_counts(url)
    direct = IngestRun("direct (psycopg 3)", detail["committed"], seconds, counts, detail, split)
    log(f"  direct: {direct.rate:,.0f} messages/s ({seconds:.1f}s); rows: {counts}")
    results["direct"] = direct
    dbs.drop(url)

    for workers in args.worker_counts:
        log(f"zabota serve --workers {workers}: fresh database, migrate, admin token, API inbox")
        url = dbs.create(f"api_w{workers}")
        zenv = ZabotaEnv(url, workdir)
        zenv.migrate()
        token = zenv.admin_token()
        with Server(zenv, workers) as server:
            inbox_id, inbox_token = create_api_inbox(server.base, token)
            ceilings = {}
            for label, path in (
                ("GET /healthz (1 DB round trip)", "/healthz"),
                ("GET unmatched path (404, no DB)", "/bench-404"),
            ):
                ceilings[label] = wrk_ceiling(
                    wrk,
                    server.base + path,
                    threads=args.wrk_threads,
                    connections=args.concurrency,
                    seconds=args.ceiling_seconds,
                )
                log(f"  ceiling {label}: {ceilings[label].get('rps', 0):,.0f} requests/s")
            results["ceiling"][workers] = ceilings
            checkpoint(args.pg_url)
            log(f"  ingest: {n:,} messages via wrk -t{args.wrk_threads} -c{args.concurrency}")
            seconds, wrk_result, split = wrk_ingest(
                wrk,
                server,
                inbox_id,
                inbox_token,
                messages=n,
                customers=args.customers,
                concurrency=args.concurrency,
                threads=args.wrk_threads,
                max_seconds=args.max_ingest_seconds,
                workdir=workdir,
            )
            if server.proc is not None and server.proc.poll() is not None:
                log(f"  the server died during the run:\n{server.log_tail()}")
            else:
                wrk_result["group commit"] = group_commit_fallbacks(server.base)
        counts = db_counts(url)
        if commit := wrk_result.get("group commit"):
            commit["transactions"] = transactions = counts["bench_commit_stamps"]
            commit["messages"] = counts["bench_messages"]
            commit["mean batch"] = counts["bench_messages"] / transactions if transactions else 0.0
            log(
                f"  group commit: {commit['messages']:,.0f} messages in {transactions:,.0f} transactions "
                f"(mean {commit['mean batch']:.1f}; commit stamps), {commit['fallbacks']:.0f} fallbacks "
                f"({commit['processes seen']:.0f} of {workers} processes' /metrics seen)"
            )
        run = IngestRun(
            f"zabota serve --workers {workers}", wrk_result.get("created", 0), seconds, counts, wrk_result, split
        )
        ok = counts["messages"] == n and counts["customers"] == args.customers
        log(
            f"  zabota --workers {workers}: {run.rate:,.0f} messages/s ({seconds:.1f}s); "
            f"201={wrk_result.get('created')} 200={wrk_result.get('duplicate')} other={wrk_result.get('failed')}; "
            f"rows {'OK' if ok else 'MISMATCH'}: {counts}"
        )
        results["zabota"].append(run)
        dbs.drop(url)
    return results


def run_list_phase(args: argparse.Namespace, dbs: Databases, wrk: str | None, workdir: Path) -> dict[str, Any]:
    log(f"Inbox list: seeding {args.list_messages:,} messages")
    url = dbs.create("list")
    zenv = ZabotaEnv(url, workdir)
    zenv.migrate()
    token = zenv.admin_token()
    t0 = time.monotonic()
    counts = seed_list_database(url, messages=args.list_messages)
    log(f"  seeded in {time.monotonic() - t0:.0f}s: {counts}")
    checkpoint(args.pg_url)
    plans = explain_list(url)
    with Server(zenv, args.list_workers) as server:
        log(f"  {args.list_requests:,} sequential GET /api/v1/conversations?status=open&limit=50")
        latency = measure_list(server.base, token, requests=args.list_requests, deep_pages=20, deep_repeats=5)
        fp = latency["first_page"]
        log(f"  first page: p50 {fp['p50']:.1f} ms, p95 {fp['p95']:.1f} ms, p99 {fp['p99']:.1f} ms")
        wrk_check = wrk_list(wrk, server.base, token, 10) if wrk else None
    dbs.drop(url)
    return {"counts": counts, "latency": latency, "plans": plans, "wrk_c1": wrk_check}


def markdown(
    facts: dict[str, Any], args: argparse.Namespace, ingest: dict[str, Any] | None, listing: dict[str, Any] | None
) -> str:
    lines = ["### Run", ""]
    lines += [
        f"- date: {facts['date']}",
        f"- code: {facts['zabota']}",
        f"- command: `{facts['command']}`",
        f"- machine: {facts['nproc']} cores ({facts['cpu_model']}), {facts['memory_gib']} GiB RAM, "
        f"Linux {facts['kernel']}, Python {facts['python']}",
        f"- PostgreSQL {facts['postgresql']} on the same machine "
        f"({', '.join(f'{k}={v}' for k, v in facts['pg_settings'].items())})",
        f"- load generator: {facts['wrk']}",
        "- server, PostgreSQL and the load generator share the same cores.",
        "",
    ]
    if ingest:
        direct: IngestRun = ingest["direct"]
        lines += ["### Ingest", ""]
        lines += [
            f"{args.messages:,} messages from {args.customers:,} customers, concurrency {args.concurrency}. "
            "The direct baseline commits one transaction per message; zabota answers each request after "
            "the commit that holds its message (group commit, docs/adr/0007-group-commit-ingest.md).",
            "",
            "| run | messages/s | seconds | stored msgs / customers / conversations | non-2xx | vs direct |",
            "| --- | ---: | ---: | --- | ---: | ---: |",
        ]
        c = direct.counts
        lines.append(
            f"| {direct.label} | {direct.rate:,.0f} | {direct.seconds:.1f} | "
            f"{c['messages']:,} / {c['customers']:,} / {c['conversations']:,} | – | 100% |"
        )
        for run in ingest["zabota"]:
            c = run.counts
            non2xx = (run.detail.get("failed", 0) or 0) + (run.detail.get("duplicate", 0) or 0)
            ratio = run.rate / direct.rate * 100 if direct.rate else 0
            lines.append(
                f"| {run.label} (wrk) | {run.rate:,.0f} | {run.seconds:.1f} | "
                f"{c['messages']:,} / {c['customers']:,} / {c['conversations']:,} | {non2xx} | {ratio:.1f}% |"
            )
        lines += ["", "Generator ceiling (same wrk settings, same server):", ""]
        lines += ["| server | endpoint | requests/s | p50 ms | p99 ms |", "| --- | --- | ---: | ---: | ---: |"]
        for workers, ceilings in ingest["ceiling"].items():
            for label, r in ceilings.items():
                lines.append(
                    f"| --workers {workers} | {label} | {r.get('rps', 0):,.0f} | "
                    f"{r.get('p50_ms', 0):.1f} | {r.get('p99_ms', 0):.1f} |"
                )
        lines += ["", "CPU used during each run (from /proc):", ""]
        for run in [direct, *ingest["zabota"]]:
            lines.append(f"- {run.label}: " + "; ".join(format_cpu(run.cpu, max(run.messages, 1))))
        for run in ingest["zabota"]:
            d = run.detail
            if b := d.get("group commit"):
                lines.append(
                    f"- {run.label} group commit: {b['messages']:,.0f} messages in {b['transactions']:,.0f} "
                    f"transactions, mean {b['mean batch']:.1f} per transaction, {b['fallbacks']:.0f} fallbacks "
                    f"to one by one (transactions from the messages' commit stamps; fallbacks from "
                    f"{b['processes seen']:.0f} processes' /metrics)"
                )
            if "p50_us" in d:
                lines.append(
                    f"- {run.label} request latency under load (wrk): p50 {d['p50_us'] / 1000:.0f} ms, "
                    f"p90 {d['p90_us'] / 1000:.0f} ms, p99 {d['p99_us'] / 1000:.0f} ms"
                )
        if "p50_ms" in direct.detail:
            lines.append(
                f"- direct transaction latency: p50 {direct.detail['p50_ms']:.1f} ms, "
                f"p99 {direct.detail['p99_ms']:.1f} ms"
            )
        lines.append("")
    if listing:
        c = listing["counts"]
        lat = listing["latency"]
        fp = lat["first_page"]
        lines += ["### Inbox list", ""]
        lines += [
            f"{c['messages']:,} messages, {c['conversations']:,} conversations ({c['open_conversations']:,} open), "
            f"{c['customers']:,} customers. GET /api/v1/conversations?status=open&limit=50 with an admin API token, "
            f"sequential, one keep-alive httpx client, server --workers {args.list_workers}.",
            "",
            "| request | n | p50 ms | p95 ms | p99 ms | max ms |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            f"| first page | {fp['n']} | {fp['p50']:.1f} | {fp['p95']:.1f} | {fp['p99']:.1f} | {fp['max']:.1f} |",
        ]
        for label, s in lat["deeper_pages"].items():
            lines.append(
                f"| {label} (next_cursor) | {s['n']} | {s['p50']:.1f} | {s['p95']:.1f} | "
                f"{s['p99']:.1f} | {s['max']:.1f} |"
            )
        w = listing.get("wrk_c1")
        if w:
            lines += [
                "",
                f"Cross-check with `wrk -t1 -c1 -d10s`: {w.get('rps', 0):,.0f} requests/s, "
                f"p50 {w.get('p50_ms', 0):.1f} ms, "
                f"p99 {w.get('p99_ms', 0):.1f} ms.",
            ]
        lines += ["", f"Response: {lat['items_per_page']} items, {lat['response_bytes']:,} bytes.", ""]
        for label, plan in listing["plans"].items():
            lines += [f"EXPLAIN (ANALYZE, BUFFERS), {label}:", "", "```", plan, "```", ""]
    return "\n".join(lines)


def to_jsonable(value: Any) -> Any:
    if isinstance(value, IngestRun):
        return {**value.__dict__, "rate": value.rate}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_jsonable(v) for v in value]
    return value


@contextlib.contextmanager
def scratch_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="zabota-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    check_loopback_url(args.pg_url)
    wrk = require_wrk()
    facts = machine_facts(args.pg_url)
    log(
        f"{facts['nproc']} cores ({facts['cpu_model']}), {facts['memory_gib']} GiB, "
        f"PostgreSQL {facts['postgresql']}, {facts['wrk']}"
    )
    log("Note: the server, PostgreSQL and the load generator all share these cores.")
    dbs = Databases(args.pg_url)
    ingest = listing = None

    def on_term(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_term)
    try:
        with scratch_dir() as workdir:
            if not args.skip_ingest:
                ingest = run_ingest_phase(args, dbs, wrk, workdir)
            if not args.skip_list:
                listing = run_list_phase(args, dbs, wrk, workdir)
    finally:
        dbs.close()
    text = markdown(facts, args, ingest, listing)
    print("\n" + "=" * 100 + "\n" + text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    if args.json:
        args.json.write_text(
            json.dumps(to_jsonable({"facts": facts, "ingest": ingest, "list": listing}), indent=2, default=str)
        )
    if ingest:
        direct = ingest["direct"]
        for run in ingest["zabota"]:
            ok = run.counts["messages"] == args.messages and run.counts["customers"] == args.customers
            print(
                f"{run.label}: {run.rate:,.0f} messages/s = {run.rate / direct.rate * 100:.1f}% of direct "
                f"({direct.rate:,.0f}/s); target ≥ 25%; rows {'verified' if ok else 'DO NOT MATCH'}"
            )
    if listing:
        p99 = listing["latency"]["first_page"]["p99"]
        print(f"inbox list p99: {p99:.1f} ms; target ≤ 100 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

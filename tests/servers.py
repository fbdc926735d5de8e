"""Real `zabota serve` processes for tests that talk to the server over TCP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_SECRET_KEY

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def zabota_cli(*args: str, env: dict[str, str], input: str | None = None) -> subprocess.CompletedProcess[str]:
    """The `zabota` command run as a user runs it, without the test run's own settings."""
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "TIMEZONE", "REDIS_URL")}
    return subprocess.run(
        [sys.executable, "-m", "zabota.cli.main", *args],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=input,
        timeout=120,
    )


@contextmanager
def running_zabota(
    database_url: str, data_dir: Path, *serve_args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`zabota serve --no-jobs` on a free port, healthy before it is yielded, stopped with SIGTERM after."""
    port = free_port()
    full_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET_KEY,
        "ZABOTA_DATA_DIR": str(data_dir),
        **(env or {}),
    }
    log = (data_dir / f"server-{port}.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "zabota.cli.main", "serve", "--port", str(port), "--no-jobs", *serve_args],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"zabota serve did not start; see {log.name}")
    try:
        yield url, process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()

"""`zabota serve --workers 2`: one listening socket per process, a replaced process, a clean stop."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_SECRET_KEY
from tests.servers import free_port, running_zabota, zabota_cli
from zabota.serving import reuse_port_balances

pytestmark = [
    pytest.mark.skipif(not reuse_port_balances(), reason="SO_REUSEPORT balancing is Linux-only"),
    pytest.mark.usefixtures("_migrated_database"),
]


def _web_processes(supervisor_pid: int) -> set[int]:
    """The supervisor's children that listen (the multiprocessing resource tracker does not)."""
    children = Path(f"/proc/{supervisor_pid}/task/{supervisor_pid}/children").read_text().split()
    return {int(pid) for pid in children if "multiprocessing.spawn" in _cmdline(int(pid))}


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    except FileNotFoundError:  # the process or the descriptor is gone
        pass
    return inodes


def _sockets_on_port(port: int, state: str) -> set[str]:
    """Inodes of TCP sockets bound to local port `port` in `state` (01 established, 0A listening)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state:
            inodes.add(fields[9])
    return inodes


def _listening_processes(supervisor_pid: int, port: int) -> set[int]:
    listening = _sockets_on_port(port, "0A")
    return {pid for pid in _web_processes(supervisor_pid) if _socket_inodes(pid) & listening}


def _wait_for(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out")
        time.sleep(0.2)


def test_connections_are_spread_over_the_processes_and_a_dead_one_is_replaced(database_url, tmp_path):
    with running_zabota(database_url, tmp_path, "--workers", "2") as (url, server):
        port = int(url.rsplit(":", 1)[1])
        _wait_for(lambda: len(_listening_processes(server.pid, port)) == 2)
        web = _web_processes(server.pid)

        # 32 connections opened at once, as a load generator opens them, then one request on each.
        connections = [socket.create_connection(("127.0.0.1", port)) for _ in range(32)]
        try:
            for connection in connections:
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
            for connection in connections:
                assert connection.recv(4096).startswith(b"HTTP/1.1 200")
            established = _sockets_on_port(port, "01")
            held = {pid: len(_socket_inodes(pid) & established) for pid in web}
            assert sum(held.values()) == 32
            # With a socket per process the kernel hashes connections across them; with one shared
            # socket the process that wakes first accepts the whole burst. Below 4 of 32: 1 in 10^5.
            assert min(held.values()) >= 4, held
        finally:
            for connection in connections:
                connection.close()

        victim = min(web)
        os.kill(victim, signal.SIGKILL)
        _wait_for(lambda: len(_listening_processes(server.pid, port) - {victim}) == 2)
        replacement = (_web_processes(server.pid) - web).pop()
        assert victim not in _web_processes(server.pid)
        # Every new connection is answered: the dead process's socket has left the port's group.
        for _ in range(20):
            with httpx.Client(base_url=url) as client:
                assert client.get("/healthz").status_code == 200

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=40) == 0
        assert not any(_cmdline(pid) for pid in web | {replacement})


def test_serve_says_plainly_that_its_port_is_taken(database_url, tmp_path):
    with socket.socket() as busy:
        port = free_port()
        busy.bind(("127.0.0.1", port))
        busy.listen()
        result = zabota_cli(
            "serve", "--port", str(port), "--workers", "2", "--no-jobs",
            env={"DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET_KEY, "ZABOTA_DATA_DIR": str(tmp_path)},
        )  # fmt: skip
    assert result.returncode == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Address already in use" in result.stderr
    assert "Traceback" not in result.stderr

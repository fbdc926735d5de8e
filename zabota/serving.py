"""`zabota serve`: one web process, or several on one port, each with its own listening socket.

Several processes share a port through SO_REUSEPORT rather than uvicorn's `--workers`, because
uvicorn's processes accept from one shared socket: whichever process wakes first takes the
connection, and with keep-alive clients one process ends up holding most of them while another
idles (ADR 8). With a socket per process the kernel spreads connections across the processes.
Where SO_REUSEPORT does not balance (anything but Linux) uvicorn's own supervisor is used.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, replace
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn

APP = "zabota.api.app:create_server_app"
LISTEN_BACKLOG = 2048
SHUTDOWN_GRACE_SECONDS = 30.0
# A process that dies sooner than this after starting is restarted after a growing pause, so a
# process that cannot start (say, the database is down) does not spin the supervisor.
STEADY_AFTER_SECONDS = 10.0
MAX_RESTART_PAUSE_SECONDS = 30.0
STARTUP_FAILURE_EXIT_CODE = 3

logger = logging.getLogger("uvicorn.error")


@dataclass(frozen=True)
class ServeOptions:
    host: str
    port: int
    log_level: str

    def uvicorn_options(self) -> dict[str, Any]:
        return {
            "factory": True,
            "host": self.host,
            "port": self.port,
            "log_level": self.log_level,
            "access_log": False,
            "proxy_headers": True,
            "backlog": LISTEN_BACKLOG,
        }

    def uvicorn_config(self) -> uvicorn.Config:
        return uvicorn.Config(APP, **self.uvicorn_options())


def serve(options: ServeOptions, workers: int) -> None:
    """Serve until SIGINT/SIGTERM with `workers` processes (the caller has checked the schema)."""
    if workers <= 1:
        _run_until_stopped(uvicorn.Server(options.uvicorn_config()))
    elif reuse_port_balances():
        Supervisor(options, workers).run()
    else:
        uvicorn.run(APP, workers=workers, **options.uvicorn_options())


def reuse_port_balances() -> bool:
    """Linux spreads connections over SO_REUSEPORT listeners; other systems do not."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """Bound, not yet listening: a socket takes connections of the port's group once it listens."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[
        0
    ]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def run_web_process(options: ServeOptions) -> None:
    """One web process: its own socket on the shared port, then uvicorn on it.

    The socket is bound here but starts listening only once the app has started (asyncio listens
    when it starts serving), so no connection waits in the queue of a process still starting."""
    config = options.uvicorn_config()
    sock = reuse_port_socket(options.host, options.port)
    _run_until_stopped(uvicorn.Server(config), sock)


def _run_until_stopped(server: uvicorn.Server, sock: socket.socket | None = None) -> None:
    server.run(sockets=None if sock is None else [sock])
    if not server.started:
        sys.exit(STARTUP_FAILURE_EXIT_CODE)  # as uvicorn.run does: the app's start-up failed


@dataclass
class _Slot:
    process: BaseProcess
    started: float
    quick_exits: int = 0
    restart_at: float | None = None


class Supervisor:
    """Keeps `workers` web processes running; forwards shutdown to them and waits for them."""

    def __init__(self, options: ServeOptions, workers: int) -> None:
        self.options = options
        self.workers = workers
        self._stop = threading.Event()
        self._context = multiprocessing.get_context("spawn")

    def run(self) -> None:
        self.options.uvicorn_config()  # configures logging as the web processes will
        # Held bound (not listening, so it takes no connections) for the supervisor's lifetime:
        # it fails early and clearly on a busy port, resolves --port 0 to one port for every
        # process, and keeps the port ours while a process is being replaced.
        reservation = reuse_port_socket(self.options.host, self.options.port)
        self.options = replace(self.options, port=reservation.getsockname()[1])
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._request_stop)
        logger.info(
            "Started supervisor [%d] for %d web processes on port %d", os.getpid(), self.workers, self.options.port
        )
        slots = [_Slot(self._start(), time.monotonic()) for _ in range(self.workers)]
        try:
            while not self._stop.wait(0.5):
                now = time.monotonic()
                for slot in slots:
                    self._keep_alive(slot, now)
        finally:
            self._shut_down([slot.process for slot in slots])
            reservation.close()

    def _request_stop(self, signum: int, frame: FrameType | None) -> None:
        self._stop.set()

    def _start(self) -> BaseProcess:
        process = self._context.Process(target=run_web_process, args=(self.options,), name="zabota-web")
        process.start()
        return process

    def _keep_alive(self, slot: _Slot, now: float) -> None:
        if slot.process.is_alive():
            return
        if slot.restart_at is None:
            quick = now - slot.started < STEADY_AFTER_SECONDS
            slot.quick_exits = slot.quick_exits + 1 if quick else 0
            pause = min(2.0 ** (slot.quick_exits - 1), MAX_RESTART_PAUSE_SECONDS) if quick else 0.0
            slot.restart_at = now + pause
            logger.warning(
                "Web process [%s] exited with code %s; starting another in %.0f s",
                slot.process.pid, slot.process.exitcode, pause,
            )  # fmt: skip
        if now >= slot.restart_at:
            slot.process = self._start()
            slot.started, slot.restart_at = now, None

    @staticmethod
    def _shut_down(processes: list[BaseProcess]) -> None:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + SHUTDOWN_GRACE_SECONDS
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                logger.warning("Web process [%s] did not stop in time; killing it", process.pid)
                process.kill()
                process.join()
        logger.info("Stopped supervisor [%d]", os.getpid())

"""ASGI middleware: request body limit and Prometheus request metrics."""

from __future__ import annotations

import json
import time
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zabota.config import get_settings
from zabota.i18n import gettext, negotiate

REQUESTS = Counter("zabota_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "zabota_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


async def _send_problem(send: Send, status: int, detail: str, code: str, language: str) -> None:
    title = gettext("Request too large", language)
    body = json.dumps(
        {"type": f"https://zabota.dev/problems/{code}", "title": title, "status": status, "detail": detail},
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """Refuse bodies over the limit with 413, by Content-Length or while streaming.

    File uploads (paths ending in /attachments) get their own, larger limit; the attachment
    action then checks the file itself.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, upload_max_bytes: int | None = None) -> None:
        self.app = app
        self.default_max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes or max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_max_bytes if scope["path"].endswith("/attachments") else self.default_max_bytes
        length = next((value for name, value in scope.get("headers", []) if name == b"content-length"), None)
        if length is not None:
            try:
                too_big = int(length) > limit
            except ValueError:
                too_big = False
            if too_big:
                await self._refuse(scope, send, limit)
            else:
                await self.app(scope, receive, send)
            return
        # Chunked body of unknown length: read it here, up to the limit, then replay it.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(scope, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        headers = dict(scope.get("headers", []))
        language = negotiate(headers.get(b"accept-language", b"").decode("latin-1"), get_settings().default_language)
        detail = gettext("The request body is larger than the {limit} KiB limit.", language)
        await _send_problem(send, 413, detail.format(limit=limit // 1024), "too_large", language)


class Metrics:
    """Counts and times requests by route template (`/api/v1/conversations/{conversation_id}`),
    and tells the client the server's time in a `Server-Timing` header.

    `templates` maps a route object's id to its full template: routers included under a prefix
    know only their own part of the path.
    """

    def __init__(self, app: ASGIApp, templates: dict[int, str] | None = None) -> None:
        self.app = app
        self.templates = templates or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # Server time up to the first byte, shown by browsers' dev tools and read by bench/ui.py.
                elapsed = f"app;dur={(time.perf_counter() - start) * 1000:.1f}".encode()
                message = {**message, "headers": [*message.get("headers", []), (b"server-timing", elapsed)]}
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route: Any = scope.get("route")
            template = self.templates.get(id(route)) or getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "GET")
            REQUESTS.labels(method, template, str(status)).inc()
            LATENCY.labels(method, template).observe(time.perf_counter() - start)

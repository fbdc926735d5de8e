"""The ASGI application: REST API under /api/v1, health and metrics at the root."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import swagger_ui
from anyio import to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from zabota import __version__
from zabota.api import (
    admin,
    attachments,
    auth,
    bot,
    canned,
    conversations,
    customers,
    departments,
    helpcenter,
    inboxes,
    presence,
    sla,
    users,
)
from zabota.api.middleware import BodySizeLimit, Metrics
from zabota.api.problems import install_problem_handlers, problem, request_language
from zabota.api.ratelimit import LoginLimiter
from zabota.config import Settings, get_settings
from zabota.conversations.group_commit import InboundBatcher
from zabota.db import Database
from zabota.events.live import LiveFeed
from zabota.i18n import gettext
from zabota.jobs.registry import autodiscover
from zabota.jobs.worker import Worker
from zabota.web.app import html_error, install_web

log = logging.getLogger("zabota")
API_PREFIX = "/api/v1"


# Every router of the REST API; the authorization test walks these and the OpenAPI schema.
# Requests are matched against routes in this order, so the busiest one, pushed messages,
# comes first (matching through all the others was a tenth of an ingest request's CPU).
API_ROUTERS: tuple[APIRouter, ...] = (
    inboxes.ingress,
    auth.router,
    users.router,
    departments.router,
    inboxes.router,
    customers.router,
    conversations.router,
    admin.router,
    sla.router,
    presence.router,
    canned.router,
    attachments.router,
    helpcenter.router,
    bot.router,
)


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX)
    for module_router in API_ROUTERS:
        router.include_router(module_router)
    return router


# A full (oldest-generation) garbage collection walks every object the process holds; with a
# thousand open connections that is a 100–200 ms pause of every request. CPython's default runs
# one after every 10 middle-generation passes (every few seconds under load); this makes it
# every 1,000 (about every ten minutes at 100 messages/s). Young garbage is still collected as
# often as before, and most garbage never needs the collector (reference counting frees it).
FULL_COLLECTION_AFTER = 1000


def tune_garbage_collector() -> None:
    """For a long-running server process, once it has started: the objects that exist now
    (modules, the app, caches) live as long as the process, so full collections skip them."""
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_AFTER)


def install_api_docs(app: FastAPI) -> None:
    """Swagger UI at /api/v1/docs from the files the swagger-ui-py package ships (Swagger UI 5,
    which reads OpenAPI 3.1), not a CDN: a self-hosted installation may have no internet, and
    its API docs should not tell a third party it exists."""
    assets = f"{API_PREFIX}/docs/assets"
    static = Path(swagger_ui.__file__).parent / "static"
    app.mount(assets, StaticFiles(directory=static), name="api-docs-assets")

    @app.get(f"{API_PREFIX}/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "",
            title=app.title,
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon-32x32.png",
        )


def create_server_app() -> FastAPI:
    """The app `zabota serve` runs in each worker process (tests build theirs with create_app)."""
    return create_app(tune_runtime=True)


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    *,
    run_jobs: bool | None = None,
    tune_runtime: bool = False,
) -> FastAPI:
    settings = settings or get_settings()
    database = database or Database(settings.database_url, pool_size=settings.db_pool_size)
    in_process_jobs = settings.run_jobs_in_process if run_jobs is None else run_jobs

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        autodiscover()
        # Sync routes run in anyio's thread pool (40 threads by default); see Settings.http_threads.
        to_thread.current_default_thread_limiter().total_tokens = settings.http_threads
        await app.state.live_feed.start()
        worker = Worker(database) if in_process_jobs else None
        if worker is not None:
            worker.start_in_thread()
        if tune_runtime:
            tune_garbage_collector()
        yield
        if worker is not None:
            worker.stop(timeout=10)
        if getattr(app.state, "operator_feed", None) is not None:
            await app.state.operator_feed.stop()
        await app.state.live_feed.stop()

    app = FastAPI(
        title="Zabota API",
        version=__version__,
        description="Customer care and retention platform. Errors are RFC 9457 problem details.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served below from packaged assets
        redoc_url=None,
        lifespan=lifespan,
    )
    install_api_docs(app)
    app.state.settings = settings
    app.state.database = database
    app.state.login_limiter = LoginLimiter(settings.login_rate_limit, settings.redis_url)
    app.state.live_feed = LiveFeed(settings.redis_url)
    app.state.ingest_batcher = InboundBatcher(
        database, max_batch=settings.ingest_batch_max, max_in_flight=settings.ingest_batches_in_flight
    )
    install_problem_handlers(app, html=html_error)
    app.include_router(api_router())
    install_web(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz(request: Request) -> Response:
        try:
            with database.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # any driver error means "not healthy"
            log.warning("health check failed: %s", exc)
            language = request_language(request)
            detail = gettext("The database is not reachable.", language)
            return problem(503, detail, code="db_down", language=language)
        return JSONResponse({"status": "ok", "database": database.dialect, "version": __version__})

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    templates = {
        id(route): API_PREFIX + route.path
        for router in API_ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
    }
    app.add_middleware(Metrics, templates=templates)
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, upload_max_bytes=settings.attachment_max_bytes + 65_536
    )
    return app

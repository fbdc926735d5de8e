"""Assembling the operator UI: routers, static files, and HTML answers to errors."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from zabota.errors import DomainError
from zabota.i18n import gettext
from zabota.web import auth, canned, helpcenter, inbox, live, presence, queue, settings, widget
from zabota.web.deps import LoginRequired
from zabota.web.render import is_htmx, language_for, render

STATIC = Path(__file__).parent / "static"
NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
# Front-end packages from the npm registry, served from node_modules: nothing vendored, no CDN.
VENDOR_FILES = {"htmx.min.js": "htmx.org/dist/htmx.min.js"}

# Every router of the UI; the authorization test walks these like the API's.
WEB_ROUTERS: tuple[APIRouter, ...] = (
    auth.router, inbox.router, live.router, settings.router, presence.router, queue.router, canned.router,
    helpcenter.router, widget.router,
)  # fmt: skip

vendor = APIRouter(include_in_schema=False)


@vendor.get("/static/vendor/{name}")
def vendor_file(name: str) -> Response:
    relative = VENDOR_FILES.get(name)
    path = NODE_MODULES / relative if relative else None
    if path is None or not path.exists():
        return Response(f"{name} is missing: run `make install` (npm ci).", status_code=404, media_type="text/plain")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})


def install_web(app: FastAPI) -> None:
    app.include_router(vendor)
    for router in WEB_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    widget.install_widget(app)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, _exc: LoginRequired) -> Response:
        target = "/login?next=" + request.url.path
        if is_htmx(request):
            return Response(status_code=401, headers={"HX-Redirect": target})
        if request.url.path.startswith("/live/"):
            return Response(status_code=401)
        return RedirectResponse(target, status_code=303)


def html_error(request: Request, exc: DomainError) -> HTMLResponse:
    """A domain refusal on a page: a fragment for htmx (shown as a toast), a page otherwise."""
    language = language_for(request, None)
    detail = exc.translated(language)
    if is_htmx(request):
        return HTMLResponse(detail, status_code=exc.status)
    titles = {404: "Not found", 403: "Forbidden", 401: "Not signed in", 409: "Conflict"}
    title = gettext(titles.get(exc.status, "Bad request"), language)
    return render(request, "error.html", {"title": title, "detail": detail, "language": language}, status=exc.status)

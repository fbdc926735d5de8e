"""RFC 9457 problem details for every error the API returns."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from zabota.config import get_settings
from zabota.errors import DomainError
from zabota.i18n import N_, gettext, negotiate

log = logging.getLogger("zabota.api")
PROBLEM_TYPE_BASE = "https://zabota.dev/problems/"

TITLES = {
    400: N_("Bad request"),
    401: N_("Not signed in"),
    403: N_("Forbidden"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("Request too large"),
    415: N_("Unsupported media type"),
    422: N_("Invalid request"),
    429: N_("Too many requests"),
    500: N_("Internal error"),
    503: N_("Service unavailable"),
}


def request_language(request: Request | None) -> str:
    default = get_settings().default_language
    if request is None:
        return default
    return negotiate(request.headers.get("accept-language"), default)


def problem(status: int, detail: str, *, code: str | None = None, language: str = "en", **extra: Any) -> JSONResponse:
    """A problem+json response; `detail` is already in `language`, the title is translated here."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + (code or str(status)),
        "title": gettext(TITLES.get(status, N_("Error")), language),
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or str(loc[0] if loc else "body")


def _validation_message(error: dict[str, Any], language: str) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return gettext("This field is required.", language)
    if kind == "extra_forbidden":
        return gettext("Unknown field.", language)
    if kind == "json_invalid":
        return gettext("The body is not valid JSON.", language)
    # Pydantic's own wording ("Input should be a valid integer") is precise; it stays in English.
    return str(error.get("msg", gettext("Invalid value.", language)))


HtmlErrorRenderer = Callable[[Request, DomainError], Response]


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/widget/v1/")) or path in ("/healthz", "/metrics")


def install_problem_handlers(app: FastAPI, html: HtmlErrorRenderer | None = None) -> None:
    """Problem+json for the API; pages (when `html` is given) get an HTML answer instead."""

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        if html is not None and not _is_api(request):
            return html(request, exc)
        language = request_language(request)
        return problem(exc.status, exc.translated(language), code=exc.code, language=language)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        if html is not None and not _is_api(request):
            fields = ", ".join(_field_path(e.get("loc", ())) for e in exc.errors())
            return html(request, DomainError("Please fill in: {fields}.", fields=fields, code="validation"))
        language = request_language(request)
        raw = exc.errors()
        errors = [{"field": _field_path(e.get("loc", ())), "message": _validation_message(e, language)} for e in raw]
        if any(e.get("type") == "json_invalid" for e in raw):
            return problem(400, errors[0]["message"], code="bad_json", language=language)
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        detail = gettext("The request has invalid fields: {summary}", language).format(summary=summary)
        return problem(422, detail, code="validation", language=language, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        language = request_language(request)
        detail = exc.detail if isinstance(exc.detail, str) else ""
        if exc.status_code == 400 and "parsing the body" in detail:
            detail = N_("The body could not be read: it must be UTF-8 encoded JSON.")
        elif exc.status_code == 404:
            detail = N_("There is nothing at this address.")
        elif exc.status_code == 405:
            detail = N_("This method is not allowed here.")
        else:
            detail = detail or TITLES.get(exc.status_code, N_("Error"))
        return problem(exc.status_code, gettext(detail, language), language=language)

    async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
        # A value the database cannot hold (an id beyond 64 bits, a string too long for a column).
        log.info("rejected by the database: %s", exc)
        language = request_language(request)
        detail = gettext("A value in the request is out of range for its field.", language)
        return problem(422, detail, code="out_of_range", language=language)

    app.add_exception_handler(DataError, _out_of_range)
    app.add_exception_handler(OverflowError, _out_of_range)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        language = request_language(request)
        detail = gettext("Something went wrong on our side; the error has been logged.", language)
        return problem(500, detail, code="internal", language=language)

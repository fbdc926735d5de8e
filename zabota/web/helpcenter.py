"""The public help center portal at /help: no sign-in, Russian and English, search, feedback.

The language comes from `?lang=` (remembered in a cookie), else the cookie, else Accept-Language.
The "Was this helpful?" form is protected by a double-submit token: a random value in a cookie
only our pages can set, repeated in the form; a cross-site form cannot read it to repeat it.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from zabota.api.deps import DbSession
from zabota.api.helpcenter import feedback_limiter
from zabota.api.ratelimit import client_address
from zabota.auth.secrets import digests_equal
from zabota.config import get_settings
from zabota.errors import DomainError, NotFound
from zabota.helpcenter import actions, queries
from zabota.helpcenter.models import HelpArticle
from zabota.helpcenter.search import MAX_QUERY_LENGTH, search_articles
from zabota.i18n import LANGUAGES, gettext, negotiate
from zabota.web.render import render

router = APIRouter(prefix="/help", include_in_schema=False)
LANGUAGE_COOKIE = "zabota_help_lang"
CSRF_COOKIE = "zabota_help_csrf"
SEARCH_LIMIT = 10


def help_language(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return str(asked)
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    if remembered in LANGUAGES:
        return str(remembered)
    return negotiate(request.headers.get("accept-language"), get_settings().default_language)


def _page(request: Request, template: str, context: dict[str, Any], *, status: int = 200) -> HTMLResponse:
    language = help_language(request)
    response = render(
        request, template, {**context, "language": language, "query": context.get("query", "")}, status=status
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax", path="/help")
    return response


def _not_found(request: Request, exc: DomainError) -> HTMLResponse:
    language = help_language(request)
    return _page(
        request,
        "help/error.html",
        {"title": gettext("Page not found", language), "detail": exc.translated(language)},
        status=404,
    )


@router.get("")
def home(request: Request, session: DbSession) -> HTMLResponse:
    categories = [row for row in queries.list_categories(session) if row.articles]
    articles: dict[int, list[HelpArticle]] = {}
    for article in queries.list_articles(session):
        articles.setdefault(article.category_id, []).append(article)
    return _page(request, "help/home.html", {"categories": categories, "articles": articles})


@router.get("/search")
def search(request: Request, session: DbSession, q: str = "") -> HTMLResponse:
    query = q.strip()[:MAX_QUERY_LENGTH]
    hits = search_articles(session, query, help_language(request), SEARCH_LIMIT) if query else []
    return _page(request, "help/search.html", {"query": query, "hits": hits})


@router.get("/categories/{slug}")
def category(slug: str, request: Request, session: DbSession) -> HTMLResponse:
    try:
        found = queries.category_by_slug(session, slug)
    except NotFound as exc:
        return _not_found(request, exc)
    articles = queries.list_articles(session, category_id=found.id)
    if not articles:
        return _not_found(request, NotFound("Help category {slug} does not exist.", slug=slug))
    return _page(request, "help/category.html", {"category": found, "articles": articles})


def _article_page(
    request: Request, session: Session, article: HelpArticle, *, error: str = "", status: int = 200
) -> HTMLResponse:
    language = help_language(request)
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    category = actions.get_category(session, article.category_id)
    siblings = [a for a in queries.list_articles(session, category_id=category.id) if a.id != article.id]
    response = _page(
        request,
        "help/article.html",
        {
            "article": article,
            "version": article.version(language),
            "category": category,
            "siblings": siblings,
            "csrf": token,
            "thanks": request.query_params.get("feedback") == "thanks",
            "error": error,
        },
        status=status,
    )
    response.set_cookie(
        CSRF_COOKIE, token, httponly=True, samesite="strict", path="/help", secure=request.url.scheme == "https"
    )
    return response


@router.get("/articles/{slug}")
def article(slug: str, request: Request, session: DbSession) -> HTMLResponse:
    try:
        found = queries.published_article(session, slug)
    except NotFound as exc:
        return _not_found(request, exc)
    return _article_page(request, session, found)


@router.post("/articles/{slug}/feedback", response_model=None)
def feedback(
    slug: str,
    request: Request,
    session: DbSession,
    helpful: str = Form(default=""),
    reason: str = Form(default=""),
    csrf_token: str = Form(default=""),
) -> Response:
    language = help_language(request)
    try:
        found = queries.published_article(session, slug)
    except NotFound as exc:
        return _not_found(request, exc)
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not csrf_token or not digests_equal(cookie, csrf_token):
        return _article_page(
            request, session, found, error=gettext("The form expired; please try again.", language), status=403
        )
    if helpful not in ("yes", "no"):
        return _article_page(request, session, found, error=gettext("Choose yes or no.", language), status=400)
    try:
        feedback_limiter(request).check(client_address(request))
        actions.record_feedback(session, found, helpful=helpful == "yes", language=language, reason=reason or None)
    except DomainError as exc:
        return _article_page(request, session, found, error=exc.translated(language), status=exc.status)
    return RedirectResponse(f"/help/articles/{found.slug}?feedback=thanks#feedback", status_code=303)

"""Help center: public reading, search and feedback; authoring for HELP_MANAGE roles.

Public routes (no sign-in) live under /help and show published articles only; authoring lives
under /help/manage. The widget and the bot call the same search as the portal.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from zabota.api.deps import DbSession, Principal, require
from zabota.api.ratelimit import ActionLimiter, client_address
from zabota.api.schemas import In, Language, Out
from zabota.auth.roles import Permission
from zabota.config import get_settings
from zabota.helpcenter import actions, queries
from zabota.helpcenter.actions import MAX_BODY_LENGTH, MAX_REASON_LENGTH, ArticleText
from zabota.helpcenter.models import HelpArticle, HelpCategory
from zabota.helpcenter.search import MAX_QUERY_LENGTH, search_articles

router = APIRouter(prefix="/help", tags=["help center"])
MANAGE = Permission.HELP_MANAGE
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def feedback_limiter(request: Request) -> ActionLimiter:
    """One limiter per application for public feedback (the API's and the portal's)."""
    state = request.app.state
    if getattr(state, "help_feedback_limiter", None) is None:
        settings = get_settings()
        state.help_feedback_limiter = ActionLimiter(
            "help-feedback", settings.help_feedback_rate_limit, settings.redis_url
        )
    limiter: ActionLimiter = state.help_feedback_limiter
    return limiter


# --- shapes -------------------------------------------------------------------------------------


class CategoryOut(Out):
    id: int
    slug: str
    position: int
    title_ru: str
    title_en: str
    description_ru: str
    description_en: str
    articles: int = Field(description="Published articles (all articles in the manage view).")


class CategoryCreate(In):
    slug: str = Field(min_length=1, max_length=80, pattern=SLUG_PATTERN)
    title_ru: str = Field(min_length=1, max_length=200)
    title_en: str = Field(min_length=1, max_length=200)
    description_ru: str = Field(default="", max_length=2000)
    description_en: str = Field(default="", max_length=2000)
    position: int = Field(default=0, ge=0, le=100_000)


class CategoryUpdate(In):
    slug: str | None = Field(default=None, min_length=1, max_length=80, pattern=SLUG_PATTERN)
    title_ru: str | None = Field(default=None, min_length=1, max_length=200)
    title_en: str | None = Field(default=None, min_length=1, max_length=200)
    description_ru: str | None = Field(default=None, max_length=2000)
    description_en: str | None = Field(default=None, max_length=2000)
    position: int | None = Field(default=None, ge=0, le=100_000)


class VersionIn(In):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=MAX_BODY_LENGTH, description="Markdown.")


class VersionOut(Out):
    language: str
    title: str
    body_md: str
    body_html: str = Field(description="Rendered from the Markdown and sanitized.")
    updated_at: datetime


class ArticleOut(Out):
    id: int
    slug: str
    category_id: int
    position: int
    status: str
    author_id: int | None
    helpful_yes: int
    helpful_no: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    versions: list[VersionOut]


class ArticleCreate(In):
    slug: str = Field(min_length=1, max_length=80, pattern=SLUG_PATTERN)
    category_id: int
    position: int = Field(default=0, ge=0, le=100_000)
    versions: dict[Language, VersionIn] = Field(min_length=1, description="Text per language: ru, en.")
    publish: bool = False


class ArticleUpdate(In):
    slug: str | None = Field(default=None, min_length=1, max_length=80, pattern=SLUG_PATTERN)
    category_id: int | None = None
    position: int | None = Field(default=None, ge=0, le=100_000)
    versions: dict[Language, VersionIn] | None = Field(default=None, description="Languages to add or rewrite.")
    remove_languages: list[Language] = Field(default_factory=list)


class HitOut(Out):
    slug: str
    title: str
    snippet: str
    score: float
    language: str = Field(description="The language whose text matched best.")
    category_id: int


class FeedbackIn(In):
    helpful: bool
    reason: str | None = Field(default=None, max_length=MAX_REASON_LENGTH)
    language: Language = "ru"
    customer_id: int | None = None
    conversation_id: int | None = None


class FeedbackOut(Out):
    id: int
    article_id: int
    helpful: bool
    reason: str | None
    language: str
    customer_id: int | None
    conversation_id: int | None
    created_at: datetime


class FeedbackStatsOut(Out):
    article_id: int
    slug: str
    helpful_yes: int
    helpful_no: int
    helpful_share: float | None = Field(description='Share of "yes"; null with no answers.')


def _category_out(row: queries.CategoryCount) -> CategoryOut:
    c: HelpCategory = row.category
    return CategoryOut(
        id=c.id, slug=c.slug, position=c.position, title_ru=c.title_ru, title_en=c.title_en,
        description_ru=c.description_ru, description_en=c.description_en, articles=row.articles,
    )  # fmt: skip


def _article_out(article: HelpArticle) -> ArticleOut:
    return ArticleOut.model_validate(article)


def _texts(versions: Mapping[Language, VersionIn] | None) -> dict[str, ArticleText]:
    return {language: ArticleText(v.title, v.body) for language, v in (versions or {}).items()}


# --- public -------------------------------------------------------------------------------------


@router.get("/categories", response_model=list[CategoryOut])
def public_categories(session: DbSession) -> list[CategoryOut]:
    """Categories with their count of published articles. Public."""
    return [_category_out(row) for row in queries.list_categories(session)]


@router.get("/articles", response_model=list[ArticleOut])
def public_articles(
    session: DbSession, category: str | None = Query(default=None, max_length=80, description="Category slug.")
) -> list[ArticleOut]:
    """Published articles, in their categories' order. Public."""
    category_id = queries.category_by_slug(session, category).id if category else None
    return [_article_out(a) for a in queries.list_articles(session, category_id=category_id)]


@router.get("/articles/{slug}", response_model=ArticleOut)
def public_article(slug: str, session: DbSession) -> ArticleOut:
    """A published article with both language versions. Public."""
    return _article_out(queries.published_article(session, slug))


@router.get("/search", response_model=list[HitOut])
def search(
    session: DbSession,
    q: str = Query(min_length=1, max_length=MAX_QUERY_LENGTH),
    language: Language = "ru",
    limit: int = Query(default=5, ge=1, le=50),
) -> list[HitOut]:
    """Published articles answering a question in Russian or English, best first. Public."""
    hits = search_articles(session, q, language, limit)
    out = []
    for hit in hits:
        version = hit.article.version(language)
        out.append(
            HitOut(
                slug=hit.article.slug,
                title=version.title if version else hit.article.slug,
                snippet=hit.snippet,
                score=hit.score,
                language=hit.language,
                category_id=hit.article.category_id,
            )
        )
    return out


@router.post("/articles/{slug}/feedback", response_model=FeedbackOut, status_code=201)
def feedback(slug: str, body: FeedbackIn, request: Request, session: DbSession) -> FeedbackOut:
    """ "Was this helpful?" for a published article. Public, rate-limited per client address."""
    feedback_limiter(request).check(client_address(request))
    article = queries.published_article(session, slug)
    row = actions.record_feedback(session, article, **body.model_dump())
    return FeedbackOut.model_validate(row)


# --- authoring ----------------------------------------------------------------------------------


@router.get("/manage/categories", response_model=list[CategoryOut])
def manage_categories(session: DbSession, principal: Principal = require(MANAGE)) -> list[CategoryOut]:
    """Categories with their count of all articles, drafts included."""
    return [_category_out(row) for row in queries.list_categories(session, published_only=False)]


@router.post("/manage/categories", response_model=CategoryOut, status_code=201)
def create_category(body: CategoryCreate, session: DbSession, principal: Principal = require(MANAGE)) -> CategoryOut:
    category = actions.create_category(session, principal.actor, **body.model_dump())
    return _category_out(queries.CategoryCount(category, 0))


@router.patch("/manage/categories/{category_id}", response_model=CategoryOut)
def update_category(
    category_id: int, body: CategoryUpdate, session: DbSession, principal: Principal = require(MANAGE)
) -> CategoryOut:
    category = actions.get_category(session, category_id)
    actions.update_category(session, principal.actor, category, **body.model_dump(exclude_unset=True))
    count = next(r.articles for r in queries.list_categories(session, published_only=False) if r.category is category)
    return _category_out(queries.CategoryCount(category, count))


@router.delete("/manage/categories/{category_id}", status_code=204)
def delete_category(category_id: int, session: DbSession, principal: Principal = require(MANAGE)) -> Response:
    actions.delete_category(session, principal.actor, actions.get_category(session, category_id))
    return Response(status_code=204)


@router.get("/manage/articles", response_model=list[ArticleOut])
def manage_articles(
    session: DbSession,
    category_id: int | None = None,
    status: str | None = Query(default=None, pattern="^(draft|published)$"),
    principal: Principal = require(MANAGE),
) -> list[ArticleOut]:
    """Every article, drafts included; filter by category and status."""
    return [_article_out(a) for a in queries.list_articles(session, category_id=category_id, status=status)]


@router.post("/manage/articles", response_model=ArticleOut, status_code=201)
def create_article(body: ArticleCreate, session: DbSession, principal: Principal = require(MANAGE)) -> ArticleOut:
    article = actions.create_article(
        session, principal.actor, slug=body.slug, category_id=body.category_id, versions=_texts(body.versions),
        author=principal.user, position=body.position, publish=body.publish,
    )  # fmt: skip
    return _article_out(article)


@router.get("/manage/articles/{article_id}", response_model=ArticleOut)
def get_article(article_id: int, session: DbSession, principal: Principal = require(MANAGE)) -> ArticleOut:
    return _article_out(actions.get_article(session, article_id))


@router.patch("/manage/articles/{article_id}", response_model=ArticleOut)
def update_article(
    article_id: int, body: ArticleUpdate, session: DbSession, principal: Principal = require(MANAGE)
) -> ArticleOut:
    article = actions.get_article(session, article_id)
    actions.update_article(
        session, principal.actor, article, slug=body.slug, category_id=body.category_id, position=body.position,
        versions=_texts(body.versions), remove_languages=tuple(body.remove_languages),
    )  # fmt: skip
    return _article_out(article)


@router.delete("/manage/articles/{article_id}", status_code=204)
def delete_article(article_id: int, session: DbSession, principal: Principal = require(MANAGE)) -> Response:
    actions.delete_article(session, principal.actor, actions.get_article(session, article_id))
    return Response(status_code=204)


@router.post("/manage/articles/{article_id}/publish", response_model=ArticleOut)
def publish(article_id: int, session: DbSession, principal: Principal = require(MANAGE)) -> ArticleOut:
    return _article_out(actions.publish_article(session, principal.actor, actions.get_article(session, article_id)))


@router.post("/manage/articles/{article_id}/unpublish", response_model=ArticleOut)
def unpublish(article_id: int, session: DbSession, principal: Principal = require(MANAGE)) -> ArticleOut:
    return _article_out(actions.unpublish_article(session, principal.actor, actions.get_article(session, article_id)))


@router.get("/manage/articles/{article_id}/feedback", response_model=list[FeedbackOut])
def article_feedback(
    article_id: int,
    session: DbSession,
    limit: int = Query(default=50, ge=1, le=500),
    principal: Principal = require(MANAGE),
) -> list[FeedbackOut]:
    """The article's latest answers, with the readers' reasons."""
    article = actions.get_article(session, article_id)
    return [FeedbackOut.model_validate(r) for r in queries.recent_feedback(session, article.id, limit=limit)]


@router.get("/manage/feedback-stats", response_model=list[FeedbackStatsOut])
def feedback_stats(session: DbSession, principal: Principal = require(MANAGE)) -> list[FeedbackStatsOut]:
    """Yes/no counts per article, the least helpful first."""
    return [
        FeedbackStatsOut(
            article_id=s.article_id,
            slug=s.slug,
            helpful_yes=s.helpful_yes,
            helpful_no=s.helpful_no,
            helpful_share=s.helpful_share,
        )
        for s in queries.feedback_stats(session)
    ]

"""Reading the help center: categories with counts, article lists, feedback statistics."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from zabota.errors import NotFound
from zabota.helpcenter.models import ArticleStatus, HelpArticle, HelpCategory, HelpCenterState, HelpFeedback


@dataclass(frozen=True)
class CategoryCount:
    category: HelpCategory
    articles: int


def current_stamp(session: Session) -> str:
    """The help center's revision stamp ("" before the first change): one primary-key read."""
    return session.scalar(select(HelpCenterState.stamp).where(HelpCenterState.id == 1)) or ""


def list_categories(session: Session, *, published_only: bool = True) -> list[CategoryCount]:
    counted = select(HelpArticle.category_id, func.count().label("n")).group_by(HelpArticle.category_id)
    if published_only:
        counted = counted.where(HelpArticle.status == ArticleStatus.PUBLISHED)
    counts: dict[int, int] = {row[0]: row[1] for row in session.execute(counted)}
    categories = session.scalars(select(HelpCategory).order_by(HelpCategory.position, HelpCategory.id))
    return [CategoryCount(c, counts.get(c.id, 0)) for c in categories]


def category_by_slug(session: Session, slug: str) -> HelpCategory:
    category = session.scalar(select(HelpCategory).where(HelpCategory.slug == slug))
    if category is None:
        raise NotFound("Help category {slug} does not exist.", slug=slug)
    return category


def list_articles(
    session: Session, *, category_id: int | None = None, status: str | None = ArticleStatus.PUBLISHED
) -> list[HelpArticle]:
    """Articles with their versions, in the category's order; `status=None` for every article."""
    query = select(HelpArticle).options(selectinload(HelpArticle.versions))
    if category_id is not None:
        query = query.where(HelpArticle.category_id == category_id)
    if status is not None:
        query = query.where(HelpArticle.status == status)
    return list(session.scalars(query.order_by(HelpArticle.category_id, HelpArticle.position, HelpArticle.id)))


def published_article(session: Session, slug: str) -> HelpArticle:
    """A published article by its slug; drafts do not exist for readers."""
    article = session.scalar(
        select(HelpArticle)
        .options(selectinload(HelpArticle.versions))
        .where(HelpArticle.slug == slug, HelpArticle.status == ArticleStatus.PUBLISHED)
    )
    if article is None:
        raise NotFound("Help article {slug} does not exist.", slug=slug)
    return article


def articles_by_id(session: Session, ids: list[int]) -> dict[int, HelpArticle]:
    if not ids:
        return {}
    rows = session.scalars(
        select(HelpArticle).options(selectinload(HelpArticle.versions)).where(HelpArticle.id.in_(ids))
    )
    return {row.id: row for row in rows}


@dataclass(frozen=True)
class FeedbackStats:
    article_id: int
    slug: str
    helpful_yes: int
    helpful_no: int

    @property
    def total(self) -> int:
        return self.helpful_yes + self.helpful_no

    @property
    def helpful_share(self) -> float | None:
        """Share of "yes" among all answers; None when nobody answered."""
        return self.helpful_yes / self.total if self.total else None


def feedback_stats(session: Session) -> list[FeedbackStats]:
    """Every article's yes/no counts, the least helpful (most "no") first."""
    rows = session.execute(
        select(HelpArticle.id, HelpArticle.slug, HelpArticle.helpful_yes, HelpArticle.helpful_no).order_by(
            HelpArticle.helpful_no.desc(), HelpArticle.helpful_yes, HelpArticle.id
        )
    )
    return [FeedbackStats(*row) for row in rows]


def recent_feedback(session: Session, article_id: int, *, limit: int = 50) -> list[HelpFeedback]:
    query = (
        select(HelpFeedback)
        .where(HelpFeedback.article_id == article_id)
        .order_by(HelpFeedback.created_at.desc(), HelpFeedback.id.desc())
        .limit(max(1, min(limit, 500)))
    )
    return list(session.scalars(query))

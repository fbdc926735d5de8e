from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zabota.db import Base, BigID, utcnow


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class HelpCategory(Base):
    """A section of the help center ("Delivery", "Returns"), titled in each language."""

    __tablename__ = "help_categories"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title_ru: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description_ru: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_ru

    def description(self, language: str) -> str:
        return self.description_en if language == "en" else self.description_ru


class HelpArticle(Base):
    """An article; its text lives in one `HelpArticleVersion` per language."""

    __tablename__ = "help_articles"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("help_categories.id", ondelete="RESTRICT"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=ArticleStatus.DRAFT)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    helpful_yes: Mapped[int] = mapped_column(Integer, default=0)
    helpful_no: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    versions: Mapped[list[HelpArticleVersion]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="HelpArticleVersion.language"
    )

    __table_args__ = (Index("ix_help_articles_category_status", "category_id", "status", "position"),)

    def version(self, language: str) -> HelpArticleVersion | None:
        """The text in `language`, or in the other language when there is none."""
        by_language = {v.language: v for v in self.versions}
        return by_language.get(language) or next(iter(by_language.values()), None)

    @property
    def languages(self) -> list[str]:
        return sorted(v.language for v in self.versions)


class HelpArticleVersion(Base):
    """One language of an article: Markdown as written and the sanitized HTML shown to readers."""

    __tablename__ = "help_article_versions"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("help_articles.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[HelpArticle] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("article_id", "language"),)


class HelpFeedback(Base):
    """One answer to "Was this helpful?" on an article."""

    __tablename__ = "help_feedback"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("help_articles.id", ondelete="CASCADE"))
    helpful: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_help_feedback_article_created", "article_id", "created_at"),)


class HelpCenterState(Base):
    """One row: the help center's revision, bumped by every change to what search sees.

    Each process keeps its search index in memory and compares `stamp` before a query; a random
    stamp (not only the counter) keeps a database that was emptied and refilled from looking current.
    """

    __tablename__ = "help_center_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(BigID, default=0)
    stamp: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

"""Help center changes: categories, articles and their language versions, publishing, feedback.

Every change is audited with a domain event and bumps the help center's revision, which tells
each process's search index (zabota.helpcenter.search) to rebuild before its next query.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from zabota.auth.models import User
from zabota.conversations.models import Conversation
from zabota.customers.models import Customer
from zabota.db import insert_for, utcnow
from zabota.errors import Conflict, DomainError, NotFound
from zabota.events.actions import Actor, record_event
from zabota.helpcenter.content import render_markdown
from zabota.helpcenter.models import (
    ArticleStatus,
    HelpArticle,
    HelpArticleVersion,
    HelpCategory,
    HelpCenterState,
    HelpFeedback,
)

LANGUAGES = ("ru", "en")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TITLE_LENGTH = 200
MAX_BODY_LENGTH = 100_000
MAX_REASON_LENGTH = 2000
STATE_ID = 1


@dataclass(frozen=True)
class ArticleText:
    """An article's title and Markdown body in one language."""

    title: str
    body: str


# --- revision -----------------------------------------------------------------------------------


def bump_revision(session: Session) -> None:
    """Mark the help center changed, in the caller's transaction (the row lock orders writers)."""
    stamp = secrets.token_hex(16)
    now = utcnow()
    table = HelpCenterState.__table__
    statement = insert_for(session, table).values(id=STATE_ID, revision=1, stamp=stamp, updated_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={"revision": table.c.revision + 1, "stamp": stamp, "updated_at": now},
    )
    session.execute(statement)


# --- categories ---------------------------------------------------------------------------------


def _check_slug(slug: str) -> str:
    value = slug.strip().lower()
    if not SLUG_RE.match(value) or len(value) > 80:
        raise DomainError(
            "A slug is up to 80 Latin letters, digits and single dashes, like delivery-times.", code="bad_slug"
        )
    return value


def _check_title(title: str) -> str:
    value = title.strip()
    if not value or len(value) > MAX_TITLE_LENGTH:
        raise DomainError("A title is 1 to {limit} characters.", limit=MAX_TITLE_LENGTH, code="bad_title")
    return value


def get_category(session: Session, category_id: int) -> HelpCategory:
    category = session.get(HelpCategory, category_id)
    if category is None:
        raise NotFound("Help category {category_id} does not exist.", category_id=category_id)
    return category


def _slug_taken(
    session: Session, model: type[HelpCategory] | type[HelpArticle], slug: str, exclude: int | None
) -> None:
    query = select(model.id).where(model.slug == slug)
    if exclude is not None:
        query = query.where(model.id != exclude)
    if session.scalar(query.limit(1)) is not None:
        raise Conflict("The slug {slug} is already taken.", slug=slug, code="slug_taken")


def create_category(
    session: Session,
    actor: Actor,
    *,
    slug: str,
    title_ru: str,
    title_en: str,
    description_ru: str = "",
    description_en: str = "",
    position: int = 0,
) -> HelpCategory:
    slug = _check_slug(slug)
    _slug_taken(session, HelpCategory, slug, None)
    category = HelpCategory(
        slug=slug,
        position=position,
        title_ru=_check_title(title_ru),
        title_en=_check_title(title_en),
        description_ru=description_ru.strip(),
        description_en=description_en.strip(),
    )
    session.add(category)
    session.flush()
    record_event(session, "help_category.created", actor, "help_category", category.id, {"slug": slug})
    bump_revision(session)
    return category


def update_category(session: Session, actor: Actor, category: HelpCategory, **fields: Any) -> HelpCategory:
    """Change any of slug, position, title_ru/en, description_ru/en."""
    allowed = {"slug", "position", "title_ru", "title_en", "description_ru", "description_en"}
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError("Unknown fields: {names}.", names=", ".join(sorted(unknown)))
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if value is None:
            continue
        if name == "slug":
            value = _check_slug(value)
            _slug_taken(session, HelpCategory, value, category.id)
        elif name.startswith("title_"):
            value = _check_title(value)
        elif name.startswith("description_"):
            value = value.strip()
        if getattr(category, name) != value:
            changes[name] = value
    if not changes:
        return category
    for name, value in changes.items():
        setattr(category, name, value)
    record_event(session, "help_category.updated", actor, "help_category", category.id, changes)
    bump_revision(session)
    return category


def delete_category(session: Session, actor: Actor, category: HelpCategory) -> None:
    count = session.scalar(select(func.count()).select_from(HelpArticle).where(HelpArticle.category_id == category.id))
    if count:
        raise Conflict(
            "The category still has {count} articles; move or delete them first.", count=count, code="category_in_use"
        )
    record_event(session, "help_category.deleted", actor, "help_category", category.id, {"slug": category.slug})
    session.delete(category)
    bump_revision(session)


# --- articles -----------------------------------------------------------------------------------


def get_article(session: Session, article_id: int) -> HelpArticle:
    article = session.get(HelpArticle, article_id)
    if article is None:
        raise NotFound("Help article {article_id} does not exist.", article_id=article_id)
    return article


def _check_text(language: str, text: ArticleText) -> ArticleText:
    if language not in LANGUAGES:
        raise DomainError("Language must be one of {names}.", names=", ".join(LANGUAGES), code="bad_language")
    body = text.body.strip()
    if not body or len(body) > MAX_BODY_LENGTH:
        raise DomainError("An article's text is 1 to {limit} characters.", limit=MAX_BODY_LENGTH, code="bad_body")
    return ArticleText(_check_title(text.title), body)


def _set_version(article: HelpArticle, language: str, text: ArticleText) -> bool:
    """Write one language's text; True when it changed."""
    current = next((v for v in article.versions if v.language == language), None)
    if current is not None and current.title == text.title and current.body_md == text.body:
        return False
    html = render_markdown(text.body)
    if current is None:
        article.versions.append(
            HelpArticleVersion(
                language=language, title=text.title, body_md=text.body, body_html=html, updated_at=utcnow()
            )
        )
    else:
        current.title, current.body_md, current.body_html, current.updated_at = text.title, text.body, html, utcnow()
    return True


def create_article(
    session: Session,
    actor: Actor,
    *,
    slug: str,
    category_id: int,
    versions: Mapping[str, ArticleText],
    author: User | None = None,
    position: int = 0,
    publish: bool = False,
) -> HelpArticle:
    slug = _check_slug(slug)
    get_category(session, category_id)
    checked = {language: _check_text(language, text) for language, text in versions.items()}
    if not checked:
        raise DomainError("An article needs its text in at least one language.", code="no_versions")
    _slug_taken(session, HelpArticle, slug, None)
    now = utcnow()
    article = HelpArticle(
        slug=slug,
        category_id=category_id,
        position=position,
        status=ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT,
        author_id=author.id if author is not None else None,
        helpful_yes=0,
        helpful_no=0,
        created_at=now,
        updated_at=now,
        published_at=now if publish else None,
        versions=[],
    )
    for language, text in checked.items():
        _set_version(article, language, text)
    session.add(article)
    session.flush()
    record_event(
        session,
        "help_article.created",
        actor,
        "help_article",
        article.id,
        {"slug": slug, "category_id": category_id, "languages": sorted(checked), "status": article.status},
    )
    bump_revision(session)
    return article


def update_article(
    session: Session,
    actor: Actor,
    article: HelpArticle,
    *,
    slug: str | None = None,
    category_id: int | None = None,
    position: int | None = None,
    versions: Mapping[str, ArticleText] | None = None,
    remove_languages: tuple[str, ...] = (),
) -> HelpArticle:
    """Change the given fields and language versions; the audit names what changed, not the text."""
    changes: dict[str, Any] = {}
    if slug is not None and _check_slug(slug) != article.slug:
        new_slug = _check_slug(slug)
        _slug_taken(session, HelpArticle, new_slug, article.id)
        changes["slug"] = new_slug
    if category_id is not None and category_id != article.category_id:
        get_category(session, category_id)
        changes["category_id"] = category_id
    if position is not None and position != article.position:
        changes["position"] = position
    checked = {language: _check_text(language, text) for language, text in (versions or {}).items()}
    removed = [v for v in article.versions if v.language in remove_languages and v.language not in checked]
    if removed and len(article.versions) - len(removed) + len(set(checked) - set(article.languages)) < 1:
        raise DomainError("An article needs its text in at least one language.", code="no_versions")
    for name, value in changes.items():
        setattr(article, name, value)
    changed_languages = [language for language, text in checked.items() if _set_version(article, language, text)]
    for version in removed:
        article.versions.remove(version)
    if changed_languages:
        changes["languages_changed"] = sorted(changed_languages)
    if removed:
        changes["languages_removed"] = sorted(v.language for v in removed)
    if not changes:
        return article
    article.updated_at = utcnow()
    record_event(session, "help_article.updated", actor, "help_article", article.id, changes)
    bump_revision(session)
    return article


def publish_article(session: Session, actor: Actor, article: HelpArticle) -> HelpArticle:
    if article.status == ArticleStatus.PUBLISHED:
        return article
    article.status = ArticleStatus.PUBLISHED
    article.published_at = utcnow()
    record_event(session, "help_article.published", actor, "help_article", article.id, {"slug": article.slug})
    bump_revision(session)
    return article


def unpublish_article(session: Session, actor: Actor, article: HelpArticle) -> HelpArticle:
    if article.status == ArticleStatus.DRAFT:
        return article
    article.status = ArticleStatus.DRAFT
    record_event(session, "help_article.unpublished", actor, "help_article", article.id, {"slug": article.slug})
    bump_revision(session)
    return article


def delete_article(session: Session, actor: Actor, article: HelpArticle) -> None:
    record_event(
        session,
        "help_article.deleted",
        actor,
        "help_article",
        article.id,
        {"slug": article.slug, "title": next((v.title for v in article.versions), "")},
    )
    session.delete(article)
    bump_revision(session)


# --- feedback -----------------------------------------------------------------------------------


def record_feedback(
    session: Session,
    article: HelpArticle,
    *,
    helpful: bool,
    language: str,
    reason: str | None = None,
    customer_id: int | None = None,
    conversation_id: int | None = None,
) -> HelpFeedback:
    """A reader's "was this helpful?" answer; counted on the article at once, race-free."""
    if article.status != ArticleStatus.PUBLISHED:
        raise NotFound("Help article {slug} does not exist.", slug=article.slug)
    if language not in LANGUAGES:
        raise DomainError("Language must be one of {names}.", names=", ".join(LANGUAGES), code="bad_language")
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON_LENGTH:
        raise DomainError("Please keep the reason under {limit} characters.", limit=MAX_REASON_LENGTH)
    if customer_id is not None and session.get(Customer, customer_id) is None:
        raise NotFound("Customer {customer_id} does not exist.", customer_id=customer_id)
    if conversation_id is not None and session.get(Conversation, conversation_id) is None:
        raise NotFound("Conversation {conversation_id} does not exist.", conversation_id=conversation_id)
    row = HelpFeedback(
        article_id=article.id,
        helpful=helpful,
        reason=reason,
        language=language,
        customer_id=customer_id,
        conversation_id=conversation_id,
        created_at=utcnow(),
    )
    session.add(row)
    counter = HelpArticle.helpful_yes if helpful else HelpArticle.helpful_no
    session.execute(
        update(HelpArticle)
        .where(HelpArticle.id == article.id)
        .values({counter: counter + 1})
        .execution_options(synchronize_session=False)
    )
    session.flush()
    session.refresh(article, ["helpful_yes", "helpful_no"])
    actor = Actor("customer", customer_id) if customer_id is not None else Actor("customer")
    record_event(
        session,
        "help_article.feedback",
        actor,
        "help_article",
        article.id,
        {"helpful": helpful, "language": language, "has_reason": reason is not None},
        conversation_id=conversation_id,
    )
    return row

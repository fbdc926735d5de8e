"""Help center actions: audited changes, Markdown made safe, and a search that follows every edit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from zabota.errors import Conflict, DomainError, NotFound
from zabota.events.actions import Actor
from zabota.events.models import DomainEvent
from zabota.helpcenter import actions, queries
from zabota.helpcenter.actions import ArticleText
from zabota.helpcenter.models import HelpArticle, HelpCenterState, HelpFeedback
from zabota.helpcenter.search import SearchIndex, search_articles


def _events(db, subject_type: str) -> list[tuple[str, int | None]]:
    with db.transaction() as session:
        rows = session.scalars(
            select(DomainEvent).where(DomainEvent.subject_type == subject_type).order_by(DomainEvent.id)
        )
        return [(e.type, e.subject_id) for e in rows]


def _revision(db) -> tuple[int, str]:
    with db.transaction() as session:
        state = session.get(HelpCenterState, 1)
        return (state.revision, state.stamp) if state else (0, "")


def test_article_lifecycle_is_audited_and_bumps_the_revision(db, make_user):
    editor = make_user("marketer")
    actor = Actor.user(editor.id)
    with db.transaction() as session:
        category = actions.create_category(
            session, actor, slug="Returns", title_ru="Возврат", title_en="Returns", description_ru="Как вернуть"
        )
        article = actions.create_article(
            session, actor, slug="refund", category_id=category.id, author=editor,
            versions={"ru": ArticleText("Возврат денежных средств", "Деньги вернутся на **карту**.")},
        )  # fmt: skip
        ids = (category.id, article.id)
        assert category.slug == "returns"
        assert article.status == "draft" and article.author_id == editor.id
        assert article.version("ru").body_html == "<p>Деньги вернутся на <strong>карту</strong>.</p>\n"
    first = _revision(db)
    with db.transaction() as session:
        article = actions.get_article(session, ids[1])
        actions.update_article(
            session, actor, article, versions={"en": ArticleText("Refunds", "Money goes back to the card.")}
        )
        actions.publish_article(session, actor, article)
        actions.unpublish_article(session, actor, article)
        actions.update_category(session, actor, actions.get_category(session, ids[0]), title_en="Returns & refunds")
        assert article.languages == ["en", "ru"]
    second = _revision(db)
    assert second[0] == first[0] + 4 and second[1] != first[1]
    # An update that changes nothing is not an event and not a new revision.
    with db.transaction() as session:
        article = actions.get_article(session, ids[1])
        actions.update_article(
            session, actor, article, versions={"en": ArticleText("Refunds", "Money goes back to the card.")}
        )
    assert _revision(db) == second
    with db.transaction() as session, pytest.raises(Conflict):
        actions.delete_category(session, actor, actions.get_category(session, ids[0]))
    with db.transaction() as session:
        actions.delete_article(session, actor, actions.get_article(session, ids[1]))
        actions.delete_category(session, actor, actions.get_category(session, ids[0]))
    assert _events(db, "help_article") == [
        ("help_article.created", ids[1]),
        ("help_article.updated", ids[1]),
        ("help_article.published", ids[1]),
        ("help_article.unpublished", ids[1]),
        ("help_article.deleted", ids[1]),
    ]
    assert [t for t, _ in _events(db, "help_category")] == [
        "help_category.created", "help_category.updated", "help_category.deleted",
    ]  # fmt: skip
    with db.transaction() as session:
        events = session.scalars(select(DomainEvent).where(DomainEvent.type == "help_article.updated")).all()
        assert events[0].actor_kind == "user" and events[0].actor_id == editor.id
        assert events[0].payload == {"languages_changed": ["en"]}


def test_bad_input_is_refused(db, small_help):
    system = Actor.system()
    with db.transaction() as session:
        for slug in ("", "Про доставку", "a--b", "-x", "x" * 81):
            with pytest.raises(DomainError) as refused:
                actions.create_category(session, system, slug=slug, title_ru="Т", title_en="T")
            assert refused.value.code == "bad_slug"
        with pytest.raises(Conflict):
            actions.create_category(session, system, slug="delivery", title_ru="Т", title_en="T")
        with pytest.raises(NotFound):
            actions.create_article(session, system, slug="x", category_id=999, versions={"ru": ArticleText("a", "b")})
        with pytest.raises(DomainError):
            actions.create_article(session, system, slug="x", category_id=small_help["category"], versions={})
        with pytest.raises(DomainError):
            actions.create_article(
                session, system, slug="x", category_id=small_help["category"], versions={"de": ArticleText("a", "b")}
            )
        with pytest.raises(Conflict):
            actions.create_article(
                session, system, slug="late-order", category_id=small_help["category"],
                versions={"ru": ArticleText("a", "b")},
            )  # fmt: skip
        draft = actions.get_article(session, small_help["draft"])
        with pytest.raises(DomainError):  # the last language cannot go
            actions.update_article(session, system, draft, remove_languages=("ru",))
        with pytest.raises(NotFound):  # readers cannot rate a draft
            actions.record_feedback(session, draft, helpful=True, language="ru")


def test_markdown_is_rendered_and_sanitized(db, small_help):
    with db.transaction() as session:
        article = actions.get_article(session, small_help["published"])
        body = (
            "# Шаг 1\n\n<script>alert(1)</script>\n\n"
            "[ссылка](javascript:alert(1)) и [наша](/help)\n\n<img src=x onerror=alert(1)>"
        )
        actions.update_article(
            session, Actor.system(), article, versions={"ru": ArticleText("Заказ задерживается", body)}
        )
        html = article.version("ru").body_html
    assert "<h1>Шаг 1</h1>" in html
    # Raw HTML in the Markdown shows as text; a javascript: link is not a link.
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="/help" rel="noopener noreferrer nofollow">наша</a>' in html


def test_feedback_counts_and_is_audited(db, small_help):
    with db.transaction() as session:
        article = actions.get_article(session, small_help["published"])
        actions.record_feedback(session, article, helpful=True, language="ru")
        actions.record_feedback(session, article, helpful=False, language="en", reason="  No phone number  ")
        actions.record_feedback(session, article, helpful=False, language="ru", reason="   ")
        assert (article.helpful_yes, article.helpful_no) == (1, 2)
    with db.transaction() as session:
        reasons = [row.reason for row in session.scalars(select(HelpFeedback).order_by(HelpFeedback.id))]
        assert reasons == [None, "No phone number", None]
        stats = {s.slug: s for s in queries.feedback_stats(session)}
        assert stats["late-order"].helpful_share == pytest.approx(1 / 3)
        assert stats["drone-delivery"].helpful_share is None
    assert [t for t, _ in _events(db, "help_article")].count("help_article.feedback") == 3


def test_drafts_are_not_searchable_until_published(db, small_help):
    with db.transaction() as session:
        assert [h.article.slug for h in search_articles(session, "дроны квадрокоптеры", "ru")] == []
        assert [h.article.slug for h in search_articles(session, "курьер опаздывает", "ru")] == ["late-order"]
        actions.publish_article(session, Actor.system(), actions.get_article(session, small_help["draft"]))
    with db.transaction() as session:
        assert [h.article.slug for h in search_articles(session, "дроны квадрокоптеры", "ru")] == ["drone-delivery"]
        actions.unpublish_article(session, Actor.system(), actions.get_article(session, small_help["draft"]))
    with db.transaction() as session:
        assert search_articles(session, "квадрокоптер", "ru") == []


def test_a_second_process_sees_an_edit_without_a_rebuild_command(db, small_help):
    """Two SearchIndex objects stand for two server processes sharing one database."""
    first, second = SearchIndex(), SearchIndex()
    with db.transaction() as session:
        for index in (first, second):
            assert [h.article.slug for h in index.search(session, "late courier", "en")] == ["late-order"]
            assert index.search(session, "snowstorm", "en") == []
    builds = (first.builds, second.builds)
    with db.transaction() as session:  # queries while nothing changed reuse the index
        first.search(session, "late", "en")
        second.search(session, "late", "en")
    assert (first.builds, second.builds) == builds
    with db.transaction() as session:  # "process" one edits the article
        article = actions.get_article(session, small_help["published"])
        actions.update_article(
            session, Actor.system(), article,
            versions={"en": ArticleText("My order is late", "In a snowstorm couriers may be late by a day.")},
        )  # fmt: skip
    with db.transaction() as session:  # "process" two sees the new text at once
        hits = second.search(session, "snowstorm", "en")
        assert [h.article.slug for h in hits] == ["late-order"]
        assert "snowstorm" in hits[0].snippet
        assert second.builds == builds[1] + 1
    with db.transaction() as session:
        actions.delete_article(session, Actor.system(), actions.get_article(session, small_help["published"]))
    with db.transaction() as session:
        assert first.search(session, "snowstorm", "en") == []


def test_one_hit_per_article_with_a_snippet_in_the_asked_language(db, small_help):
    with db.transaction() as session:
        hits = search_articles(session, "order late courier заказ задерживается", "ru")
        assert [h.article.slug for h in hits] == ["late-order"]
        assert hits[0].snippet == "Если курьер опаздывает, напишите нам в чат."
        assert isinstance(hits[0].article, HelpArticle) and hits[0].score > 0
        assert search_articles(session, "", "ru") == []
        assert search_articles(session, "и в на", "ru") == []
        assert search_articles(session, "x" * 10_000, "ru") == []

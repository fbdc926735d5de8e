"""Help center builders: the demo help center and a small one built through the actions."""

from __future__ import annotations

import pytest

from zabota.db import Database
from zabota.events.actions import Actor
from zabota.helpcenter.actions import ArticleText, create_article, create_category


@pytest.fixture
def demo_help(db: Database) -> int:
    """The demo shop's help center (35 published articles); returns the article count."""
    from zabota.helpcenter.demo_articles import load_help_center

    with db.transaction() as session:
        return load_help_center(session, Actor.system())


@pytest.fixture
def small_help(db: Database) -> dict[str, int]:
    """One category with a published and a draft article; returns their ids."""
    with db.transaction() as session:
        delivery = create_category(session, Actor.system(), slug="delivery", title_ru="Доставка", title_en="Delivery")
        late = create_article(
            session,
            Actor.system(),
            slug="late-order",
            category_id=delivery.id,
            versions={
                "ru": ArticleText("Заказ задерживается", "Если курьер опаздывает, напишите нам в чат."),
                "en": ArticleText("My order is late", "If the courier is late, write to us in the chat."),
            },
            publish=True,
        )
        secret = create_article(
            session,
            Actor.system(),
            slug="drone-delivery",
            category_id=delivery.id,
            versions={"ru": ArticleText("Доставка дронами", "Скоро мы начнём доставлять заказы квадрокоптерами.")},
        )
        return {"category": delivery.id, "published": late.id, "draft": secret.id}

"""The first-line bot in the widget, in Chromium: it answers a question the help center knows with
the article and a "talk to a person" button, hands off when asked (by the button or in words) and
at once when it is not sure; each hand-off reaches the operators' inbox live."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from tests.web.builders import sign_in_browser
from tests.web.test_widget_live import LIVE, _open_widget, _page, _say, site  # noqa: F401  (site: the fixture)
from zabota.bot.config import RESPOND_JOB
from zabota.channels.actions import create_inbox
from zabota.events.actions import Actor
from zabota.helpcenter.demo_articles import load_help_center
from zabota.jobs import run_until_idle
from zabota.jobs.models import Job
from zabota.jobs.registry import autodiscover


def _bot_jobs(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).where(Job.name == RESPOND_JOB)) or 0


def _bot_turn(db, before: int) -> None:
    """What a `zabota worker` process does next: the bot's job for the message just sent. The
    widget shows a message as it sends it, so wait until that message's job exists."""
    autodiscover()
    deadline = time.monotonic() + LIVE / 1000
    while _bot_jobs(db) <= before:
        assert time.monotonic() < deadline, "no job arrived for the bot"
        time.sleep(0.1)
    run_until_idle(db)


def _bot_says(visitor: Page, text: str) -> None:
    expect(visitor.locator("#zabota-widget >> .msg.out").last).to_contain_text(text, timeout=LIVE)


def test_the_bot_answers_hands_off_on_request_and_when_unsure(browser, server_url, db, make_user, site):  # noqa: F811
    with db.transaction() as session:
        load_help_center(session, Actor.system())
        key = create_inbox(
            session,
            Actor.system(),
            channel_type="widget",
            name="Сайт",
            settings={"allowed_origins": [site["url"]], "bot": {"enabled": True}},
        ).inbox.settings["key"]
    site["pages"]["/"] = _page(server_url, key, "ru")  # type: ignore[index]
    operator = sign_in_browser(browser, server_url, make_user("operator", name="Анна Смирнова"), "ru")
    operator.click("a[data-view=all]")

    # A question the help center answers: the bot quotes the article and offers a person.
    visitor = _open_widget(browser, f"{site['url']}/", "ru")
    before = _bot_jobs(db)
    _say(visitor, "Как вернуть деньги за заказ?")
    _bot_turn(db, before)
    _bot_says(visitor, "/help/articles/refund")
    handoff = visitor.locator("#zabota-widget >> button.handoff")
    expect(handoff).to_be_visible()
    # While the bot has it, the conversation is not in the people's queue.
    rows = operator.locator(".rows .row")
    expect(rows).to_have_count(0)

    # The customer asks for a person with the button: it reaches the operators live.
    handoff.click()
    expect(handoff).to_have_count(0, timeout=LIVE)
    expect(rows).to_have_count(1, timeout=LIVE)
    rows.first.locator("a").first.click()
    expect(operator.locator(".note").last).to_contain_text("вернуть деньги")  # the transcript note

    # Asking in words hands off too.
    typed = _open_widget(browser, f"{site['url']}/", "ru")
    before = _bot_jobs(db)
    _say(typed, "Позовите живого человека, пожалуйста")
    _bot_turn(db, before)
    expect(rows).to_have_count(2, timeout=LIVE)
    expect(typed.locator("#zabota-widget >> button.handoff")).to_have_count(0)

    # A question it cannot answer with confidence goes to a person at once, with a word to the customer.
    unsure = _open_widget(browser, f"{site['url']}/", "ru")
    before = _bot_jobs(db)
    _say(unsure, "У вас есть вакансии бухгалтера?")
    _bot_turn(db, before)
    expect(rows).to_have_count(3, timeout=LIVE)
    expect(unsure.locator("#zabota-widget >> .msg.out")).to_have_count(1, timeout=LIVE)  # the bot's note
    expect(unsure.locator("#zabota-widget >> .msg.out a[href*='/help/articles/']")).to_have_count(0)

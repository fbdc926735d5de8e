"""Two operators in two browsers: live arrival, reply, @mention, transfer, resolve, screenshots."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.sync_api import expect

from tests.web.builders import push_message, sign_in_browser
from zabota.departments.actions import add_member, create_department
from zabota.events.actions import Actor
from zabota.sla.actions import set_policy

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LIVE = 3_000  # ms: generous for a loaded 2-core CI machine; latency itself is measured in bench/, not here


def test_two_operators_work_a_conversation_live(browser, server_url, db, make_user, api_inbox):
    anna = make_user("operator", name="Анна Смирнова")
    boris = make_user("operator", name="Boris Ivanov")
    with db.transaction() as session:
        support = create_department(session, Actor.system(), name="Поддержка")
        returns = create_department(session, Actor.system(), name="Возвраты")
        add_member(session, Actor.system(), support, session.merge(anna))
        add_member(session, Actor.system(), returns, session.merge(boris))
        # Support answers within 30 minutes, so rows and the pane carry SLA badges.
        set_policy(session, Actor.system(), support, first_reply_minutes=30, business_hours_only=False)
        support_id = support.id
    inbox, headers = api_inbox(default_department_id=support_id)
    # Boris's user is English-speaking; his UI follows his language.
    with db.transaction() as session:
        session.merge(boris).language = "en"

    anna_page = sign_in_browser(browser, server_url, anna, "ru")
    boris_page = sign_in_browser(browser, server_url, boris, "en")
    anna_page.click("a[data-view=all]")
    boris_page.click("a[data-view=all]")

    conversation_id = push_message(
        server_url, inbox, headers, "m-1", "Здравствуйте! Где мой заказ №1042?", "Ольга Петрова"
    )
    row = anna_page.locator(f".rows .row[data-id='{conversation_id}']")
    expect(row).to_be_visible(timeout=LIVE)
    expect(boris_page.locator(f".rows .row[data-id='{conversation_id}']")).to_be_visible(timeout=LIVE)
    # The views' counts follow the live list too.
    expect(boris_page.locator("#count-all")).to_have_text("1", timeout=LIVE)
    expect(boris_page.locator("#count-unassigned")).to_have_text("1")

    row.locator("a").click()
    expect(anna_page.locator(".pane")).to_have_attribute("data-conversation", str(conversation_id))
    anna_page.fill("#composer-text", "Добрый день, Ольга! Заказ уже в пути.")
    anna_page.click("#composer-send")
    expect(anna_page.locator(".msg.out").last).to_contain_text("Заказ уже в пути")

    # A second customer message arrives while Anna has the conversation open.
    push_message(server_url, inbox, headers, "m-1-b", "Спасибо! А когда привезут?", "Ольга Петрова")
    expect(anna_page.locator(".msg.in").last).to_contain_text("когда привезут", timeout=LIVE)
    # New to Boris, who has not opened it; not to Anna, who is reading it.
    expect(boris_page.locator(f".rows .row[data-id='{conversation_id}'] .badge.unread")).to_have_count(1, timeout=LIVE)
    anna_page.wait_for_timeout(500)  # the list refresh that follows the message
    expect(anna_page.locator(f".rows .row[data-id='{conversation_id}'] .badge.unread")).to_have_count(0)

    # A note with an @mention notifies Boris.
    anna_page.click(".composer .mode[data-mode=note]")
    anna_page.fill("#composer-text", f"@{boris.handle} клиентка может захотеть вернуть товар.")
    anna_page.click("#composer-send")
    expect(anna_page.locator(".note").last).to_contain_text("вернуть товар")
    expect(boris_page.locator("#toast")).to_contain_text(f"#{conversation_id}", timeout=LIVE)

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    anna_page.screenshot(path=str(SCREENSHOTS / "conversation-ru.png"))

    # Transfer to Returns with a note: the conversation shows Boris's department live.
    anna_page.click(".menu summary")
    anna_page.select_option("select[name=department_id]", label="Возвраты")
    anna_page.fill("textarea[name=note]", "Передаю в возвраты")
    anna_page.click("[data-action=transfer]")
    expect(anna_page.locator("[data-department-name]")).to_have_text("Возвраты")
    boris_page.click(f".rows .row[data-id='{conversation_id}'] a")
    expect(boris_page.locator(".note").last).to_contain_text("Передаю в возвраты")
    boris_page.screenshot(path=str(SCREENSHOTS / "conversation-en.png"))

    # Boris resolves with the keyboard; Anna sees the status change live.
    anna_page.click(f".rows .row[data-id='{conversation_id}'] a")
    boris_page.locator("body").press("e")
    expect(boris_page.locator("[data-status]")).to_have_text("resolved")
    expect(anna_page.locator("[data-status]")).to_have_text("решён", timeout=LIVE)

    # More customers write in: the inbox screenshots show a working queue.
    for n, (text, name) in enumerate([
        ("Добрый вечер! Можно поменять размер кроссовок?", "Ирина Волкова"),
        ("Не приходит код подтверждения по SMS", "Павел Орлов"),
        ("Подскажите, когда будет скидка на пальто?", "Marina Lebedeva"),
    ]):  # fmt: skip
        push_message(server_url, inbox, headers, f"m-more-{n}", text, name)
    anna_page.click("a[data-view=all]")
    expect(anna_page.locator(".rows .row .sla")).to_have_count(3, timeout=LIVE)
    anna_page.screenshot(path=str(SCREENSHOTS / "inbox-ru.png"))
    boris_page.click("a[data-view=all]")
    expect(boris_page.locator(".rows .row .sla")).to_have_count(3, timeout=LIVE)
    boris_page.locator(".rows .row a").first.click()
    expect(boris_page.locator(".pane-head .sla")).to_be_visible()
    boris_page.screenshot(path=str(SCREENSHOTS / "inbox-en.png"))


def test_pages_need_a_session_and_forms_need_csrf(server_url, make_user):
    client = httpx.Client(base_url=server_url)
    assert client.get("/inbox").status_code == 303
    user = make_user("operator")
    client.get("/login")
    forged = client.post("/login", data={"email": user.email, "password": "correct-horse-9", "csrf_token": "x"})
    assert forged.status_code == 403
    token = re.search(r'name="csrf_token" value="([^"]+)"', forged.text).group(1)  # the page issues a fresh one
    signed = client.post("/login", data={"email": user.email, "password": "correct-horse-9", "csrf_token": token})
    assert signed.status_code == 303
    assert client.get("/inbox").status_code == 200
    assert client.post("/logout").status_code == 403  # no CSRF token

"""The widget on another site, in Chromium: a customer and an operator chat live both ways, the
visitor's connection drops and comes back without losing or repeating a message, a forged user hash
is refused; screenshots in Russian and English."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.servers import free_port
from tests.web.builders import sign_in_browser
from zabota.channels.actions import create_inbox
from zabota.events.actions import Actor

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LIVE = 8_000  # ms: the server runs without Redis, so cross-process commits are seen by a 2 s poll


@pytest.fixture
def site(server_url: str) -> Iterator[dict[str, object]]:
    """A shop's site on its own port: pages embed the widget script from the Zabota server."""
    pages: dict[str, str] = {}
    port = free_port()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.split("?")[0])
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write((body or "not found").encode())

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{port}", "pages": pages}
    server.shutdown()


def _page(server_url: str, key: str, language: str, extra: str = "") -> str:
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>Shop</title></head>'
        "<body style='font-family:sans-serif'><h1>Магазин «Ромашка»</h1><p>Кроссовки, куртки, пальто.</p>"
        f'<script src="{server_url}/widget.js" data-inbox="{key}" data-language="{language}" {extra} async></script>'
        "</body></html>"
    )


def _open_widget(browser, url: str, language: str) -> Page:
    context = browser.new_context(viewport={"width": 1100, "height": 760}, locale=f"{language}-RU")
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#zabota-widget[data-ready]", state="attached")
    page.click("#zabota-widget >> .launcher")
    expect(page.locator("#zabota-widget")).to_have_attribute("data-live", "on", timeout=LIVE)
    return page


def _say(page: Page, text: str) -> None:
    page.fill("#zabota-widget >> textarea", text)
    page.press("#zabota-widget >> textarea", "Enter")
    expect(page.locator("#zabota-widget >> .msg.in").last).to_contain_text(text)


def _answer(operator: Page, text: str) -> None:
    operator.fill("#composer-text", text)
    operator.click("#composer-send")
    expect(operator.locator(".msg.out").last).to_contain_text(text)


def test_customer_and_operator_chat_live_through_a_drop(browser, server_url, db, make_user, site):
    with db.transaction() as session:
        key = create_inbox(
            session,
            Actor.system(),
            channel_type="widget",
            name="Сайт",
            settings={
                "allowed_origins": [site["url"]],
                "title": {"ru": "Ромашка: поддержка", "en": "Romashka support"},
            },
        ).inbox.settings["key"]
    site["pages"]["/"] = _page(server_url, key, "ru")  # type: ignore[index]
    site["pages"]["/en"] = _page(server_url, key, "en")  # type: ignore[index]
    site["pages"]["/forged"] = _page(server_url, key, "ru", 'data-user-id="user-1" data-user-hash="' + "0" * 64 + '"')  # type: ignore[index]
    operator = sign_in_browser(browser, server_url, make_user("operator", name="Анна Смирнова"), "ru")
    operator.click("a[data-view=all]")

    visitor = _open_widget(browser, f"{site['url']}/", "ru")
    expect(visitor.locator("#zabota-widget >> header b")).to_have_text("Ромашка: поддержка")
    _say(visitor, "Здравствуйте! Не пришёл заказ №1042")
    row = operator.locator(".rows .row", has_text="Не пришёл заказ")
    expect(row).to_be_visible(timeout=LIVE)
    row.locator("a").first.click()
    expect(operator.locator("#typing-indicator")).to_be_attached()

    # Typing shows on both sides, live.
    operator.wait_for_timeout(500)  # the pane's typing stream connects
    visitor.fill("#zabota-widget >> textarea", "Номер заказа 1042")
    expect(operator.locator("#typing-indicator")).to_be_visible(timeout=LIVE)
    visitor.fill("#zabota-widget >> textarea", "")
    operator.type("#composer-text", "Сейчас проверю")
    expect(visitor.locator("#zabota-widget >> .typing")).to_contain_text("Анна", timeout=LIVE)
    operator.fill("#composer-text", "")
    _answer(operator, "Добрый день! Сейчас проверю заказ.")
    expect(visitor.locator("#zabota-widget >> .msg.out").last).to_contain_text("Сейчас проверю заказ", timeout=LIVE)

    # The visitor's connection drops; two replies go out meanwhile; it reconnects and shows each once.
    visitor.context.set_offline(True)
    expect(visitor.locator("#zabota-widget")).to_have_attribute("data-live", "off", timeout=LIVE)
    _answer(operator, "Заказ передан в доставку.")
    _answer(operator, "Курьер привезёт его завтра.")
    visitor.context.set_offline(False)
    expect(visitor.locator("#zabota-widget")).to_have_attribute("data-live", "on", timeout=LIVE + 30_000)
    expect(visitor.locator("#zabota-widget >> .msg.out", has_text="Курьер привезёт")).to_have_count(1, timeout=LIVE)
    expect(visitor.locator("#zabota-widget >> .msg.out", has_text="передан в доставку")).to_have_count(1)
    expect(visitor.locator("#zabota-widget >> .msg.out")).to_have_count(3)
    _say(visitor, "Спасибо!")
    expect(operator.locator(".msg.in").last).to_contain_text("Спасибо!", timeout=LIVE)
    expect(visitor.locator("#zabota-widget >> .msg.in")).to_have_count(2)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visitor.screenshot(path=str(SCREENSHOTS / "widget-ru.png"))

    # A forged user hash: refused, the chat stays anonymous and shows nothing of anyone else.
    forged = _open_widget(browser, f"{site['url']}/forged", "ru")
    expect(forged.locator("#zabota-widget")).to_have_attribute("data-identity", "refused")
    expect(forged.locator("#zabota-widget >> .msg")).to_have_count(0)
    _say(forged, "Я не тот, за кого себя выдаю")

    # An English visitor.
    english = _open_widget(browser, f"{site['url']}/en", "en")
    expect(english.locator("#zabota-widget >> header b")).to_have_text("Romashka support")
    _say(english, "Hi! Can I exchange a jacket for a larger size?")
    row = operator.locator(".rows .row", has_text="exchange a jacket")
    expect(row).to_be_visible(timeout=LIVE)
    row.locator("a").first.click()
    expect(operator.locator(".msg.in").last).to_contain_text("exchange a jacket")
    operator.wait_for_load_state("networkidle")
    _answer(operator, "Of course! Bring it to any of our shops within 14 days.")
    expect(english.locator("#zabota-widget >> .msg.out").last).to_contain_text("within 14 days", timeout=LIVE)
    english.fill("#zabota-widget >> textarea", "Thanks, and the receipt?")
    english.screenshot(path=str(SCREENSHOTS / "widget-en.png"))

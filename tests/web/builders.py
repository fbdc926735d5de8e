"""Helpers for the workspace tests: signing in (TestClient or Chromium), pushing customer messages
through the API channel, and moving an SLA past its target."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from zabota.conversations.models import Conversation
from zabota.db import Database
from zabota.jobs.queue import run_until_idle
from zabota.jobs.registry import autodiscover
from zabota.sla.actions import schedule_recompute

PASSWORD = "correct-horse-9"  # what the make_user fixture gives everyone


def page_csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


def login_works(client: TestClient, email: str, password: str = PASSWORD) -> bool:
    """Whether the login form lets this email and password in."""
    client.cookies.clear()
    token = page_csrf(client.get("/login").text)
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}, follow_redirects=False
    )
    return response.status_code == 303


def sign_in_client(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; returns the session's CSRF token (from the account page,
    which every role may open)."""
    assert login_works(client, email, password), f"{email} could not sign in"
    return page_csrf(client.get("/account").text)


def wait_longer(db: Database, conversation_id: int, minutes: int) -> None:
    """Let the customer have waited `minutes` longer, then run the SLA jobs as the worker would.

    Time moves the honest way: the waiting started earlier (the row is backdated), and the real
    recompute job re-derives the due time from it and flags what is now overdue.
    """
    with db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None and conversation.awaiting_reply_since is not None
        conversation.awaiting_reply_since -= timedelta(minutes=minutes)
        conversation.opened_at -= timedelta(minutes=minutes)
        if conversation.cycle_opened_at is not None:
            conversation.cycle_opened_at -= timedelta(minutes=minutes)
        schedule_recompute(session, conversation.department_id)
    autodiscover()  # the handlers, as `zabota worker` loads them
    assert run_until_idle(db) >= 1


def sign_in_browser(
    browser: Browser, server_url: str, user: object, language: str, *, viewport: tuple[int, int] = (1280, 800)
) -> Page:
    """A fresh browser context signed in as `user`, on the inbox with the live stream connected."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale=f"{language}-RU")
    page = context.new_page()
    page.goto(f"{server_url}/login?lang={language}")
    page.fill("input[name=email]", user.email)  # type: ignore[attr-defined]
    page.fill("input[name=password]", "correct-horse-9")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/inbox.*"))
    expect(page.locator("#live-state.on")).to_be_visible(timeout=5_000)
    return page


def push_message(
    server_url: str, inbox: object, headers: dict[str, str], external_id: str, text: str, name: str
) -> int:
    """A customer message through the API channel, as a shop backend sends it; the conversation id."""
    customer = {"identifier": name.lower().replace(" ", "-"), "name": name}
    response = httpx.post(
        f"{server_url}/api/v1/inboxes/{inbox.id}/messages",  # type: ignore[attr-defined]
        json={"external_id": external_id, "customer": customer, "text": text},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["conversation_id"])

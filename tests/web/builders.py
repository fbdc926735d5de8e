"""Helpers for the workspace tests: signing in with TestClient and moving an SLA past its target."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from zabota.conversations.models import Conversation
from zabota.db import Database
from zabota.jobs.queue import run_until_idle
from zabota.sla.actions import schedule_recompute


def page_csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


def sign_in_client(client: TestClient, email: str, password: str = "correct-horse-9") -> str:
    """Sign in through the login form; returns the session's CSRF token (from the inbox page)."""
    client.cookies.clear()
    token = page_csrf(client.get("/login").text)
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return page_csrf(client.get("/inbox").text)


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
    assert run_until_idle(db) >= 1

"""Signing in through the real login form with FastAPI's TestClient, and reading a page's CSRF token."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

PASSWORD = "correct-horse-9"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in as `email`; returns the session's CSRF token for forms."""
    client.cookies.clear()
    login_token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": login_token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/account").text)


def login_works(client: TestClient, email: str, password: str) -> bool:
    client.cookies.clear()
    login_token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": login_token}, follow_redirects=False
    )
    return response.status_code == 303

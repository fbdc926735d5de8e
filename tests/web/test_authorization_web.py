"""Every role against every page and form of the operator UI, generated from WEB_ROUTERS.

A UI route must name its permission (`page(Permission.X)`, or a dependency with a `permission`
attribute such as the live stream's) or be listed in PUBLIC_ROUTES; a new page that does neither
fails `test_every_ui_route_declares_its_permission`. Path parameters get real ids of real rows
(ID_PARAMS), so an allowed role reaches the handler itself rather than a "not found" shortcut.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.web.builders import sign_in_client as sign_in
from zabota.auth.roles import Permission, Role, role_has
from zabota.events.models import DomainEvent
from zabota.web.app import WEB_ROUTERS

PUBLIC_ROUTES = {
    ("GET", "/"),  # a redirect to /inbox, which checks
    ("GET", "/login"),
    ("POST", "/login"),  # its own CSRF cookie, rate-limited
    # The public help center portal (published articles only); feedback has its own CSRF cookie.
    ("GET", "/help"),
    ("GET", "/help/search"),
    ("GET", "/help/categories/{slug}"),
    ("GET", "/help/articles/{slug}"),
    ("POST", "/help/articles/{slug}/feedback"),
    # The chat widget: public by nature, each call authorised by the visitor's own token
    # (tests/widget/test_api.py tries other tokens, ids and inboxes); the script and a demo page.
    ("GET", "/widget.js"),
    ("GET", "/widget/demo"),
    ("GET", "/widget/v1/{key}/config"),
    ("POST", "/widget/v1/{key}/session"),
    ("GET", "/widget/v1/{key}/messages"),
    ("POST", "/widget/v1/{key}/messages"),
    ("POST", "/widget/v1/{key}/attachments"),
    ("GET", "/widget/v1/{key}/attachments/{attachment_id}"),
    ("POST", "/widget/v1/{key}/typing"),
    ("POST", "/widget/v1/{key}/handoff"),
    ("POST", "/widget/v1/{key}/prechat"),
    ("POST", "/widget/v1/{key}/email"),
    ("GET", "/widget/v1/{key}/suggest"),
    ("GET", "/widget/v1/{key}/stream"),
}
# Endpoints that answer an allowed caller with an endless stream: only refusals are exercised.
STREAMS = {("GET", "/live/events"), ("GET", "/live/typing/{conversation_id}")}
# Routes whose success ends the caller's session: run last for each role.
LAST = {("POST", "/logout")}


def _permission_of(dependant: Any) -> Permission | None:
    for sub in dependant.dependencies:
        found = getattr(sub.call, "permission", None)
        if isinstance(found, Permission):
            return found
        nested = _permission_of(sub)
        if nested is not None:
            return nested
    return None


def _ui_routes() -> list[tuple[str, str, Permission | None]]:
    routes = []
    for router in WEB_ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute), route
            for method in sorted(route.methods):
                routes.append((method, route.path, _permission_of(route.dependant)))
    return sorted(routes, key=lambda r: ((r[0], r[1]) in LAST, r[1], r[0]))


def test_every_ui_route_declares_its_permission():
    routes = _ui_routes()
    assert len(routes) > 40
    undeclared = [(m, p) for m, p, permission in routes if permission is None and (m, p) not in PUBLIC_ROUTES]
    assert undeclared == []
    paths = {p for _, p, _ in routes}
    for section in ("users", "departments", "canned", "sla", "tokens", "inboxes"):
        assert f"/settings/{section}" in paths


@pytest.fixture
def ids(db, make_user, api_inbox, client) -> dict[str, int]:
    """A real row for every kind of id a UI path names."""
    from zabota.auth.actions import create_api_token
    from zabota.canned.actions import create_canned
    from zabota.departments.actions import add_member, create_department
    from zabota.events.actions import Actor

    target = make_user("operator")  # the colleague the forms act on, never one of the callers
    with db.transaction() as session:
        department = create_department(session, Actor.system(), name="Поддержка")
        add_member(session, Actor.system(), department, session.merge(target))
        reply = create_canned(session, Actor.system(), title="Hi", shortcut="/hi", body="Hello!", language="en")
        token = create_api_token(session, Actor.system(), session.merge(target), name="t", scope="read")
        found = {"department_id": department.id, "canned_id": reply.id, "token_id": token.row.id}
    inbox, headers = api_inbox(default_department_id=found["department_id"])
    pushed = client.post(
        f"/api/v1/inboxes/{inbox.id}/messages",
        json={"external_id": "1", "customer": {"identifier": "c-1"}, "text": "Hello"},
        headers=headers,
    )
    assert pushed.status_code == 201
    return {**found, "user_id": target.id, "inbox_id": inbox.id, "conversation_id": pushed.json()["conversation_id"]}


def _url(path: str, ids: dict[str, int]) -> str:
    def real(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in ids, f"add a real {name} to the `ids` fixture of this test"
        return str(ids[name])

    return re.sub(r"\{(\w+)\}", real, path)


def _event_count(db) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(DomainEvent)) or 0


def _signed_in_as_login(response) -> bool:
    return response.status_code in (303, 307) and response.headers.get("location", "").startswith("/login")


def test_role_matrix(app, db, make_user, ids):
    """Allowed roles reach the handler; the others get 403 and nothing changes."""
    checked = 0
    for role in Role:
        caller = make_user(role.value)
        with TestClient(app, raise_server_exceptions=False) as client:
            csrf = sign_in(client, caller.email)
            for method, path, permission in _ui_routes():
                if permission is None:
                    continue
                allowed = role_has(role, permission)
                if allowed and (method, path) in STREAMS:
                    continue
                before = _event_count(db)
                data = {"csrf_token": csrf} if method == "POST" else None
                response = client.request(method, _url(path, ids), data=data, follow_redirects=False)
                where = (role.value, method, path, response.status_code, response.text[:300])
                assert response.status_code < 500, where
                if allowed:
                    assert response.status_code not in (401, 403), where
                    # Signing out rightly ends at the login page; nothing else may.
                    assert (method, path) in LAST or not _signed_in_as_login(response), where
                else:
                    assert response.status_code == 403, where
                    assert _event_count(db) == before, where
                checked += 1
    assert checked >= 5 * 40


def test_anonymous_is_sent_to_the_login_page_everywhere(client, ids):
    for method, path, permission in _ui_routes():
        if permission is None:
            continue
        response = client.request(method, _url(path, ids), follow_redirects=False)
        if (method, path) in STREAMS:
            assert response.status_code == 401, (method, path)
        else:
            assert _signed_in_as_login(response), (method, path, response.status_code)
        htmx = client.request(method, _url(path, ids), headers={"HX-Request": "true"}, follow_redirects=False)
        assert htmx.status_code == 401, (method, path)


def test_forms_refuse_a_missing_csrf_token_for_every_role(app, db, make_user, ids):
    """Every unsafe UI route checks CSRF before anything else, whatever the role."""
    for role in (Role.ADMIN, Role.OPERATOR):
        caller = make_user(role.value)
        with TestClient(app, raise_server_exceptions=False) as client:
            sign_in(client, caller.email)
            for method, path, permission in _ui_routes():
                if permission is None or method != "POST":
                    continue
                before = _event_count(db)
                response = client.post(_url(path, ids), data={}, follow_redirects=False)
                assert response.status_code == 403, (role.value, path, response.status_code)
                assert _event_count(db) == before, (role.value, path)

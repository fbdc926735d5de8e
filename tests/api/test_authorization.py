"""Every role against every API route, generated from the route table.

A route must either name its permission (RequirePermission) or be listed in PUBLIC_ROUTES;
a new route that does neither fails `test_every_route_declares_its_permission`.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from zabota.api.app import API_PREFIX, API_ROUTERS
from zabota.api.deps import RequirePermission
from zabota.auth.roles import Role, role_has
from zabota.events.models import DomainEvent

PUBLIC_ROUTES = {
    ("POST", "/api/v1/auth/login"),  # credentials in the body, rate-limited
    ("POST", "/api/v1/inboxes/{inbox_id}/messages"),  # inbox token, see test_api_channel
    # The help center's published articles and search are public; feedback is rate-limited.
    ("GET", "/api/v1/help/categories"),
    ("GET", "/api/v1/help/articles"),
    ("GET", "/api/v1/help/articles/{slug}"),
    ("GET", "/api/v1/help/search"),
    ("POST", "/api/v1/help/articles/{slug}/feedback"),
}


def _permission_of(dependant: Any) -> RequirePermission | None:
    for sub in dependant.dependencies:
        if isinstance(sub.call, RequirePermission):
            return sub.call
        found = _permission_of(sub)
        if found is not None:
            return found
    return None


def _api_routes(app) -> list[tuple[str, str, RequirePermission | None]]:
    routes = []
    for router in API_ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for method in sorted(route.methods):
                routes.append((method, API_PREFIX + route.path, _permission_of(route.dependant)))
    return routes


def test_route_table_covers_the_whole_published_api(app):
    published = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if path.startswith(API_PREFIX)
    }
    assert published == {(m, p) for m, p, _ in _api_routes(app)}


def test_every_route_declares_its_permission(app):
    routes = _api_routes(app)
    assert len(routes) > 30
    undeclared = [(m, p) for m, p, perm in routes if perm is None and (m, p) not in PUBLIC_ROUTES]
    assert undeclared == []


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "999999", path)


@pytest.fixture
def staff(make_user, token_for) -> dict[Role, dict[str, str]]:
    return {role: token_for(make_user(role.value)) for role in Role}


def _event_count(db) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(DomainEvent)) or 0


def test_role_matrix(app, client, db, staff):
    """Allowed roles get past the permission check; others get 403 and change nothing."""
    checked = 0
    for method, path, permission in _api_routes(app):
        if permission is None:
            continue
        for role, headers in staff.items():
            before = _event_count(db)
            response = client.request(method, _url(path), headers=headers, json={})
            allowed = role_has(role, permission.permission)
            if allowed:
                assert response.status_code not in (401, 403), (role, method, path, response.text)
            else:
                assert response.status_code == 403, (role, method, path, response.status_code, response.text)
                assert response.headers["content-type"].startswith("application/problem+json")
                assert _event_count(db) == before, (role, method, path)
            checked += 1
    assert checked >= 5 * 30


def test_anonymous_is_refused_everywhere(app, client):
    for method, path, permission in _api_routes(app):
        if permission is None:
            continue
        response = client.request(method, _url(path), json={})
        assert response.status_code == 401, (method, path)
        assert response.json()["status"] == 401


def test_read_only_token_cannot_write(client, make_user, token_for):
    admin = make_user("admin")
    headers = token_for(admin, scope="read")
    assert client.get("/api/v1/departments", headers=headers).status_code == 200
    response = client.post("/api/v1/departments", json={"name": "Продажи"}, headers=headers)
    assert response.status_code == 403
    assert response.json()["type"].endswith("read_only_token")


def test_department_isolation_hides_other_departments_conversations(client, db, make_user, token_for, api_inbox):
    from zabota.departments.actions import add_member, create_department
    from zabota.events.actions import Actor
    from zabota.org.actions import update_organization

    insider, outsider, supervisor = make_user("operator"), make_user("operator"), make_user("supervisor")
    with db.transaction() as session:
        update_organization(session, Actor.system(), department_isolation=True)
        returns = create_department(session, Actor.system(), name="Возвраты")
        add_member(session, Actor.system(), returns, session.merge(insider))
        returns_id = returns.id
    inbox, inbox_headers = api_inbox(default_department_id=returns_id)
    pushed = client.post(
        f"/api/v1/inboxes/{inbox.id}/messages",
        json={"external_id": "1", "customer": {"identifier": "c"}, "text": "Хочу вернуть"},
        headers=inbox_headers,
    ).json()
    url = f"/api/v1/conversations/{pushed['conversation_id']}"
    assert client.get(url, headers=token_for(insider)).status_code == 200
    assert client.get(url, headers=token_for(supervisor)).status_code == 200
    assert client.get(url, headers=token_for(outsider)).status_code == 404
    assert client.post(f"{url}/messages", json={"text": "hi"}, headers=token_for(outsider)).status_code == 404
    assert client.get("/api/v1/conversations", headers=token_for(outsider)).json()["items"] == []
    assert len(client.get("/api/v1/conversations", headers=token_for(insider)).json()["items"]) == 1

"""Sessions, CSRF, login throttling, API tokens."""

from __future__ import annotations

from sqlalchemy import select

from zabota.auth.models import ApiToken, UserSession


def _login(client, user, password="correct-horse-9"):
    return client.post("/api/v1/auth/login", json={"email": user.email, "password": password})


def test_login_sets_http_only_cookie_and_requires_csrf_for_writes(client, make_user):
    admin = make_user("admin")
    response = _login(client, admin)
    assert response.status_code == 200, response.text
    csrf = response.json()["csrf_token"]
    cookie = response.headers["set-cookie"]
    assert "zabota_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert client.get("/api/v1/me").json()["email"] == admin.email
    refused = client.post("/api/v1/departments", json={"name": "Support"})
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("csrf")
    wrong = client.post("/api/v1/departments", json={"name": "Support"}, headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    ok = client.post("/api/v1/departments", json={"name": "Support"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201


def test_session_token_is_stored_hashed(client, db, make_user):
    _login(client, make_user("operator"))
    token = client.cookies["zabota_session"]
    with db.transaction() as session:
        row = session.scalar(select(UserSession))
        assert row.token_hash != token and len(row.token_hash) == 64


def test_wrong_password_and_unknown_user_look_the_same(client, make_user):
    user = make_user("operator")
    a = _login(client, user, "wrong-password")
    b = client.post("/api/v1/auth/login", json={"email": "ghost@example.test", "password": "whatever1"})
    assert a.status_code == b.status_code == 401
    assert a.json()["detail"] == b.json()["detail"]


def test_login_is_rate_limited(client, make_user):
    user = make_user("operator")
    statuses = [_login(client, user, "wrong-password").status_code for _ in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    assert _login(client, user).status_code == 429  # even the right password waits
    assert "Too many" in _login(client, user).json()["detail"]


def test_logout_ends_the_session(client, make_user):
    response = _login(client, make_user("operator"))
    csrf = response.json()["csrf_token"]
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_password_change_checks_current_and_strength(client, make_user, token_for):
    user = make_user("operator")
    headers = token_for(user)
    bad = client.post(
        "/api/v1/me/password", json={"current_password": "nope", "new_password": "long-enough-1"}, headers=headers
    )
    assert bad.status_code == 400
    ok = client.post(
        "/api/v1/me/password",
        json={"current_password": "correct-horse-9", "new_password": "long-enough-1"},
        headers=headers,
    )
    assert ok.status_code == 204
    assert _login(client, user, "long-enough-1").status_code == 200


def test_deactivated_user_loses_access(client, make_user, token_for):
    admin, operator = make_user("admin"), make_user("operator")
    operator_headers = token_for(operator)
    assert client.get("/api/v1/me", headers=operator_headers).status_code == 200
    client.patch(f"/api/v1/users/{operator.id}", json={"is_active": False}, headers=token_for(admin))
    assert client.get("/api/v1/me", headers=operator_headers).status_code == 401
    assert _login(client, operator).status_code == 401


def test_api_token_lifecycle(client, db, make_user, token_for):
    user = make_user("supervisor")
    bootstrap = token_for(user)
    created = client.post("/api/v1/api-tokens", json={"name": "CRM sync", "scope": "read"}, headers=bootstrap)
    assert created.status_code == 201
    plaintext = created.json()["token"]
    token_id = created.json()["id"]
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with db.transaction() as session:
        row = session.get(ApiToken, token_id)
        assert plaintext.split("_", 2)[2] not in row.token_hash
        assert row.last_used_at is not None
    listed = client.get("/api/v1/api-tokens", headers=bootstrap).json()
    assert "token" not in listed[0]
    assert client.delete(f"/api/v1/api-tokens/{token_id}", headers=bootstrap).status_code == 204
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"


def test_cannot_revoke_someone_elses_token(client, make_user, token_for):
    alice, bob = make_user("operator"), make_user("operator")
    token_id = client.post("/api/v1/api-tokens", json={"name": "x", "scope": "read"}, headers=token_for(alice)).json()[
        "id"
    ]
    assert client.delete(f"/api/v1/api-tokens/{token_id}", headers=token_for(bob)).status_code == 404


def test_garbage_bearer_token(client):
    for value in ("Bearer zbt_x", "Bearer zbt_abc_def", "Bearer " + "a" * 500, "Basic Zm9vOmJhcg=="):
        assert client.get("/api/v1/me", headers={"Authorization": value}).status_code == 401


def test_privileged_actions_are_audited(client, make_user, token_for):
    admin = make_user("admin")
    headers = token_for(admin)
    client.post(
        "/api/v1/users",
        json={"email": "new@x.io", "name": "New", "role": "operator", "password": "long-enough-1"},
        headers=headers,
    )
    client.patch("/api/v1/organization", json={"department_isolation": True}, headers=headers)
    events = client.get("/api/v1/events", headers=headers).json()["items"]
    by_type = {}
    for event in events:  # newest first
        by_type.setdefault(event["type"], event)
    assert by_type["user.created"]["actor_id"] == admin.id
    assert by_type["organization.updated"]["payload"] == {"department_isolation": True}

"""Bad input gets a clear 4xx problem+json, never a 500."""

from __future__ import annotations

import pytest


@pytest.fixture
def admin_headers(make_user, token_for):
    return token_for(make_user("admin"))


@pytest.fixture
def inbox(api_inbox):
    return api_inbox()


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def _ingest(client, inbox, content: bytes, content_type: str = "application/json"):
    row, headers = inbox
    return client.post(
        f"/api/v1/inboxes/{row.id}/messages", content=content, headers={**headers, "Content-Type": content_type}
    )


def test_malformed_json(client, inbox):
    body = _problem(_ingest(client, inbox, b'{"external_id": "1", "text": '), 400)
    assert "JSON" in body["detail"]


def test_invalid_utf8(client, inbox):
    _problem(_ingest(client, inbox, b'{"external_id": "\xff\xfe", "customer": {"identifier": "x"}, "text": "a"}'), 400)


def test_missing_fields_are_named(client, inbox):
    body = _problem(_ingest(client, inbox, b'{"text": "hello"}'), 422)
    fields = {e["field"] for e in body["errors"]}
    assert {"external_id", "customer"} <= fields


def test_mistyped_and_unknown_fields(client, inbox):
    body = _problem(
        _ingest(client, inbox, b'{"external_id": 5, "customer": {"identifier": "x"}, "text": ["a"], "txt": "typo"}'),
        422,
    )
    fields = {e["field"] for e in body["errors"]}
    assert {"external_id", "text", "txt"} <= fields


def test_non_object_body(client, inbox):
    _problem(_ingest(client, inbox, b"[1, 2, 3]"), 422)


def test_ten_megabyte_body_is_refused_before_parsing(client, inbox):
    _problem(_ingest(client, inbox, b'{"text": "' + b"x" * (10 * 1024 * 1024) + b'"}'), 413)


def test_chunked_oversized_body_is_refused(client, inbox):
    row, headers = inbox

    def chunks():
        for _ in range(40):
            yield b"x" * 65536

    response = client.post(f"/api/v1/inboxes/{row.id}/messages", content=chunks(), headers=headers)
    _problem(response, 413)


def test_unknown_ids(client, admin_headers):
    for url in (
        "/api/v1/conversations/424242",
        "/api/v1/customers/424242",
        "/api/v1/users/424242",
        "/api/v1/departments/424242",
    ):
        _problem(client.get(url, headers=admin_headers), 404)
    _problem(client.post("/api/v1/conversations/424242/messages", json={"text": "x"}, headers=admin_headers), 404)


def test_ids_that_are_not_numbers_or_too_big(client, admin_headers):
    _problem(client.get("/api/v1/conversations/abc", headers=admin_headers), 422)
    response = client.get(f"/api/v1/conversations/{2**70}", headers=admin_headers)
    assert 400 <= response.status_code < 500


def test_bad_cursor_and_limit(client, admin_headers):
    _problem(client.get("/api/v1/conversations?cursor=garbage", headers=admin_headers), 400)
    _problem(client.get("/api/v1/conversations?cursor=WzEsMl0", headers=admin_headers), 400)
    _problem(client.get("/api/v1/conversations?limit=0", headers=admin_headers), 422)
    _problem(client.get("/api/v1/conversations?status=archived", headers=admin_headers), 400)


def test_naive_snooze_time_is_refused(client, admin_headers, inbox):
    row, headers = inbox
    pushed = client.post(
        f"/api/v1/inboxes/{row.id}/messages",
        json={"external_id": "1", "customer": {"identifier": "c"}, "text": "hi"},
        headers=headers,
    ).json()
    url = f"/api/v1/conversations/{pushed['conversation_id']}/snooze"
    _problem(client.post(url, json={"until": "2030-01-01T10:00:00"}, headers=admin_headers), 422)
    _problem(client.post(url, json={"until": "2000-01-01T10:00:00Z"}, headers=admin_headers), 400)
    assert client.post(url, json={"until": "2030-01-01T10:00:00+03:00"}, headers=admin_headers).status_code == 200


def test_unknown_route_and_method(client, admin_headers):
    _problem(client.get("/api/v1/nothing-here", headers=admin_headers), 404)
    _problem(client.put("/api/v1/conversations", headers=admin_headers), 405)


def test_domain_refusals_are_problems(client, admin_headers):
    body = _problem(
        client.post(
            "/api/v1/users",
            json={"email": "a@b.c", "name": "A", "role": "operator", "password": "short"},
            headers=admin_headers,
        ),
        422,
    )
    assert body["errors"][0]["field"] == "password"
    _problem(client.post("/api/v1/customers", json={"email": "nope"}, headers=admin_headers), 400)
    client.post("/api/v1/departments", json={"name": "Sales"}, headers=admin_headers)
    _problem(client.post("/api/v1/departments", json={"name": "Sales"}, headers=admin_headers), 409)

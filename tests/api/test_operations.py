"""Health, metrics, and login throttling shared through Redis."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient

from zabota.api.app import create_app
from zabota.api.ratelimit import LoginLimiter
from zabota.config import get_settings
from zabota.db import Database
from zabota.errors import DomainError


def test_healthz_is_503_problem_when_the_database_is_down():
    dead = Database("postgresql+psycopg://postgres@127.0.0.1:1/nowhere", pool_size=1)
    with TestClient(create_app(get_settings(), dead, run_jobs=False)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "The database is not reachable."


def test_metrics_count_requests_by_route_template(client, make_user, token_for):
    headers = token_for(make_user("operator"))
    client.get("/api/v1/conversations/123", headers=headers)
    body = client.get("/metrics").text
    assert "zabota_http_requests_total" in body
    line = next(
        x
        for x in body.splitlines()
        if x.startswith("zabota_http_requests_total{")
        and 'route="/api/v1/conversations/{conversation_id}"' in x
        and 'status="404"' in x
    )
    assert float(line.rsplit(" ", 1)[1]) >= 1


def test_root_opens_the_inbox_and_asks_strangers_to_sign_in(client):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/inbox"
    response = client.get("/inbox", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/inbox"


def test_openapi_document_describes_the_api(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "Zabota API"
    assert "/api/v1/inboxes/{inbox_id}/messages" in spec["paths"]
    assert "/api/v1/conversations" in spec["paths"]


def _redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def test_api_docs_load_nothing_from_other_hosts(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    assert re.findall(r"(?:src|href)=['\"](https?://[^'\"]+)", page.text) == []
    assert "cdn" not in page.text.lower()
    script = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert len(script.content) > 100_000
    assert client.get("/api/v1/docs/assets/swagger-ui.css").status_code == 200


def test_login_throttle_is_shared_between_processes_through_redis():
    if not _redis_available():
        pytest.fail("Redis is not reachable on 127.0.0.1:6379; the test environment provides it")
    # Two limiters stand for two web processes; a unique account keeps runs independent.
    email = f"{uuid.uuid4().hex}@example.test"
    first = LoginLimiter("3/minute", "redis://127.0.0.1:6379/0")
    second = LoginLimiter("3/minute", "redis://127.0.0.1:6379/0")
    first.check("10.0.0.1", email)
    second.check("10.0.0.2", email)
    first.check("10.0.0.3", email)
    with pytest.raises(DomainError) as refused:
        second.check("10.0.0.4", email)
    assert refused.value.status == 429


def test_responses_carry_the_server_time(client, make_user, token_for):
    response = client.get("/api/v1/conversations", headers=token_for(make_user("operator")))
    name, duration = response.headers["server-timing"].split(";dur=")
    assert name == "app" and 0 < float(duration) < 60_000

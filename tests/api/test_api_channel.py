"""The generic API channel: token-authenticated ingress and signed, retried callbacks."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from sqlalchemy import select

from zabota.channels.actions import inbox_secrets
from zabota.conversations.models import Message
from zabota.db import utcnow
from zabota.jobs.models import Job
from zabota.jobs.queue import run_until_idle
from zabota.jobs.registry import autodiscover


class Receiver:
    """A real HTTP endpoint on loopback that records what it is sent."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"id": f"remote-{len(receiver.requests)}"}).encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made: list[Receiver] = []

    def build(statuses: list[int] | None = None) -> Receiver:
        made.append(Receiver(statuses or []))
        return made[-1]

    yield build  # type: ignore[misc]
    for r in made:
        r.server.shutdown()


def _push(client, inbox, headers, external_id="1", **extra):
    body = {"external_id": external_id, "customer": {"identifier": "cust-1", "name": "Иван"}, "text": "Привет", **extra}
    return client.post(f"/api/v1/inboxes/{inbox.id}/messages", json=body, headers=headers)


def test_ingress_requires_the_inbox_own_token(client, api_inbox):
    inbox, headers = api_inbox()
    _other, other_headers = api_inbox("Other")
    assert _push(client, inbox, other_headers).status_code == 401
    assert _push(client, inbox, {}).status_code == 401
    assert _push(client, inbox, {"Authorization": "Bearer zbi_00_11"}).status_code == 401
    assert client.post("/api/v1/inboxes/999/messages", json={}, headers=headers).status_code == 401
    assert _push(client, inbox, {"X-Inbox-Token": headers["Authorization"][7:]}).status_code == 201


def test_resend_returns_the_stored_message_with_200(client, api_inbox):
    inbox, headers = api_inbox()
    first = _push(client, inbox, headers)
    again = _push(client, inbox, headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["message_id"] == again.json()["message_id"]
    assert again.json()["created"] is False


def test_rotated_token_replaces_the_old_one(client, api_inbox, make_user, token_for):
    inbox, headers = api_inbox()
    rotated = client.post(f"/api/v1/inboxes/{inbox.id}/rotate-token", headers=token_for(make_user("admin")))
    assert _push(client, inbox, headers).status_code == 401
    assert _push(client, inbox, {"Authorization": f"Bearer {rotated.json()['token']}"}).status_code == 201


def test_inbox_secrets_are_sealed_and_never_returned(client, db, make_user, token_for):
    headers = token_for(make_user("admin"))
    created = client.post(
        "/api/v1/inboxes",
        json={"channel_type": "api", "name": "CRM", "secrets": {"webhook_secret": "s3cr3t-value"}},
        headers=headers,
    ).json()
    assert created["secret_names"] == ["webhook_secret"]
    listed = client.get("/api/v1/inboxes", headers=headers).text
    assert "s3cr3t-value" not in listed
    from zabota.channels.models import Inbox

    with db.transaction() as session:
        row = session.get(Inbox, created["id"])
        assert "s3cr3t-value" not in row.secrets_encrypted
        assert inbox_secrets(row)["webhook_secret"] == "s3cr3t-value"


def test_reply_is_posted_to_the_callback_signed_and_retried(client, db, api_inbox, make_user, token_for, receiver):
    autodiscover()
    hook = receiver([503])  # the first attempt fails, the retry succeeds
    inbox, headers = api_inbox(settings={"callback_url": hook.url})
    conversation_id = _push(client, inbox, headers).json()["conversation_id"]
    operator_headers = token_for(make_user("operator"))
    sent = client.post(
        f"/api/v1/conversations/{conversation_id}/messages", json={"text": "Ответ"}, headers=operator_headers
    )
    message_id = sent.json()["id"]
    assert run_until_idle(db) == 1
    with db.transaction() as session:
        job = session.scalar(select(Job).where(Job.name == "channels.deliver_message"))
        assert job.status == "queued" and job.attempts == 1 and "503" in job.last_error
        job.run_at = job.created_at  # skip the backoff wait
    assert run_until_idle(db) == 1
    assert len(hook.requests) == 2
    sent_headers, body = hook.requests[-1]
    secret = inbox_secrets(inbox)["webhook_secret"]
    expected = hmac.new(secret.encode(), sent_headers["X-Zabota-Timestamp"].encode() + b"." + body, hashlib.sha256)
    assert sent_headers["X-Zabota-Signature"] == f"sha256={expected.hexdigest()}"
    assert sent_headers["Idempotency-Key"] == f"zabota-message-{message_id}"
    payload = json.loads(body)
    assert payload["message"]["text"] == "Ответ"
    assert payload["customer"]["identifier"] == "cust-1"
    with db.transaction() as session:
        message = session.get(Message, message_id)
        assert message.delivery_status == "sent"
        assert message.external_id == "remote-2"


def test_callback_refusal_marks_the_message_failed(client, db, api_inbox, make_user, token_for, receiver):
    autodiscover()
    hook = receiver([410])
    inbox, headers = api_inbox(settings={"callback_url": hook.url})
    conversation_id = _push(client, inbox, headers).json()["conversation_id"]
    sent = client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        json={"text": "x"},
        headers=token_for(make_user("operator")),
    )
    run_until_idle(db)
    message = client.get(
        f"/api/v1/conversations/{conversation_id}/messages", headers=token_for(make_user("admin"))
    ).json()
    out = next(m for m in message["items"] if m["id"] == sent.json()["id"])
    assert out["delivery_status"] == "failed"
    assert "410" in out["delivery_error"]


def test_bad_callback_url_is_refused(client, make_user, token_for):
    response = client.post(
        "/api/v1/inboxes",
        json={"channel_type": "api", "name": "x", "settings": {"callback_url": "ftp://nope"}},
        headers=token_for(make_user("admin")),
    )
    assert response.status_code == 400


def test_delivery_gives_up_after_the_last_attempt_and_can_be_retried(
    client, db, api_inbox, make_user, token_for, receiver
):
    autodiscover()
    hook = receiver([500, 500])
    inbox, headers = api_inbox(settings={"callback_url": hook.url})
    conversation_id = _push(client, inbox, headers).json()["conversation_id"]
    operator = token_for(make_user("operator"))
    message_id = client.post(
        f"/api/v1/conversations/{conversation_id}/messages", json={"text": "x"}, headers=operator
    ).json()["id"]
    with db.transaction() as session:
        session.scalar(select(Job).where(Job.name == "channels.deliver_message")).max_attempts = 2
    run_until_idle(db)
    with db.transaction() as session:
        session.scalar(select(Job).where(Job.name == "channels.deliver_message")).run_at = utcnow()
    run_until_idle(db)
    with db.transaction() as session:
        message = session.get(Message, message_id)
        assert message.delivery_status == "failed"
        assert "after 2 attempts" in message.delivery_error
    url = f"/api/v1/conversations/{conversation_id}/messages/{message_id}/retry"
    retried = client.post(url, headers=operator)
    assert retried.status_code == 200
    assert retried.json()["delivery_status"] == "queued"
    run_until_idle(db)
    with db.transaction() as session:
        assert session.get(Message, message_id).delivery_status == "sent"
    assert len(hook.requests) == 3
    assert client.post(url, headers=operator).status_code == 400  # already sent


def test_the_api_pushes_of_many_senders_at_once_are_each_stored_once(app, api_inbox):
    inbox, headers = api_inbox()

    async def push_all() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://zabota.test") as client:
            url = f"/api/v1/inboxes/{inbox.id}/messages"
            bodies = [
                {"customer": {"identifier": f"u-{n % 7}"}, "text": f"№{n}", "external_id": f"x-{n}"} for n in range(30)
            ]
            bodies.append({"customer": {"identifier": "u-1"}, "text": "повтор", "external_id": "x-1"})
            bodies.append({"customer": {"identifier": "u-2"}, "text": "", "external_id": "x-empty"})
            return await asyncio.gather(*(client.post(url, json=b, headers=headers) for b in bodies))

    responses = asyncio.run(push_all())
    assert [r.status_code for r in responses] == [201] * 30 + [200, 400]
    assert responses[-2].json()["message_id"] == responses[1].json()["message_id"]
    assert responses[-1].headers["content-type"].startswith("application/problem+json")
    assert responses[-1].json()["type"].endswith("empty_message")
    assert len({r.json()["message_id"] for r in responses[:30]}) == 30

"""The visitor's live stream on a real server: resume with Last-Event-ID, nothing lost, nothing twice."""

from __future__ import annotations

import json
import time
import uuid

import httpx

from zabota.channels.actions import create_inbox
from zabota.conversations.actions import reply
from zabota.conversations.models import Conversation
from zabota.events.actions import Actor


def _widget(db) -> str:
    with db.transaction() as session:
        new = create_inbox(session, Actor.system(), channel_type="widget", name="Site", settings={})
        return str(new.inbox.settings["key"])


def _reply(db, conversation_id: int, operator, text: str) -> int:
    with db.transaction() as session:
        conversation = session.get_one(Conversation, conversation_id)
        return reply(session, conversation, author=session.merge(operator), text=text).id


def _read(
    client: httpx.Client, url: str, headers: dict[str, str], until, seconds: float = 15.0
) -> list[tuple[int, str, dict]]:
    """Events of one connection until `until(events)` holds (or the time is up)."""
    events: list[tuple[int, str, dict]] = []
    deadline = time.monotonic() + seconds
    with client.stream("GET", url, headers=headers, timeout=httpx.Timeout(5, read=20)) as response:
        assert response.status_code == 200
        event_id, name = 0, "message"
        for line in response.iter_lines():
            if line.startswith("id: "):
                event_id = int(line[4:])
            elif line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((event_id, name, json.loads(line[6:])))
                event_id, name = 0, "message"
                if until(events):
                    break
            if time.monotonic() > deadline:
                break
    return events


def _message_ids(events) -> list[int]:
    return [data["message"]["id"] for _, name, data in events if name == "message"]


def test_stream_resumes_without_loss_or_repeats(server_url, db, make_user):
    key = _widget(db)
    operator = make_user("operator", name="Анна Смирнова")
    client = httpx.Client(base_url=server_url)
    token = client.post(f"/widget/v1/{key}/session", json={}).json()["token"]
    headers = {"X-Widget-Token": token}
    sent = client.post(
        f"/widget/v1/{key}/messages", json={"client_id": uuid.uuid4().hex, "text": "Привет"}, headers=headers
    )
    assert sent.status_code == 201
    conversation_id = sent.json()["message"]["conversation_id"]
    cursor = client.get(f"/widget/v1/{key}/messages", headers=headers).json()["cursor"]

    # Two replies while the visitor is away: the stream resumed from the cursor brings both, once.
    missed = [_reply(db, conversation_id, operator, "Ответ 1"), _reply(db, conversation_id, operator, "Ответ 2")]
    url = f"/widget/v1/{key}/stream"
    first = _read(client, url, {**headers, "Last-Event-ID": str(cursor)}, lambda e: set(missed) <= set(_message_ids(e)))
    ids = _message_ids(first)
    assert set(missed) <= set(ids)
    assert len([i for i in ids if i in missed]) == len(missed)
    event_ids = [i for i, _, _ in first if i]
    assert len(event_ids) == len(set(event_ids))
    last_seen = max(event_ids)
    assert first[-1][2]["message"]["author_name"] == "Анна"

    # A reply while connected arrives live; then a drop, a reply, and the resumed stream brings it.
    live_reply: list[int] = []

    def live_until(events) -> bool:
        if not live_reply:
            live_reply.append(_reply(db, conversation_id, operator, "Ответ 3"))
        return live_reply[0] in _message_ids(events)

    second = _read(client, url, {**headers, "Last-Event-ID": str(last_seen)}, live_until)
    assert live_reply[0] in _message_ids(second)
    last_seen = max(i for i, _, _ in second if i)
    after_drop = _reply(db, conversation_id, operator, "Ответ 4")
    third = _read(client, url, {**headers, "Last-Event-ID": str(last_seen)}, lambda e: after_drop in _message_ids(e))
    assert _message_ids(third).count(after_drop) == 1
    # Events past the resume point are never sent again on the new connection.
    resent_new = [i for i, _, _ in third if i > last_seen]
    assert len(resent_new) == len(set(resent_new))
    # The replies handed to the visitor's stream are marked delivered.
    listed = client.get(f"/widget/v1/{key}/messages", headers=headers).json()["messages"]
    assert [m["text"] for m in listed] == ["Привет", "Ответ 1", "Ответ 2", "Ответ 3", "Ответ 4"]


def test_another_visitor_streams_nothing_of_it(server_url, db, make_user):
    key = _widget(db)
    operator = make_user("operator")
    client = httpx.Client(base_url=server_url)
    alice = {"X-Widget-Token": client.post(f"/widget/v1/{key}/session", json={}).json()["token"]}
    bob = {"X-Widget-Token": client.post(f"/widget/v1/{key}/session", json={}).json()["token"]}
    sent = client.post(f"/widget/v1/{key}/messages", json={"client_id": "a1", "text": "Алиса"}, headers=alice).json()
    client.post(f"/widget/v1/{key}/messages", json={"client_id": "b1", "text": "Боб"}, headers=bob)
    cursor = client.get(f"/widget/v1/{key}/messages", headers=bob).json()["cursor"]
    secret = _reply(db, sent["message"]["conversation_id"], operator, "Только для Алисы")
    with_token = _read(
        client, f"/widget/v1/{key}/stream", {**bob, "Last-Event-ID": str(cursor - 50)}, lambda e: False, 4
    )
    assert secret not in _message_ids(with_token)
    assert all(data["message"]["text"] != "Алиса" for _, name, data in with_token if name == "message")
    assert client.get(f"/widget/v1/{key}/stream").status_code == 401

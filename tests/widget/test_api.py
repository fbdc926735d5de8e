"""The widget's public API: sessions, identity, isolation between visitors, CORS, files, forms."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from tests.attachments.test_attachments import PDF, png_bytes
from tests.widget.conftest import SITE
from zabota.channels.actions import inbox_secrets
from zabota.channels.models import Inbox
from zabota.conversations.actions import reply
from zabota.conversations.models import Conversation, Message
from zabota.customers.actions import CustomerProfile, identify_customer
from zabota.customers.models import Customer, CustomerIdentity
from zabota.events.actions import Actor
from zabota.widget.actions import user_hash


def _send(client, key, headers, text="Здравствуйте!", client_id=None, **extra):
    body = {"client_id": client_id or uuid.uuid4().hex, "text": text, **extra}
    return client.post(f"/widget/v1/{key}/messages", json=body, headers=headers)


def _secret(db, inbox_id) -> str:
    with db.transaction() as session:
        return str(inbox_secrets(session.get_one(Inbox, inbox_id))["identity_secret"])


def _operator_reply(db, conversation_id, text, operator):
    with db.transaction() as session:
        message = reply(
            session, session.get_one(Conversation, conversation_id), author=session.merge(operator), text=text
        )
        return message.id


def test_config_is_public_and_keyed(client, widget_inbox):
    _, key = widget_inbox(title={"ru": "Помощь", "en": "Help"})
    response = client.get(f"/widget/v1/{key}/config?lang=ru")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Помощь"
    assert body["strings"]["handoff"] == "Позвать оператора"
    assert client.get(f"/widget/v1/{key}/config?lang=en").json()["strings"]["handoff"] == "Talk to a person"
    missing = client.get("/widget/v1/zw_nonexistent_key_123456/config")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


def test_identity_secret_is_made_with_the_inbox_and_sealed(db, widget_inbox):
    inbox_id, _ = widget_inbox()
    secret = _secret(db, inbox_id)
    assert len(secret) >= 32
    with db.transaction() as session:
        assert secret not in session.get_one(Inbox, inbox_id).secrets_encrypted


def test_anonymous_visitor_sends_idempotently_and_reads_its_thread(client, db, widget_inbox, visitor, make_user):
    inbox_id, key = widget_inbox()
    headers = visitor(key)
    first = _send(client, key, headers, "Где мой заказ?", client_id="c-1")
    assert first.status_code == 201
    again = _send(client, key, headers, "Где мой заказ?", client_id="c-1")
    assert again.status_code == 200
    assert again.json()["message"]["id"] == first.json()["message"]["id"]
    with db.transaction() as session:
        assert session.scalar(select(Message).where(Message.inbox_id == inbox_id)) is not None
        conversation = session.scalars(select(Conversation).where(Conversation.inbox_id == inbox_id)).one()
        identity = session.scalars(
            select(CustomerIdentity).where(CustomerIdentity.customer_id == conversation.customer_id)
        ).one()
        assert identity.channel == f"widget:{inbox_id}"
        conversation_id = conversation.id
    operator = make_user("operator", name="Анна Смирнова")
    reply_id = _operator_reply(db, conversation_id, "Заказ в пути", operator)
    listed = client.get(f"/widget/v1/{key}/messages", headers=headers).json()
    assert [m["text"] for m in listed["messages"]] == ["Где мой заказ?", "Заказ в пути"]
    assert listed["messages"][0]["client_id"] == "c-1"
    assert listed["messages"][1]["author_name"] == "Анна"  # first name only
    assert listed["cursor"] > 0
    with db.transaction() as session:
        assert session.get_one(Message, reply_id).delivery_status == "delivered"
    # Resuming the session keeps the same visitor.
    resumed = client.post(f"/widget/v1/{key}/session", json={}, headers=headers).json()
    assert resumed["resumed"] is True and resumed["has_conversation"] is True


def test_a_visitor_never_reads_another_conversation(client, db, widget_inbox, visitor, make_user):
    inbox_id, key = widget_inbox()
    _, other_key = widget_inbox("Second site")
    alice, bob = visitor(key), visitor(key)
    _send(client, key, alice, "Секрет Алисы")
    upload = client.post(
        f"/widget/v1/{key}/attachments", files={"file": ("a.pdf", PDF, "application/pdf")}, headers=alice
    )
    assert upload.status_code == 201
    attachment_id = upload.json()["id"]
    assert client.get(f"/widget/v1/{key}/attachments/{attachment_id}", headers=alice).status_code == 200
    # Bob, on the same inbox, sees nothing of Alice's.
    assert client.get(f"/widget/v1/{key}/messages", headers=bob).json()["messages"] == []
    assert client.get(f"/widget/v1/{key}/attachments/{attachment_id}", headers=bob).status_code == 404
    # Alice's token does not open another inbox, and no token or a made-up one opens nothing.
    assert client.get(f"/widget/v1/{other_key}/messages", headers=alice).status_code == 401
    assert client.get(f"/widget/v1/{other_key}/attachments/{attachment_id}", headers=alice).status_code == 401
    assert client.get(f"/widget/v1/{key}/messages").status_code == 401
    forged = {"X-Widget-Token": "zwv_" + "A" * 43}
    assert client.get(f"/widget/v1/{key}/messages", headers=forged).status_code == 401
    assert _send(client, key, forged).status_code == 401
    # An operator's unrelated conversation on another inbox (API channel) is out of reach too.
    assert client.get(f"/widget/v1/{key}/attachments/999999", headers=bob).status_code == 404
    # Bob writing does not land in Alice's conversation.
    _send(client, key, bob, "Я Боб")
    with db.transaction() as session:
        conversations = list(session.scalars(select(Conversation).where(Conversation.inbox_id == inbox_id)))
        assert len({c.customer_id for c in conversations}) == 2
    assert [m["text"] for m in client.get(f"/widget/v1/{key}/messages", headers=bob).json()["messages"]] == ["Я Боб"]


def test_identity_verification(client, db, widget_inbox, visitor, make_user):
    inbox_id, key = widget_inbox()
    secret = _secret(db, inbox_id)
    # A known customer of the site wrote before, verified.
    verified = visitor(key, user_id="user-42", user_hash=user_hash(secret, "user-42"))
    _send(client, key, verified, "Я постоянный клиент, мой прошлый заказ…")

    # A forged hash is refused with a clear error, and nothing is created.
    forged = client.post(f"/widget/v1/{key}/session", json={"user_id": "user-42", "user_hash": "0" * 64})
    assert forged.status_code == 403
    assert forged.json()["type"].endswith("bad_user_hash")
    wrong_user = client.post(
        f"/widget/v1/{key}/session", json={"user_id": "user-43", "user_hash": user_hash(secret, "user-42")}
    )
    assert wrong_user.status_code == 403

    # An anonymous visitor (as the page falls back to) sees none of the verified history…
    anonymous = visitor(key)
    assert client.get(f"/widget/v1/{key}/messages", headers=anonymous).json()["messages"] == []
    # …and presenting the verified token without the hash does not resume it.
    unsigned = client.post(f"/widget/v1/{key}/session", json={}, headers=verified).json()
    assert unsigned["resumed"] is False and unsigned["verified"] is False
    assert (
        client.get(f"/widget/v1/{key}/messages", headers={"X-Widget-Token": unsigned["token"]}).json()["messages"] == []
    )

    # The anonymous visitor writes, then signs in on the site: its conversation joins the customer.
    _send(client, key, anonymous, "Вопрос до входа")
    signed = client.post(
        f"/widget/v1/{key}/session",
        json={"user_id": "user-42", "user_hash": user_hash(secret, "user-42")},
        headers=anonymous,
    ).json()
    assert signed["verified"] is True
    texts = [
        m["text"]
        for m in client.get(f"/widget/v1/{key}/messages", headers={"X-Widget-Token": signed["token"]}).json()[
            "messages"
        ]
    ]
    assert "Вопрос до входа" in texts and "Я постоянный клиент, мой прошлый заказ…" in texts
    # The anonymous token no longer opens anything.
    assert client.get(f"/widget/v1/{key}/messages", headers=anonymous).status_code == 401
    with db.transaction() as session:
        owner = session.scalars(
            select(CustomerIdentity).where(
                CustomerIdentity.channel == f"widget-user:{inbox_id}", CustomerIdentity.external_id == "user-42"
            )
        ).one()
        customers = {
            c.customer_id for c in session.scalars(select(Conversation).where(Conversation.inbox_id == inbox_id))
        }
        assert customers == {owner.customer_id}


def test_prechat_email_never_joins_another_customer(client, db, widget_inbox, visitor):
    _, key = widget_inbox(prechat={"enabled": True, "required": ["name", "email_or_phone", "consent"]})
    with db.transaction() as session:
        known, _ = identify_customer(session, Actor.system(), "api:1", "x", CustomerProfile(email="vip@example.com"))
        known_id = known.id
    headers = visitor(key)
    incomplete = client.post(f"/widget/v1/{key}/prechat", json={"name": "Ольга"}, headers=headers)
    assert incomplete.status_code == 400
    assert incomplete.json()["type"].endswith("prechat_incomplete")
    done = client.post(
        f"/widget/v1/{key}/prechat",
        json={"name": "Ольга", "email": "VIP@example.com", "consent": True},
        headers=headers,
    )
    assert done.status_code == 200
    _send(client, key, headers, "Привет")
    with db.transaction() as session:
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.customer_id != known_id
        customer = session.get_one(Customer, conversation.customer_id)
        assert customer.name == "Ольга" and customer.email == "vip@example.com"
        assert customer.consents["personal_data"]["granted"] is True


def test_offline_email_is_kept_on_the_customer(client, db, widget_inbox, visitor):
    _, key = widget_inbox()
    headers = visitor(key)
    _send(client, key, headers, "Есть кто?")
    assert client.post(f"/widget/v1/{key}/email", json={"email": "nope"}, headers=headers).status_code == 400
    assert (
        client.post(f"/widget/v1/{key}/email", json={"email": "Olga@Example.com"}, headers=headers).status_code == 200
    )
    with db.transaction() as session:
        conversation = session.scalars(select(Conversation)).one()
        assert session.get_one(Customer, conversation.customer_id).email == "olga@example.com"


def test_cors_only_for_allowed_origins(client, widget_inbox, visitor):
    _, key = widget_inbox()
    preflight = client.options(
        f"/widget/v1/{key}/messages",
        headers={
            "Origin": SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-widget-token",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == SITE
    assert "X-Widget-Token" in preflight.headers["access-control-allow-headers"]
    evil = "https://evil.example"
    refused = client.options(
        f"/widget/v1/{key}/messages", headers={"Origin": evil, "Access-Control-Request-Method": "POST"}
    )
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers
    allowed = client.get(f"/widget/v1/{key}/config", headers={"Origin": SITE})
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == SITE
    assert client.get(f"/widget/v1/{key}/config", headers={"Origin": evil}).status_code == 403
    blocked_send = client.post(f"/widget/v1/{key}/session", json={}, headers={"Origin": evil})
    assert blocked_send.status_code == 403
    # Errors carry the header too, so the widget can read them.
    unauthorised = client.get(f"/widget/v1/{key}/messages", headers={"Origin": SITE})
    assert unauthorised.status_code == 401 and unauthorised.headers["access-control-allow-origin"] == SITE


def test_upload_limits(client, widget_inbox, visitor):
    _, key = widget_inbox(attachments={"max_bytes": 2048, "kinds": ["image"]})
    headers = visitor(key)

    def upload(name, data):
        return client.post(
            f"/widget/v1/{key}/attachments", files={"file": (name, data, "application/octet-stream")}, headers=headers
        )

    assert upload("a.png", png_bytes()).status_code == 409  # no conversation yet
    _send(client, key, headers, "Фото брака")
    assert upload("big.png", png_bytes() + b"\x00" * 4096).status_code == 413
    assert upload("doc.pdf", PDF).status_code == 415  # not an allowed kind on this inbox
    assert upload("page.txt", b"<html><script>alert(1)</script></html>").status_code == 415
    stored = upload("photo.png", png_bytes())
    assert stored.status_code == 201
    sent = _send(client, key, headers, "", attachment_ids=[stored.json()["id"]])
    assert sent.status_code == 201
    assert sent.json()["message"]["attachments"][0]["filename"] == "photo.png"
    download = client.get(f"/widget/v1/{key}/attachments/{stored.json()['id']}", headers=headers)
    assert download.status_code == 200 and download.content == png_bytes()
    assert download.headers["x-content-type-options"] == "nosniff"


def test_send_is_rate_limited(client, widget_inbox, visitor, monkeypatch):
    from zabota.config import get_settings

    monkeypatch.setenv("WIDGET_SEND_RATE_LIMIT", "3/minute")
    get_settings.cache_clear()
    try:
        _, key = widget_inbox()
        headers = visitor(key)
        codes = [_send(client, key, headers, f"n{n}").status_code for n in range(4)]
        assert codes == [201, 201, 201, 429]
    finally:
        monkeypatch.delenv("WIDGET_SEND_RATE_LIMIT")
        get_settings.cache_clear()


def test_suggestions_come_from_published_articles(client, db, widget_inbox):
    from zabota.helpcenter.demo_articles import load_help_center

    with db.transaction() as session:
        load_help_center(session, Actor.system())
    _, key = widget_inbox()
    found = client.get(f"/widget/v1/{key}/suggest", params={"q": "вернуть деньги", "lang": "ru"}).json()["articles"]
    assert found and "/help/articles/" in found[0]["url"]
    assert client.get(f"/widget/v1/{key}/suggest", params={"q": "ab"}).json() == {"articles": []}


@pytest.mark.parametrize(
    "bad", [{"allowed_origins": ["not a url"]}, {"color": "red"}, {"prechat": {"required": ["age"]}}]
)
def test_bad_settings_are_refused(widget_inbox, bad):
    from zabota.errors import DomainError

    with pytest.raises(DomainError):
        widget_inbox(**bad)


def test_talk_to_a_person_hands_the_bot_conversation_over(client, db, widget_inbox, visitor):
    from zabota.helpcenter.demo_articles import load_help_center
    from zabota.jobs.queue import run_until_idle
    from zabota.jobs.registry import autodiscover

    with db.transaction() as session:
        load_help_center(session, Actor.system())
    _, key = widget_inbox(bot={"enabled": True})
    headers = visitor(key)
    assert client.post(f"/widget/v1/{key}/handoff", headers=headers).status_code == 409  # nothing to hand over
    _send(client, key, headers, "Как вернуть деньги за заказ?")
    autodiscover()
    run_until_idle(db)
    listed = client.get(f"/widget/v1/{key}/messages", headers=headers).json()
    assert listed["messages"][-1]["author_kind"] == "bot"
    assert listed["handoff_offered"] is True
    handed = client.post(f"/widget/v1/{key}/handoff", headers=headers)
    assert handed.status_code == 200 and handed.json()["handed_off"] is True
    assert client.get(f"/widget/v1/{key}/messages", headers=headers).json()["handoff_offered"] is False
    # Another visitor cannot hand over this conversation (it has none of its own).
    assert client.post(f"/widget/v1/{key}/handoff", headers=visitor(key)).status_code == 409

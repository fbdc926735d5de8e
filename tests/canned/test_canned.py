"""Canned replies: audited management, the "/" picker, personalised text through the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.sla.helpers import department, events, inbox, push
from zabota.canned import actions
from zabota.canned.models import CannedReply
from zabota.db import Database
from zabota.errors import Conflict, DomainError, NotFound
from zabota.events.actions import Actor

DELAY = (
    "Здравствуйте, {{customer.first_name}}! Заказ {{order.last}} задерживается, приносим извинения."
    " {{operator.first_name}}"
)


def _create(db: Database, **values) -> int:  # type: ignore[no-untyped-def]
    fields = {"title": "Задержка заказа", "shortcut": "/delay", "body": DELAY, "language": "ru"} | values
    with db.transaction() as session:
        return actions.create_canned(session, Actor.system(), **fields).id


def _search(db: Database, query: str = "", **filters) -> list[str]:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        return [
            f"{r.shortcut}:{r.language}:{r.department_id}" for r in actions.search_canned(session, query, **filters)
        ]


def test_create_update_delete_are_audited(db):
    reply_id = _create(db, shortcut="Delay")
    with db.transaction() as session:
        reply = session.get(CannedReply, reply_id)
        assert reply.shortcut == "/delay"
        actions.update_canned(session, Actor.user(5), reply, title="Задержка", body="Новый текст")
        actions.update_canned(session, Actor.user(5), reply, title="Задержка")  # no change, no event
    [created] = events(db, "canned_reply.created")
    assert created.payload == {
        "shortcut": "/delay",
        "title": "Задержка заказа",
        "language": "ru",
        "department_id": None,
    }
    [updated] = events(db, "canned_reply.updated")
    assert updated.payload == {"title": "Задержка", "body_length": len("Новый текст")}
    assert updated.actor_id == 5
    with db.transaction() as session:
        actions.delete_canned(session, Actor.user(5), actions.get_canned(session, reply_id))
    assert [e.payload["shortcut"] for e in events(db, "canned_reply.deleted")] == ["/delay"]
    with pytest.raises(NotFound), db.transaction() as session:
        actions.get_canned(session, reply_id)


def test_validation_on_save(db):
    support = department(db)
    with pytest.raises(DomainError, match="template error"):
        _create(db, body="Привет, {{customer.first_name")
    with pytest.raises(DomainError, match="shortcut is a slash"):
        _create(db, shortcut="/два слова")
    with pytest.raises(DomainError, match="Language must be"):
        _create(db, language="de")
    with pytest.raises(DomainError, match="needs text"):
        _create(db, body="   ")
    with pytest.raises(NotFound):
        _create(db, department_id=support + 100)
    reply_id = _create(db)
    with pytest.raises(DomainError, match="Unknown placeholder"), db.transaction() as session:
        actions.update_canned(session, Actor.system(), session.get(CannedReply, reply_id), body="{{ user.password }}")


def test_one_shortcut_per_language_and_department(db):
    support = department(db)
    _create(db)
    _create(db, language="en", body="Sorry, {{customer.first_name}}, your order is late.")
    _create(db, department_id=support)
    with pytest.raises(Conflict):
        _create(db)
    with pytest.raises(Conflict):
        _create(db, shortcut="/DELAY", department_id=support)
    other = _create(db, shortcut="/late")
    with pytest.raises(Conflict), db.transaction() as session:
        actions.update_canned(session, Actor.system(), session.get(CannedReply, other), shortcut="delay")


def test_the_slash_picker(db):
    support, sales = department(db, "Поддержка"), department(db, "Продажи")
    _create(db)
    _create(db, shortcut="/delivery", title="Сроки доставки")
    _create(db, shortcut="/thanks", title="Спасибо за ожидание")
    _create(db, shortcut="/delay", title="Задержка (поддержка)", department_id=support)
    _create(db, shortcut="/discount", title="Скидка", department_id=sales)
    _create(db, shortcut="/delay", title="Delay", language="en", body="Sorry!")
    _create(db, shortcut="/100_percent", title="Гарантия")
    assert _search(db, "/del", language="ru") == ["/delay:ru:None", "/delivery:ru:None"]
    # The conversation's department first on an exact match, other departments' never.
    assert _search(db, "/delay", language="ru", department_id=support) == [
        f"/delay:ru:{support}",
        "/delay:ru:None",
    ]
    # Equally good matches: the department's own first.
    assert _search(db, "/d", language="ru", department_id=sales) == [
        f"/discount:ru:{sales}",
        "/delay:ru:None",
        "/delivery:ru:None",
    ]
    # Words of the title match too, case-insensitively (Cyrillic included).
    assert _search(db, "ожидан", language="ru") == ["/thanks:ru:None"]
    assert _search(db, "СРОКИ") == ["/delivery:ru:None"]
    assert _search(db, "/delay", language="en") == ["/delay:en:None"]
    # LIKE wildcards in the query are literal.
    assert _search(db, "100_") == ["/100_percent:ru:None"]
    assert _search(db, "1%") == []
    assert len(_search(db, "", any_department=True)) == 7
    assert len(_search(db, "", language="ru")) == 4


def test_rendering_for_a_conversation(db, make_user):
    operator = make_user("operator", name="Ольга Смирнова")
    reply_id = _create(db)
    box = inbox(db, department(db))
    known = push(db, box, "m1", who="anna", name="Петрова Анна Сергеевна", attributes={"last_order": "A-1042"})
    unknown = push(db, box, "m2", who="anon")
    with db.transaction() as session:
        reply = session.get(CannedReply, reply_id)
        assert actions.render_canned(session, reply, known.conversation, operator) == (
            "Здравствуйте, Анна! Заказ A-1042 задерживается, приносим извинения. Ольга"
        )
        assert actions.render_canned(session, reply, unknown.conversation, operator) == (
            "Здравствуйте! Заказ задерживается, приносим извинения. Ольга"
        )


def test_canned_api(client, db, make_user, token_for):
    supervisor, operator = make_user("supervisor"), make_user("operator", name="Ольга")
    boss, staff = token_for(supervisor), token_for(operator)
    support = department(db)
    created = client.post(
        "/api/v1/canned-replies",
        json={"title": "Задержка", "shortcut": "delay", "body": DELAY, "language": "ru", "department_id": support},
        headers=boss,
    )
    assert created.status_code == 201, created.text
    reply = created.json()
    assert reply["shortcut"] == "/delay" and reply["created_by_id"] == supervisor.id
    bad = client.post(
        "/api/v1/canned-replies",
        json={"title": "x", "shortcut": "x", "body": "{{ customer.first_name", "language": "ru"},
        headers={**boss, "Accept-Language": "ru"},
    )
    assert bad.status_code == 400
    assert bad.json()["type"].endswith("bad_template")
    assert "шаблон" in bad.json()["detail"]
    assert client.post("/api/v1/canned-replies", json={}, headers=staff).status_code == 403

    found = client.get("/api/v1/canned-replies", params={"q": "/de", "department_id": support}, headers=staff)
    assert [r["id"] for r in found.json()] == [reply["id"]]
    assert client.get("/api/v1/canned-replies", params={"q": "/de"}, headers=staff).json() == []

    pushed = push(db, inbox(db, support), "m1", who="anna", name="Анна", attributes={"last_order": 77})
    rendered = client.get(
        f"/api/v1/canned-replies/{reply['id']}/render",
        params={"conversation_id": pushed.conversation.id},
        headers=staff,
    )
    assert rendered.json() == {"text": "Здравствуйте, Анна! Заказ 77 задерживается, приносим извинения. Ольга"}
    preview = client.post(
        "/api/v1/canned-replies/preview",
        json={"body": "{{customer.first_name}}, спасибо!", "conversation_id": pushed.conversation.id},
        headers=boss,
    )
    assert preview.json() == {"text": "Анна, спасибо!"}

    patched = client.patch(f"/api/v1/canned-replies/{reply['id']}", json={"department_id": None}, headers=boss)
    assert patched.json()["department_id"] is None
    assert client.get("/api/v1/canned-replies", params={"q": "/de"}, headers=staff).json()[0]["id"] == reply["id"]
    assert client.delete(f"/api/v1/canned-replies/{reply['id']}", headers=boss).status_code == 204
    assert client.get(f"/api/v1/canned-replies/{reply['id']}", headers=staff).status_code == 404
    with db.transaction() as session:
        assert session.scalars(select(CannedReply)).first() is None

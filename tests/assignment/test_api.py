"""Presence and operator load through the REST API."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from tests.sla.helpers import department, inbox, push
from zabota.auth.models import UserSession
from zabota.db import utcnow


def test_heartbeat_of_a_browser_session_makes_an_operator_present_and_hands_out_work(client, db, make_user, token_for):
    operator = make_user("operator")
    box = inbox(db, department(db, auto_assignment="round_robin", members=[operator]))
    waiting = push(db, box, "m1").conversation.id
    token = token_for(operator)
    # An API token is no presence.
    me = client.get("/api/v1/presence", headers=token).json()
    assert me == {
        "user_id": operator.id,
        "availability": "online",
        "presence": "offline",
        "load": 0,
        "capacity": 10,
        "heartbeat_seconds": 60,
    }
    assert client.post("/api/v1/presence/heartbeat", headers=token).json()["presence"] == "offline"

    login = client.post("/api/v1/auth/login", json={"email": operator.email, "password": "correct-horse-9"})
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    with db.transaction() as session:  # the tab was closed a while ago
        session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=30)))
    beat = client.post("/api/v1/presence/heartbeat", headers=csrf)
    assert beat.status_code == 200, beat.text
    assert beat.json()["presence"] == "online"
    assert beat.json()["load"] == 1  # the waiting conversation was handed out
    assert client.get(f"/api/v1/conversations/{waiting}", headers=token).json()["assignee_id"] == operator.id

    away = client.put("/api/v1/presence", json={"availability": "away"}, headers=csrf)
    assert away.json()["presence"] == "away" and away.json()["availability"] == "away"
    bad = client.put("/api/v1/presence", json={"availability": "busy"}, headers=csrf)
    assert bad.status_code == 422


def test_operator_loads_are_for_supervisors(client, db, make_user, token_for):
    supervisor, operator = make_user("supervisor"), make_user("operator", name="Анна")
    support = department(db, members=[operator])
    rows = client.get("/api/v1/queue/operators", params={"department_id": support}, headers=token_for(supervisor))
    assert rows.status_code == 200
    assert [(r["name"], r["presence"], r["load"], r["free"], r["department_ids"]) for r in rows.json()] == [
        ("Анна", "offline", 0, 10, [support])
    ]
    assert client.get("/api/v1/queue/operators", headers=token_for(operator)).status_code == 403

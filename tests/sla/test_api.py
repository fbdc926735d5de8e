"""SLA policies, breaches and the live queue through the REST API."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.sla.helpers import department, inbox, push
from zabota.db import clock_at
from zabota.jobs.queue import run_until_idle
from zabota.jobs.registry import autodiscover

MSK = ZoneInfo("Europe/Moscow")


def test_policy_lifecycle_and_what_the_supervisor_sees(client, db, make_user, token_for):
    autodiscover()
    supervisor, operator = token_for(make_user("supervisor")), token_for(make_user("operator"))
    client.patch("/api/v1/organization", json={"timezone": "Europe/Moscow"}, headers=token_for(make_user("admin")))
    support = department(db, "Поддержка")
    url = f"/api/v1/departments/{support}/sla"

    missing = client.get(url, headers=operator)
    assert missing.status_code == 404 and missing.json()["type"].endswith("no_sla_policy")
    assert client.put(url, json={"first_reply_minutes": 30}, headers=operator).status_code == 403
    refused = client.put(url, json={"resolution_hours": 4, "resolution_same_day": True}, headers=supervisor)
    assert refused.status_code == 400
    assert client.put(url, json={"first_reply_minutes": 0}, headers=supervisor).status_code == 422

    saved = client.put(url, json={"first_reply_minutes": 30, "resolution_same_day": True}, headers=supervisor)
    assert saved.status_code == 200, saved.text
    policy = saved.json()
    assert (policy["first_reply_minutes"], policy["resolution_same_day"], policy["business_hours_only"]) == (
        30,
        True,
        True,
    )
    assert client.get(url, headers=operator).json()["first_reply_minutes"] == 30
    assert [p["department_id"] for p in client.get("/api/v1/sla/policies", headers=operator).json()] == [support]

    wednesday = datetime(2026, 11, 4, 10, 0, tzinfo=MSK)
    with clock_at(wednesday):
        conversation_id = push(db, inbox(db, support), "m1").conversation.id
    shown = client.get(f"/api/v1/conversations/{conversation_id}", headers=operator).json()
    assert datetime.fromisoformat(shown["first_reply_due_at"]) == wednesday + timedelta(minutes=30)
    assert datetime.fromisoformat(shown["resolution_due_at"]) == datetime(2026, 11, 4, 18, 0, tzinfo=MSK)
    assert shown["first_reply_breached_at"] is None

    run_until_idle(db)  # both due times are long past
    sla = client.get(f"/api/v1/conversations/{conversation_id}/sla", headers=operator).json()
    assert [b["kind"] for b in sla["breaches"]] == ["first_reply", "resolution"]
    assert sla["first_reply_breached_at"] is not None

    day = client.get("/api/v1/sla/breaches", params={"day": "2026-11-04"}, headers=supervisor).json()
    assert day == {
        "day": "2026-11-04",
        "departments": [{"department_id": support, "name": "Поддержка", "first_reply": 1, "resolution": 1, "total": 2}],
    }
    assert client.get("/api/v1/sla/breaches", headers=operator).status_code == 403
    queue = client.get("/api/v1/queue/departments", headers=supervisor).json()
    assert [(q["name"], q["open"], q["overdue"], q["has_policy"]) for q in queue] == [("Поддержка", 1, 1, True)]

    assert client.delete(url, headers=supervisor).status_code == 204
    assert client.get(url, headers=operator).status_code == 404

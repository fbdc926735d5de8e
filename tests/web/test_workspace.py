"""The workspace pages without a browser: SLA badges, presence, the queue, canned replies, isolation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.sla import helpers as h
from tests.web.builders import sign_in_client, wait_longer
from zabota.assignment.actions import Presence, presence_of
from zabota.auth.models import User, UserSession
from zabota.canned.actions import create_canned
from zabota.conversations.actions import add_note, set_status, transfer, viewer_of
from zabota.conversations.models import Conversation
from zabota.customers.actions import update_customer
from zabota.customers.models import Customer
from zabota.db import utcnow
from zabota.departments.models import Department
from zabota.events.actions import Actor
from zabota.events.queries import latest_event_id
from zabota.org.actions import update_organization
from zabota.sla.actions import set_policy
from zabota.web.live import Cursor, messages_for, read_changes


def _english(db, *users) -> None:
    with db.transaction() as session:
        for user in users:
            session.get(User, user.id).language = "en"


@pytest.fixture
def staff(db, make_user):
    """Colleagues who read the UI in English (the tests compare English words)."""

    def build(role: str, name: str):  # type: ignore[no-untyped-def]
        user = make_user(role, name=name)
        _english(db, user)
        return user

    return build


def _policy(db, department_id: int, minutes: int) -> None:
    with db.transaction() as session:
        department = session.get(Department, department_id)
        set_policy(session, Actor.system(), department, first_reply_minutes=minutes, business_hours_only=False)


def test_rows_and_pane_show_sla_time_left_then_the_flagged_breach(client, db, staff):
    anna = staff("operator", "Anna")
    support = h.department(db, members=[anna])
    _policy(db, support, 30)
    conversation_id = h.push(db, h.inbox(db, support), "m-1", name="Olga Petrova").conversation.id
    sign_in_client(client, anna.email)

    row = _row(client.get("/inbox?view=all").text, conversation_id)
    assert 'data-sla-kind="first_reply"' in row and "SLA: 30 min left" in row and "sla calm" in row
    assert "data-sla-breached" not in row
    assert "unanswered" in row and "waits 1 min" in row  # less than a minute still reads as one

    wait_longer(db, conversation_id, 45)
    row = _row(client.get("/inbox?view=all").text, conversation_id)
    assert "data-sla-breached" in row and "SLA overdue 15 min" in row and "waits 45 min" in row
    pane = client.get(f"/inbox/c/{conversation_id}", headers={"HX-Request": "true", "HX-Target": "conversation"}).text
    assert "data-sla-breached" in pane and "SLA breached" in pane  # the badge and the timeline line

    # Russian words for the same badge.
    with db.transaction() as session:
        session.get(User, anna.id).language = "ru"
    assert "SLA просрочен на 15 мин" in _row(client.get("/inbox?view=all").text, conversation_id)


def _row(html: str, conversation_id: int) -> str:
    found = re.search(rf'<li class="row[^"]*" data-id="{conversation_id}">.*?</li>', html, re.S)
    assert found is not None, f"row {conversation_id} is not in the list"
    return found.group(0)


def test_presence_toggle_and_heartbeat(client, db, staff):
    anna = staff("operator", "Anna")
    csrf = sign_in_client(client, anna.email)
    assert 'data-presence="online"' in client.get("/inbox").text

    assert client.post("/presence", data={"availability": "away"}).status_code == 403  # no CSRF
    away = client.post("/presence", data={"availability": "away"}, headers={"X-CSRF-Token": csrf})
    assert away.status_code == 200 and 'data-presence="away"' in away.text
    with db.transaction() as session:
        assert session.get(User, anna.id).availability == "away"
    bad = client.post("/presence", data={"availability": "asleep"}, headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 400

    client.post("/presence", data={"availability": "online"}, headers={"X-CSRF-Token": csrf})
    # The tab went quiet for ten minutes: offline, until its heartbeat comes again.
    with db.transaction() as session:
        quiet = utcnow() - timedelta(minutes=10)
        session.execute(update(UserSession).where(UserSession.user_id == anna.id).values(last_seen_at=quiet))
    with db.transaction() as session:
        assert presence_of(session, session.get(User, anna.id)) == Presence.OFFLINE
    beat = client.post("/presence/heartbeat", headers={"X-CSRF-Token": csrf})
    assert beat.status_code == 200 and 'data-presence="online"' in beat.text
    with db.transaction() as session:
        seen = session.scalar(select(UserSession.last_seen_at).where(UserSession.user_id == anna.id))
        assert utcnow() - seen < timedelta(minutes=1)
    assert client.post("/presence/heartbeat").status_code == 403


def test_assign_menu_shows_presence(client, db, staff):
    anna = staff("operator", "Anna")
    boris = staff("operator", "Boris")
    support = h.department(db, members=[anna, boris])
    conversation_id = h.push(db, h.inbox(db, support), "m-1").conversation.id
    sign_in_client(client, anna.email)
    pane = client.get(f"/inbox/c/{conversation_id}").text
    assert re.search(rf'<option value="{anna.id}" class="p-online"', pane)
    assert re.search(rf'<option value="{boris.id}" class="p-offline"[^>]*>● Boris \(offline\)', pane)


def test_queue_page_for_supervisors_only(client, db, staff):
    anna = staff("operator", "Anna")
    chief = staff("supervisor", "Chief")
    support = h.department(db, name="Support", members=[anna])
    _policy(db, support, 5)
    box = h.inbox(db, support)
    late = h.push(db, box, "m-1", who="c-1", name="Olga Petrova").conversation.id
    h.push(db, box, "m-2", who="c-2", name="Ivan Sidorov")
    wait_longer(db, late, 10)

    sign_in_client(client, anna.email)
    assert client.get("/queue").status_code == 403
    assert client.get("/queue/panel").status_code == 403
    assert 'href="/queue"' not in client.get("/inbox").text

    sign_in_client(client, chief.email)
    page = client.get("/queue")
    assert page.status_code == 200 and 'hx-trigger="every 5s"' in page.text
    html = page.text
    assert re.search(r'data-tile="waiting"><span class="tile-value">2<', html)
    assert re.search(r'data-tile="breaches"><span class="tile-value">1<', html)
    assert re.search(r'data-tile="oldest"><span class="tile-value"><span>10 min<', html)
    waiting = re.findall(r'<tr data-id="(\d+)">', html)
    assert waiting[0] == str(late) and len(waiting) == 2  # the longest wait first
    assert '<tr data-breach="' in html and f'href="/inbox/c/{late}?view=all">#{late}<' in html
    # Anna signed in above, so her browser session makes her present.
    assert re.search(rf'<tr data-user="{anna.id}">.*?data-presence="online".*?<span data-load>0 / 10<', html, re.S)
    assert re.search(rf'<tr data-department="{support}">.*?<td data-breaches>1</td>', html, re.S)
    assert client.get("/queue/panel").text.count("<table") == 4


def test_canned_picker_offers_personalised_replies(client, db, make_user):
    anna = make_user("operator", name="Анна Смирнова")
    support = h.department(db, members=[anna])
    other = h.department(db, name="Возвраты")
    conversation_id = h.push(db, h.inbox(db, support), "m-1", name="Петрова Ольга Ивановна").conversation.id
    with db.transaction() as session:
        body = "Здравствуйте, {{customer.first_name}}! Меня зовут {{operator.first_name}}, заказ задерживается."
        create_canned(session, Actor.system(), title="Задержка доставки", shortcut="/delay", language="ru", body=body)
        create_canned(
            session, Actor.system(), title="Возврат", shortcut="/refund", language="ru", body="Оформим возврат.",
            department_id=other,
        )  # fmt: skip
    csrf = sign_in_client(client, anna.email)
    pane = client.get(f"/inbox/c/{conversation_id}").text
    assert 'id="canned-picker"' in pane and "data-canned-open" in pane

    found = client.get(f"/inbox/c/{conversation_id}/canned", params={"q": "de"})
    assert found.status_code == 200
    assert 'data-text="Здравствуйте, Ольга! Меня зовут Анна, заказ задерживается."' in found.text
    everything = client.get(f"/inbox/c/{conversation_id}/canned").text
    assert "/delay" in everything and "/refund" not in everything  # another department's reply
    assert "Нет шаблона ответа, начинающегося с «zzz»" in client.get(f"/inbox/c/{conversation_id}/canned?q=zzz").text
    assert client.get("/inbox/c/999999/canned").status_code == 404
    assert csrf


def test_sidebar_profile_identities_tags_history_and_placeholders(client, db, staff):
    anna = staff("operator", "Anna")
    support = h.department(db, members=[anna])
    box = h.inbox(db, support)
    first = h.push(db, box, "m-1", who="olga", name="Olga Petrova", email="olga@example.test").conversation.id
    with db.transaction() as session:
        conversation = session.get(Conversation, first)
        add_note(session, conversation, author=session.get(User, anna.id), text="Prefers calls after 18:00")
        set_status(session, Actor.system(), conversation, "resolved")
        customer = session.get(Customer, conversation.customer_id)
        update_customer(session, Actor.system(), customer, {"tags": ["vip"], "attributes": {"city": "Kazan"}})
    # The same customer writes again on another channel (found by the email).
    email_box = h.inbox(db, support, name="Mail")
    second = h.push(db, email_box, "m-2", who="olga-mail", text="Again", email="olga@example.test").conversation.id
    assert second != first
    sign_in_client(client, anna.email)
    html = client.get(f"/inbox/c/{second}").text
    sidebar = html[html.index('id="customer-sidebar"') :]
    assert "olga@example.test" in sidebar and f"api:{box}: olga" in sidebar and f"api:{email_box}: olga-mail" in sidebar
    assert '<span class="tag">vip</span>' in sidebar and "Kazan" in sidebar
    assert f'data-history-conversation="{first}"' in sidebar and "Prefers calls after 18:00" in sidebar
    assert 'data-panel="loyalty"' in sidebar and "Points, coupons and stamp cards will appear here." in sidebar
    assert 'data-panel="feedback"' in sidebar and "Ratings and surveys will appear here." in sidebar


def test_isolated_department_stays_closed_in_pages_and_api(client, db, staff, token_for):
    anna = staff("operator", "Anna")
    boris = staff("operator", "Boris")
    returns = h.department(db, name="Returns", members=[boris])
    h.department(db, name="Support", members=[anna])
    conversation_id = h.push(db, h.inbox(db, returns), "m-1", name="Secret Customer").conversation.id
    with db.transaction() as session:
        update_organization(session, Actor.system(), department_isolation=True)

    sign_in_client(client, anna.email)
    assert f'data-id="{conversation_id}"' not in client.get("/inbox?view=all").text
    assert "Secret Customer" not in client.get("/inbox?q=Secret").text
    page = client.get(f"/inbox/c/{conversation_id}")
    assert page.status_code == 404 and "Secret Customer" not in page.text
    assert client.get(f"/inbox/c/{conversation_id}/canned").status_code == 404
    api = client.get(f"/api/v1/conversations/{conversation_id}", headers=token_for(anna))
    assert api.status_code == 404

    sign_in_client(client, boris.email)
    assert client.get(f"/inbox/c/{conversation_id}").status_code == 200


def test_live_stream_tells_whoever_lost_sight_of_a_transferred_conversation(db, staff):
    anna = staff("operator", "Anna")
    boris = staff("operator", "Boris")
    carl = staff("operator", "Carl")
    support = h.department(db, name="Support", members=[anna, carl])
    returns = h.department(db, name="Returns", members=[boris])
    conversation_id = h.push(db, h.inbox(db, support), "m-1").conversation.id
    with db.transaction() as session:
        update_organization(session, Actor.system(), department_isolation=True)
    with db.reading() as session:
        start = latest_event_id(session)
    with db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        conversation.assignee_id = anna.id
        transfer(session, Actor.user(carl.id), conversation, session.get(Department, returns))
    changes = read_changes(db, Cursor(start, floor=start))  # what the one shared reader hands every stream

    def seen(user) -> list[str]:
        with db.reading() as session:
            viewer = viewer_of(session, user)
        return [data["type"] for name, data in messages_for(changes, viewer, "en") if name == "change"]

    assert "conversation.transferred" in seen(anna)  # was hers: her Mine view must drop it
    assert "conversation.transferred" in seen(carl)  # his department's queue lost it
    assert "conversation.transferred" in seen(boris)  # it arrived in his department


def test_channel_views_list_each_channel_in_use(client, db, staff):
    anna = staff("operator", "Anna")
    conversation_id = h.push(db, h.inbox(db), "m-1").conversation.id
    sign_in_client(client, anna.email)
    page = client.get("/inbox?view=all").text
    assert 'data-channel="api"' in page and 'data-channel="widget"' not in page
    assert f'data-id="{conversation_id}"' in client.get("/inbox/list?view=all&channel=api").text
    assert f'data-id="{conversation_id}"' not in client.get("/inbox/list?view=all&channel=telegram").text

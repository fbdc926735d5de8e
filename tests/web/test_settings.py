"""The Settings forms through the real app: each one changes what it says, refuses bad input politely."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.web.builders import PASSWORD, login_works
from tests.web.builders import page_csrf as csrf_of
from tests.web.builders import sign_in_client as sign_in
from zabota.auth.models import ApiToken, User
from zabota.channels.models import Inbox
from zabota.departments.models import Department, DepartmentMember
from zabota.org.actions import get_organization
from zabota.sla.models import SlaPolicy


@pytest.fixture
def make_staff(db, make_user):  # type: ignore[no-untyped-def]
    """Staff whose UI language is English, so the assertions read the English messages."""

    def build(role: str) -> User:
        user = make_user(role)
        with db.transaction() as session:
            session.merge(user).language = "en"
        user.language = "en"
        return user

    return build


def _user(db, email: str) -> User:
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None
        return user


def _form_error(html: str) -> str:
    found = re.search(r'data-form-error="[^"]+">([^<]+)<', html)
    return found.group(1) if found else ""


def test_admin_creates_a_user_who_signs_in_changes_role_and_deactivates(client, db, make_staff):
    admin = make_staff("admin")
    csrf = sign_in(client, admin.email)
    created = client.post(
        "/settings/users",
        data={
            "csrf_token": csrf,
            "email": "Anna@Example.test",
            "name": "Анна Смирнова",
            "handle": "anna",
            "role": "operator",
            "language": "ru",
            "capacity": "5",
            "password": "long-enough-1",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    assert created.headers["location"] == "/settings/users?done=user_created"
    page = client.get(created.headers["location"])
    assert "Анна Смирнова" in page.text and 'role="status"' in page.text
    anna = _user(db, "anna@example.test")
    assert (anna.role, anna.handle, anna.capacity, anna.language) == ("operator", "anna", 5, "ru")

    assert login_works(client, "anna@example.test", "long-enough-1")
    assert client.get("/inbox").status_code == 200
    assert client.get("/settings/users").status_code == 403  # an operator has no Settings

    csrf = sign_in(client, admin.email)
    changed = client.post(
        f"/settings/users/{anna.id}", data={"csrf_token": csrf, "role": "supervisor", "name": "Анна С."}
    )
    assert changed.status_code == 200  # followed the redirect
    assert _user(db, anna.email).role == "supervisor" and _user(db, anna.email).name == "Анна С."

    off = client.post(f"/settings/users/{anna.id}/active", data={"csrf_token": csrf, "active": "0"})
    assert off.status_code == 200 and not _user(db, anna.email).is_active
    assert not login_works(client, anna.email, "long-enough-1")

    csrf = sign_in(client, admin.email)
    client.post(f"/settings/users/{anna.id}/active", data={"csrf_token": csrf, "active": "1"})
    reset = client.post(f"/settings/users/{anna.id}/password", data={"csrf_token": csrf, "password": "brand-new-pass"})
    assert reset.status_code == 200
    assert login_works(client, anna.email, "brand-new-pass")


def test_forms_need_the_csrf_token(client, db, make_staff):
    admin = make_staff("admin")
    sign_in(client, admin.email)
    response = client.post(
        "/settings/users",
        data={"email": "x@example.test", "name": "X", "role": "operator", "password": "long-enough-1"},
    )
    assert response.status_code == 403
    response = client.post("/settings/users", data={"csrf_token": "forged", "email": "x@example.test"})
    assert response.status_code == 403
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1


def test_bad_input_is_refused_next_to_the_form_and_nothing_is_saved(client, db, make_staff):
    admin = make_staff("admin")
    operator = make_staff("operator")
    csrf = sign_in(client, admin.email)
    base = {"csrf_token": csrf, "name": "X", "role": "operator", "password": "long-enough-1"}
    bad_email = client.post("/settings/users", data={**base, "email": "not-an-email"})
    assert bad_email.status_code == 400
    assert _form_error(bad_email.text) == "Enter a valid email address."
    assert 'value="not-an-email"' in bad_email.text  # the form keeps what was typed
    taken = client.post("/settings/users", data={**base, "email": operator.email})
    assert taken.status_code == 409 and operator.email in _form_error(taken.text)
    short = client.post("/settings/users", data={**base, "email": "y@example.test", "password": "short"})
    assert short.status_code == 400 and "at least 8" in _form_error(short.text)
    bad_role = client.post("/settings/users", data={**base, "email": "z@example.test", "role": "king"})
    assert bad_role.status_code == 400 and "Role must be one of" in _form_error(bad_role.text)
    bad_capacity = client.post(f"/settings/users/{operator.id}", data={"csrf_token": csrf, "capacity": "lots"})
    assert bad_capacity.status_code == 400 and "not a whole number" in _form_error(bad_capacity.text)
    missing = client.post("/settings/users/999999", data={"csrf_token": csrf, "name": "X"})
    assert missing.status_code == 404
    # The only administrator cannot lock everyone out.
    alone = client.post(f"/settings/users/{admin.id}/active", data={"csrf_token": csrf, "active": "0"})
    assert alone.status_code == 409 and "administrator must remain" in _form_error(alone.text)
    assert _user(db, admin.email).is_active
    with db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 2


def test_errors_are_in_the_readers_language(client, make_staff):
    admin = make_staff("admin")
    csrf = sign_in(client, admin.email)
    client.post("/account/language", data={"csrf_token": csrf, "language": "ru"})
    page = client.post(
        "/settings/users",
        data={"csrf_token": csrf, "email": "bad", "name": "X", "role": "operator", "password": "long-enough-1"},
    )
    assert _form_error(page.text) == "Введите корректный адрес электронной почты."
    assert "Пользователи и роли" in page.text


def test_departments_members_capacity_and_isolation(client, db, make_staff):
    admin = make_staff("admin")
    anna = make_staff("operator")
    csrf = sign_in(client, admin.email)
    client.post("/settings/departments", data={"csrf_token": csrf, "name": "Поддержка", "auto_assignment": "off"})
    with db.transaction() as session:
        support = session.scalar(select(Department).where(Department.name == "Поддержка"))
        assert support is not None
        support_id = support.id
    duplicate = client.post("/settings/departments", data={"csrf_token": csrf, "name": "Поддержка"})
    assert duplicate.status_code == 409 and "already exists" in _form_error(duplicate.text)
    bad_policy = client.post(
        f"/settings/departments/{support_id}", data={"csrf_token": csrf, "name": "Поддержка", "auto_assignment": "x"}
    )
    assert bad_policy.status_code == 400
    saved = client.post(
        f"/settings/departments/{support_id}",
        data={
            "csrf_token": csrf,
            "name": "Служба заботы",
            "description": "Все вопросы",
            "auto_assignment": "least_loaded",
        },
    )
    assert saved.status_code == 200
    with db.transaction() as session:
        support = session.get(Department, support_id)
        assert (support.name, support.description, support.auto_assignment) == (
            "Служба заботы",
            "Все вопросы",
            "least_loaded",
        )

    client.post(f"/settings/departments/{support_id}/members", data={"csrf_token": csrf, "user_id": str(anna.id)})
    with db.transaction() as session:
        assert session.get(DepartmentMember, (support_id, anna.id)) is not None
    page = client.post(f"/settings/capacity/{anna.id}", data={"csrf_token": csrf, "capacity": "3"})
    assert f'data-member="{anna.email}"' in page.text
    assert _user(db, anna.email).capacity == 3
    too_many = client.post(f"/settings/capacity/{anna.id}", data={"csrf_token": csrf, "capacity": "5000"})
    assert too_many.status_code == 400 and _user(db, anna.email).capacity == 3

    client.post("/settings/departments/isolation", data={"csrf_token": csrf, "isolation": "1"})
    with db.transaction() as session:
        assert get_organization(session).department_isolation is True
    client.post(f"/settings/departments/{support_id}/members/{anna.id}/remove", data={"csrf_token": csrf})
    with db.transaction() as session:
        assert session.get(DepartmentMember, (support_id, anna.id)) is None


def test_supervisor_manages_departments_but_not_isolation_users_or_tokens(client, db, make_staff):
    supervisor = make_staff("supervisor")
    csrf = sign_in(client, supervisor.email)
    assert client.get("/settings", follow_redirects=False).headers["location"] == "/settings/departments"
    page = client.get("/settings/departments")
    assert 'action="/settings/departments/isolation"' not in page.text
    assert 'href="/settings/users"' not in page.text and 'href="/settings/sla"' in page.text
    assert (
        client.post("/settings/departments/isolation", data={"csrf_token": csrf, "isolation": "1"}).status_code == 403
    )
    assert client.get("/settings/tokens").status_code == 403
    assert client.get("/settings/inboxes").status_code == 200  # may look, not change
    assert client.post("/settings/inboxes", data={"csrf_token": csrf, "name": "X"}).status_code == 403
    with db.transaction() as session:
        assert get_organization(session).department_isolation is False
        assert session.scalar(select(func.count()).select_from(Inbox)) == 0


def test_api_token_is_shown_once_works_and_can_be_revoked(client, db, make_staff):
    admin = make_staff("admin")
    csrf = sign_in(client, admin.email)
    created = client.post(
        "/settings/tokens", data={"csrf_token": csrf, "name": "Shop", "scope": "read", "user_id": str(admin.id)}
    )
    assert created.status_code == 201
    assert created.headers["cache-control"] == "no-store"
    plaintext = re.search(r'id="new-token" readonly value="(zbt_[^"]+)"', created.text).group(1)
    listing = client.get("/settings/tokens").text
    assert plaintext not in listing and "Shop" in listing

    api = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"})
    assert api.status_code == 200 and api.json()["email"] == admin.email
    with db.transaction() as session:
        token = session.scalar(select(ApiToken))
        assert token.scope == "read" and token.last_used_at is not None
        token_id = token.id

    bad_scope = client.post("/settings/tokens", data={"csrf_token": csrf, "name": "X", "scope": "root"})
    assert bad_scope.status_code == 400 and "Scope must be one of" in _form_error(bad_scope.text)
    assert 'id="new-token"' not in bad_scope.text

    client.post(f"/settings/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    client.cookies.clear()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"}).status_code == 401


def test_sla_policy_and_business_hours(client, db, make_staff):
    admin = make_staff("admin")
    csrf = sign_in(client, admin.email)
    client.post("/settings/departments", data={"csrf_token": csrf, "name": "Возвраты"})
    with db.transaction() as session:
        department_id = session.scalar(select(Department.id))
    saved = client.post(
        f"/settings/sla/{department_id}",
        data={
            "csrf_token": csrf,
            "first_reply_minutes": "15",
            "resolution": "same_day",
            "resolution_hours": "8",
            "business_hours_only": "1",
            "active": "1",
        },
    )
    assert saved.status_code == 200 and "The SLA policy was saved." in saved.text
    with db.transaction() as session:
        policy = session.scalar(select(SlaPolicy))
        assert (policy.first_reply_minutes, policy.resolution_hours, policy.resolution_same_day) == (15, None, True)
        assert policy.business_hours_only and policy.active
    empty = client.post(f"/settings/sla/{department_id}", data={"csrf_token": csrf, "resolution": "none"})
    assert empty.status_code == 400 and "needs a reply target" in _form_error(empty.text)
    cleared = client.post(f"/settings/sla/{department_id}/clear", data={"csrf_token": csrf})
    assert cleared.status_code == 200
    with db.transaction() as session:
        assert session.scalar(select(SlaPolicy)) is None

    hours = {f"hours_{day}": "" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    good = client.post(
        "/settings/sla/calendar",
        data={
            "csrf_token": csrf,
            "timezone": "Asia/Yekaterinburg",
            **hours,
            "hours_mon": "9-13, 14:00–18:00",
            "hours_sat": "10:00-15:00",
            "holidays": "2026-01-07 Рождество\n2026-01-01",
        },
    )
    assert good.status_code == 200
    with db.transaction() as session:
        org = get_organization(session)
        assert org.timezone == "Asia/Yekaterinburg"
        assert org.business_hours["mon"] == [["09:00", "13:00"], ["14:00", "18:00"]]
        assert org.business_hours["sat"] == [["10:00", "15:00"]] and org.business_hours["tue"] == []
        assert org.holidays == ["2026-01-01", "2026-01-07"]
    for field, value, message in (
        ("hours_tue", "18:00-09:00", "is not before"),
        ("hours_tue", "25:00-26:00", "must be"),
        ("hours_tue", "nine to five", "ranges like 09:00-18:00"),
        ("holidays", "31.12.2026", "is not a date"),
        ("timezone", "Mars/Olympus", "Unknown timezone"),
    ):
        data = {"csrf_token": csrf, "timezone": "Europe/Moscow", **hours, field: value}
        refused = client.post("/settings/sla/calendar", data=data)
        assert refused.status_code == 400, (field, value)
        assert message in _form_error(refused.text), (field, value, _form_error(refused.text))
        assert f"{value}" in refused.text  # shown again to correct
    with db.transaction() as session:
        assert get_organization(session).timezone == "Asia/Yekaterinburg"  # nothing of the refused forms saved


def test_inbox_created_in_settings_accepts_messages_with_its_token(client, db, make_staff):
    admin = make_staff("admin")
    csrf = sign_in(client, admin.email)
    client.post("/settings/departments", data={"csrf_token": csrf, "name": "Продажи"})
    with db.transaction() as session:
        department_id = session.scalar(select(Department.id))
    created = client.post(
        "/settings/inboxes", data={"csrf_token": csrf, "name": "Сайт", "default_department_id": str(department_id)}
    )
    assert created.status_code == 201
    token = re.search(r'id="new-token" readonly value="(zbi_[^"]+)"', created.text).group(1)
    with db.transaction() as session:
        inbox = session.scalar(select(Inbox))
        assert (inbox.name, inbox.channel_type, inbox.default_department_id) == ("Сайт", "api", department_id)
        inbox_id = inbox.id
    assert token not in client.get("/settings/inboxes").text

    def push(with_token: str, external_id: str) -> int:
        return client.post(
            f"/api/v1/inboxes/{inbox_id}/messages",
            json={"external_id": external_id, "customer": {"identifier": "c-1", "name": "Ольга"}, "text": "Привет"},
            headers={"Authorization": f"Bearer {with_token}"},
        ).status_code

    assert push(token, "m-1") == 201
    renamed = client.post(f"/settings/inboxes/{inbox_id}", data={"csrf_token": csrf, "name": "Сайт магазина"})
    assert renamed.status_code == 200
    empty = client.post(f"/settings/inboxes/{inbox_id}", data={"csrf_token": csrf, "name": "  "})
    assert empty.status_code == 400 and "needs a name" in _form_error(empty.text)
    with db.transaction() as session:
        inbox = session.get(Inbox, inbox_id)
        assert inbox.name == "Сайт магазина" and inbox.default_department_id is None

    rotated = client.post(f"/settings/inboxes/{inbox_id}/rotate", data={"csrf_token": csrf})
    new_token = re.search(r'id="new-token" readonly value="(zbi_[^"]+)"', rotated.text).group(1)
    assert push(token, "m-2") == 401 and push(new_token, "m-3") == 201
    client.post(f"/settings/inboxes/{inbox_id}/active", data={"csrf_token": csrf, "active": "0"})
    assert push(new_token, "m-4") == 401
    client.post(f"/settings/inboxes/{inbox_id}/active", data={"csrf_token": csrf, "active": "1"})
    assert push(new_token, "m-5") == 201


def test_canned_replies_create_search_preview_edit_delete(client, db, make_staff):
    from zabota.canned.models import CannedReply

    supervisor = make_staff("supervisor")
    csrf = sign_in(client, supervisor.email)
    body = "Здравствуйте, {{customer.first_name}}! Заказ {{order.last}} уже в пути."
    created = client.post(
        "/settings/canned",
        data={"csrf_token": csrf, "title": "Задержка", "shortcut": "Delay", "language": "ru", "body": body},
    )
    assert created.status_code == 200
    with db.transaction() as session:
        reply = session.scalar(select(CannedReply))
        assert (reply.shortcut, reply.department_id, reply.created_by_id) == ("/delay", None, supervisor.id)
        reply_id = reply.id
    preview = client.post("/settings/canned/preview", data={"csrf_token": csrf, "body": body, "language": "ru"})
    assert "Здравствуйте, Ольга! Заказ 1042 уже в пути." in preview.text
    broken = client.post("/settings/canned/preview", data={"csrf_token": csrf, "body": "{{customer.password}}"})
    assert "Unknown placeholder" in broken.text
    assert 'data-canned="/delay"' in client.get("/settings/canned?q=del").text
    assert 'data-canned="/delay"' not in client.get("/settings/canned?q=zzz").text
    assert "Задержка" in client.get(f"/settings/canned?edit={reply_id}").text

    bad = client.post(
        f"/settings/canned/{reply_id}",
        data={
            "csrf_token": csrf,
            "title": "Задержка",
            "shortcut": "/delay",
            "language": "ru",
            "body": "{% for x in y %}{% endfor %}",
        },
    )
    assert bad.status_code == 400 and "not allowed" in _form_error(bad.text)
    edited = client.post(
        f"/settings/canned/{reply_id}",
        data={"csrf_token": csrf, "title": "Задержка заказа", "shortcut": "/late", "language": "ru", "body": "Скоро!"},
    )
    assert edited.status_code == 200
    with db.transaction() as session:
        reply = session.get(CannedReply, reply_id)
        assert (reply.title, reply.shortcut, reply.body) == ("Задержка заказа", "/late", "Скоро!")
    client.post(f"/settings/canned/{reply_id}/delete", data={"csrf_token": csrf})
    with db.transaction() as session:
        assert session.get(CannedReply, reply_id) is None


def test_password_change_keeps_this_session_and_ends_the_others(app, db, make_staff):
    from fastapi.testclient import TestClient

    operator = make_staff("operator")
    with TestClient(app) as here, TestClient(app) as elsewhere:
        csrf = sign_in(here, operator.email)
        sign_in(elsewhere, operator.email)
        assert "Change password" in here.get("/account").text
        wrong = here.post(
            "/account/password",
            data={
                "csrf_token": csrf,
                "current_password": "nope",
                "new_password": "new-password-1",
                "new_password_again": "new-password-1",
            },
        )
        assert wrong.status_code == 400 and _form_error(wrong.text) == "The current password is not correct."
        mismatch = here.post(
            "/account/password",
            data={
                "csrf_token": csrf,
                "current_password": PASSWORD,
                "new_password": "new-password-1",
                "new_password_again": "new-password-2",
            },
        )
        assert mismatch.status_code == 400 and "do not match" in _form_error(mismatch.text)
        changed = here.post(
            "/account/password",
            data={
                "csrf_token": csrf,
                "current_password": PASSWORD,
                "new_password": "new-password-1",
                "new_password_again": "new-password-1",
            },
            follow_redirects=False,
        )
        assert changed.status_code == 303
        assert here.get("/account").status_code == 200
        assert elsewhere.get("/account", follow_redirects=False).status_code == 303  # to the login page
        assert csrf_of(here.get("/account").text) == csrf
    with TestClient(app) as fresh:
        assert not login_works(fresh, operator.email, PASSWORD)
        assert login_works(fresh, operator.email, "new-password-1")


def test_a_web_chat_made_in_settings_shows_its_snippet_and_an_audited_identity_key(client, db, make_staff):
    from zabota.events.models import DomainEvent
    from zabota.widget.actions import user_hash

    admin, supervisor = make_staff("admin"), make_staff("supervisor")
    csrf = sign_in(client, admin.email)
    created = client.post(
        "/settings/inboxes",
        data={"csrf_token": csrf, "channel_type": "widget", "name": "Сайт", "allowed_origins": "https://shop.example"},
        follow_redirects=True,
    )
    assert created.status_code == 200 and "widget_created" in str(created.url)
    with db.transaction() as session:
        inbox = session.scalar(select(Inbox).where(Inbox.channel_type == "widget"))
        assert inbox.settings["allowed_origins"] == ["https://shop.example"]
        inbox_id, key = inbox.id, inbox.settings["key"]
    assert f'data-inbox="{key}"' in created.text and "widget.js" in created.text

    shown = client.post(f"/settings/inboxes/{inbox_id}/identity-secret", data={"csrf_token": csrf, "action": "reveal"})
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    secret = re.search(r'id="identity-secret" readonly value="([^"]+)"', shown.text).group(1)
    with db.transaction() as session:
        assert session.scalar(select(func.count()).where(DomainEvent.type == "inbox.secret_revealed")) == 1
    signed = {"user_id": "user-7", "user_hash": user_hash(secret, "user-7")}
    assert client.post(f"/widget/v1/{key}/session", json=signed).status_code in (200, 201)

    renewed = client.post(
        f"/settings/inboxes/{inbox_id}/identity-secret", data={"csrf_token": csrf, "action": "rotate"}
    )
    new_secret = re.search(r'id="identity-secret" readonly value="([^"]+)"', renewed.text).group(1)
    assert new_secret != secret
    stale = client.post(f"/widget/v1/{key}/session", json=signed)  # signed with the old key
    assert stale.status_code == 403 and stale.json()["type"].endswith("bad_user_hash")
    fresh = {"user_id": "user-7", "user_hash": user_hash(new_secret, "user-7")}
    assert client.post(f"/widget/v1/{key}/session", json=fresh).status_code in (200, 201)

    moved = client.post(
        f"/settings/inboxes/{inbox_id}",
        data={"csrf_token": csrf, "name": "Сайт", "allowed_origins": "https://a.example\nhttps://b.example"},
    )
    assert moved.status_code in (200, 303)
    with db.transaction() as session:
        assert session.get(Inbox, inbox_id).settings["allowed_origins"] == ["https://a.example", "https://b.example"]

    # A supervisor sees inboxes but may not read or renew the key.
    csrf = sign_in(client, supervisor.email)
    refused = client.post(
        f"/settings/inboxes/{inbox_id}/identity-secret", data={"csrf_token": csrf, "action": "reveal"}
    )
    assert refused.status_code == 403 and new_secret not in refused.text

"""Account rules the Settings pages rely on: the last administrator stays, a password change ends other sessions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from zabota.auth.actions import change_password, create_user, start_session, update_user
from zabota.auth.models import UserSession
from zabota.errors import Conflict, DomainError
from zabota.events.actions import Actor
from zabota.events.models import DomainEvent


def test_the_last_active_administrator_cannot_be_demoted_or_deactivated(db, make_user):
    admin = make_user("admin")
    with db.transaction() as session:
        me = session.merge(admin)
        with pytest.raises(Conflict, match="administrator must remain"):
            update_user(session, Actor.user(me.id), me, role="supervisor")
        with pytest.raises(Conflict, match="administrator must remain"):
            update_user(session, Actor.user(me.id), me, is_active=False)
        assert me.role == "admin" and me.is_active
    second = make_user("admin")
    with db.transaction() as session:
        me = session.merge(admin)
        update_user(session, Actor.user(me.id), me, role="supervisor")  # another admin remains
        other = session.merge(second)
        with pytest.raises(Conflict):
            update_user(session, Actor.user(me.id), other, is_active=False)
        update_user(session, Actor.user(me.id), other, name="Still admin")  # other changes are fine


def test_user_fields_are_validated(db, make_user):
    operator = make_user("operator")
    with db.transaction() as session:
        user = session.merge(operator)
        for kwargs, code in (
            ({"name": "  "}, "empty_name"),
            ({"language": "de"}, "bad_language"),
            ({"capacity": -1}, "bad_capacity"),
            ({"role": "owner"}, "bad_role"),
        ):
            with pytest.raises(DomainError) as refused:
                update_user(session, Actor.system(), user, **kwargs)
            assert refused.value.code == code
        with pytest.raises(DomainError) as refused:
            create_user(session, Actor.system(), email="nobody", name="N", role="operator", password="long-enough")
        assert refused.value.code == "bad_email"


def test_password_change_ends_every_other_session_and_is_audited(db, make_user):
    operator = make_user("operator")
    with db.transaction() as session:
        user = session.merge(operator)
        here = start_session(session, user, days=1)
        start_session(session, user, days=1)
        start_session(session, user, days=1)
    with db.transaction() as session:
        user = session.merge(operator)
        with pytest.raises(DomainError):
            change_password(session, Actor.user(user.id), user, current="wrong", new="new-password-1")
        assert len(list(session.scalars(select(UserSession).where(UserSession.user_id == user.id)))) == 3
    with db.transaction() as session:
        user = session.merge(operator)
        keep = session.get(UserSession, here.row.id)
        change_password(session, Actor.user(user.id), user, current="correct-horse-9", new="new-password-1", keep=keep)
    with db.transaction() as session:
        left = list(session.scalars(select(UserSession).where(UserSession.user_id == operator.id)))
        assert [s.id for s in left] == [here.row.id]
        assert session.scalar(select(DomainEvent).where(DomainEvent.type == "user.password_changed")) is not None

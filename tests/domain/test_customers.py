"""Customer profiles, identities and merge."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.domain.test_ingest import _inbox, _push
from zabota.conversations.actions import add_note
from zabota.conversations.models import Conversation, Message, Note
from zabota.customers import actions
from zabota.customers.models import Customer, CustomerIdentity
from zabota.errors import Conflict, DomainError
from zabota.events.actions import Actor
from zabota.events.models import DomainEvent


def test_create_normalizes_contacts_and_registers_identities(db):
    with db.transaction() as session:
        customer = actions.create_customer(
            session,
            Actor.system(),
            actions.CustomerProfile(
                name=" Ольга ", email="Olga@Mail.RU", phone="8 (916) 123-45-67", tags=["VIP", "vip "]
            ),
        )
        assert customer.email == "olga@mail.ru"
        assert customer.phone == "+79161234567"
        assert [t.name for t in customer.tags] == ["vip"]
        assert {(i.channel, i.external_id) for i in customer.identities} == {
            ("email", "olga@mail.ru"),
            ("phone", "+79161234567"),
        }


@pytest.mark.parametrize(("field", "value"), [("email", "not-an-email"), ("phone", "12")])
def test_bad_contacts_are_refused(db, field, value):
    with db.transaction() as session, pytest.raises(DomainError):
        actions.create_customer(session, Actor.system(), actions.CustomerProfile(**{field: value}))


def test_update_merges_attributes_and_stamps_consents(db):
    with db.transaction() as session:
        customer = actions.create_customer(
            session, Actor.system(), actions.CustomerProfile(attributes={"city": "Казань", "tier": "gold"})
        )
        actions.update_customer(
            session,
            Actor.system(),
            customer,
            {"attributes": {"tier": "platinum", "city": None}, "consents": {"marketing_email": True}},
        )
        assert customer.attributes == {"tier": "platinum"}
        assert customer.consents["marketing_email"]["granted"] is True
        assert "at" in customer.consents["marketing_email"]
        with pytest.raises(DomainError):
            actions.update_customer(session, Actor.system(), customer, {"attributes": {"nested": {"a": 1}}})


def test_merge_keeps_every_message_identity_and_note(db, make_user):
    operator = make_user("operator")
    shop, app = _inbox(db, "Shop"), _inbox(db, "App")
    a1 = _push(db, shop, "s1", who="shop-1", name="Пётр")
    _push(db, shop, "s2", who="shop-1")
    b1 = _push(db, app, "p1", who="app-1", phone="+7 900 000 00 01")
    _push(db, app, "p2", who="app-1")
    with db.transaction() as session:
        add_note(session, session.get(Conversation, b1.conversation.id), author=operator, text="тот же человек")
    target_id, source_id = a1.conversation.customer_id, b1.conversation.customer_id
    assert target_id != source_id
    with db.transaction() as session:
        messages_before = session.scalar(select(func.count()).select_from(Message))
        target = actions.get_customer(session, target_id)
        source = actions.get_customer(session, source_id)
        actions.merge_customers(session, Actor.user(operator.id), target, source)
    with db.transaction() as session:
        target = session.get(Customer, target_id)
        source = session.get(Customer, source_id)
        assert source.merged_into_id == target_id
        assert target.phone == "+79000000001"  # taken from the duplicate
        assert {i.channel for i in target.identities} == {f"api:{shop}", f"api:{app}", "phone"}
        assert (
            session.scalar(
                select(func.count()).select_from(CustomerIdentity).where(CustomerIdentity.customer_id == source_id)
            )
            == 0
        )
        conversations = list(session.scalars(select(Conversation).where(Conversation.customer_id == target_id)))
        assert len(conversations) == 2
        assert session.scalar(select(func.count()).select_from(Message)) == messages_before == 4
        assert session.scalar(select(func.count()).select_from(Note)) == 1
        assert actions.get_customer(session, source_id).id == target_id  # old links resolve
        event = session.scalar(select(DomainEvent).where(DomainEvent.type == "customer.merged"))
        assert event.payload["source_id"] == source_id
        assert sorted(event.payload["conversation_ids"]) == [b1.conversation.id]
    # The duplicate's channel identity now routes to the surviving customer.
    again = _push(db, app, "p3", who="app-1")
    assert again.conversation.customer_id == target_id


def test_merge_refuses_self_and_double_merge(db):
    with db.transaction() as session:
        a = actions.create_customer(session, Actor.system(), actions.CustomerProfile(name="A"))
        b = actions.create_customer(session, Actor.system(), actions.CustomerProfile(name="B"))
        c = actions.create_customer(session, Actor.system(), actions.CustomerProfile(name="C"))
        with pytest.raises(DomainError):
            actions.merge_customers(session, Actor.system(), a, a)
        actions.merge_customers(session, Actor.system(), a, b)
        with pytest.raises(Conflict):
            actions.merge_customers(session, Actor.system(), c, b)


def test_identity_of_someone_else_is_a_conflict(db):
    with db.transaction() as session:
        a = actions.create_customer(session, Actor.system(), actions.CustomerProfile(email="a@example.com"))
        b = actions.create_customer(session, Actor.system(), actions.CustomerProfile(name="B"))
        with pytest.raises(Conflict):
            actions.add_identity(session, Actor.system(), b, "email", "a@example.com")
        actions.add_identity(session, Actor.system(), b, "telegram:1", "555")
        assert ("telegram:1", "555") in {(i.channel, i.external_id) for i in b.identities}
        assert a.id != b.id


def test_search_finds_cyrillic_names_case_insensitively(db):
    from zabota.customers.queries import search_customers

    with db.transaction() as session:
        actions.create_customer(session, Actor.system(), actions.CustomerProfile(name="Екатерина Смирнова"))
        actions.create_customer(session, Actor.system(), actions.CustomerProfile(name="John Smith", email="john@x.com"))
        assert [c.name for c in search_customers(session, q="смирнова").items] == ["Екатерина Смирнова"]
        assert [c.name for c in search_customers(session, q="JOHN@").items] == ["John Smith"]

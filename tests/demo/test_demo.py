"""`zabota demo-data`: the demo history loads through the domain, is reproducible and safe to re-run."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import select

from tests.conftest import empty_all_tables
from zabota.auth.actions import authenticate
from zabota.auth.models import User
from zabota.channels.models import Inbox
from zabota.conversations.models import Conversation, Direction, Mention, Message, Note
from zabota.customers.actions import count_customers
from zabota.customers.models import Customer
from zabota.db import Database
from zabota.demo import texts
from zabota.demo.generate import (
    DEMO_ADMIN_EMAIL,
    DEMO_ADMIN_PASSWORD,
    DEMO_ORG_NAME,
    DemoPlan,
    DemoSpec,
    load_demo,
    plan_demo,
    render,
)
from zabota.demo.people import STAFF
from zabota.departments.models import Department
from zabota.errors import DomainError
from zabota.jobs.models import Job
from zabota.org.models import Organization

ANCHOR = datetime(2025, 3, 14, 11, 37, tzinfo=UTC)
# Chosen so that 40 conversations show every status, a reopen, a snooze that woke, transfers,
# notes with mentions, tags, a consent change and customers writing from two inboxes.
SMALL = DemoSpec(conversations=40, customers=20, days=14, seed=14, anchor=ANCHOR)
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


def _snapshot(database: Database) -> dict[str, Any]:
    """Everything a person would see, without database ids."""
    with database.transaction() as session:
        users = {u.id: u.email for u in session.scalars(select(User))}
        inboxes = {i.id: i.name for i in session.scalars(select(Inbox))}
        departments = {d.id: d.name for d in session.scalars(select(Department))}
        customers = {c.id: c for c in session.scalars(select(Customer).order_by(Customer.id))}
        conversations = []
        for row in session.scalars(select(Conversation).order_by(Conversation.id)):
            messages = session.scalars(
                select(Message).where(Message.conversation_id == row.id).order_by(Message.id)
            ).all()
            notes = session.scalars(select(Note).where(Note.conversation_id == row.id).order_by(Note.id)).all()
            conversations.append(
                {
                    "customer": customers[row.customer_id].email,
                    "inbox": inboxes[row.inbox_id],
                    "department": departments.get(row.department_id or 0),
                    "assignee": users.get(row.assignee_id or 0),
                    "status": row.status,
                    "subject": row.subject,
                    "snoozed_until": row.snoozed_until,
                    "resolved_at": row.resolved_at,
                    "reopened": row.reopened_count,
                    "priority": (row.urgent, row.important),
                    "messages": [
                        (m.direction, m.text, m.created_at, users.get(m.author_user_id or 0)) for m in messages
                    ],
                    "notes": [(n.text, n.created_at, users.get(n.author_id or 0)) for n in notes],
                }
            )
        return {
            "customers": [
                (c.name, c.email, c.phone, c.language, c.birthday, c.attributes, sorted(t.name for t in c.tags))
                for c in customers.values()
            ],
            "conversations": conversations,
        }


def _has_cyrillic(value: str) -> bool:
    return CYRILLIC.search(value) is not None


# --- the plan, without a database -----------------------------------------------------------------


def test_same_seed_and_anchor_give_the_same_plan() -> None:
    first, second = plan_demo(SMALL), plan_demo(SMALL)
    assert first.conversations == second.conversations
    assert first.customers == second.customers
    other = plan_demo(DemoSpec(conversations=40, customers=20, days=14, seed=15, anchor=ANCHOR))
    assert [c.steps[0].text for c in other.conversations] != [c.steps[0].text for c in first.conversations]


def test_default_plan_looks_like_a_real_support_history() -> None:
    plan = plan_demo(DemoSpec(anchor=ANCHOR))
    assert len(plan.conversations) == 1000
    assert len(plan.customers) == 600
    languages = Counter(c.language for c in plan.customers)
    assert 0.65 < languages["ru"] / 600 < 0.85
    statuses = Counter(c.status for c in plan.conversations)
    assert statuses["resolved"] > 900
    assert statuses["open"] and statuses["pending"] and statuses["snoozed"]
    recent = [c for c in plan.conversations if (ANCHOR - c.steps[0].at).days < 2]
    assert any(c.status != "resolved" for c in recent)
    assert sum(c.reopened for c in plan.conversations) > 10
    assert all(c.steps[0].at >= ANCHOR - timedelta(days=120) for c in plan.conversations)
    assert all(s.at < ANCHOR for c in plan.conversations for s in c.steps)
    # Nobody is both waiting in two conversations of one inbox, and everything moves forward in time.
    for conversation in plan.conversations:
        times = [s.at for s in conversation.steps]
        assert times == sorted(times)
    inboxes_per_customer: dict[int, set[str]] = {}
    for conversation in plan.conversations:
        inboxes_per_customer.setdefault(conversation.customer, set()).add(conversation.inbox)
    assert sum(len(v) > 1 for v in inboxes_per_customer.values()) > 20
    # Customers start conversations at all hours, mostly by day (Moscow time).
    night = sum(1 for c in plan.conversations if 0 <= (c.steps[0].at.hour + 3) % 24 < 7)
    assert 0 < night < 150


@pytest.mark.parametrize("scenario", texts.SCENARIOS, ids=lambda s: s.key)
def test_every_template_renders_in_its_language(scenario: texts.Scenario) -> None:
    fields = (
        "order", "points", "promo", "track", "card", "size", "size2", "days_refund", "product", "product2",
        "defect", "amount", "carrier", "hub_in", "pickup", "slot", "date_order", "date_expected", "date_new",
        "name", "full_name", "op", "daypart", "sup", "colleague", "op_handle", "to", "dept_acc",
    )  # fmt: skip
    values = dict.fromkeys(fields, "X")
    for language in ("ru", "en"):
        lines = scenario.lines(language)
        customer = [*lines.subject, *lines.open, *(a[1] for a in lines.ask), *(f[0] for f in lines.follow)]
        customer += [r[0] for r in lines.reopen]
        operator = [*lines.answer, *(a[0] for a in lines.ask), *(a[2] for a in lines.ask)]
        operator += [t for pair in lines.check for t in pair] + [f[1] for f in lines.follow]
        operator += [r[1] for r in lines.reopen]
        assert lines.open and lines.answer
        for template in customer + operator:
            for gender in ("m", "f"):
                rendered = render(template, values, gender)
                assert "[" not in rendered and "{" not in rendered, template
                if language == "en":
                    assert not _has_cyrillic(rendered), template
        if language == "ru":
            assert all(_has_cyrillic(t) for t in operator)
    for note in scenario.notes:
        assert "@{" in note and _has_cyrillic(render(note, values, "f"))


def test_spec_is_validated() -> None:
    with pytest.raises(DomainError):
        DemoSpec(conversations=0).validate()
    with pytest.raises(DomainError):
        DemoSpec(conversations=100, customers=3).validate()
    with pytest.raises(DomainError):
        DemoSpec(anchor=datetime(2025, 1, 1)).validate()


# --- loading through the domain -------------------------------------------------------------------


def _assert_matches_plan(db: Database, plan: DemoPlan) -> None:
    snapshot = _snapshot(db)
    conversations = snapshot["conversations"]
    assert len(conversations) == len(plan.conversations)
    # Conversations are created in the order they started, which is the plan's order.
    for planned, loaded in zip(plan.conversations, conversations, strict=True):
        customer = plan.customers[planned.customer]
        assert loaded["customer"] == customer.email
        assert loaded["status"] == planned.status
        assert loaded["subject"] == planned.subject
        assert bool(loaded["reopened"]) == planned.reopened
        planned_texts = [s.text for s in planned.steps if s.kind in ("message", "reply")]
        assert [m[1] for m in loaded["messages"]] == planned_texts
        inbound = [m for m in loaded["messages"] if m[0] == Direction.INBOUND]
        assert inbound, "every conversation starts with a customer message"
        for direction, body, _at, author in loaded["messages"]:
            if direction == Direction.OUTBOUND:
                assert author is not None
                assert _has_cyrillic(body) == (customer.language == "ru"), body


def test_small_demo_loads_through_the_domain(db: Database) -> None:
    plan = plan_demo(SMALL)
    out = io.StringIO()
    summary = load_demo(db, SMALL, console=Console(file=out, width=100))
    assert "Demo conversations" in out.getvalue()
    assert DEMO_ADMIN_EMAIL in summary and DEMO_ADMIN_PASSWORD in summary
    assert "40 conversations" in summary

    with db.transaction() as session:
        assert count_customers(session) == SMALL.customer_count
        assert session.scalar(select(Organization.name)) == DEMO_ORG_NAME
        users = session.scalars(select(User)).all()
        assert sorted(u.email for u in users) == sorted(m.email for m in STAFF)
        assert Counter(u.role for u in users) == Counter(m.role for m in STAFF)
        for member in STAFF:
            assert authenticate(session, member.email, DEMO_ADMIN_PASSWORD).handle == member.handle
        assert len(session.scalars(select(Department)).all()) == 3
        inboxes = session.scalars(select(Inbox)).all()
        assert {i.name for i in inboxes} == {"Сайт магазина", "Мобильное приложение", "Маркетплейс", "Чат на сайте"}
        assert all(i.default_department_id for i in inboxes)
        assert sorted(i.channel_type for i in inboxes) == ["api", "api", "api", "widget"]
        widget = next(i for i in inboxes if i.channel_type == "widget")
        assert widget.settings["bot"]["enabled"] is True and widget.settings["key"].startswith("zw_")
        conversations = session.scalars(select(Conversation)).all()
        assert {c.status for c in conversations} == {"open", "pending", "snoozed", "resolved"}
        assert any(c.reopened_count for c in conversations)
        assert any(c.urgent and c.important for c in conversations)
        customers = session.scalars(select(Customer)).all()
        assert {c.language for c in customers} == {"ru", "en"}
        assert all(c.email and c.attributes.get("city") for c in customers)
        assert any(c.birthday for c in customers) and any(c.tags for c in customers)
        assert any(not c.consents.get("marketing_email", {}).get("granted", True) for c in customers)
        # One person, two inboxes, one profile: identified by the email both sources send.
        sources = [{i.channel for i in c.identities if i.channel.startswith("api:")} for c in customers]
        assert any(len(s) > 1 for s in sources)
        # Imported history is already delivered: nothing waits in the outbox.
        assert session.scalars(select(Job).where(Job.name == "channels.deliver_message")).first() is None
        assert session.scalars(select(Mention)).first() is not None
        timestamps = session.scalars(select(Message.created_at)).all()
        assert max(timestamps) < ANCHOR
        assert (max(timestamps) - min(timestamps)).days >= 7
    _assert_matches_plan(db, plan)


def test_running_twice_is_safe(db: Database) -> None:
    spec = DemoSpec(conversations=12, customers=6, days=14, seed=3, anchor=ANCHOR)
    load_demo(db, spec)
    before = _snapshot(db)
    again = load_demo(db, spec, console=Console(file=io.StringIO()))
    assert again.startswith("Demo data is already loaded")
    assert DEMO_ADMIN_EMAIL in again
    assert _snapshot(db) == before


def test_same_seed_and_anchor_load_the_same_data(db: Database) -> None:
    # More customers than conversations: some are known from the shop's CRM only.
    spec = DemoSpec(conversations=25, customers=30, days=14, seed=9, anchor=ANCHOR)
    load_demo(db, spec)
    first = _snapshot(db)
    empty_all_tables(db)
    load_demo(db, spec)
    second = _snapshot(db)
    assert first == second
    assert len(first["customers"]) == 30
    assert len(first["conversations"]) == 25


def test_refuses_a_database_with_other_data(db: Database, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("admin")
    with pytest.raises(DomainError, match="empty database"):
        load_demo(db, DemoSpec(conversations=5, anchor=ANCHOR))
    with db.transaction() as session:
        assert session.scalars(select(Conversation)).first() is None

"""Builders shared by the SLA, assignment and canned-reply tests, on top of the real actions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from zabota.auth.models import User
from zabota.channels.actions import create_inbox
from zabota.channels.models import Inbox
from zabota.conversations.actions import InboundMessage, IngestResult, ingest_inbound_message
from zabota.conversations.models import Conversation
from zabota.customers.actions import CustomerProfile
from zabota.db import Database
from zabota.departments.actions import add_member, create_department
from zabota.events.actions import Actor
from zabota.events.models import DomainEvent
from zabota.jobs.models import Job


def department(db: Database, name: str = "Поддержка", auto_assignment: str = "off", members: Sequence[Any] = ()) -> int:
    with db.transaction() as session:
        dept = create_department(session, Actor.system(), name=name, auto_assignment=auto_assignment)
        for user in members:
            add_member(session, Actor.system(), dept, session.get(User, user.id))
        return dept.id


def inbox(db: Database, department_id: int | None = None, name: str = "Shop") -> int:
    with db.transaction() as session:
        return create_inbox(
            session, Actor.system(), channel_type="api", name=name, default_department_id=department_id
        ).inbox.id


def push(
    db: Database, inbox_id: int, external_id: str | None, who: str = "c-1", text: str = "Где мой заказ?", **profile: Any
) -> IngestResult:
    with db.transaction() as session:
        box = session.get(Inbox, inbox_id)
        assert box is not None
        return ingest_inbound_message(
            session,
            box,
            InboundMessage(
                identity_channel=f"api:{inbox_id}",
                identity_id=who,
                text=text,
                external_id=external_id,
                profile=CustomerProfile(**profile),
            ),
        )


def conversation(db: Database, conversation_id: int) -> Conversation:
    with db.transaction() as session:
        row = session.get(Conversation, conversation_id)
        assert row is not None
        return row


def events(db: Database, type: str, conversation_id: int | None = None) -> list[DomainEvent]:
    with db.transaction() as session:
        query = select(DomainEvent).where(DomainEvent.type == type).order_by(DomainEvent.id)
        if conversation_id is not None:
            query = query.where(DomainEvent.conversation_id == conversation_id)
        return list(session.scalars(query))


def jobs(db: Database, name: str) -> list[Job]:
    with db.transaction() as session:
        return list(session.scalars(select(Job).where(Job.name == name).order_by(Job.id)))

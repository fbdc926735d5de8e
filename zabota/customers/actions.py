"""Customers: create, update, identify across channels, tag and merge."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zabota.customers.models import Customer, CustomerIdentity, Tag, customer_tags
from zabota.db import utcnow
from zabota.errors import Conflict, DomainError, NotFound
from zabota.events.actions import Actor, record_event

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ATTRIBUTES = 100


def normalize_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip().lower()
    if not EMAIL_RE.match(value) or len(value) > 254:
        raise DomainError("{value} is not a valid email address.", value=repr(value), code="bad_email")
    return value


def normalize_phone(value: str | None) -> str | None:
    """E.164-like digits with a leading +; Russian 8XXXXXXXXXX becomes +7XXXXXXXXXX."""
    if value is None or not value.strip():
        return None
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    if not 7 <= len(digits) <= 15:
        raise DomainError("{value} is not a valid phone number.", value=repr(value), code="bad_phone")
    return "+" + digits


@dataclass
class CustomerProfile:
    """What a channel or an operator knows about a person; empty fields mean "unknown"."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    birthday: date | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    consents: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)


def get_customer(session: Session, customer_id: int, *, follow_merges: bool = True) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("Customer {customer_id} does not exist.", customer_id=customer_id)
    while follow_merges and customer.merged_into_id is not None:
        customer = session.get(Customer, customer.merged_into_id) or customer
        if customer.merged_into_id == customer.id:
            break
    return customer


def _tag_rows(session: Session, names: list[str]) -> list[Tag]:
    rows = []
    for raw in names:
        name = raw.strip().lower()[:64]
        if not name:
            continue
        tag = session.scalar(select(Tag).where(Tag.name == name))
        if tag is None:
            try:
                with session.begin_nested():
                    tag = Tag(name=name)
                    session.add(tag)
            except IntegrityError:
                tag = session.scalar(select(Tag).where(Tag.name == name))
        if tag is not None and tag not in rows:
            rows.append(tag)
    return rows


def _check_attributes(attributes: dict[str, Any]) -> None:
    if len(attributes) > MAX_ATTRIBUTES:
        raise DomainError("A customer can have at most {limit} custom attributes.", limit=MAX_ATTRIBUTES)
    for key, value in attributes.items():
        if not isinstance(value, str | int | float | bool | None):
            raise DomainError("Attribute {key} must be a string, number, boolean or null.", key=repr(key))


def _check_consents(consents: dict[str, Any]) -> dict[str, Any]:
    stamped: dict[str, Any] = {}
    for purpose, value in consents.items():
        if not isinstance(value, bool):
            raise DomainError("Consent {purpose} must be true or false.", purpose=repr(purpose))
        stamped[purpose] = {"granted": value, "at": utcnow().isoformat()}
    return stamped


def _profile_columns(profile: CustomerProfile) -> dict[str, Any]:
    """A new customer's row from what the channel or operator told us, checked and normalized."""
    _check_attributes(profile.attributes)
    return {
        "name": (profile.name or "").strip()[:200],
        "email": normalize_email(profile.email),
        "phone": normalize_phone(profile.phone),
        "language": profile.language,
        "birthday": profile.birthday,
        "attributes": dict(profile.attributes),
        "consents": _check_consents(profile.consents),
    }


def create_customer(session: Session, actor: Actor, profile: CustomerProfile) -> Customer:
    customer = Customer(**_profile_columns(profile))
    customer.tags = _tag_rows(session, profile.tags)
    session.add(customer)
    session.flush()
    for channel, value in (("email", customer.email), ("phone", customer.phone)):
        if value:
            _attach_identity(session, customer, channel, value)
    _record_created(session, actor, customer)
    return customer


def _record_created(session: Session, actor: Actor, customer: Customer) -> None:
    record_event(session, "customer.created", actor, "customer", customer.id, {"name": customer.name})


def is_plain_first_contact(profile: CustomerProfile) -> bool:
    """Nothing in the profile can tie a new identity to a known customer or needs other rows
    (email, phone, tags): such first contacts may be created together by `create_customers`."""
    return not (profile.email or profile.phone or profile.tags)


def create_customers(
    session: Session, actor: Actor, first_contacts: Sequence[tuple[str, str, CustomerProfile]], *, seen_at: datetime
) -> list[Customer]:
    """Many new customers, each with the one channel identity they wrote from, in three statements.

    For a batch of first contacts (`ingest_inbound_messages`); each profile must be plain
    (`is_plain_first_contact`), else `identify_customer` decides. An identity that another
    transaction linked meanwhile fails the whole batch (unique index): the caller retries its
    messages one by one, where `identify_customer` finds that customer.
    """
    if not all(is_plain_first_contact(profile) for _, _, profile in first_contacts):
        raise ValueError("create_customers takes first contacts without email, phone or tags")
    rows = [{**_profile_columns(profile), "last_seen_at": seen_at} for _, _, profile in first_contacts]
    if not rows:
        return []
    customers = list(session.scalars(insert(Customer).returning(Customer, sort_by_parameter_order=True), rows))
    session.execute(
        insert(CustomerIdentity),
        [
            {"customer_id": customer.id, "channel": channel, "external_id": external_id}
            for customer, (channel, external_id, _) in zip(customers, first_contacts, strict=True)
        ],
    )
    for customer in customers:
        _record_created(session, actor, customer)
    return customers


def update_customer(session: Session, actor: Actor, customer: Customer, changes: dict[str, Any]) -> Customer:
    """Apply a partial update; `attributes` and `consents` merge into the existing ones."""
    applied: dict[str, Any] = {}
    if "name" in changes and changes["name"] is not None:
        customer.name = applied["name"] = str(changes["name"]).strip()[:200]
    if "email" in changes:
        customer.email = applied["email"] = normalize_email(changes["email"])
        if customer.email:
            _attach_identity(session, customer, "email", customer.email)
    if "phone" in changes:
        customer.phone = applied["phone"] = normalize_phone(changes["phone"])
        if customer.phone:
            _attach_identity(session, customer, "phone", customer.phone)
    if "language" in changes:
        customer.language = applied["language"] = changes["language"]
    if "birthday" in changes:
        customer.birthday = changes["birthday"]
        applied["birthday"] = changes["birthday"].isoformat() if changes["birthday"] else None
    if changes.get("attributes"):
        merged = {**customer.attributes, **changes["attributes"]}
        merged = {k: v for k, v in merged.items() if v is not None}
        _check_attributes(merged)
        customer.attributes = merged
        applied["attributes"] = changes["attributes"]
    if changes.get("consents"):
        customer.consents = {**customer.consents, **_check_consents(changes["consents"])}
        applied["consents"] = changes["consents"]
    if changes.get("tags") is not None:
        customer.tags = _tag_rows(session, changes["tags"])
        applied["tags"] = [t.name for t in customer.tags]
    if applied:
        record_event(session, "customer.updated", actor, "customer", customer.id, applied)
    return customer


def _attach_identity(session: Session, customer: Customer, channel: str, external_id: str) -> bool:
    """Link an identity unless it already belongs to someone; True if it is now this customer's."""
    owner = session.scalar(
        select(CustomerIdentity.customer_id).where(
            CustomerIdentity.channel == channel, CustomerIdentity.external_id == external_id
        )
    )
    if owner is not None:
        return owner == customer.id
    try:
        with session.begin_nested():
            session.add(CustomerIdentity(customer_id=customer.id, channel=channel, external_id=external_id))
    except IntegrityError:
        return False
    return True


def add_identity(session: Session, actor: Actor, customer: Customer, channel: str, external_id: str) -> None:
    if not _attach_identity(session, customer, channel, external_id):
        raise Conflict(
            "The identity {channel}:{external_id} belongs to another customer; merge the two instead.",
            channel=channel,
            external_id=external_id,
            code="identity_taken",
        )
    session.refresh(customer, ["identities"])
    record_event(
        session,
        "customer.identity_added",
        actor,
        "customer",
        customer.id,
        {"channel": channel, "external_id": external_id},
    )


def _find_by_identity(session: Session, channel: str, external_id: str) -> Customer | None:
    """One query: the customer row joined through the identity (the hot path of every ingest)."""
    customer = session.scalar(
        select(Customer)
        .join(CustomerIdentity, CustomerIdentity.customer_id == Customer.id)
        .where(CustomerIdentity.channel == channel, CustomerIdentity.external_id == external_id)
    )
    if customer is not None and customer.merged_into_id is not None:
        return get_customer(session, customer.id)
    return customer


def identify_customer(
    session: Session, actor: Actor, channel: str, external_id: str, profile: CustomerProfile
) -> tuple[Customer, bool]:
    """The customer behind a channel identity, created on first contact. Safe under concurrency.

    A first contact that carries an email or phone already known from another channel joins that
    customer, so one person keeps one profile across channels.
    """
    customer = _find_by_identity(session, channel, external_id)
    if customer is not None:
        fill_profile_gaps(session, customer, profile)
        return customer, False
    email, phone = normalize_email(profile.email), normalize_phone(profile.phone)
    known = (email and _find_by_identity(session, "email", email)) or (
        phone and _find_by_identity(session, "phone", phone)
    )
    if known:
        fill_profile_gaps(session, known, profile)
        if _attach_identity(session, known, channel, external_id):
            return known, False
    else:
        try:
            with session.begin_nested():
                customer = create_customer(session, actor, profile)
                if not _attach_identity(session, customer, channel, external_id):
                    raise _IdentityTaken
            return customer, True
        except _IdentityTaken:
            pass
    # Another transaction linked this identity first (we waited for it): use its customer.
    winner = _find_by_identity(session, channel, external_id)
    if winner is None:
        raise Conflict("Could not link the customer identity; please retry.")
    return winner, False


class _IdentityTaken(Exception):
    pass


def fill_profile_gaps(session: Session, customer: Customer, profile: CustomerProfile) -> None:
    """Channels may tell us more over time; fill what is empty, never overwrite an operator's edit."""
    if profile.name and not customer.name:
        customer.name = profile.name.strip()[:200]
    if profile.email and not customer.email:
        customer.email = normalize_email(profile.email)
        if customer.email:
            _attach_identity(session, customer, "email", customer.email)
    if profile.phone and not customer.phone:
        customer.phone = normalize_phone(profile.phone)
        if customer.phone:
            _attach_identity(session, customer, "phone", customer.phone)
    if profile.attributes:
        new = {k: v for k, v in profile.attributes.items() if k not in customer.attributes}
        if new:
            _check_attributes({**customer.attributes, **new})
            customer.attributes = {**customer.attributes, **new}


def merge_customers(session: Session, actor: Actor, target: Customer, source: Customer) -> Customer:
    """Fold `source` into `target`: identities, conversations and history move; nothing is lost.

    The source row stays, marked merged into the target, so old links and the audit trail still
    resolve. Profile fields the target lacks are taken from the source.
    """
    from zabota.conversations.models import Conversation

    if target.id == source.id:
        raise DomainError("A customer cannot be merged into itself.", code="merge_self")
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise Conflict("One of these customers has already been merged.", code="already_merged")
    moved_identities = [f"{i.channel}:{i.external_id}" for i in source.identities]
    session.execute(
        update(CustomerIdentity).where(CustomerIdentity.customer_id == source.id).values(customer_id=target.id)
    )
    moved_conversations = list(session.scalars(select(Conversation.id).where(Conversation.customer_id == source.id)))
    session.execute(update(Conversation).where(Conversation.customer_id == source.id).values(customer_id=target.id))
    for attr in ("name", "email", "phone", "language", "birthday"):
        if not getattr(target, attr) and getattr(source, attr):
            setattr(target, attr, getattr(source, attr))
    target.attributes = {**source.attributes, **target.attributes}
    target.consents = {**source.consents, **target.consents}
    target.tags = list({t.id: t for t in [*target.tags, *source.tags]}.values())
    source_tags = select(customer_tags.c.tag_id).where(customer_tags.c.customer_id == source.id)
    session.execute(
        customer_tags.delete().where(customer_tags.c.customer_id == source.id, customer_tags.c.tag_id.in_(source_tags))
    )
    source.merged_into_id = target.id
    session.flush()
    session.expire(target, ["identities"])
    session.expire(source, ["identities", "tags"])
    payload = {
        "source_id": source.id,
        "target_id": target.id,
        "identities": moved_identities,
        "conversation_ids": moved_conversations,
    }
    record_event(session, "customer.merged", actor, "customer", target.id, payload)
    return target


def count_customers(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Customer).where(Customer.merged_into_id.is_(None))) or 0

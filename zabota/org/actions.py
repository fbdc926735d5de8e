"""The organization row: created on first use, changed only here."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnDefault, select
from sqlalchemy.orm import Session

from zabota.config import get_settings
from zabota.db import is_read_only
from zabota.errors import DomainError
from zabota.events.actions import Actor, record_event
from zabota.org.models import Organization

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EDITABLE_FIELDS = (
    "name",
    "timezone",
    "business_hours",
    "holidays",
    "languages",
    "default_language",
    "currency",
    "reopen_window_hours",
    "department_isolation",
)


def get_organization(session: Session) -> Organization:
    """The organization's settings; the row is created with defaults on first use.

    A read-only session (Database.reading) gets the defaults without the row: a reader that
    wrote would fail on SQLite (a deferred transaction cannot take the write lock under load)
    and its insert would be rolled back anyway.
    """
    org = session.scalar(select(Organization).order_by(Organization.id).limit(1))
    if org is None:
        settings = get_settings()
        org = Organization(name="Zabota", timezone=settings.timezone, default_language=settings.default_language)
        if is_read_only(session):
            return _with_column_defaults(org)
        session.add(org)
        session.flush()
    return org


def _with_column_defaults(org: Organization) -> Organization:
    """Fill what the INSERT would have: the model's column defaults apply only at flush."""
    for column in Organization.__table__.columns:
        default = column.default
        if getattr(org, column.key) is None and isinstance(default, ColumnDefault):
            setattr(org, column.key, default.arg(None) if default.is_callable else default.arg)
    return org


def _validate_business_hours(hours: dict[str, Any]) -> None:
    for day, ranges in hours.items():
        if day not in WEEKDAYS:
            raise DomainError(
                "Unknown weekday {day} in business hours; use {names}.", day=repr(day), names=", ".join(WEEKDAYS)
            )
        for pair in ranges:
            if not (isinstance(pair, list) and len(pair) == 2 and all(_is_hhmm(x) for x in pair)):
                raise DomainError('Business hours for {day} must be ["HH:MM", "HH:MM"] pairs.', day=day)
            if pair[0] >= pair[1]:
                raise DomainError(
                    "Business hours for {day}: {start} is not before {end}.", day=day, start=pair[0], end=pair[1]
                )


def _is_hhmm(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        return False
    hh, mm = value[:2], value[3:]
    return hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60


def update_organization(session: Session, actor: Actor, **changes: Any) -> Organization:
    org = get_organization(session)
    applied: dict[str, Any] = {}
    for field, value in changes.items():
        if field not in EDITABLE_FIELDS:
            raise DomainError("Unknown organization setting {field}.", field=repr(field))
        if field == "timezone":
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise DomainError("Unknown timezone {value}.", value=repr(value), code="bad_timezone") from None
        if field == "business_hours":
            _validate_business_hours(value)
        if field in ("languages",) and not set(value) <= {"ru", "en"}:
            raise DomainError("Supported languages are ru and en.")
        if field == "default_language" and value not in ("ru", "en"):
            raise DomainError("Default language must be ru or en.")
        if getattr(org, field) != value:
            setattr(org, field, value)
            applied[field] = value
    if applied:
        record_event(session, "organization.updated", actor, "organization", org.id, applied)
    if applied.keys() & {"timezone", "business_hours", "holidays"}:
        from zabota.sla.actions import schedule_recompute  # SLA due times follow the calendar

        schedule_recompute(session)
    return org

"""The organization row is created on first write; readers get its defaults without writing."""

from __future__ import annotations

from sqlalchemy import func, select

from zabota.db import Database
from zabota.org.actions import get_organization
from zabota.org.models import DEFAULT_BUSINESS_HOURS, Organization


def test_a_reader_gets_the_defaults_without_creating_the_row_even_while_a_writer_holds_the_lock(
    db: Database,
) -> None:
    with db.transaction() as writer:
        writer.execute(select(func.count()).select_from(Organization))  # holds the write lock on SQLite
        with db.reading() as reader:
            org = get_organization(reader)
    assert org.business_hours == DEFAULT_BUSINESS_HOURS
    assert org.reopen_window_hours == 72
    assert org.department_isolation is False
    assert org.languages == ["ru", "en"]
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Organization)) == 0


def test_a_writer_creates_the_row_once(db: Database) -> None:
    with db.transaction() as session:
        created = get_organization(session).id
    with db.transaction() as session:
        assert get_organization(session).id == created
        assert session.scalar(select(func.count()).select_from(Organization)) == 1

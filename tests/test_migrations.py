"""Alembic: an empty database upgrades to head, and the models match the migrations."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from tests.conftest import BACKEND, PG_ADMIN_URL, _pg_url
from zabota.migrate import alembic_config, upgrade
from zabota.models import Base


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    if BACKEND == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"zabota_mig_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _pg_url(name).replace("postgresql://", "postgresql+psycopg://", 1)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_upgrade_from_empty_creates_every_table_and_reaches_head(empty_database_url):
    upgrade(empty_database_url)
    engine = create_engine(empty_database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        heads = ScriptDirectory.from_config(alembic_config(empty_database_url)).get_heads()
        with engine.connect() as conn:
            assert set(MigrationContext.configure(conn).get_current_heads()) == set(heads)
        upgrade(empty_database_url)  # a second run is a no-op
    finally:
        engine.dispose()


def test_models_and_migrations_do_not_drift(empty_database_url):
    upgrade(empty_database_url)
    engine = create_engine(empty_database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], f"models differ from migrations; run alembic revision --autogenerate: {diff}"


def test_one_linear_history_with_named_revisions():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        assert revision.doc and revision.doc.strip() != "", revision.revision

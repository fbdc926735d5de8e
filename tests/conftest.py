"""Shared fixtures: a real database per test run, on the backend named by ZABOTA_TEST_BACKEND.

`make test` runs the whole suite twice, once on SQLite and once on PostgreSQL. Each run creates
its own database (PostgreSQL: a fresh database on the shared server, dropped afterwards), brings it
to the head revision with Alembic, and empties every table after each test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from zabota.channels.actions import ingress_tokens
from zabota.db import Database
from zabota.migrate import upgrade
from zabota.models import Base

BACKEND = os.environ.get("ZABOTA_TEST_BACKEND", "sqlite")
PG_ADMIN_URL = os.environ.get("ZABOTA_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_SECRET_KEY = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def pytest_report_header() -> str:
    return f"zabota backend: {BACKEND}"


@pytest.fixture(scope="session", autouse=True)
def _test_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    from zabota.config import get_settings

    data_dir = tmp_path_factory.mktemp("var")
    os.environ["ZABOTA_DATA_DIR"] = str(data_dir)
    os.environ["SECRET_KEY"] = TEST_SECRET_KEY
    os.environ["RUN_JOBS_IN_PROCESS"] = "false"
    os.environ["DEFAULT_LANGUAGE"] = "en"  # tests read English messages; test_i18n checks Russian
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _pg_url(dbname: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{dbname}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if BACKEND == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "zabota-test.db"
        yield f"sqlite:///{path}"
        return
    if BACKEND != "postgresql":
        raise pytest.UsageError(f"unknown ZABOTA_TEST_BACKEND {BACKEND!r}")
    name = f"zabota_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _pg_url(name).replace("postgresql://", "postgresql+psycopg://", 1)
    os.environ["DATABASE_URL"] = url
    yield url
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _migrated_database(database_url: str) -> Iterator[Database]:
    from zabota.config import get_settings

    os.environ["DATABASE_URL"] = database_url
    get_settings.cache_clear()
    upgrade(database_url)
    database = Database(database_url, pool_size=5)
    yield database
    database.dispose()


def empty_all_tables(database: Database) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    if database.dialect == "postgresql":
        # TRUNCATE locks the tables one after another, while the browser tests' server (it lives
        # for the whole session) may be reading two of them in the opposite order: PostgreSQL
        # then cancels one side as a deadlock, and the truncation is simply tried again.
        for attempt in range(5):
            try:
                with database.engine.begin() as conn:
                    conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
                break
            except OperationalError as exc:
                if not isinstance(exc.orig, psycopg.errors.DeadlockDetected) or attempt == 4:
                    raise
    else:
        with database.engine.begin() as conn:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))  # noqa: S608  (table names from our metadata)
    # Ids start again from 1: tokens opened by an earlier test must not open a new test's inbox.
    ingress_tokens.clear()


@pytest.fixture
def db(_migrated_database: Database) -> Iterator[Database]:
    """The migrated test database, emptied after the test."""
    yield _migrated_database
    empty_all_tables(_migrated_database)


# --- builders on top of real domain actions -------------------------------------------------


@pytest.fixture
def make_user(db: Database):  # type: ignore[no-untyped-def]
    from zabota.auth.actions import create_user
    from zabota.events.actions import Actor

    counter = iter(range(1, 10_000))

    def build(role: str = "operator", *, name: str | None = None, password: str = "correct-horse-9") -> object:
        n = next(counter)
        with db.transaction() as session:
            return create_user(
                session,
                Actor.system(),
                email=f"{role}{n}@example.test",
                name=name or f"{role.title()} {n}",
                role=role,
                password=password,
                handle=f"{role}{n}",
            )

    return build


@pytest.fixture
def token_for(db: Database):  # type: ignore[no-untyped-def]
    """Bearer headers for a user: `client.get(url, headers=token_for(user))`."""
    from zabota.auth.actions import create_api_token
    from zabota.events.actions import Actor

    def build(user: object, scope: str = "write") -> dict[str, str]:
        with db.transaction() as session:
            new = create_api_token(session, Actor.system(), user, name="test", scope=scope)  # type: ignore[arg-type]
        return {"Authorization": f"Bearer {new.plaintext}"}

    return build


@pytest.fixture
def api_inbox(db: Database):  # type: ignore[no-untyped-def]
    """An API-channel inbox and its ingress headers."""
    from zabota.channels.actions import create_inbox
    from zabota.events.actions import Actor

    def build(name: str = "Shop backend", **kwargs: object) -> tuple[object, dict[str, str]]:
        with db.transaction() as session:
            new = create_inbox(session, Actor.system(), channel_type="api", name=name, **kwargs)  # type: ignore[arg-type]
        return new.inbox, {"Authorization": f"Bearer {new.token}"}

    return build


@pytest.fixture
def app(db: Database):  # type: ignore[no-untyped-def]
    from zabota.api.app import create_app
    from zabota.config import get_settings

    application = create_app(get_settings(), db, run_jobs=False)
    yield application
    application.state.login_limiter.reset()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client

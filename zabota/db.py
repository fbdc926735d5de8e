"""Database engine, session factory, declarative base and portable column types.

The same models run on SQLite (embedded default, WAL) and PostgreSQL. Timestamps are stored in UTC
and always come back timezone-aware; JSON becomes JSONB on PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, DateTime, Integer, MetaData, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

# The execution option that marks Database.reading() connections (see is_read_only).
READ_ONLY = "zabota_read_only"
# How long a SQLite writer waits for the write lock before it fails with 'database is locked'.
SQLITE_BUSY_SECONDS = 15

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


_clock: ContextVar[datetime | None] = ContextVar("zabota_clock", default=None)


def utcnow() -> datetime:
    """The current time; `clock_at` moves it for imports of history and for tests."""
    return _clock.get() or datetime.now(UTC)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Run domain actions as if it were `moment` (aware), e.g. to import past conversations."""
    if moment.tzinfo is None:
        raise ValueError("clock_at needs an aware datetime")
    token = _clock.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _clock.reset(token)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Zabota stores aware UTC datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")
BigID = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        int: BigID,
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
    }


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself so that every transaction takes the write lock up
        # front (BEGIN IMMEDIATE): deferred transactions that later write fail with SQLITE_BUSY
        # instead of waiting when another process holds the lock.
        dbapi_connection.isolation_level = None
        # SQLite's built-in lower() folds only ASCII; customer names are often Cyrillic.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # SQLite admits one writer. Threads left to its busy handler poll with growing sleeps (up to
    # 100 ms a try) and in no order, so under load some waited seconds; this process's writers
    # queue on a lock instead, and the next starts as soon as the last one ends. Other processes
    # still meet the busy handler. A plain Lock: a transaction may begin in one thread-pool
    # thread and end in another. Taken at BEGIN (the first statement), not at session start.
    writer = threading.Lock()
    holder = "zabota_sqlite_writer"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")  # read-only work (Database.reading) never blocks writers
            return
        if writer.acquire(timeout=SQLITE_BUSY_SECONDS):  # else: try anyway, as the busy handler would
            conn.info[holder] = True
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(conn.info)
            raise

    def _release(info: dict[str, Any]) -> None:
        if info.pop(holder, False):
            writer.release()

    event.listen(engine, "commit", lambda conn: _release(conn.info))
    event.listen(engine, "rollback", lambda conn: _release(conn.info))
    # A connection that goes back to the pool or is dropped mid-transaction must not keep it.
    event.listen(engine, "checkin", lambda _dbapi, record: _release(record.info))
    event.listen(engine, "invalidate", lambda _dbapi, record, _exc: _release(record.info))


# A pooled connection idle longer than this is pinged before use. SQLAlchemy's pool_pre_ping
# pings at every checkout: one extra round trip per request, ~9% of an ingest request's CPU.
# A connection in steady use is not pinged; one that sat idle (when a database restart or a
# dropped socket would have gone unnoticed) is, and replaced if dead.
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_idle_connections(engine: Engine) -> None:
    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("zabota_returned_at")
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards this connection and checks out (or opens) another.
            raise DisconnectionError(f"an idle pooled connection was dead: {error}") from error

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["zabota_returned_at"] = time.monotonic()


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS})
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800)
    _ping_idle_connections(engine)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


class Database:
    """One engine and session factory per process; the caller owns each transaction."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size)
        self.sessions = make_session_factory(self.engine)
        self._read_engine = self.engine.execution_options(**{READ_ONLY: True})

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session: on SQLite it takes no write lock, so long-lived readers (live
        streams, reports) never hold up writers."""
        with (
            self._read_engine.connect() as connection,
            Session(bind=connection, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session
            session.rollback()

    def dispose(self) -> None:
        self.engine.dispose()


def is_read_only(session: Session) -> bool:
    """Whether the session came from Database.reading(): it must not write."""
    return bool(session.connection().get_execution_options().get(READ_ONLY))


def insert_for(session: Session, table: Any) -> postgresql.Insert | sqlite.Insert:
    """A dialect-specific INSERT that supports ON CONFLICT, for race-free upserts."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)

"""Pooled connections: one that died while idle is replaced before a request meets it."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

import zabota.db
from zabota.db import Database


def _one_dead_pooled_connection(db: Database) -> Any:
    """Leave exactly one connection in the pool, killed behind the pool's back."""
    db.engine.dispose()
    with db.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
    if db.dialect == "postgresql":
        # As a database restart would: the server ends the session.
        with psycopg.connect(db.engine.url.render_as_string(hide_password=False).replace("+psycopg", "")) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (raw.info.backend_pid,))
    else:
        raw.close()
    return raw


def test_a_connection_that_died_while_idle_is_replaced_transparently(db: Database, monkeypatch) -> None:
    monkeypatch.setattr(zabota.db, "PING_AFTER_IDLE_SECONDS", 0.0)
    dead = _one_dead_pooled_connection(db)
    with db.transaction() as session:
        assert session.scalar(text("SELECT 1")) == 1
        assert session.connection().connection.dbapi_connection is not dead


def test_without_the_idle_ping_the_dead_connection_would_fail_the_request(db: Database, monkeypatch) -> None:
    # The control: what the ping saves a request from (the pool then drops that connection).
    monkeypatch.setattr(zabota.db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    _one_dead_pooled_connection(db)
    with pytest.raises(DBAPIError), db.transaction() as session:
        session.scalar(text("SELECT 1"))
    with db.transaction() as session:
        assert session.scalar(text("SELECT 1")) == 1

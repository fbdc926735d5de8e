"""Fixtures for the job tests."""

from __future__ import annotations

import pytest

from zabota.db import Database
from zabota.models import Base


@pytest.fixture(autouse=True)
def _schema(db: Database) -> None:
    """Create any table the migrations do not have yet (a no-op once they do)."""
    Base.metadata.create_all(db.engine, checkfirst=True)

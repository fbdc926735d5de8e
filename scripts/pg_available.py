"""Exit 0 when the PostgreSQL server used by the test suite answers, 1 otherwise."""

from __future__ import annotations

import os
import sys

import psycopg

URL = os.environ.get("ZABOTA_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

try:
    with psycopg.connect(URL, connect_timeout=3) as conn:
        conn.execute("SELECT 1")
except psycopg.Error as exc:
    print(f"PostgreSQL check failed: {exc}".strip(), file=sys.stderr)
    sys.exit(1)
sys.exit(0)

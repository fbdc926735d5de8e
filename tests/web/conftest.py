"""A real `zabota serve` process on the test database, and real Chromium through Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import running_zabota

CHROMIUM = os.environ.get("ZABOTA_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def server_url(_migrated_database, database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("server-var")
    with running_zabota(database_url, data_dir, "--log-level", "warning", env={"LOGIN_RATE_LIMIT": "1000/minute"}) as (
        url,
        _,
    ):
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: `apt-get install chromium` (.ci/run does)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield instance
        instance.close()

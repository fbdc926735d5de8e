"""The bot tests use the demo help center, and a worker that knows every job."""

from __future__ import annotations

from tests.helpcenter.conftest import demo_help  # noqa: F401  (the fixture, shared)
from zabota.jobs.registry import autodiscover

autodiscover()

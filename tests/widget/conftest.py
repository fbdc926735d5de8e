"""Widget inboxes and visitors built through the real actions and the real public API."""

from __future__ import annotations

from typing import Any

import pytest

from zabota.channels.actions import create_inbox
from zabota.events.actions import Actor

SITE = "https://shop.example"


@pytest.fixture
def widget_inbox(db):  # type: ignore[no-untyped-def]
    """A widget inbox (settings merged over an allowed origin): returns (inbox id, key)."""

    def build(name: str = "Site chat", **settings: Any) -> tuple[int, str]:
        with db.transaction() as session:
            new = create_inbox(
                session,
                Actor.system(),
                channel_type="widget",
                name=name,
                settings={"allowed_origins": [SITE], **settings},
            )
            return new.inbox.id, new.inbox.settings["key"]

    return build


@pytest.fixture
def visitor(client):  # type: ignore[no-untyped-def]
    """Start a widget session through the API: returns the token headers."""

    def build(key: str, **body: Any) -> dict[str, str]:
        response = client.post(f"/widget/v1/{key}/session", json=body)
        assert response.status_code == 200, response.text
        return {"X-Widget-Token": response.json()["token"]}

    return build

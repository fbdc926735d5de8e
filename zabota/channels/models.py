from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zabota.bot.config import bot_enabled
from zabota.db import Base, BigID, utcnow


class Inbox(Base):
    """One configured channel instance: an API source, a mailbox, a Telegram bot, a widget…

    `settings` holds plain configuration; credentials live in `secrets_encrypted`, sealed with a
    key derived from SECRET_KEY. The ingress token lets an outside system push messages; only its
    hash is stored.
    """

    __tablename__ = "inboxes"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    channel_type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    secrets_encrypted: Mapped[str] = mapped_column(Text, default="")
    default_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    token_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def bot_enabled(self) -> bool:
        """The first-line bot takes this inbox's new conversations (`settings["bot"]`, zabota.bot)."""
        return bot_enabled(self.settings)

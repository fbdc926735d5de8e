from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from zabota.db import Base, BigID, utcnow


class BotTurn(Base):
    """The bot's handling of one customer message: answered from an article, or handed off.

    One row per message (unique), so running the `bot.respond` job twice answers once.
    """

    __tablename__ = "bot_turns"

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), unique=True)
    outcome: Mapped[str] = mapped_column(String(16))  # answered | handed_off | greeted
    # For a hand-off: customer_request | low_confidence | limit.
    reason: Mapped[str | None] = mapped_column(String(32))
    # The article the bot quoted (or its best guess when it handed off) and its search confidence.
    article_id: Mapped[int | None] = mapped_column(ForeignKey("help_articles.id", ondelete="SET NULL"))
    confidence: Mapped[float | None] = mapped_column(Float)
    reply_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_bot_turns_conversation", "conversation_id", "id"),
        Index("ix_bot_turns_created", "created_at"),
    )

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from zabota.db import Base, BigID, utcnow


class Attachment(Base):
    """One uploaded file, kept in the database beside the conversation it belongs to.

    In the database rather than on a disk: it is then in the same transaction and the same
    backup as the message, and every server process on every host sees it (the way Znuny
    stores articles by default). Uploads are size- and type-limited, so the tables stay sane.
    """

    __tablename__ = "attachments"
    __table_args__ = (
        Index("ix_attachments_conversation", "conversation_id"),
        Index("ix_attachments_message", "message_id"),
    )

    id: Mapped[int] = mapped_column(BigID, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploader_kind: Mapped[str] = mapped_column(String(16))  # "user" | "customer"
    uploader_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

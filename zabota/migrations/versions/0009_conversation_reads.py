"""Unread state: when each operator last read a conversation, and the customer's latest message.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 14:29:50.263736
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zabota.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation_reads",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("conversation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("read_at", zabota.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_reads_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_conversation_reads_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "conversation_id", name=op.f("pk_conversation_reads")),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_inbound_at", zabota.db.UTCDateTime(timezone=True), nullable=True))
    # Existing conversations: the customer's latest message, so history is not all "unread" at once
    # but reads the same as new conversations will.
    op.execute(
        "UPDATE conversations SET last_inbound_at = (SELECT max(m.created_at) FROM messages m "
        "WHERE m.conversation_id = conversations.id AND m.direction = 'in')"
    )


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("last_inbound_at")

    op.drop_table("conversation_reads")

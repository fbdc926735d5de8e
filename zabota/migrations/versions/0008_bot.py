"""First-line bot: the conversation's bot state and one row per customer message the bot handled.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zabota.db

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bot_state', sa.String(length=16), nullable=True))

    op.create_table('bot_turns',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('conversation_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('article_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('reply_message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', zabota.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['help_articles.id'], name=op.f('fk_bot_turns_article_id_help_articles'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_bot_turns_conversation_id_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_bot_turns_message_id_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reply_message_id'], ['messages.id'], name=op.f('fk_bot_turns_reply_message_id_messages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bot_turns')),
    sa.UniqueConstraint('message_id', name=op.f('uq_bot_turns_message_id'))
    )
    with op.batch_alter_table('bot_turns', schema=None) as batch_op:
        batch_op.create_index('ix_bot_turns_conversation', ['conversation_id', 'id'], unique=False)
        batch_op.create_index('ix_bot_turns_created', ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('bot_turns', schema=None) as batch_op:
        batch_op.drop_index('ix_bot_turns_created')
        batch_op.drop_index('ix_bot_turns_conversation')

    op.drop_table('bot_turns')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('bot_state')

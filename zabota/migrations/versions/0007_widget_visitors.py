"""Widget visitors: a browser's token (hashed) and the customer it speaks for.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zabota.db

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('widget_visitors',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('inbox_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=255), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('created_at', zabota.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', zabota.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', zabota.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_widget_visitors_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inbox_id'], ['inboxes.id'], name=op.f('fk_widget_visitors_inbox_id_inboxes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_widget_visitors')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_widget_visitors_token_hash'))
    )
    with op.batch_alter_table('widget_visitors', schema=None) as batch_op:
        batch_op.create_index('ix_widget_visitors_customer', ['customer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('widget_visitors', schema=None) as batch_op:
        batch_op.drop_index('ix_widget_visitors_customer')

    op.drop_table('widget_visitors')

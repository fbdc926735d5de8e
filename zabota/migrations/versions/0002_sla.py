"""SLA: policies per department, breaches, due times and flags on conversations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:00:22.094693
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zabota.db

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sla_policies',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('department_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('first_reply_minutes', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('resolution_hours', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('resolution_same_day', sa.Boolean(), nullable=False),
    sa.Column('business_hours_only', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', zabota.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', zabota.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_sla_policies_department_id_departments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_policies')),
    sa.UniqueConstraint('department_id', name=op.f('uq_sla_policies_department_id'))
    )
    op.create_table('sla_breaches',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('conversation_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('department_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('assignee_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('due_at', zabota.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('detected_at', zabota.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_sla_breaches_assignee_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_sla_breaches_conversation_id_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_sla_breaches_department_id_departments'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_breaches')),
    sa.UniqueConstraint('conversation_id', 'kind', 'due_at', name=op.f('uq_sla_breaches_conversation_id_kind_due_at'))
    )
    with op.batch_alter_table('sla_breaches', schema=None) as batch_op:
        batch_op.create_index('ix_sla_breaches_due', ['due_at', 'department_id'], unique=False)

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cycle_opened_at', zabota.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('first_reply_due_at', zabota.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolution_due_at', zabota.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('first_reply_breached_at', zabota.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolution_breached_at', zabota.db.UTCDateTime(timezone=True), nullable=True))

    # The current cycle of existing conversations began at their last reopen, else at opening.
    op.execute(
        "UPDATE conversations SET cycle_opened_at = COALESCE("
        "(SELECT MAX(e.created_at) FROM domain_events e"
        " WHERE e.conversation_id = conversations.id AND e.type = 'conversation.reopened'),"
        " opened_at)"
    )


def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('resolution_breached_at')
        batch_op.drop_column('first_reply_breached_at')
        batch_op.drop_column('resolution_due_at')
        batch_op.drop_column('first_reply_due_at')
        batch_op.drop_column('cycle_opened_at')

    with op.batch_alter_table('sla_breaches', schema=None) as batch_op:
        batch_op.drop_index('ix_sla_breaches_due')

    op.drop_table('sla_breaches')
    op.drop_table('sla_policies')

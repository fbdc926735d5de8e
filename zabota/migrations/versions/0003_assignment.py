"""Assignment: the round-robin cursor of each department.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:00:41.872433
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zabota.db

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('assignment_cursors',
    sa.Column('department_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('last_user_id', sa.BigInteger(), nullable=True),
    sa.Column('assigned_count', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('updated_at', zabota.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_assignment_cursors_department_id_departments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('department_id', name=op.f('pk_assignment_cursors'))
    )


def downgrade() -> None:
    op.drop_table('assignment_cursors')

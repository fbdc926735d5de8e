"""Help center: categories, articles in Russian and English, feedback, and the search revision.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 13:44:22.920941
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zabota.db

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('help_categories',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title_ru', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('description_ru', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('created_at', zabota.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', zabota.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_categories')),
    sa.UniqueConstraint('slug', name=op.f('uq_help_categories_slug'))
    )
    op.create_table('help_center_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('revision', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('stamp', sa.String(length=32), nullable=False),
    sa.Column('updated_at', zabota.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_center_state'))
    )
    op.create_table('help_articles',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('category_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('author_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('helpful_yes', sa.Integer(), nullable=False),
    sa.Column('helpful_no', sa.Integer(), nullable=False),
    sa.Column('created_at', zabota.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', zabota.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', zabota.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_help_articles_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['category_id'], ['help_categories.id'], name=op.f('fk_help_articles_category_id_help_categories'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_articles')),
    sa.UniqueConstraint('slug', name=op.f('uq_help_articles_slug'))
    )
    with op.batch_alter_table('help_articles', schema=None) as batch_op:
        batch_op.create_index('ix_help_articles_category_status', ['category_id', 'status', 'position'], unique=False)

    op.create_table('help_article_versions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('article_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body_md', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('updated_at', zabota.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['help_articles.id'], name=op.f('fk_help_article_versions_article_id_help_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_article_versions')),
    sa.UniqueConstraint('article_id', 'language', name=op.f('uq_help_article_versions_article_id_language'))
    )
    op.create_table('help_feedback',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('article_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('conversation_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', zabota.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['help_articles.id'], name=op.f('fk_help_feedback_article_id_help_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_help_feedback_conversation_id_conversations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_help_feedback_customer_id_customers'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_feedback'))
    )
    with op.batch_alter_table('help_feedback', schema=None) as batch_op:
        batch_op.create_index('ix_help_feedback_article_created', ['article_id', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('help_feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_help_feedback_article_created')

    op.drop_table('help_feedback')
    op.drop_table('help_article_versions')
    with op.batch_alter_table('help_articles', schema=None) as batch_op:
        batch_op.drop_index('ix_help_articles_category_status')

    op.drop_table('help_articles')
    op.drop_table('help_center_state')
    op.drop_table('help_categories')

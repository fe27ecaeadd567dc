"""Initial schema: the tables of triage/models.py as first released.

Written from ``alembic revision --autogenerate`` and reviewed by hand: tables in
dependency order, and the clusters -> items key (the two tables point at each other)
added once both exist. ``test_store_schema.py`` checks it matches the models exactly.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

REPRESENTATIVE_FK = "clusters_representative_item_id_fkey"


def upgrade() -> None:
    op.create_table(
        'sources',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('url', sa.Text(), nullable=True),
        sa.Column('weight', sa.Float(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('config', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )

    op.create_table(
        'users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=100), nullable=False),
        sa.Column('display_name', sa.String(length=200), nullable=False),
        sa.Column('password_hash', sa.String(length=300), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('username'),
    )

    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(length=100), nullable=False),
        sa.Column('action', sa.String(length=100), nullable=False),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_log_at', 'audit_log', ['at'])

    op.create_table(
        'clusters',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('representative_item_id', sa.Integer(), nullable=True),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('total_reach', sa.Integer(), nullable=False),
        sa.Column('category', sa.String(length=40), nullable=True),
        sa.Column('topic', sa.String(length=40), nullable=True),
        sa.Column('flagged', sa.Boolean(), nullable=False),
        sa.Column('support', sa.Boolean(), nullable=False),
        sa.Column('priority', sa.Float(), nullable=False),
        sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    op.create_index('ix_clusters_queue', 'clusters', ['flagged', 'priority'])

    op.create_table(
        'items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('url', sa.String(length=2048), nullable=False),
        sa.Column('external_id', sa.String(length=200), nullable=True),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('parent_url', sa.String(length=2048), nullable=True),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('author_pseudonym', sa.String(length=64), nullable=True),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('likes', sa.Integer(), nullable=False),
        sa.Column('comments', sa.Integer(), nullable=False),
        sa.Column('shares', sa.Integer(), nullable=False),
        sa.Column('views', sa.Integer(), nullable=False),
        sa.Column('lang', sa.String(length=8), nullable=False),
        sa.Column('extra', sa.JSON(), nullable=False),
        sa.Column('cluster_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['cluster_id'], ['clusters.id']),
        sa.ForeignKeyConstraint(['parent_id'], ['items.id']),
        sa.ForeignKeyConstraint(['source_id'], ['sources.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('url'),
    )
    op.create_index('ix_items_cluster', 'items', ['cluster_id'])
    op.create_index('ix_items_content_hash', 'items', ['content_hash'])
    op.create_index('ix_items_parent', 'items', ['parent_id'])
    op.create_index('ix_items_parent_url', 'items', ['parent_url'])
    op.create_index('ix_items_published', 'items', ['published_at'])
    op.create_index('ix_items_source_published', 'items', ['source_id', 'published_at'])

    op.create_table(
        'crawl_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('cycle_id', sa.String(length=64), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('pages_fetched', sa.Integer(), nullable=False),
        sa.Column('items_new', sa.Integer(), nullable=False),
        sa.Column('items_updated', sa.Integer(), nullable=False),
        sa.Column('items_unchanged', sa.Integer(), nullable=False),
        sa.Column('skips', sa.JSON(), nullable=False),
        sa.Column('errors', sa.JSON(), nullable=False),
        sa.Column('gap', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['source_id'], ['sources.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_crawl_runs_cycle_id'), 'crawl_runs', ['cycle_id'])
    op.create_index('ix_crawl_runs_source_started', 'crawl_runs', ['source_id', 'started_at'])

    op.create_table(
        'predictions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('model_version', sa.String(length=300), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('category', sa.String(length=40), nullable=False),
        sa.Column('category_proba', sa.Float(), nullable=False),
        sa.Column('topic', sa.String(length=40), nullable=False),
        sa.Column('topic_proba', sa.Float(), nullable=False),
        sa.Column('toxicity', sa.String(length=20), nullable=False),
        sa.Column('toxicity_proba', sa.Float(), nullable=False),
        sa.Column('probabilities', sa.JSON(), nullable=False),
        sa.Column('explanation', sa.JSON(), nullable=False),
        sa.Column('facets', sa.JSON(), nullable=False),
        sa.Column('claim_matches', sa.JSON(), nullable=False),
        sa.Column('flagged', sa.Boolean(), nullable=False),
        sa.Column('support', sa.Boolean(), nullable=False),
        sa.Column('priority', sa.Float(), nullable=False),
        sa.Column('current', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('item_id', 'model_version', name='uq_predictions_item_model'),
    )
    op.create_index('ix_predictions_category', 'predictions', ['category'])
    op.create_index(op.f('ix_predictions_current'), 'predictions', ['current'])
    op.create_index('ix_predictions_queue', 'predictions', ['flagged', 'priority'])
    op.create_index('ix_predictions_topic', 'predictions', ['topic'])

    op.create_table(
        'claims',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('verdict', sa.String(length=20), nullable=False),
        sa.Column('rebuttal', sa.Text(), nullable=False),
        sa.Column('sources', sa.JSON(), nullable=False),
        sa.Column('topic', sa.String(length=40), nullable=True),
        sa.Column('claim_date', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )

    op.create_table(
        'events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cluster_id', sa.Integer(), nullable=True),
        sa.Column('item_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('seen', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['cluster_id'], ['clusters.id']),
        sa.ForeignKeyConstraint(['item_id'], ['items.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_events_cluster_created', 'events', ['cluster_id', 'created_at'])
    op.create_index('ix_events_item_created', 'events', ['item_id', 'created_at'])

    op.create_table(
        'leases',
        sa.Column('cluster_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['cluster_id'], ['clusters.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('cluster_id'),
    )

    op.create_table(
        'labels',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('task', sa.String(length=20), nullable=False),
        sa.Column('value', sa.String(length=40), nullable=False),
        sa.Column('prediction_id', sa.Integer(), nullable=True),
        sa.Column('shown_value', sa.String(length=40), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['items.id']),
        sa.ForeignKeyConstraint(['prediction_id'], ['predictions.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_labels_item_task', 'labels', ['item_id', 'task', 'created_at'])

    op.create_table(
        'rebuttals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cluster_id', sa.Integer(), nullable=True),
        sa.Column('claim_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('sources', sa.JSON(), nullable=False),
        sa.Column('posted_where', sa.String(length=500), nullable=False),
        sa.Column('posted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['claim_id'], ['claims.id']),
        sa.ForeignKeyConstraint(['cluster_id'], ['clusters.id']),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_rebuttals_cluster', 'rebuttals', ['cluster_id'])

    # batch: on SQLite this rebuilds the (empty) clusters table with the key.
    with op.batch_alter_table("clusters") as batch_op:
        batch_op.create_foreign_key(REPRESENTATIVE_FK, "items", ["representative_item_id"], ["id"])


def downgrade() -> None:
    # Dropping a table drops its indexes.
    with op.batch_alter_table("clusters") as batch_op:
        batch_op.drop_constraint(REPRESENTATIVE_FK, type_="foreignkey")
    op.drop_table('rebuttals')
    op.drop_table('labels')
    op.drop_table('leases')
    op.drop_table('events')
    op.drop_table('claims')
    op.drop_table('predictions')
    op.drop_table('crawl_runs')
    op.drop_table('items')
    op.drop_table('clusters')
    op.drop_table('audit_log')
    op.drop_table('users')
    op.drop_table('sources')

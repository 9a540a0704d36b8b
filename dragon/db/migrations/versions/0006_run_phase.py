"""Add each run's phase: what it does now and its byte rate.

Rows of earlier runs have none: their progress shows no phase and no ETA.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('checkpoints', 'recoveries'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('phase', sa.JSON, nullable=True))

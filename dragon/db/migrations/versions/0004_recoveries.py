# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Add recoveries, their events and the last drill of each policy.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql', 'mariadb')

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('workload_policies',
                  sa.Column('last_drill', sa.JSON, nullable=True))
    op.create_table(
        'recoveries',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('status', sa.String(32), nullable=False),
        sa.Column('mode', sa.String(32), nullable=False),
        # No foreign keys: a backup site's database may know neither.
        sa.Column('checkpoint_id', sa.String(36), nullable=True),
        sa.Column('recovery_point', sa.String(255), nullable=False),
        sa.Column('policy_id', sa.String(36), nullable=True),
        sa.Column('policy_name', sa.String(255), nullable=True),
        sa.Column('target_region', sa.String(255), nullable=False),
        sa.Column('mappings', sa.JSON, nullable=False),
        sa.Column('resources', sa.JSON, nullable=False),
        sa.Column('timeout', sa.Integer, nullable=True),
        sa.Column('host', sa.String(255), nullable=True),
        sa.Column('trust_id', sa.String(64), nullable=True),
        sa.Column('stack_id', sa.String(64), nullable=True),
        sa.Column('stack_name', sa.String(255), nullable=True),
        sa.Column('stack_status', sa.String(64), nullable=True),
        sa.Column('torn_down', sa.Boolean, nullable=False),
        sa.Column('restored', sa.JSON, nullable=False),
        sa.Column('resource_status', sa.JSON, nullable=False),
        sa.Column('error', sa.Text, nullable=True),
        # DOUBLE: MySQL's FLOAT is single precision (10.6446 for 10.644566).
        sa.Column('rto_seconds', sa.Double, nullable=True),
        sa.Column('bytes_done', sa.BigInteger, nullable=False),
        sa.Column('bytes_total', sa.BigInteger, nullable=False),
        sa.Column('started_at', DateTime, nullable=True),
        sa.Column('finished_at', DateTime, nullable=True),
        sa.Column('created_at', DateTime, nullable=False),
        sa.Column('updated_at', DateTime, nullable=True),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )
    op.create_index('recoveries_project_id_idx', 'recoveries',
                    ['project_id'])
    op.create_index('recoveries_status_idx', 'recoveries', ['status'])
    op.create_table(
        'recovery_events',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('recovery_id', sa.String(36),
                  sa.ForeignKey('recoveries.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('time', DateTime, nullable=False),
        sa.Column('level', sa.String(16), nullable=False),
        sa.Column('resource', sa.String(255), nullable=True),
        sa.Column('message', sa.Text, nullable=False),
        sa.Column('created_at', DateTime, nullable=False),
        sa.Column('updated_at', DateTime, nullable=True),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )
    op.create_index('recovery_events_recovery_id_idx', 'recovery_events',
                    ['recovery_id'])

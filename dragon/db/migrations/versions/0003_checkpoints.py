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

"""Add checkpoints and their events.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql', 'mariadb')

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'checkpoints',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('policy_id', sa.String(36),
                  sa.ForeignKey('workload_policies.id'), nullable=False),
        sa.Column('policy_name', sa.String(255), nullable=False),
        sa.Column('status', sa.String(32), nullable=False),
        sa.Column('container', sa.String(255), nullable=True),
        sa.Column('host', sa.String(255), nullable=True),
        sa.Column('trust_id', sa.String(64), nullable=True),
        sa.Column('error', sa.Text, nullable=True),
        sa.Column('bytes_done', sa.BigInteger, nullable=False),
        sa.Column('bytes_total', sa.BigInteger, nullable=False),
        sa.Column('resources', sa.JSON, nullable=False),
        sa.Column('stats', sa.JSON, nullable=False),
        sa.Column('started_at', DateTime, nullable=True),
        sa.Column('finished_at', DateTime, nullable=True),
        sa.Column('active_policy_id', sa.String(36), nullable=True),
        sa.Column('created_at', DateTime, nullable=False),
        sa.Column('updated_at', DateTime, nullable=True),
        sa.UniqueConstraint('active_policy_id',
                            name='uniq_checkpoints0active_policy_id'),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )
    op.create_index('checkpoints_project_id_idx', 'checkpoints',
                    ['project_id'])
    op.create_index('checkpoints_policy_id_idx', 'checkpoints', ['policy_id'])
    op.create_index('checkpoints_status_idx', 'checkpoints', ['status'])
    op.create_table(
        'checkpoint_events',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('checkpoint_id', sa.String(36),
                  sa.ForeignKey('checkpoints.id', ondelete='CASCADE'),
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
    op.create_index('checkpoint_events_checkpoint_id_idx',
                    'checkpoint_events', ['checkpoint_id'])

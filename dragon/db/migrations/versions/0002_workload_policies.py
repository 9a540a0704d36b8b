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

"""Add workload policies and their members.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql', 'mariadb')

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'workload_policies',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('description', sa.String(1024), nullable=False),
        sa.Column('options', sa.JSON, nullable=False),
        sa.Column('status', sa.String(32), nullable=False),
        sa.Column('deleted', sa.String(36), nullable=False),
        sa.Column('deleted_at', DateTime, nullable=True),
        sa.Column('created_at', DateTime, nullable=False),
        sa.Column('updated_at', DateTime, nullable=True),
        sa.UniqueConstraint('project_id', 'name', 'deleted',
                            name='uniq_workload_policies0project_id0name0deleted'),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )
    op.create_index('workload_policies_project_id_idx', 'workload_policies',
                    ['project_id'])
    op.create_table(
        'workload_policy_members',
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('policy_id', sa.String(36),
                  sa.ForeignKey('workload_policies.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('resource_type', sa.String(64), nullable=False),
        sa.Column('resource_id', sa.String(255), nullable=False),
        sa.Column('resource_name', sa.String(255), nullable=False),
        sa.Column('action', sa.String(64), nullable=False),
        sa.Column('options', sa.JSON, nullable=False),
        sa.Column('exclusive_resource_id', sa.String(255), nullable=True),
        sa.Column('created_at', DateTime, nullable=False),
        sa.Column('updated_at', DateTime, nullable=True),
        sa.UniqueConstraint('policy_id', 'resource_id',
                            name='uniq_workload_policy_members0policy_id0resource_id'),
        sa.UniqueConstraint('exclusive_resource_id',
                            name='uniq_workload_policy_members0exclusive_resource_id'),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )
    op.create_index('workload_policy_members_resource_id_idx',
                    'workload_policy_members', ['resource_id'])

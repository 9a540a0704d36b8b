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

"""Add the failback a reverse policy was prepared for.

``workload_policies.failback`` is NULL for every policy but the reverse
policies ``failback prepare`` creates at a backup site: the failover
recovery it protects, the recovery point and region it came from, and
each member's id at the primary (see ``dragon.services.failback``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('workload_policies') as batch:
        batch.add_column(sa.Column('failback', sa.JSON, nullable=True))

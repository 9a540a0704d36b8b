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

"""Add a policy's replication target and each checkpoint's replication state.

``workload_policies.replication`` is ``{"target_region": ...}`` or NULL (no
replication: every existing policy); ``checkpoints.replication`` is the
state of the copy at the target (see ``dragon.replication.state``), NULL
for a checkpoint that is not replicated.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('workload_policies') as batch:
        batch.add_column(sa.Column('replication', sa.JSON, nullable=True))
    with op.batch_alter_table('checkpoints') as batch:
        batch.add_column(sa.Column('replication', sa.JSON, nullable=True))

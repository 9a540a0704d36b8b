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

"""Add each recovery's dry_run flag and in-place plan.

``dry_run`` is false for every existing recovery; ``plan`` is NULL for
failovers and drills.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('recoveries') as batch:
        batch.add_column(sa.Column('dry_run', sa.Boolean, nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('plan', sa.JSON, nullable=True))

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

"""Add the commit-or-rollback window of in-place restores.

``replaced`` lists the volumes an in-place restore swapped (old and new,
server and device, state); ``commit_deadline`` is when its window ends;
``window_action`` says how it is being closed; ``shrink_volumes`` is the
user's consent to restore a volume that grew since the checkpoint. NULL
(false) for every existing recovery.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('recoveries') as batch:
        batch.add_column(sa.Column('replaced', sa.JSON, nullable=True))
        batch.add_column(sa.Column('commit_deadline', sa.DateTime,
                                   nullable=True))
        batch.add_column(sa.Column('window_action', sa.String(16),
                                   nullable=True))
        batch.add_column(sa.Column('shrink_volumes', sa.Boolean,
                                   nullable=False, server_default=sa.false()))
        batch.create_index('recoveries_commit_deadline_idx',
                           ['commit_deadline'])

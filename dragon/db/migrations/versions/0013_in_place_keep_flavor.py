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

"""Add the in-place confirmation for servers whose flavor changed.

``recoveries.keep_current_flavor``: the user accepts that a server whose
flavor changed since the checkpoint is rebuilt from its checkpoint image
on the flavor it has now (an in-place restore refuses it otherwise).
False for every existing recovery.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('recoveries') as batch:
        batch.add_column(sa.Column('keep_current_flavor', sa.Boolean,
                                   nullable=False, server_default=sa.false()))

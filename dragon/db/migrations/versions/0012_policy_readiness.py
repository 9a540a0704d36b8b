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

"""Add each encrypted policy's last measured DR readiness.

``workload_policies.readiness`` is what the last check of the policy's
keys found (``dragon.services.encryption.stored_readiness``): when, by
whom (a protection with the owner's trust, or a request with the
caller's token), ``dr_ready`` and each region's state. NULL: never
checked (every existing policy). ``dragon-status`` reports it, since it
has no credentials to read a project's keys itself.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('workload_policies') as batch:
        batch.add_column(sa.Column('readiness', sa.JSON, nullable=True))

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

"""Add schedules, checkpoint holds/triggers/warnings, run claims, each policy's RPO state.

Schedules move out of the policy options into their own table (a tick is
claimed there by compare-and-swap); a schedule stored in the options by
an earlier release never ran and has no trust, so it comes over as
``error`` and must be set again. Retention keys get their new names.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

import datetime
import json
import uuid

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql', 'mariadb')

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OLD_SCHEDULE_ERROR = ('stored by a Dragon release that did not run schedules '
                      'and holds no Keystone trust: set it again')


def upgrade() -> None:
    op.create_table(
        'schedules',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('policy_id', sa.String(36),
                  sa.ForeignKey('workload_policies.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('project_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255), nullable=True),
        sa.Column('cron', sa.String(255), nullable=False),
        sa.Column('timezone', sa.String(64), nullable=False),
        sa.Column('enabled', sa.Boolean, nullable=False),
        sa.Column('start_at', DateTime, nullable=True),
        sa.Column('end_at', DateTime, nullable=True),
        sa.Column('jitter', sa.Integer, nullable=False),
        sa.Column('misfire_grace', sa.Integer, nullable=False),
        sa.Column('status', sa.String(32), nullable=False),
        sa.Column('error', sa.Text, nullable=True),
        sa.Column('trust_id', sa.String(64), nullable=True),
        sa.Column('next_tick_at', DateTime, nullable=True),
        sa.Column('next_run_at', DateTime, nullable=True),
        sa.Column('last_tick_at', DateTime, nullable=True),
        sa.Column('last_run_at', DateTime, nullable=True),
        sa.Column('last_result', sa.String(32), nullable=True),
        sa.Column('last_reason', sa.Text, nullable=True),
        sa.Column('last_checkpoint_id', sa.String(36), nullable=True),
        sa.Column('run_count', sa.Integer, nullable=False),
        sa.Column('skipped_count', sa.Integer, nullable=False),
        sa.Column('missed_count', sa.Integer, nullable=False),
        sa.Column('created_at', DateTime, nullable=False),
        sa.Column('updated_at', DateTime, nullable=True),
        mysql_engine='InnoDB',
        mysql_charset='utf8mb4',
    )
    op.create_index('schedules_policy_id_idx', 'schedules', ['policy_id'])
    op.create_index('schedules_next_run_at_idx', 'schedules',
                    ['next_run_at'])
    with op.batch_alter_table('checkpoints') as batch:
        batch.add_column(sa.Column('schedule_id', sa.String(36),
                                   nullable=True))
        batch.add_column(sa.Column('trigger', sa.String(16),
                                   nullable=False, server_default='manual'))
        batch.add_column(sa.Column('hold', sa.Boolean, nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('captured_at', DateTime, nullable=True))
        batch.add_column(sa.Column('warnings', sa.JSON, nullable=True))
        batch.add_column(sa.Column('verification', sa.JSON, nullable=True))
        batch.add_column(sa.Column('claim', sa.String(36), nullable=True))
    with op.batch_alter_table('recoveries') as batch:
        batch.add_column(sa.Column('claim', sa.String(36), nullable=True))
    with op.batch_alter_table('workload_policies') as batch:
        batch.add_column(sa.Column('rpo_state', sa.String(16),
                                   nullable=True))
    _move_options()


def _move_options() -> None:
    """Old ``options.schedule`` → a schedule row; old retention key names."""
    bind = op.get_bind()
    policies = sa.table(
        'workload_policies', sa.column('id', sa.String),
        sa.column('project_id', sa.String), sa.column('user_id', sa.String),
        sa.column('options', sa.JSON))
    schedules = sa.table(
        'schedules', *(sa.column(n) for n in (
            'id', 'policy_id', 'project_id', 'user_id', 'cron', 'timezone',
            'enabled', 'jitter', 'misfire_grace', 'status', 'error',
            'run_count', 'skipped_count', 'missed_count', 'created_at')))
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    for row in bind.execute(sa.select(policies)).all():
        options = row.options
        if isinstance(options, str):
            options = json.loads(options)
        options = dict(options or {})
        old_schedule = options.pop('schedule', None)
        retention = options.get('retention')
        if retention:
            new = {}
            if retention.get('max_checkpoints') is not None:
                new['keep_last'] = retention['max_checkpoints']
            if retention.get('max_age_days') is not None:
                new['max_age'] = retention['max_age_days'] * 86400
            options['retention'] = new or None
        options.setdefault('retention', None)
        options.setdefault('rpo', None)
        bind.execute(policies.update().where(policies.c.id == row.id)
                     .values(options=options))
        if old_schedule and old_schedule.get('cron'):
            bind.execute(schedules.insert().values(
                id=str(uuid.uuid4()), policy_id=row.id,
                project_id=row.project_id, user_id=row.user_id,
                cron=old_schedule['cron'],
                timezone=old_schedule.get('timezone') or 'UTC',
                enabled=False, jitter=0, misfire_grace=3600,
                status='error', error=OLD_SCHEDULE_ERROR, run_count=0,
                skipped_count=0, missed_count=0, created_at=now))

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

"""Rows a notification is built from, one set per event type (also the samples' source)."""

import datetime
import types

from dragon.notifications.payloads import EventType

T0 = datetime.datetime(2026, 3, 1, 2, 0, 0)
PROJECT = '6f70656e737461636b20697320636f6f6c'
USER = 'c0ffee0000000000000000000000beef'
POLICY_ID = '0b7a2f9e-3c1d-4d0e-9a55-6a1f3e8b2c10'
CHECKPOINT_ID = '5d2c8f4e-9b1a-4c3d-8e7f-1a2b3c4d5e6f'
SCHEDULE_ID = '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a'
CONTAINER = 'dragon_%s_three-tier_20260301T020000Z' % PROJECT


def _delta(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


def checkpoint(**changes):
    values = dict(
        id=CHECKPOINT_ID, project_id=PROJECT, user_id=USER,
        policy_id=POLICY_ID, policy_name='three tier', status='protecting',
        trigger='schedule', schedule_id=SCHEDULE_ID, container=CONTAINER,
        error=None, bytes_total=3221225472,
        stats={'stored_bytes': 0, 'uploaded_bytes': 0},
        started_at=T0, captured_at=None, finished_at=None,
        warnings=['server web: console log not carried'])
    values.update(changes)
    return types.SimpleNamespace(**values)


def recovery(**changes):
    values = dict(
        id='3a4b5c6d-7e8f-4a1b-9c2d-3e4f5a6b7c8d', project_id=PROJECT,
        user_id=USER, policy_id=POLICY_ID, policy_name='three tier',
        checkpoint_id=CHECKPOINT_ID, recovery_point=CONTAINER, mode='drill',
        target_region='RegionTwo', status='recovering', error=None,
        rto_seconds=None, stack_id=None, started_at=_delta(3600),
        finished_at=None)
    values.update(changes)
    return types.SimpleNamespace(**values)


def schedule(**changes):
    values = dict(
        id=SCHEDULE_ID, policy_id=POLICY_ID, project_id=PROJECT,
        cron='0 2 * * *', timezone='Europe/Paris', status='active',
        error=None, last_result='skipped',
        last_reason='the previous protection is still running',
        next_run_at=_delta(86400 + 137), skipped_count=1, missed_count=0)
    values.update(changes)
    return types.SimpleNamespace(**values)


def policy(**changes):
    values = dict(id=POLICY_ID, name='three tier', project_id=PROJECT,
                  options={'rpo': 86400}, rpo_state='missed')
    values.update(changes)
    return types.SimpleNamespace(**values)


_DONE = dict(status='available', captured_at=_delta(12),
             finished_at=_delta(1260),
             stats={'stored_bytes': 3221225472, 'uploaded_bytes': 412090368})

# Event type -> (notifier function name, its arguments after conf).
EVENTS = {
    EventType.CHECKPOINT_CREATE_START: (
        'checkpoint_start', (checkpoint(container=None, bytes_total=0,
                                        warnings=[]),)),
    EventType.CHECKPOINT_CREATE_END: ('checkpoint_end',
                                      (checkpoint(**_DONE),)),
    EventType.CHECKPOINT_CREATE_ERROR: ('checkpoint_error', (checkpoint(
        status='error', container=None, finished_at=_delta(95),
        error='volume db: snapshot went to error'),)),
    EventType.CHECKPOINT_DELETE_END: ('checkpoint_deleted', (checkpoint(
        status='deleting', **{k: v for k, v in _DONE.items()
                              if k != 'status'}),)),
    EventType.RECOVERY_CREATE_START: ('recovery_start', (recovery(),)),
    EventType.RECOVERY_CREATE_END: ('recovery_end', (recovery(
        status='succeeded', rto_seconds=412.6,
        stack_id='8c1f0e2d-4b3a-4c5d-9e6f-7a8b9c0d1e2f',
        finished_at=_delta(3600 + 540)),)),
    EventType.RECOVERY_CREATE_ERROR: ('recovery_error', (recovery(
        status='error', finished_at=_delta(3600 + 30),
        error='no network named private in RegionTwo: map it'),)),
    EventType.SCHEDULE_SKIPPED: ('schedule_skipped', (
        schedule(), 'the previous protection is still running')),
    EventType.SCHEDULE_ERROR: ('schedule_error', (schedule(
        status='error', error='the trust of the schedule no longer works',
        last_result='error',
        last_reason='the trust of the schedule no longer works'),
        'the trust of the schedule no longer works')),
    EventType.POLICY_RPO_MISSED: ('rpo_missed', (policy(), {
        'rpo_seconds': 86400, 'achieved_seconds': 93784.0,
        'state': 'missed', 'newest_checkpoint_id': CHECKPOINT_ID})),
    EventType.RETENTION_PRUNE_END: ('retention_pruned', (policy(), {
        'deleted': [{'id': '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
                     'container': 'dragon_%s_three-tier_20260222T020000Z'
                                  % PROJECT}],
        'kept': 7,
        'errors': ['checkpoint 2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a: '
                   'container not deleted: Swift answered 503']})),
}

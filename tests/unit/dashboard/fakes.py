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

"""A faked Dragon client and API objects for the dashboard tests.

``FakeDragon`` has every manager of ``dragon.client.v1.client.Client``
(found on a real client, so a manager added later is faked too) as an
autospec mock: a call with arguments the real manager does not take
fails the test. Tests set ``return_value``/``side_effect`` and assert
calls; the builders below make API objects with every field the API
shows.
"""

import copy
from typing import Any
from unittest import mock

from dragon.client import exceptions
from dragon.client.v1 import base
from dragon.client.v1 import client as dragon_client

POLICY_ID = 'f7a0c6a4-3b57-4c53-9d8a-6cfb8fe7a001'
CHECKPOINT_ID = '0b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c01'
PROJECT_ID = '1'  # Horizon's test project
SERVER_ID = 'c4f0ad1e-0d34-4b34-9f0a-1d2c3b4a5e01'
VOLUME_ID = 'a9b8c7d6-e5f4-4321-8765-0fedcba98701'


class FakeDragon:
    """Autospec mocks of every manager; ``regions``: regions asked for."""

    def __init__(self) -> None:
        real = dragon_client.Client(mock.Mock(), endpoint_override='http://x')
        self.managers = []
        for name, value in vars(real).items():
            if isinstance(value, base.Manager):
                setattr(self, name,
                        mock.create_autospec(type(value), instance=True))
                self.managers.append(name)
        self.regions: list[str | None] = []


def error(status: int, message: str) -> exceptions.ClientError:
    """What the client raises for an API error answer."""
    return exceptions.ClientError(status, message, 'req-0001')


def schedule(**fields: Any) -> dict:
    value = {
        'id': 'sched-1', 'policy_id': POLICY_ID, 'cron': '0 2 * * *',
        'timezone': 'UTC', 'enabled': True, 'start_at': None,
        'end_at': None, 'jitter': 0, 'misfire_grace': 0,
        'status': 'active', 'error': None, 'user_id': 'u1',
        'next_run_at': '2026-12-05T02:00:00+00:00', 'last_run_at': None,
        'last_result': None, 'last_reason': None,
        'last_checkpoint_id': None, 'run_count': 0, 'skipped_count': 0,
        'missed_count': 0, 'created_at': '2026-12-01T10:00:00+00:00',
        'updated_at': None}
    value.update(fields)
    return value


def member(resource_type: str = 'server', resource_id: str = SERVER_ID,
           **fields: Any) -> dict:
    value = {'resource_type': resource_type, 'resource_id': resource_id,
             'resource_name': 'web-1' if resource_type == 'server'
             else 'data-1',
             'action': ('image_snapshot' if resource_type == 'server'
                        else 'snapshot_data'),
             'options': {}, 'created_at': '2026-12-01T10:00:00+00:00'}
    value.update(fields)
    return value


def policy(**fields: Any) -> dict:
    value = {
        'id': POLICY_ID, 'name': 'web', 'description': 'the web tier',
        'project_id': PROJECT_ID,
        'options': {'consistent': True, 'retention': {'keep_last': 7},
                    'rpo': 3600},
        'members': [member(), member('volume', VOLUME_ID)],
        'schedules': [schedule()],
        'rpo': {'target_seconds': 3600, 'achieved_seconds': 720.0,
                'state': 'ok', 'checkpoint_id': CHECKPOINT_ID,
                'captured_at': '2026-12-04T00:48:00+00:00'},
        'status': 'active',
        'last_drill': {'recovery_id': 'r1', 'status': 'succeeded',
                       'at': '2026-12-03T10:00:00Z', 'rto_seconds': 65.2},
        'created_at': '2026-12-01T10:00:00+00:00', 'updated_at': None}
    value.update(fields)
    return copy.deepcopy(value)


def progress(**fields: Any) -> dict:
    value = {'bytes_done': 0, 'bytes_total': 0, 'percent': 0.0,
             'eta_seconds': None, 'resources_done': 0, 'resources_total': 0,
             'phase': None, 'phase_done': None, 'phase_total': None,
             'bytes_per_second': None}
    value.update(fields)
    return value


def checkpoint(**fields: Any) -> dict:
    value = {
        'id': CHECKPOINT_ID, 'project_id': PROJECT_ID,
        'policy_id': POLICY_ID, 'policy_name': 'web', 'status': 'available',
        'container': 'dragon-cp-' + CHECKPOINT_ID,
        'created_at': '2026-12-04T00:47:00+00:00',
        'captured_at': '2026-12-04T00:48:00+00:00',
        'started_at': '2026-12-04T00:47:01+00:00',
        'finished_at': '2026-12-04T00:50:00+00:00', 'duration': 179.0,
        'engine': 'engine-1', 'error': None,
        'progress': progress(bytes_done=2 << 30, bytes_total=2 << 30,
                             percent=100.0, resources_done=2,
                             resources_total=2),
        'resources': [
            {'key': 'server:' + SERVER_ID, 'type': 'OS::Nova::Server',
             'id': SERVER_ID, 'name': 'web-1', 'action': 'image_snapshot',
             'status': 'done', 'reason': None, 'bytes_done': 1 << 30,
             'bytes_total': 1 << 30},
            {'key': 'volume:' + VOLUME_ID, 'type': 'OS::Cinder::Volume',
             'id': VOLUME_ID, 'name': 'data-1', 'action': 'snapshot_data',
             'status': 'done', 'reason': None, 'bytes_done': 1 << 30,
             'bytes_total': 1 << 30}],
        'stats': {'uploaded_bytes': 1 << 30, 'reused_chunks': 3,
                  'zero_chunks': 10, 'stored_bytes': 900 << 20,
                  'takeovers': 0, 'api_calls': {'compute': 4}},
        'hold': False, 'trigger': 'manual', 'schedule_id': None,
        'verification': None, 'warnings': []}
    value.update(fields)
    return copy.deepcopy(value)


def protecting(**fields: Any) -> dict:
    """A checkpoint half way through its transfer."""
    return checkpoint(**{
        'status': 'protecting', 'captured_at': None, 'finished_at': None,
        'duration': None,
        'progress': progress(bytes_done=1 << 30, bytes_total=4 << 30,
                             percent=25.0, eta_seconds=200.0,
                             resources_done=1, resources_total=2,
                             phase='transferring', phase_done=1,
                             phase_total=2, bytes_per_second=5 << 20),
        **fields})


def protectable(resource_type: str = 'server', resource_id: str = SERVER_ID,
                name: str = 'web-1', **fields: Any) -> dict:
    value = {'type': resource_type, 'id': resource_id, 'name': name,
             'status': 'ACTIVE' if resource_type == 'server'
             else 'in-use', 'policy_id': None, 'policy_name': None}
    value.update(fields)
    return value


def resource_types() -> list[dict]:
    """What ``GET /v1/resource-types`` answers (Dragon's built-in types)."""
    from dragon.protection import registry
    return [t.to_dict() for t in registry.resource_types()]

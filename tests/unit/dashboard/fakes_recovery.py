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

"""API answers of recovery points, recoveries and engines for the view tests."""

import copy
from typing import Any

from tests.unit.dashboard import fakes

CONTAINER = 'dragon_1_web_20261204T004700Z'
RECOVERY_ID = '5d6e7f80-9a1b-4c2d-8e3f-405162738401'
STACK_ID = '9e8d7c6b-5a49-4837-a625-140312f0e001'
SHARED_NET = '3c2b1a09-8f7e-4d6c-b5a4-938271605001'


def recovery_point(**fields: Any) -> dict:
    value = {'container': CONTAINER, 'project_id': fakes.PROJECT_ID,
             'policy_id': fakes.POLICY_ID, 'policy_name': 'web',
             'checkpoint_id': fakes.CHECKPOINT_ID,
             'created_at': '2026-12-04T00:47:00+00:00',
             'finished_at': '2026-12-04T00:50:00+00:00',
             'size': 2 << 30, 'source_region': 'RegionOne',
             'format_version': 1}
    value.update(fields)
    return value


def recovery(**fields: Any) -> dict:
    value = {
        'id': RECOVERY_ID, 'project_id': fakes.PROJECT_ID,
        'status': 'succeeded', 'mode': 'drill',
        'checkpoint_id': None, 'recovery_point': CONTAINER,
        'policy_id': fakes.POLICY_ID, 'policy_name': 'web',
        'target_region': 'RegionTwo', 'mappings': {'name_prefix': 'dr-'},
        'resources': [], 'timeout': None, 'stack_id': STACK_ID,
        'stack_name': 'dragon-recovery-5d6e7f80', 'stack_status':
        'CREATE_COMPLETE', 'torn_down': True, 'restored': {},
        'error': None, 'rto_seconds': 65.2,
        'created_at': '2026-12-04T01:00:00+00:00',
        'started_at': '2026-12-04T01:00:01+00:00',
        'finished_at': '2026-12-04T01:02:00+00:00', 'duration': 119.0,
        'engine': 'regiontwo-engine-1',
        'progress': fakes.progress(bytes_done=2 << 30, bytes_total=2 << 30,
                                   percent=100.0, resources_done=2,
                                   resources_total=2),
        'resource_status': [
            {'key': 'server_web', 'type': 'OS::Nova::Server',
             'id': fakes.SERVER_ID, 'name': 'web-1', 'status': 'done',
             'reason': None, 'target_id': 'new-server-1',
             'bytes_done': 1 << 30, 'bytes_total': 1 << 30}]}
    value.update(fields)
    return copy.deepcopy(value)


def recovering(**fields: Any) -> dict:
    return recovery(**{
        'status': 'recovering', 'stack_id': None, 'stack_name': None,
        'stack_status': None, 'rto_seconds': None, 'finished_at': None,
        'duration': None, 'torn_down': False,
        'progress': fakes.progress(bytes_done=1 << 30, bytes_total=4 << 30,
                                   percent=25.0, eta_seconds=90.0,
                                   phase='restoring', phase_done=1,
                                   phase_total=2, resources_total=2,
                                   bytes_per_second=10 << 20),
        **fields})


def engine(**fields: Any) -> dict:
    value = {'host': 'engine-1', 'topic': 'dragon-engine',
             'version': '1.0.0', 'alive': True,
             'created_at': '2026-12-04T00:00:00+00:00',
             'heartbeat_at': '2026-12-04T01:00:00+00:00',
             'runs': {'checkpoints': 1, 'recoveries': 0}}
    value.update(fields)
    return value


def template(**parameters: Any) -> dict:
    """A checkpoint template answer whose parameter index names sources."""
    index = {
        'server_web_flavor': {'kind': 'flavor', 'node': 'server_web',
                              'default': 'm1.small'},
        'server_web_az': {'kind': 'availability_zone',
                          'node': 'server_web', 'default': 'nova'},
        'server_web_key': {'kind': 'key_name', 'node': 'server_web',
                           'default': 'ops'},
        'port_web_network': {'kind': 'network', 'node': 'port_web',
                             'default': SHARED_NET},
        'router_gw_network': {'kind': 'external_network', 'node': 'router',
                              'default': 'ext-id'},
        'volume_data_type': {'kind': 'volume_type', 'node': 'volume_data',
                             'default': 'lvm'},
    }
    index.update(parameters)
    return {'template': 'heat_template_version: 2021-04-16\n',
            'parameters': index}


TARGET_NETWORKS = [
    {'id': 'net-two-a', 'name': 'shared-two', 'external': False,
     'shared': True},
    {'id': 'ext-two', 'name': 'public', 'external': True, 'shared': True},
]


def awaiting_commit(**fields: Any) -> dict:
    """An in-place restore whose commit-or-rollback window is open."""
    return recovery(**{
        'status': 'awaiting_commit', 'mode': 'in_place', 'stack_id': None,
        'stack_name': None, 'stack_status': None, 'torn_down': False,
        'target_region': 'RegionOne',
        'commit_deadline': '2026-12-04T02:02:00+00:00',
        'replaced': [{'key': 'volume_data', 'name': 'db-data',
                      'old_volume_id': 'old-vol-1',
                      'new_volume_id': 'new-vol-1', 'server_id': 'srv-1',
                      'device': '/dev/vdb', 'state': 'swapped'}],
        **fields})


def failback_awaiting(**fields: Any) -> dict:
    """A failback run awaiting commit: the workload back home."""
    return recovery(**{
        'status': 'awaiting_commit', 'mode': 'failback',
        'policy_id': 'pol-rev', 'policy_name': 'web-failback',
        'target_region': 'RegionOne', 'commit_deadline': None,
        'torn_down': False, **fields})


def reverse_policy(run: dict | None = None, **fields: Any) -> dict:
    """A reverse policy (failback prepare) and its last run, if any."""
    return fakes.policy(**{
        'id': 'pol-rev', 'name': 'web-failback', 'failback': {
            'recovery_id': 'failover-1', 'source_region': 'RegionOne',
            'source_policy_id': fakes.POLICY_ID, 'run': run}, **fields})


FAILBACK_RUN = {
    'status': 'awaiting_commit', 'recovery_id': RECOVERY_ID,
    'checkpoint_id': 'cp-final-1', 'quiesce': 'pause', 'step': 'recover', 'delete_stale': False,
    'quiesced': [{'server_id': 'b-srv-1', 'status_before': 'ACTIVE'}],
    'fenced': [{'server_id': 'a-srv-1', 'status_before': 'ACTIVE',
                'status': 'SHUTOFF'}],
    'home_policy': {'policy_id': fakes.POLICY_ID, 'suspended': True,
                    'status_before': 'active', 'error': None},
    'downtime_seconds': 34.04,
    'data_moved': {'uploaded_bytes': 1048706, 'replicated_bytes': 1078477}}

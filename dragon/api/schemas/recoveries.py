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

"""Schemas of recoveries: the recover request and the responses."""

import copy

from dragon.api.schemas import checkpoints
from dragon.api.schemas import common
from dragon.recovery.in_place import plan as plan_mod
from dragon.recovery.in_place import window
from dragon import statuses

STATUSES = list(statuses.Recovery.ALL)
MODES = ['failover', 'drill', 'in_place']
# Modes only the engine's own services create (failback run).
ALL_MODES = MODES + ['failback']
RESOURCE_STATUSES = list(statuses.Resource.RECOVERY)
MIN_TIMEOUT, MAX_TIMEOUT = 60, 86400

# A target name or id: printable, no path tricks needed (ids go in bodies).
_VALUE = {'type': 'string', 'minLength': 1, 'maxLength': 255,
          'pattern': '^[^\\x00-\\x1f\\x7f]*$'}
_MAP = {'type': 'object', 'maxProperties': 1000,
        'additionalProperties': _VALUE}

MAPPINGS = {
    'type': 'object',
    'additionalProperties': False,
    'description': 'Source value → target value; unmapped values are '
                   'resolved by name in the target where unambiguous.',
    'properties': {
        'networks': {**_MAP, 'description': 'Shared or external source '
                     'network id → target network id or name, or '
                     '"recreate". The project\'s own networks are '
                     'recreated with their subnets; mapping one to a '
                     'target network is refused.'},
        'external_network': _VALUE,
        'flavors': {**_MAP, 'description': 'Source flavor name → target '
                    'flavor id or name. Checkpoints record flavors by '
                    'name; a source no server of the checkpoint has is '
                    'refused.'},
        'availability_zones': _MAP,
        'volume_types': _MAP,
        'key_pairs': _MAP,
        'images': _MAP,
        'name_prefix': {'type': 'string', 'maxLength': 64,
                        'pattern': '^[^\\x00-\\x1f\\x7f]*$'},
    },
}

RECOVERY_CREATE = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['recovery'],
    'properties': {
        'recovery': {
            'type': 'object',
            'additionalProperties': False,
            'properties': {
                'checkpoint_id': common.RESOURCE_ID,
                'recovery_point': {
                    'type': 'string', 'minLength': 1, 'maxLength': 256,
                    'pattern': '^[^/\\x00-\\x1f\\x7f]*$',
                    'description': 'A checkpoint container in Swift '
                                   '(GET /v1/recovery-points).'},
                'target_region': {**_VALUE, 'description': 'Required '
                                  'for failover and drill; in_place goes '
                                  'into the checkpoint\'s own region '
                                  '(another is refused).'},
                'mode': {'type': 'string', 'enum': MODES,
                         'default': 'failover'},
                'dry_run': {'type': 'boolean', 'default': False,
                            'description': 'in_place only: compute the '
                            'plan (what would be replaced, recreated, left '
                            'alone) into the recovery\'s plan and change '
                            'nothing.'},
                'shrink_volumes': {
                    'type': 'boolean', 'default': False,
                    'description': 'in_place only: restore volumes that '
                    'are larger now than in the checkpoint anyway; they '
                    'shrink back to their checkpoint size (refused with '
                    '409 otherwise).'},
                'keep_current_flavor': {
                    'type': 'boolean', 'default': False,
                    'description': 'in_place only: rebuild servers whose '
                    'flavor changed since the checkpoint anyway; they keep '
                    'the flavor they have now, with the checkpoint\'s disk '
                    '(refused with 409 otherwise).'},
                'mappings': MAPPINGS,
                'resources': {
                    'type': 'array', 'maxItems': 1000, 'uniqueItems': True,
                    'items': common.RESOURCE_ID,
                    'description': 'Recover only these servers/volumes '
                                   '(source ids) and what they need.'},
                'timeout': {'type': 'integer', 'minimum': MIN_TIMEOUT,
                            'maximum': MAX_TIMEOUT,
                            'description': 'Seconds the stack may take.'},
            },
        },
    },
}

# POST /v1/recoveries/{id}/failback: the reverse policy of a failover.
FAILBACK_PREPARE = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'failback': {
            'type': 'object',
            'additionalProperties': False,
            'properties': {
                'name': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                         'pattern': '^[^\\x00-\\x1f\\x7f]*$',
                         'description': 'The reverse policy\'s name '
                         '(default: the original\'s with -failback).'},
                'description': {'type': 'string', 'maxLength': 1024},
                'enable_schedules': {
                    'type': 'boolean', 'default': False,
                    'description': 'Enable the copied schedules (those '
                    'enabled in the original); by default they are '
                    'copied disabled.'},
            },
        },
    },
}

# POST /v1/policies/{id}/failback: bring a reverse policy's workload home.
FAILBACK_RUN = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'failback': {
            'type': 'object',
            'additionalProperties': False,
            'properties': {
                'quiesce': {
                    'type': 'string', 'enum': ['pause', 'stop'],
                    'default': 'pause',
                    'description': 'How the workload\'s servers here are '
                    'quiesced for the final checkpoint (they stay so until '
                    'the commit, or a rollback releases them).'},
                'delete_stale': {
                    'type': 'boolean', 'default': False,
                    'description': 'The commit deletes the stale servers '
                    'fenced (stopped) at home; by default they are kept, '
                    'stopped, and listed.'},
            },
        },
    },
}

_STRING_OR_NULL = {'type': ['string', 'null']}

PLAN = {
    'type': ['array', 'null'],
    'description': 'in_place: each data-carrying member of the checkpoint '
                   'and what the restore does to it; null for failover '
                   'and drill, and until the plan is made.',
    'items': {
        'type': 'object',
        'required': ['key', 'type', 'id', 'name', 'action', 'detail',
                     'changes'],
        'properties': {
            'key': {'type': 'string'},
            'type': {'type': 'string'},
            'id': _STRING_OR_NULL,
            'name': _STRING_OR_NULL,
            'current_id': {
                **_STRING_OR_NULL,
                'description': 'The id the member has in the region now: '
                               'id, unless a committed in-place restore '
                               'replaced the volume (or recreated the '
                               'volume or server) since the checkpoint '
                               '(then it is the one in its place).'},
            'action': {'type': 'string', 'enum': list(plan_mod.ACTIONS)},
            'detail': {'type': 'string'},
            'changes': {'type': 'array', 'items': {'type': 'string'},
                        'description': 'How the resource differs from the '
                                       'checkpoint (size, flavor).'},
            'current_status': _STRING_OR_NULL}}}

REPLACED = {
    'type': 'array',
    'description': 'in_place: each volume swapped (kind volume: the '
                   'replaced (old) volume, the restored (new) one, where '
                   'it is attached), each server rebuilt (kind server: '
                   'the image it ran from, the image of its disk saved '
                   'before the rebuild, the restored image it was rebuilt '
                   'from) and each server gone from the region and booted '
                   'again (kind new_server: recreates, the gone server; '
                   'server_id, the new one; the restored image it was '
                   'booted from, none when it boots from a new volume of '
                   'its boot volume\'s data, listed as a volume recreated '
                   'on it; the floating IPs associated with it again) and '
                   'each boot volume re-imaged in place '
                   '(kind boot_volume: volume_id, the boot volume, which '
                   'keeps its id; saved_volume_id, the copy of its data '
                   'from before the restore; server_id and device), and '
                   'its state.',
    'items': {
        'type': 'object',
        'required': ['key', 'kind', 'server_id', 'state'],
        'properties': {
            'key': {'type': 'string'},
            'name': _STRING_OR_NULL,
            'kind': {'type': 'string', 'enum': list(window.KINDS)},
            'old_volume_id': _STRING_OR_NULL,
            'new_volume_id': _STRING_OR_NULL,
            'volume_id': _STRING_OR_NULL,
            'saved_volume_id': _STRING_OR_NULL,
            'recreates': {
                **_STRING_OR_NULL,
                'description': 'a volume or server gone from the region, '
                               'recreated (its id in the checkpoint, or of '
                               'the one a committed in-place restore had '
                               'put in its place since).'},
            'server_id': _STRING_OR_NULL,
            'device': _STRING_OR_NULL,
            'previous_image_id': _STRING_OR_NULL,
            'saved_image_id': _STRING_OR_NULL,
            'restored_image_id': _STRING_OR_NULL,
            'floating_ips': {
                'type': ['array', 'null'],
                'description': 'new_server: the floating IPs the checkpoint '
                               'recorded on its ports that were associated '
                               'with its new ports (a rollback '
                               'disassociates them); one gone or in use '
                               'elsewhere is not, and an event says why.',
                'items': {'type': 'object', 'properties': {
                    'id': {'type': 'string'},
                    'address': _STRING_OR_NULL,
                    'port_id': {'type': 'string'}}}},
            'state': {'type': 'string', 'enum': list(window.STATES)}}}}

RECOVERY = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['id', 'project_id', 'status', 'mode', 'checkpoint_id',
                 'recovery_point', 'policy_id', 'policy_name',
                 'target_region', 'mappings', 'resources', 'timeout',
                 'stack_id', 'stack_name', 'stack_status', 'torn_down',
                 'restored', 'error', 'rto_seconds', 'created_at',
                 'started_at', 'finished_at', 'duration', 'engine',
                 'progress', 'resource_status', 'dry_run', 'plan',
                 'shrink_volumes', 'keep_current_flavor',
                 'commit_deadline', 'window_action',
                 'replaced'],
    'properties': {
        'id': common.UUID,
        'project_id': {'type': 'string'},
        'status': {'type': 'string', 'enum': STATUSES},
        'mode': {'type': 'string', 'enum': ALL_MODES},
        'checkpoint_id': _STRING_OR_NULL,
        'recovery_point': {'type': 'string'},
        'policy_id': _STRING_OR_NULL,
        'policy_name': _STRING_OR_NULL,
        'target_region': {'type': 'string'},
        'mappings': {'type': 'object'},
        'resources': {'type': 'array', 'items': {'type': 'string'}},
        'timeout': {'type': ['integer', 'null']},
        'stack_id': _STRING_OR_NULL,
        'stack_name': _STRING_OR_NULL,
        'stack_status': _STRING_OR_NULL,
        'torn_down': {'type': 'boolean'},
        'restored': {'type': 'object', 'additionalProperties': {
            'type': 'object'},
            'description': 'Node key → {"image_id"|"volume_id": ...}.'},
        'error': _STRING_OR_NULL,
        'rto_seconds': {'type': ['number', 'null'], 'minimum': 0},
        'created_at': common.TIME,
        'started_at': common.TIME_OR_NULL,
        'finished_at': common.TIME_OR_NULL,
        'duration': {'type': ['number', 'null'], 'minimum': 0},
        'engine': _STRING_OR_NULL,
        'progress': common.PROGRESS,
        'dry_run': {'type': 'boolean'},
        'plan': PLAN,
        'shrink_volumes': {'type': 'boolean'},
        'keep_current_flavor': {'type': 'boolean'},
        'commit_deadline': {
            **common.TIME_OR_NULL,
            'description': 'in_place: when the commit window of a restore '
                           'awaiting commit ends ([recovery] '
                           'in_place_window_expiry says what happens '
                           'then); null before the swap.'},
        'window_action': {
            'type': ['string', 'null'], 'enum': [*window.ACTIONS, None],
            'description': 'in_place: how the window is (being) closed: '
                           'commit, rollback, or keep (it expired).'},
        'replaced': REPLACED,
        'resource_status': {'type': 'array', 'items': {
            'type': 'object',
            'required': ['key', 'type', 'id', 'name', 'status', 'reason',
                         'target_id', 'bytes_done', 'bytes_total'],
            'properties': {
                'key': {'type': 'string'},
                'type': {'type': 'string'},
                'id': _STRING_OR_NULL,
                'name': _STRING_OR_NULL,
                'status': {'type': 'string', 'enum': RESOURCE_STATUSES},
                'reason': _STRING_OR_NULL,
                'target_id': _STRING_OR_NULL,
                'bytes_done': common.COUNT,
                'bytes_total': common.COUNT}}},
    },
}

RECOVERY_ONE = {'type': 'object', 'required': ['recovery'],
                'properties': {'recovery': RECOVERY}}

RECOVERY_LIST = {
    'type': 'object', 'required': ['recoveries'],
    'properties': {'recoveries': {'type': 'array', 'items': RECOVERY},
                   'links': {'type': 'array', 'items': {'type': 'object'}}}}

LAST_DRILL = {
    'type': ['object', 'null'],
    'required': ['recovery_id', 'at', 'rto_seconds', 'status'],
    'properties': {
        'recovery_id': {'type': 'string'},
        'at': {'type': 'string', 'format': 'date-time'},
        'rto_seconds': {'type': ['number', 'null'], 'minimum': 0},
        'status': {'type': 'string',
                   'enum': list(statuses.Recovery.ENDED)}},
    'description': 'The latest drill of the policy recorded here.',
}


def all_schemas() -> dict[str, dict]:
    """Request and response schemas by OpenAPI component name (deep copies)."""
    return copy.deepcopy({
        'RecoveryCreateRequest': RECOVERY_CREATE,
        'Recovery': RECOVERY,
        'RecoveryOne': RECOVERY_ONE,
        'FailbackPrepareRequest': FAILBACK_PREPARE,
        'FailbackRunRequest': FAILBACK_RUN,
        'RecoveryList': RECOVERY_LIST,
        'RecoveryEventList': checkpoints.EVENT_LIST,
    })

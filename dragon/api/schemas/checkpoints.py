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

"""Schemas of checkpoints and recovery points: the protect request and the responses."""

import copy

from dragon.api.schemas import common
from dragon import statuses

STATUSES = list(statuses.Checkpoint.ALL)
RESOURCE_STATUSES = list(statuses.Resource.PROTECTION)

# POST /v1/policies/{policy_id}/protect takes no options yet: ``{}`` or
# no body at all.
PROTECT = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {},
}

# PATCH /v1/checkpoints/{checkpoint_id}: put on hold or release.
CHECKPOINT_UPDATE = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['checkpoint'],
    'properties': {'checkpoint': {
        'type': 'object',
        'additionalProperties': False,
        'required': ['hold'],
        'properties': {'hold': {
            'type': 'boolean',
            'description': 'Retention never deletes a checkpoint on hold, '
                           'and it cannot be deleted until released.'}},
    }},
}
TRIGGERS = ['manual', 'schedule']

_TIME = common.TIME
_TIME_OR_NULL = common.TIME_OR_NULL
_INT = common.COUNT

# POST /v1/checkpoints/{id}/verify and /v1/recovery-points/{c}/verify:
# ``{"verify": {"read_data": true}}``, ``{}`` or no body.
VERIFY = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {'verify': {
        'type': 'object', 'additionalProperties': False,
        'properties': {'read_data': {
            'type': 'boolean',
            'description': 'Read and hash every chunk (default: compare '
                           'the container listing with the recorded size '
                           'and md5 of each chunk).'}}}},
}
VERIFICATION_STATUSES = list(statuses.Verification.ALL)
VERIFICATION = {
    'type': 'object',
    'required': ['status', 'read_data', 'started_at', 'finished_at',
                 'chunks_checked', 'bytes_checked', 'problems',
                 'problem_count'],
    'properties': {
        'status': {'type': 'string', 'enum': VERIFICATION_STATUSES},
        'read_data': {'type': 'boolean'},
        'started_at': _TIME_OR_NULL,
        'finished_at': _TIME_OR_NULL,
        'chunks_checked': _INT,
        'bytes_checked': _INT,
        'legacy_chunks': dict(_INT, description=(
            'Chunks stored before Dragon recorded their md5: checked by '
            'presence (and size when uncompressed) unless read.')),
        'problems': {'type': 'array', 'items': {
            'type': 'object', 'required': ['chunk', 'resources', 'problem'],
            'properties': {
                'chunk': {'type': ['string', 'null'],
                          'description': 'sha256 name of the chunk.'},
                'resources': {'type': 'array', 'items': {'type': 'string'},
                              'description': 'Data record keys using it.'},
                'problem': {'type': 'string'}}},
            'description': 'The first 100 problems.'},
        'problem_count': _INT,
        'error': {'type': 'string',
                  'description': 'Why the verification did not finish.'},
    },
}

WARNING = {
    'type': 'object', 'additionalProperties': False,
    'required': ['resource', 'what', 'message'],
    'properties': {
        'resource': {'type': ['string', 'null'],
                     'description': 'Graph key of the resource (null: the '
                                    'checkpoint as a whole).'},
        'what': {'type': ['string', 'null'],
                 'description': 'Warning code, e.g. volume_not_protected.'},
        'message': {'type': 'string'}}}

REPLICATION = {
    'type': ['object', 'null'],
    'description': 'The copy of the checkpoint at its policy\'s replication '
                   'target (null: not replicated). Recovery points at the '
                   'target list it once it is replicated, never before.',
    'required': ['status', 'target_region', 'bytes', 'bytes_total',
                 'percent', 'error'],
    'properties': {
        'status': {'type': ['string', 'null'],
                   'enum': list(statuses.Replication.ALL) + [None]},
        'target_region': {'type': ['string', 'null']},
        'bytes': {**_INT, 'description': 'Bytes copied or found at the '
                  'target so far.'},
        'bytes_total': _INT,
        'percent': {'type': 'integer', 'minimum': 0, 'maximum': 100},
        'copied_bytes': {'type': ['integer', 'null'],
                         'description': 'Of bytes, those actually copied '
                                        '(the rest was at the target).'},
        'error': {'type': ['string', 'null']},
        'attempts': {**_INT, 'description': 'Copies tried so far.'},
        'retry_at': {'type': ['string', 'null'],
                     'description': 'When a failed copy is tried again '
                                    '(null: it is not).'},
        'engine': {'type': ['string', 'null']},
        'started_at': {'type': ['string', 'null']},
        'finished_at': {'type': ['string', 'null']}}}

CHECKPOINT = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['id', 'project_id', 'policy_id', 'policy_name', 'status',
                 'container', 'created_at', 'started_at', 'finished_at',
                 'duration', 'engine', 'error', 'progress', 'resources',
                 'stats', 'hold', 'trigger', 'schedule_id', 'captured_at',
                 'verification', 'replication', 'warnings'],
    'properties': {
        'id': {'type': 'string', 'format': 'uuid'},
        'project_id': {'type': 'string'},
        'policy_id': {'type': 'string'},
        'policy_name': {'type': 'string'},
        'status': {'type': 'string', 'enum': STATUSES},
        'container': {'type': ['string', 'null']},
        'created_at': _TIME,
        'captured_at': {**_TIME_OR_NULL,
                        'description': 'When the data was captured: what '
                                       'retention and the RPO count from.'},
        'started_at': _TIME_OR_NULL,
        'finished_at': _TIME_OR_NULL,
        'duration': {'type': ['number', 'null'], 'minimum': 0,
                     'description': 'Seconds from start to end.'},
        'engine': {'type': ['string', 'null'],
                   'description': 'Host of the engine running it.'},
        'error': {'type': ['string', 'null']},
        'progress': common.PROGRESS,
        'hold': {'type': 'boolean',
                 'description': 'On hold: retention never deletes it.'},
        'trigger': {'type': 'string', 'enum': TRIGGERS},
        'schedule_id': {'type': ['string', 'null'],
                        'description': 'The schedule that started it.'},
        'warnings': {
            'type': 'array',
            'description': 'What the checkpoint does not carry, or carries '
                           'in a form another site may not be able to use; '
                           'empty when it carries everything.',
            'items': WARNING},
        'resources': {'type': 'array', 'items': {
            'type': 'object',
            'required': ['key', 'type', 'id', 'name', 'action', 'status',
                         'reason', 'bytes_done', 'bytes_total'],
            'properties': {
                'key': {'type': 'string'},
                'type': {'type': 'string'},
                'id': {'type': ['string', 'null']},
                'name': {'type': ['string', 'null']},
                'action': {'type': ['string', 'null']},
                'status': {'type': 'string', 'enum': RESOURCE_STATUSES},
                'reason': {'type': ['string', 'null']},
                'bytes_done': _INT, 'bytes_total': _INT}}},
        'stats': {
            'type': 'object',
            'required': ['uploaded_bytes', 'reused_chunks', 'zero_chunks',
                         'stored_bytes'],
            'properties': {'uploaded_bytes': _INT, 'reused_chunks': _INT,
                           'zero_chunks': _INT, 'stored_bytes': _INT,
                           'reused_records': {
                               **_INT, 'description': 'Data records '
                               'referenced from the previous checkpoint '
                               'as they were (stopped, unchanged '
                               'servers).'},
                           'takeovers': {
                               **_INT, 'description': 'Engines that died '
                               'running this checkpoint before another one '
                               'finished it.'},
                           'api_calls': {'type': 'object',
                                         'additionalProperties': _INT}}},
        'verification': dict(
            VERIFICATION, type=['object', 'null'],
            description='The last verification of its data, if any.'),
        'replication': REPLICATION,
    },
}

CHECKPOINT_ONE = {'type': 'object', 'required': ['checkpoint'],
                  'properties': {'checkpoint': CHECKPOINT}}
CHECKPOINT_LIST = {
    'type': 'object', 'required': ['checkpoints'],
    'properties': {'checkpoints': {'type': 'array', 'items': CHECKPOINT},
                   'links': {'type': 'array', 'items': {'type': 'object'}}}}

EVENT_LIST = {
    'type': 'object', 'required': ['events'],
    'properties': {'events': {'type': 'array', 'items': {
        'type': 'object', 'additionalProperties': False,
        'required': ['time', 'level', 'resource', 'message'],
        'properties': {
            'time': _TIME,
            'level': {'type': 'string'},
            'resource': {'type': ['string', 'null']},
            'message': {'type': 'string'}}}}}}

TEMPLATE = {
    'type': 'object', 'required': ['template', 'parameters'],
    'properties': {
        'template': {'type': 'string', 'description': 'HOT, as YAML.'},
        'parameters': {'type': 'object',
                       'description': 'Parameter name → kind, node and '
                                      'source value (default).'}}}

RECOVERY_POINT_LIST = {
    'type': 'object', 'required': ['recovery_points'],
    'properties': {'recovery_points': {'type': 'array', 'items': {
        'type': 'object',
        'required': ['container', 'project_id', 'policy_id', 'policy_name',
                     'created_at', 'finished_at', 'size', 'source_region',
                     'checkpoint_id', 'format_version'],
        'properties': {
            'container': {'type': 'string'},
            'project_id': {'type': 'string'},
            'policy_id': {'type': ['string', 'null']},
            'policy_name': {'type': ['string', 'null']},
            'created_at': {'type': ['string', 'null']},
            'finished_at': {'type': ['string', 'null']},
            'size': _INT,
            'source_region': {'type': ['string', 'null']},
            'checkpoint_id': {'type': ['string', 'null']},
            'format_version': _INT,
            'encrypted': {'type': 'boolean',
                          'description': 'Its data and metadata are '
                                         'encrypted with the customer key.'},
            'key_ref': {'type': ['string', 'null'],
                        'description': 'The customer key reference that '
                                       'wraps its data key.'}}}}}}


RETENTION_PREVIEW = {
    'type': 'object', 'required': ['retention'],
    'properties': {'retention': {
        'type': 'object', 'additionalProperties': False,
        'required': ['rules', 'timezone', 'checkpoints'],
        'properties': {
            'rules': {'type': 'object',
                      'description': 'The policy\'s retention option '
                                     '(max_age in seconds); empty: none.'},
            'timezone': {'type': 'string',
                         'description': 'Time zone of the hourly ... '
                                        'yearly periods.'},
            'checkpoints': {'type': 'array', 'items': {
                'type': 'object', 'additionalProperties': False,
                'required': ['id', 'created_at', 'captured_at', 'status',
                             'hold', 'keep', 'reasons'],
                'properties': {
                    'id': {'type': 'string'},
                    'created_at': _TIME,
                    'captured_at': _TIME_OR_NULL,
                    'status': {'type': 'string', 'enum': STATUSES},
                    'hold': {'type': 'boolean'},
                    'keep': {'type': 'boolean',
                             'description': 'False: retention would '
                                            'delete it now.'},
                    'reasons': {
                        'type': 'array', 'items': {'type': 'string'},
                        'description': 'Every rule that keeps it '
                                       '("keep_last 3", "daily '
                                       '2026-12-01", "on hold", ...); '
                                       '"no rule keeps it" when deleted.'},
                }}},
        }}}}

RECOVERY_POINT_VERIFICATION = {
    'type': 'object', 'required': ['verification'],
    'properties': {'verification': dict(
        VERIFICATION, required=VERIFICATION['required'] + ['container'],
        properties={**VERIFICATION['properties'],
                    'container': {'type': 'string'}})}}


def all_schemas() -> dict[str, dict]:
    """Request and response schemas by OpenAPI component name (deep copies)."""
    return copy.deepcopy({
        'ProtectRequest': PROTECT,
        'CheckpointUpdateRequest': CHECKPOINT_UPDATE,
        'Checkpoint': CHECKPOINT,
        'CheckpointOne': CHECKPOINT_ONE,
        'CheckpointList': CHECKPOINT_LIST,
        'CheckpointEventList': EVENT_LIST,
        'CheckpointTemplate': TEMPLATE,
        'RecoveryPointList': RECOVERY_POINT_LIST,
        'RetentionPreview': RETENTION_PREVIEW,
        'VerifyRequest': VERIFY,
        'RecoveryPointVerification': RECOVERY_POINT_VERIFICATION,
    })

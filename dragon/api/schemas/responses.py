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

"""JSON schemas of the response bodies, for the OpenAPI document and its tests."""

from dragon.api.schemas import checkpoints
from dragon.api.schemas import policies
from dragon.api.schemas import recoveries
from dragon.checkpoint import envelope
from dragon import statuses

TIMESTAMP = {'type': 'string', 'format': 'date-time'}

ERROR = {
    'type': 'object', 'required': ['error'],
    'properties': {'error': {
        'type': 'object', 'required': ['code', 'title', 'message',
                                       'request_id'],
        'properties': {'code': {'type': 'integer'},
                       'title': {'type': 'string'},
                       'message': {'type': 'string'},
                       'request_id': {'type': ['string', 'null']}}}},
}

MEMBER = {
    'type': 'object',
    'required': ['resource_type', 'resource_id', 'resource_name', 'action',
                 'options', 'created_at'],
    'additionalProperties': False,
    'properties': {
        'resource_type': {'type': 'string'},
        'resource_id': {'type': 'string'},
        'resource_name': {'type': 'string'},
        'action': {'type': 'string'},
        'options': {'type': 'object'},
        'created_at': TIMESTAMP,
    },
}

NULLABLE_TIMESTAMP = {'type': ['string', 'null'], 'format': 'date-time'}

SCHEDULE = {
    'type': 'object',
    'required': ['id', 'policy_id', 'cron', 'timezone', 'enabled',
                 'start_at', 'end_at', 'jitter', 'misfire_grace', 'status',
                 'error', 'user_id', 'next_run_at', 'last_run_at',
                 'last_result', 'last_reason', 'last_checkpoint_id',
                 'run_count', 'skipped_count', 'missed_count', 'created_at',
                 'updated_at'],
    'additionalProperties': False,
    'properties': {
        'id': {'type': 'string', 'format': 'uuid'},
        'policy_id': {'type': 'string'},
        'cron': {'type': 'string'},
        'timezone': {'type': 'string'},
        'enabled': {'type': 'boolean'},
        'start_at': NULLABLE_TIMESTAMP,
        'end_at': NULLABLE_TIMESTAMP,
        'jitter': {'type': 'integer'},
        'misfire_grace': {'type': 'integer'},
        'status': {'type': 'string', 'enum': list(statuses.Schedule.ALL)},
        'error': {'type': ['string', 'null']},
        'user_id': {'type': ['string', 'null']},
        'next_run_at': NULLABLE_TIMESTAMP,
        'last_run_at': NULLABLE_TIMESTAMP,
        'last_result': {'type': ['string', 'null'],
                        'enum': [None, *statuses.Tick.ALL]},
        'last_reason': {'type': ['string', 'null']},
        'last_checkpoint_id': {'type': ['string', 'null']},
        'run_count': {'type': 'integer', 'minimum': 0},
        'skipped_count': {'type': 'integer', 'minimum': 0},
        'missed_count': {'type': 'integer', 'minimum': 0},
        'created_at': TIMESTAMP,
        'updated_at': NULLABLE_TIMESTAMP,
    },
}

RPO = {
    'type': ['object', 'null'],
    'required': ['target_seconds', 'achieved_seconds', 'state',
                 'checkpoint_id', 'captured_at'],
    'properties': {
        'target_seconds': {'type': 'integer'},
        'achieved_seconds': {'type': ['number', 'null']},
        'state': {'type': 'string', 'enum': list(statuses.Rpo.ALL)},
        'checkpoint_id': {'type': ['string', 'null']},
        'captured_at': NULLABLE_TIMESTAMP,
    },
}

POLICY = {
    'type': 'object',
    'required': ['id', 'name', 'description', 'project_id', 'options',
                 'members', 'schedules', 'rpo', 'status', 'last_drill',
                 'created_at', 'updated_at'],
    'additionalProperties': False,
    'properties': {
        'id': {'type': 'string', 'format': 'uuid'},
        'name': {'type': 'string'},
        'description': {'type': 'string'},
        'project_id': {'type': 'string'},
        'options': {
            'type': 'object',
            'required': ['consistent', 'retention', 'rpo'],
            'properties': {
                'consistent': {'type': 'boolean'},
                'strict': {'type': 'boolean'},
                'retention': policies.RETENTION,
                'rpo': {'type': ['integer', 'null']},
                'verify_every_days': {'type': ['integer', 'null']},
            }},
        'members': {'type': 'array', 'items': MEMBER},
        'schedules': {'type': 'array', 'items': SCHEDULE},
        'rpo': RPO,
        'status': {'type': 'string', 'enum': list(statuses.Policy.ALL)},
        'last_drill': recoveries.LAST_DRILL,
        'encryption': {
            'type': ['object', 'null'],
            'required': ['key_ref', 'recovery_key_refs'],
            'properties': {
                'key_ref': {'type': 'string'},
                'recovery_key_refs': {
                    'type': 'object',
                    'additionalProperties': {'type': 'string'}},
                'data_key_scope': {'type': 'string',
                                   'enum': list(envelope.SCOPES)},
                'data_key_not_before': {
                    'type': 'string', 'format': 'date-time',
                    'description': 'When the data key was last rotated '
                                   '(rotate_data_key): no data key made '
                                   'before is used; absent if never.'}}},
        'replication': {
            'type': ['object', 'null'],
            'required': ['target_region'],
            'properties': {'target_region': {'type': 'string'}}},
        'failback': {
            'type': ['object', 'null'],
            'description': 'A reverse policy made by failback prepare: the '
                           'failover recovery it protects, where that came '
                           'from, and each member\'s id at the primary '
                           '(source_id); null for other policies.',
            'required': ['recovery_id', 'recovery_point', 'source_region',
                         'members'],
            'properties': {
                'recovery_id': {'type': 'string'},
                'recovery_point': {'type': 'string'},
                'source_region': {'type': 'string'},
                'source_policy_id': {'type': ['string', 'null']},
                'source_policy_name': {'type': ['string', 'null']},
                'stack_id': {'type': ['string', 'null']},
                'prepared_at': {'type': 'string'},
                'run': {
                    'type': 'object',
                    'description': 'The last failback run (POST '
                                   '/v1/policies/{id}/failback): its status, '
                                   'recovery, final checkpoint (null until '
                                   'its engine started it), the servers '
                                   'quiesced here and fenced at home (each '
                                   'with its status before), '
                                   'downtime_seconds, data_moved and error.',
                    'properties': {
                        'status': {'type': 'string'},
                        'recovery_id': {'type': ['string', 'null']},
                        # Both null until the engine quiesces and
                        # starts the final checkpoint (step 1).
                        'checkpoint_id': {'type': ['string', 'null']},
                        'quiesce': {'type': 'string',
                                    'enum': ['pause', 'stop']},
                        'quiesced': {'type': 'array'},
                        'quiesced_at': {'type': ['string', 'null']},
                        'delete_stale': {'type': 'boolean'},
                        'fenced': {'type': 'array'},
                        'downtime_seconds': {'type': ['number', 'null']},
                        'data_moved': {'type': ['object', 'null']},
                        'error': {'type': ['string', 'null']},
                        'closed_at': {'type': ['string', 'null']}}},
                'members': {'type': 'array', 'items': {
                    'type': 'object',
                    'required': ['resource_type', 'resource_id',
                                 'source_id'],
                    'properties': {
                        'resource_type': {'type': 'string'},
                        'resource_id': {'type': 'string'},
                        'source_id': {'type': 'string'}}}}}},
        'encryption_readiness': {
            'type': ['object', 'null'],
            'description': 'GET of one policy only: per region, whether '
                           'the key can be read there now and unwraps '
                           'the newest checkpoint\'s data key.',
            'additionalProperties': {
                'type': 'object',
                'required': ['role', 'key_ref', 'readable', 'unwraps',
                             'reason'],
                'properties': {
                    'role': {'type': 'string',
                             'enum': ['source', 'recovery']},
                    'key_ref': {'type': 'string'},
                    'readable': {'type': 'boolean'},
                    'unwraps': {
                        'type': ['boolean', 'null'],
                        'description': 'Whether the key unwraps the data '
                                       'key of the newest encrypted '
                                       'checkpoint; null: none to try.'},
                    'reason': {'type': ['string', 'null']}}}},
        'dr_ready': {
            'type': ['boolean', 'null'],
            'description': 'GET of one policy only: the key is readable in '
                           'every recovery region named (and at least one '
                           'is); null without encryption.'},
        'created_at': TIMESTAMP,
        'updated_at': {'type': ['string', 'null'], 'format': 'date-time'},
    },
}

LINKS = {
    'type': 'array',
    'items': {'type': 'object', 'required': ['rel', 'href'],
              'properties': {'rel': {'type': 'string'},
                             'href': {'type': 'string'}}},
}

POLICY_ONE = {'type': 'object', 'required': ['policy'],
              'properties': {'policy': POLICY}}
POLICY_LIST = {'type': 'object', 'required': ['policies'],
               'properties': {'policies': {'type': 'array', 'items': POLICY},
                              'links': LINKS}}
POLICY_DELETED = {
    'type': 'object', 'required': ['policy_id', 'kept_checkpoints'],
    'properties': {'policy_id': {'type': 'string'},
                   'kept_checkpoints': {'type': 'integer', 'minimum': 0}}}
SCHEDULE_ONE = {'type': 'object', 'required': ['schedule'],
                'properties': {'schedule': SCHEDULE}}
SCHEDULE_LIST = {'type': 'object', 'required': ['schedules'],
                 'properties': {'schedules': {'type': 'array',
                                              'items': SCHEDULE}}}
MEMBER_ONE = {'type': 'object', 'required': ['member'],
              'properties': {'member': MEMBER}}
MEMBER_LIST = {'type': 'object', 'required': ['members'],
               'properties': {'members': {'type': 'array', 'items': MEMBER}}}

RESOURCE_TYPE_LIST = {
    'type': 'object', 'required': ['resource_types'],
    'properties': {'resource_types': {'type': 'array', 'items': {
        'type': 'object', 'required': ['name', 'actions'],
        'properties': {
            'name': {'type': 'string'},
            'description': {'type': 'string'},
            'actions': {'type': 'array', 'items': {
                'type': 'object',
                'required': ['name', 'default', 'description',
                             'options_schema'],
                'properties': {
                    'name': {'type': 'string'},
                    'default': {'type': 'boolean'},
                    'description': {'type': 'string'},
                    'options_schema': {'type': 'object'}}}}}}}},
}

PROTECTABLE_LIST = {
    'type': 'object', 'required': ['protectables'],
    'properties': {'protectables': {'type': 'array', 'items': {
        'type': 'object',
        'required': ['type', 'id', 'name', 'status', 'policy_id',
                     'policy_name'],
        'additionalProperties': False,
        'properties': {
            'type': {'type': 'string'},
            'id': {'type': 'string'},
            'name': {'type': 'string'},
            'status': {'type': 'string'},
            'policy_id': {'type': ['string', 'null']},
            'policy_name': {'type': ['string', 'null']}}}}},
}

VERSION = {'type': 'object', 'required': ['version'],
           'properties': {'version': {'type': 'object'}}}
OPENAPI = {'type': 'object', 'required': ['openapi', 'paths'],
           'properties': {'openapi': {'type': 'string'},
                          'paths': {'type': 'object'}}}

# POST /v1/recoveries/{id}/failback: the reverse policy and its checkpoint.
_FAILBACK_MEMBER = {
    'type': 'object', 'required': ['resource_type', 'source_id'],
    'properties': {'resource_type': {'type': 'string'},
                   'resource_id': {'type': 'string'},
                   'source_id': {'type': 'string'},
                   'action': {'type': 'string'},
                   'reason': {'type': 'string'}}}
FAILBACK = {
    'type': 'object', 'required': ['failback'],
    'properties': {'failback': {
        'type': 'object',
        'required': ['recovery_id', 'source_region', 'policy', 'checkpoint',
                     'members', 'left_out', 'schedules_copied', 'notes'],
        'properties': {
            'recovery_id': {'type': 'string'},
            'source_region': {'type': 'string'},
            'policy': POLICY,
            'checkpoint': checkpoints.CHECKPOINT,
            'members': {'type': 'array', 'items': _FAILBACK_MEMBER},
            'left_out': {'type': 'array', 'items': _FAILBACK_MEMBER},
            'schedules_copied': {'type': 'integer', 'minimum': 0},
            'notes': {'type': 'array', 'items': {'type': 'string'}}}}}}

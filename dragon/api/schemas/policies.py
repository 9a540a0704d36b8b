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

"""Schemas of the workload policy and member request bodies."""

import copy

from dragon.api.schemas import common
from dragon.checkpoint import envelope
from dragon.common import durations
from dragon.protection import registry
from dragon import statuses

CRON = {
    'type': 'string', 'minLength': 1, 'maxLength': 255,
    'description': 'Five-field cron expression (minute hour day-of-month '
                   'month day-of-week), checked with croniter.',
}

DURATION = {
    'oneOf': [{'type': 'integer', 'minimum': 1, 'maximum': 3153600000},
              {'type': 'string', 'pattern': durations.PATTERN}],
    'description': 'Seconds, or a count with a unit: 90, 15m, 1h, 30d, 2w.',
}

TIMEZONE = {'type': 'string', 'minLength': 1, 'maxLength': 64,
            'description': 'IANA time zone name, e.g. Europe/Berlin.'}

SCHEDULE_FIELDS = {
    'cron': CRON,
    'timezone': TIMEZONE,
    'enabled': {'type': 'boolean'},
    'start_at': {'type': ['string', 'null'], 'format': 'date-time',
                 'maxLength': 64,
                 'description': 'No run before this time (ISO 8601; UTC '
                                'unless it names an offset).'},
    'end_at': {'type': ['string', 'null'], 'format': 'date-time',
               'maxLength': 64,
               'description': 'No run after this time.'},
    'jitter': {
        'oneOf': [{'type': 'integer', 'minimum': 0, 'maximum': 3600},
                  {'type': 'string', 'enum': ['none']}],
        'description': 'Window in seconds of a stable per-policy delay of '
                       'every run, so that policies on the same cron line '
                       'do not all start in the same second; 0 or "none" '
                       'for none.'},
    'misfire_grace': {
        'type': 'integer', 'minimum': 0, 'maximum': 604800,
        'description': 'Seconds after its time within which a tick missed '
                       'while no engine ran is still run (once), on top of '
                       'the engines\' look interval: 0 runs every tick an '
                       'engine was up for and never catches up.'},
}

SCHEDULE = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['cron'],
    'properties': SCHEDULE_FIELDS,
}

SCHEDULE_CHANGE = {
    'type': 'object',
    'additionalProperties': False,
    'minProperties': 1,
    'properties': SCHEDULE_FIELDS,
}

SCHEDULES = {'type': 'array', 'maxItems': 10, 'items': SCHEDULE}

TIER = {'type': 'integer', 'minimum': 0, 'maximum': 100000}

RETENTION = {
    'type': ['object', 'null'],
    'additionalProperties': False,
    'minProperties': 1,
    'properties': {
        'keep_last': {'type': 'integer', 'minimum': 1, 'maximum': 100000,
                      'description': 'Keep the newest N available '
                                     'checkpoints.'},
        'max_age': DURATION,
        'hourly': TIER, 'daily': TIER, 'weekly': TIER, 'monthly': TIER,
        'yearly': TIER,
        'timezone': TIMEZONE,
    },
}

OPTIONS = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'consistent': {
            'type': 'boolean',
            'description': 'Pause the running member servers while '
                           'the captures of their disks and volumes '
                           'start, for one crash-consistent point in '
                           'time; they are unpaused right after. The '
                           'guests are not quiesced (no filesystem '
                           'freeze).'},
        'strict': {
            'type': 'boolean',
            'description': 'Fail a protection whose checkpoint would not '
                           'carry everything (any warning) instead of '
                           'completing it with warnings.'},
        'retention': RETENTION,
        'verify_every_days': {
            'type': ['integer', 'null'], 'minimum': 1, 'maximum': 365,
            'description': 'Every this many days an engine reads back every '
                           'byte of the newest available checkpoint '
                           '(verify --read-data), with the trust of the '
                           'policy\'s schedule; needs an enabled schedule.'},
        'rpo': {
            'oneOf': [{'type': ['integer', 'null'], 'minimum': 1,
                       'maximum': 3153600000},
                      {'type': 'string', 'pattern': durations.PATTERN}],
            'description': 'Target recovery point objective: the oldest '
                           'the newest available checkpoint may be.'},
    },
}

KEY_REF = {'type': 'string', 'minLength': 1, 'maxLength': 255,
           'pattern': r"^[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+$",
           'description': 'A key manager reference: the secret\'s href '
                          'or id in that region\'s Barbican.'}
REGION_NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255}

ENCRYPTION = {
    'type': ['object', 'null'],
    'additionalProperties': False,
    'required': ['key_ref'],
    'properties': {
        'key_ref': dict(KEY_REF, description=(
            'The customer key (an AES-256 Barbican secret) in the region '
            'Dragon protects; it must be readable by the caller.')),
        'recovery_key_refs': {
            'type': 'object', 'maxProperties': 20,
            'propertyNames': REGION_NAME,
            'additionalProperties': KEY_REF,
            'description': 'Per recovery region, the reference of the same '
                           'key in that region\'s key manager (Barbican does '
                           'not replicate between regions).'},
        'data_key_scope': {
            'type': 'string', 'enum': list(envelope.SCOPES),
            'description': 'Whose data key encrypts the checkpoints: the '
                           'project\'s (default; chunks dedup across its '
                           'policies under the same key) or this policy\'s '
                           'own (no chunk shared with another policy). '
                           'Omitted on update: unchanged. It cannot change '
                           'while the policy has checkpoints (409).'},
        'rotate_data_key': {
            'type': 'boolean',
            'description': 'Rotate the data key: the next protection makes '
                           'a new one (a new chunk namespace: everything is '
                           'stored again) and no data key made before this '
                           'request is used again; earlier checkpoints keep '
                           'theirs and recover as before. Recorded as '
                           'data_key_not_before. Refused (400) for a policy '
                           'without encryption.'},
    },
    'description': 'Encrypt this policy\'s checkpoints with the customer\'s '
                   'key; null for none.',
}

REPLICATION = {
    'type': ['object', 'null'],
    'additionalProperties': False,
    'required': ['target_region'],
    'properties': {
        'target_region': dict(REGION_NAME, description=(
            'The region whose own object store receives a copy of each '
            'checkpoint; it must have an object-store endpoint other than '
            'the protected region\'s.')),
    },
    'description': 'Copy each completed checkpoint to another region\'s '
                   'Swift (a site with its own object store); null for '
                   'none.',
}

MEMBER_OPTIONS = {'type': 'object'}  # checked against the action's schema

NEW_MEMBER = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['resource_type', 'resource_id'],
    'properties': {
        'resource_type': {'type': 'string', 'enum': registry.names()},
        'resource_id': common.RESOURCE_ID,
        'action': {'type': 'string', 'minLength': 1, 'maxLength': 64},
        'options': MEMBER_OPTIONS,
    },
}

MEMBER_CHANGE = {
    'type': 'object',
    'additionalProperties': False,
    'minProperties': 1,
    'properties': {
        'action': {'type': 'string', 'minLength': 1, 'maxLength': 64},
        'options': MEMBER_OPTIONS,
    },
}

POLICY_STATUS = {
    'type': 'string', 'enum': list(statuses.Policy.ALL),
    'description': 'suspended: the schedules\' ticks are skipped (each '
                   'recorded as skipped, the schedules and their trusts '
                   'kept); active: they run again. A failback run from '
                   'the backup site suspends the original policy and its '
                   'commit or rollback makes it active again.',
}

POLICY_CREATE = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['policy'],
    'properties': {
        'policy': {
            'type': 'object',
            'additionalProperties': False,
            'required': ['name'],
            'properties': {
                'name': common.NAME,
                'description': common.DESCRIPTION,
                'options': OPTIONS,
                'members': {'type': 'array', 'maxItems': 1000,
                            'items': NEW_MEMBER},
                'schedules': SCHEDULES,
                'encryption': ENCRYPTION,
                'replication': REPLICATION,
            },
        },
    },
}

POLICY_UPDATE = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['policy'],
    'properties': {
        'policy': {
            'type': 'object',
            'additionalProperties': False,
            'minProperties': 1,
            'properties': {
                'name': common.NAME,
                'description': common.DESCRIPTION,
                'options': OPTIONS,
                'schedules': SCHEDULES,
                'encryption': ENCRYPTION,
                'replication': REPLICATION,
                'status': POLICY_STATUS,
            },
        },
    },
}

SCHEDULE_CREATE = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['schedule'],
    'properties': {'schedule': SCHEDULE},
}

SCHEDULE_UPDATE = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['schedule'],
    'properties': {'schedule': SCHEDULE_CHANGE},
}

MEMBER_CREATE = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['member'],
    'properties': {'member': NEW_MEMBER},
}

MEMBER_UPDATE = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['member'],
    'properties': {'member': MEMBER_CHANGE},
}


def all_schemas() -> dict[str, dict]:
    """Request body schemas by OpenAPI component name (deep copies)."""
    return copy.deepcopy({
        'PolicyCreateRequest': POLICY_CREATE,
        'PolicyUpdateRequest': POLICY_UPDATE,
        'MemberCreateRequest': MEMBER_CREATE,
        'MemberUpdateRequest': MEMBER_UPDATE,
        'ScheduleCreateRequest': SCHEDULE_CREATE,
        'ScheduleUpdateRequest': SCHEDULE_UPDATE,
    })

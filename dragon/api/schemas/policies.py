"""Schemas of the workload policy and member request bodies."""

import copy

from dragon.api.schemas import common
from dragon.protection import registry

CRON = {
    'type': 'string', 'maxLength': 255,
    'pattern': '^[0-9A-Za-z*/,?-]+( +[0-9A-Za-z*/,?-]+){4}$',
    'description': 'Five-field cron expression (minute hour day month '
                   'weekday).',
}

SCHEDULE = {
    'type': ['object', 'null'],
    'additionalProperties': False,
    'required': ['cron'],
    'properties': {
        'cron': CRON,
        'timezone': {'type': 'string', 'enum': ['UTC']},
        'enabled': {'type': 'boolean'},
    },
}

RETENTION = {
    'type': ['object', 'null'],
    'additionalProperties': False,
    'minProperties': 1,
    'properties': {
        'max_checkpoints': {'type': 'integer', 'minimum': 1,
                            'maximum': 100000},
        'max_age_days': {'type': 'integer', 'minimum': 1, 'maximum': 36500},
    },
}

OPTIONS = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'consistent': {
            'type': 'boolean',
            'description': 'Pause or quiesce the servers while their '
                           'snapshots are taken.'},
        'schedule': SCHEDULE,
        'retention': RETENTION,
    },
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
            },
        },
    },
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
    })

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

"""Schemas of ``GET /v1/engines``: the engines and the runs they hold."""

import copy

from dragon.api.schemas import common

ENGINE = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['host', 'topic', 'version', 'alive', 'created_at',
                 'heartbeat_at', 'runs'],
    'properties': {
        'host': {'type': 'string',
                 'description': 'The engine\'s [engine] host.'},
        'topic': {'type': 'string'},
        'version': {'type': 'string',
                    'description': 'Dragon version of the engine.'},
        'alive': {'type': 'boolean',
                  'description': 'Its last heartbeat is younger than '
                                 '[engine] service_down_time; a dead '
                                 'engine\'s runs are taken over.'},
        'created_at': common.TIME_OR_NULL,
        'heartbeat_at': common.TIME_OR_NULL,
        'runs': {
            'type': 'object', 'additionalProperties': False,
            'required': ['checkpoints', 'recoveries'],
            'description': 'Runs it holds now: checkpoints protecting or '
                           'deleting, recoveries recovering or deleting.',
            'properties': {'checkpoints': common.COUNT,
                           'recoveries': common.COUNT}},
    },
}

ENGINE_LIST = {
    'type': 'object', 'additionalProperties': False,
    'required': ['engines'],
    'properties': {'engines': {'type': 'array', 'items': ENGINE}},
}


def all_schemas() -> dict[str, dict]:
    """Response schemas by OpenAPI component name (deep copies)."""
    return copy.deepcopy({'Engine': ENGINE, 'EngineList': ENGINE_LIST})

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

"""Arguments commands share: ``<policy>``, typed ``--property`` values."""

import logging
from typing import Any

from dragon.client import exceptions


LOG = logging.getLogger(__name__)


def add_policy_argument(parser: Any) -> None:
    """The ``<policy>`` positional of the commands on one policy's parts."""
    parser.add_argument('policy', metavar='<policy>',
                        help='Policy (name or ID)')


def _coerce(value: str, schema: dict) -> Any:
    kind = schema.get('type')
    kinds = kind if isinstance(kind, list) else [kind]
    if 'boolean' in kinds and value.lower() in ('true', 'false', 'yes', 'no',
                                                '1', '0', 'on', 'off'):
        return value.lower() in ('true', 'yes', '1', 'on')
    if 'integer' in kinds:
        try:
            return int(value)
        except ValueError:
            pass
    if 'number' in kinds:
        try:
            return float(value)
        except ValueError:
            pass
    return value


def member_options(client: Any, resource_type: str, action: str | None,
                   properties: dict[str, str]) -> dict:
    """``--property k=v`` values typed by the action's options schema.

    The command line only has strings; the API validates options against
    the schema each resource type publishes, so integers and booleans are
    converted where that schema says so.  Anything the schema does not
    describe is sent as typed, for the API to accept or refuse.
    """
    if not properties:
        return {}
    try:
        types = client.resource_types.list()
    except exceptions.ClientError as err:
        LOG.debug('No resource types to type --property values: %s', err)
        return dict(properties)
    actions = next((t.get('actions') or [] for t in types
                    if t.get('name') == resource_type), [])
    chosen = next((a for a in actions if a.get('name') == action), None)
    if chosen is None:
        chosen = next((a for a in actions if a.get('default')), {})
    props = (chosen.get('options_schema') or {}).get('properties') or {}
    return {key: _coerce(value, props.get(key) or {})
            for key, value in properties.items()}

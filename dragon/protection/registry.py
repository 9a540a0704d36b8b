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

"""The protectable resource types, their actions and options schemas.

The types are plugins (``dragon.resource_types``, one entry point each):
this module is what the API and the services ask, and the vocabulary the
built-in types share.
"""

from dragon import resource_types as types_mod
from dragon.resource_types.base import Action
from dragon.resource_types.base import ResourceType

SERVER = 'server'
VOLUME = 'volume'
TEMPLATE_ONLY = 'template_only'
# Server member option: what becomes of volumes attached to the server
# that are not members themselves.
ATTACHED_VOLUMES = 'attached_volumes'
PROTECT = 'protect'
ATTACHED_VOLUMES_SCHEMA = {
    'type': 'string', 'enum': [PROTECT, TEMPLATE_ONLY], 'default': PROTECT,
    'description': 'Attached volumes that are not members themselves: '
                   '"protect" takes their data with the volume type\'s '
                   'default action; "template_only" recreates them empty '
                   '(and the checkpoint names each in its warnings).'}

__all__ = ['Action', 'ResourceType', 'get', 'names', 'resource_types']


def resource_types() -> tuple[ResourceType, ...]:
    """Return every protectable resource type (the installed plugins)."""
    return types_mod.all_types()


def names() -> list[str]:
    return types_mod.names()


def get(name: str) -> ResourceType:
    """Return the resource type ``name``.

    :raises dragon.exception.UnknownResourceType:
    """
    return types_mod.get(name)

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

"""Data actions: how each resource type's bytes get into a checkpoint.

Each resource type's plugin (``dragon.resource_types``) names its data
actions; ``get()`` is the only way to load one.
"""

from dragon import exception
from dragon.protection.data.base import DataAction
from dragon.protection.data.base import DataContext
from dragon import resource_types

__all__ = ['DataAction', 'DataContext', 'get']


def get(resource_type: str, action: str) -> DataAction:
    """The data action ``<resource_type>.<action>``, instantiated.

    :raises dragon.exception.UnknownDataAction: no such type or action.
    """
    try:
        plugin = resource_types.get(resource_type)
    except exception.UnknownResourceType:
        raise exception.UnknownDataAction(
            name='%s.%s' % (resource_type, action)) from None
    return plugin.data_action(action)

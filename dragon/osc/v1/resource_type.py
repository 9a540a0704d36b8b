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

"""``openstack dr resource type list``."""

from typing import Any

from osc_lib.command import command

from dragon.osc.v1 import constants
from dragon.osc.v1 import errors
from dragon.osc.v1 import output


class ListResourceType(errors.DragonCommand, command.Lister):
    """List the resource types Dragon protects and their actions"""

    def take_action(self, parsed_args: Any) -> tuple:
        spec = constants.RESOURCE_TYPE_LIST_COLUMNS
        rows = []
        for resource_type in self.app.client_manager.dr.resource_types.list():
            for action in resource_type.get('actions') or ():
                rows.append(output.row({
                    'type': resource_type.get('name'),
                    'action': action.get('name'),
                    'default': bool(action.get('default')),
                    'description': action.get('description'),
                }, spec))
        return output.headings(spec), rows

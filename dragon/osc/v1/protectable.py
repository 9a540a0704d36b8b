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

"""``openstack dr protectable list``."""

from typing import Any

from osc_lib.command import command

from dragon.osc.v1 import constants
from dragon.osc.v1 import errors
from dragon.osc.v1 import output


class ListProtectable(errors.DragonCommand, command.Lister):
    """List the resources a policy could protect (servers, volumes, ...)"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        parser.add_argument('--type', metavar='<resource-type>',
                            dest='resource_type',
                            help="Only resources of this type (see "
                                 "'openstack dr resource type list')")
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        spec = constants.PROTECTABLE_LIST_COLUMNS
        rows = []
        for item in self.app.client_manager.dr.protectables.list(
                parsed_args.resource_type):
            item = dict(item)
            item['policy'] = item.get('policy_name') or item.get('policy_id')
            rows.append(output.row(item, spec))
        return output.headings(spec), rows

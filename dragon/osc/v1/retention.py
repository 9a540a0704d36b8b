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

"""``openstack dr policy retention preview``: what retention would delete."""

from typing import Any

from osc_lib.command import command

from dragon.osc.v1 import arguments
from dragon.osc.v1 import columns
from dragon.osc.v1 import constants
from dragon.osc.v1 import errors
from dragon.osc.v1 import output


class PreviewRetention(errors.DragonCommand, command.Lister):
    """Show what retention would delete now, and why each checkpoint is kept"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        arguments.add_policy_argument(parser)
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        client = self.app.client_manager.dr
        policy = client.policies.find(parsed_args.policy)
        preview = client.policies.retention_preview(policy['id'])
        spec = constants.RETENTION_PREVIEW_COLUMNS
        rows = []
        for checkpoint in preview.get('checkpoints') or ():
            shown = dict(checkpoint, captured=checkpoint.get('captured_at')
                         or checkpoint.get('created_at'))
            rows.append(output.row(
                shown, spec, {'reasons': columns.ReasonsColumn}))
        return output.headings(spec), rows

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

"""``openstack dr recovery point list|verify``."""

from typing import Any

from osc_lib.command import command

from dragon.osc.v1 import checkpoint
from dragon.osc.v1 import columns
from dragon.osc.v1 import constants
from dragon.osc.v1 import errors
from dragon.osc.v1 import output


class ListRecoveryPoint(errors.DragonCommand, command.Lister):
    """List complete checkpoints as Swift holds them (works without the source database)"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        # Passed through, not looked up: at a backup site Dragon's database
        # may know nothing of the policy, while Swift still does.
        parser.add_argument('--policy', metavar='<policy>',
                            help='Only recovery points of this policy '
                                 '(name or ID)')
        parser.add_argument('--long', action='store_true', default=False,
                            help='List additional fields in output')
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        spec = constants.RECOVERY_POINT_LIST_COLUMNS
        if parsed_args.long:
            spec += constants.RECOVERY_POINT_LIST_LONG_COLUMNS
        points = self.app.client_manager.dr.recovery_points.list(
            policy=parsed_args.policy)
        return (output.headings(spec),
                [output.row(p, spec, columns.RECOVERY_POINT_FORMATTERS)
                 for p in points])


class VerifyRecoveryPoint(errors.DragonCommand, command.ShowOne):
    """Verify a recovery point's chunks against the Swift listing (no database needed)"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        parser.add_argument('container', metavar='<container>',
                            help='Container of the recovery point (see '
                                 'openstack dr recovery point list)')
        parser.add_argument(
            '--read-data', action='store_true', default=False,
            help='Refused by the API for recovery points (a request does '
                 'not read them whole): verify the checkpoint with '
                 '--read-data, or ask an operator for dragon-manage chunks '
                 'check --read-data')
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        client = self.app.client_manager.dr
        # --read-data goes to the API, which refuses it (400) with advice.
        verification = client.recovery_points.verify(
            parsed_args.container, read_data=parsed_args.read_data)
        return checkpoint.judge_verification(
            self, parsed_args, checkpoint.show_verification(verification),
            verification, 'Recovery point %s' % parsed_args.container)

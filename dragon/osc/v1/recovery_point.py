"""``openstack dr recovery point list``."""

from typing import Any

from osc_lib.command import command

from dragon.osc.v1 import common
from dragon.osc.v1 import constants


class ListRecoveryPoint(common.DragonCommand, command.Lister):
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
        return (common.headings(spec),
                [common.row(p, spec, common.RECOVERY_POINT_FORMATTERS)
                 for p in points])

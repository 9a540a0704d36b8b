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

"""``openstack dr policy schedule add|list|show|set|remove``."""

from typing import Any

from osc_lib.command import command

from dragon.osc.v1 import arguments
from dragon.osc.v1 import constants
from dragon.osc.v1 import errors
from dragon.osc.v1 import output


def add_timing_arguments(parser: Any, for_set: bool = False) -> None:
    """The schedule fields as options (``--cron`` is ``add``'s argument)."""
    if for_set:
        parser.add_argument('--cron', metavar='<cron>',
                            help='New five-field cron line')
    parser.add_argument(
        '--timezone', metavar='<zone>',
        help='IANA time zone the cron line is read in, e.g. Europe/Berlin '
             '(default: UTC)')
    enabled = parser.add_mutually_exclusive_group()
    enabled.add_argument('--enable', dest='enabled', action='store_true',
                         default=None, help='Run the schedule')
    enabled.add_argument('--disable', dest='enabled', action='store_false',
                         help='Keep the schedule but do not run it')
    parser.add_argument('--start-at', metavar='<time>',
                        help='No run before this ISO 8601 time')
    parser.add_argument('--end-at', metavar='<time>',
                        help='No run after this ISO 8601 time')
    parser.add_argument(
        '--jitter', metavar='<seconds>', type=int,
        help='Delay every run by a stable per-policy offset within this '
             'many seconds (0: none)')
    parser.add_argument(
        '--misfire-grace', metavar='<seconds>', type=int,
        help='Run a tick missed while no engine ran once, if it is at most '
             'this old')


def timing_fields(parsed_args: Any) -> dict:
    fields = {'cron': getattr(parsed_args, 'cron', None),
              'timezone': parsed_args.timezone,
              'enabled': parsed_args.enabled,
              'start_at': parsed_args.start_at,
              'end_at': parsed_args.end_at,
              'jitter': parsed_args.jitter,
              'misfire_grace': parsed_args.misfire_grace}
    return {k: v for k, v in fields.items() if v is not None}


def add_policy_and_schedule(parser: Any) -> None:
    arguments.add_policy_argument(parser)
    parser.add_argument('schedule', metavar='<schedule-id>',
                        help='Schedule ID')


def _show(schedule: dict) -> tuple:
    return (output.headings(constants.SCHEDULE_COLUMNS),
            output.row(schedule, constants.SCHEDULE_COLUMNS))


class AddSchedule(errors.DragonCommand, command.ShowOne):
    """Add a schedule to a workload policy"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        arguments.add_policy_argument(parser)
        parser.add_argument('cron', metavar='<cron>',
                            help='Five-field cron line, e.g. "0 */4 * * *"')
        add_timing_arguments(parser)
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        client = self.app.client_manager.dr
        policy = client.policies.find(parsed_args.policy)
        fields = timing_fields(parsed_args)
        return _show(client.schedules.create(policy['id'],
                                             parsed_args.cron, **fields))


class ListSchedule(errors.DragonCommand, command.Lister):
    """List the schedules of a workload policy"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        arguments.add_policy_argument(parser)
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        client = self.app.client_manager.dr
        policy = client.policies.find(parsed_args.policy)
        columns = constants.SCHEDULE_LIST_COLUMNS
        return (output.headings(columns),
                [output.row(s, columns)
                 for s in client.schedules.list(policy['id'])])


class ShowSchedule(errors.DragonCommand, command.ShowOne):
    """Show a schedule: next run, last result, counts"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        add_policy_and_schedule(parser)
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        client = self.app.client_manager.dr
        policy = client.policies.find(parsed_args.policy)
        return _show(client.schedules.get(policy['id'],
                                          parsed_args.schedule))


class SetSchedule(errors.DragonCommand, command.ShowOne):
    """Change, enable or disable a schedule (you become its owner)"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        add_policy_and_schedule(parser)
        add_timing_arguments(parser, for_set=True)
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        client = self.app.client_manager.dr
        policy = client.policies.find(parsed_args.policy)
        # An empty change still renews the owner's trust and restarts a
        # schedule in error: that is how an operator revives one.
        return _show(client.schedules.update(
            policy['id'], parsed_args.schedule,
            **(timing_fields(parsed_args) or {'enabled': True})))


class RemoveSchedule(errors.DragonCommand, command.Command):
    """Remove a schedule (and its trust) from a workload policy"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        add_policy_and_schedule(parser)
        return parser

    def take_action(self, parsed_args: Any) -> None:
        client = self.app.client_manager.dr
        policy = client.policies.find(parsed_args.policy)
        client.schedules.delete(policy['id'], parsed_args.schedule)

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

"""``openstack dr policy member add|list|set|remove``."""

from typing import Any

from osc_lib.cli import parseractions
from osc_lib.command import command

from dragon.osc.v1 import arguments
from dragon.osc.v1 import columns
from dragon.osc.v1 import constants
from dragon.osc.v1 import errors
from dragon.osc.v1 import output


def _add_policy_and_resource(parser: Any, verb: str) -> None:
    arguments.add_policy_argument(parser)
    parser.add_argument('resource_id', metavar='<resource-id>',
                        help='ID of the resource (server, volume, '
                             'container name, ...) to %s' % verb)


def _add_action_and_properties(parser: Any) -> None:
    parser.add_argument(
        '--action', metavar='<action>',
        help="How to protect the resource (see 'openstack dr resource type "
             "list'); default: the type's default action")
    parser.add_argument(
        '--property', metavar='<key=value>', dest='properties',
        action=parseractions.KeyValueAction, default={},
        help='An option of the action (repeat for more)')


class AddPolicyMember(errors.DragonCommand, command.ShowOne):
    """Add a resource to a workload policy"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        _add_policy_and_resource(parser, 'protect')
        # Not argparse choices: the types come from the API's protection
        # plugins ('openstack dr resource type list'), which may grow.
        parser.add_argument('--type', metavar='<resource-type>',
                            dest='resource_type', required=True,
                            help="Resource type (see 'openstack dr resource "
                                 "type list')")
        _add_action_and_properties(parser)
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        client = self.app.client_manager.dr
        policy = client.policies.find(parsed_args.policy)
        options = arguments.member_options(
            client, parsed_args.resource_type, parsed_args.action,
            parsed_args.properties)
        member = client.members.add(
            policy['id'], parsed_args.resource_type, parsed_args.resource_id,
            action=parsed_args.action, options=options or None)
        return (output.headings(constants.MEMBER_COLUMNS),
                output.row(member, constants.MEMBER_COLUMNS,
                           columns.MEMBER_FORMATTERS))


class ListPolicyMember(errors.DragonCommand, command.Lister):
    """List the resources a workload policy protects"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        arguments.add_policy_argument(parser)
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        client = self.app.client_manager.dr
        policy = client.policies.find(parsed_args.policy)
        spec = constants.MEMBER_LIST_COLUMNS
        return (output.headings(spec),
                [output.row(m, spec, columns.MEMBER_FORMATTERS)
                 for m in client.members.list(policy['id'])])


class SetPolicyMember(errors.DragonCommand, command.Command):
    """Set how a workload policy protects one of its resources"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        _add_policy_and_resource(parser, 'modify')
        _add_action_and_properties(parser)
        return parser

    def take_action(self, parsed_args: Any) -> None:
        if parsed_args.action is None and not parsed_args.properties:
            return
        client = self.app.client_manager.dr
        policy = client.policies.find(parsed_args.policy)
        current = next((m for m in policy.get('members') or ()
                        if m.get('resource_id') == parsed_args.resource_id),
                       {})
        action = parsed_args.action or current.get('action')
        options = None
        if parsed_args.properties:
            # --property adds to or overrides the member's options, so the
            # whole object is sent whether the API merges or replaces it;
            # options of the old action do not carry over to a new one.
            options = {}
            if action == current.get('action'):
                options.update(current.get('options') or {})
            options.update(arguments.member_options(
                client, current.get('resource_type'), action,
                parsed_args.properties))
        client.members.update(policy['id'], parsed_args.resource_id,
                              action=parsed_args.action, options=options)


class RemovePolicyMember(errors.DragonCommand, command.Command):
    """Remove a resource from a workload policy"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        _add_policy_and_resource(parser, 'remove')
        return parser

    def take_action(self, parsed_args: Any) -> None:
        client = self.app.client_manager.dr
        policy = client.policies.find(parsed_args.policy)
        client.members.remove(policy['id'], parsed_args.resource_id)

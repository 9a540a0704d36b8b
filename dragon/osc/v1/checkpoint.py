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

"""``openstack dr policy protect`` and ``openstack dr checkpoint ...``."""

import json
import re
from typing import Any

from osc_lib.command import command
from osc_lib import exceptions as osc_exceptions

from dragon.client import exceptions
from dragon.osc.v1 import columns
from dragon.osc.v1 import constants
from dragon.osc.v1 import errors
from dragon.osc.v1 import output
from dragon.osc.v1 import waiting

_UUID = re.compile(r'[0-9a-f]{8}-?([0-9a-f]{4}-?){3}[0-9a-f]{12}', re.I)


def _show(checkpoint: dict) -> tuple:
    return (output.headings(constants.CHECKPOINT_COLUMNS),
            output.row(checkpoint, constants.CHECKPOINT_COLUMNS,
                       columns.checkpoint_formatters(checkpoint)))


def _add_checkpoint_argument(parser: Any, verb: str) -> None:
    parser.add_argument('checkpoint', metavar='<checkpoint>',
                        help='ID of the checkpoint to %s' % verb)


def policy_id_for_filter(client: Any, name_or_id: str) -> str:
    """The ID of the policy named or identified by ``name_or_id``.

    Checkpoints outlive their policy, so the ID of a deleted policy is
    taken as given rather than refused.
    """
    try:
        return client.policies.find(name_or_id)['id']
    except exceptions.ClientError as err:
        if err.status == 404 and _UUID.fullmatch(name_or_id):
            return name_or_id
        raise


class ProtectPolicy(waiting.Waiting, errors.DragonCommand, command.ShowOne):
    """Protect a workload policy now: start a checkpoint of its resources"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        parser.add_argument('policy', metavar='<policy>',
                            help='Policy to protect (name or ID)')
        parser.add_argument(
            '--wait', action='store_true', default=False,
            help='Wait for the checkpoint to finish, showing its progress '
                 'on stderr; exit non-zero if it fails')
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        client = self.app.client_manager.dr
        policy = client.policies.find(parsed_args.policy)
        checkpoint = client.checkpoints.protect(policy['id'])
        if not parsed_args.wait:
            return _show(checkpoint)
        checkpoint_id = checkpoint['id']
        checkpoint = self.follow(
            lambda: client.checkpoints.get(checkpoint_id), checkpoint,
            busy=('queued', 'protecting'),
            header='Protecting policy %s: checkpoint %s' % (
                policy.get('name') or policy['id'], checkpoint_id),
            work='protection',
            show_command='openstack dr checkpoint show %s' % checkpoint_id)
        return self.outcome(
            parsed_args, _show(checkpoint), checkpoint, 'available',
            'Checkpoint %s of policy %s' % (
                checkpoint['id'], policy.get('name') or policy['id']))


class ListCheckpoint(errors.DragonCommand, command.Lister):
    """List checkpoints, newest first"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        parser.add_argument('--policy', metavar='<policy>',
                            help='Only checkpoints of this policy (name or '
                                 'ID; the ID of a deleted policy works too)')
        parser.add_argument(
            '--status', metavar='<status>',
            help='Only checkpoints in this status: queued, protecting, available, '
                 'error or deleting')
        parser.add_argument('--limit', metavar='<limit>', type=int,
                            help='Show at most this many checkpoints')
        parser.add_argument('--marker', metavar='<checkpoint-id>',
                            help='Start after the checkpoint with this ID')
        parser.add_argument('--all-projects', action='store_true',
                            default=False,
                            help='Checkpoints of all projects (admin only)')
        parser.add_argument('--long', action='store_true', default=False,
                            help='List additional fields in output')
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        client = self.app.client_manager.dr
        policy_id = None
        if parsed_args.policy is not None:
            policy_id = policy_id_for_filter(client, parsed_args.policy)
        checkpoints = client.checkpoints.list(
            policy_id=policy_id, status=parsed_args.status,
            limit=parsed_args.limit, marker=parsed_args.marker,
            all_projects=parsed_args.all_projects,
            # Without --limit, every page; with it, the one page asked for.
            all_pages=parsed_args.limit is None)
        spec = constants.CHECKPOINT_LIST_COLUMNS
        if parsed_args.all_projects or parsed_args.long:
            spec += constants.CHECKPOINT_LIST_PROJECT_COLUMNS
        if parsed_args.long:
            spec += constants.CHECKPOINT_LIST_LONG_COLUMNS
        return output.headings(spec), output.progress_rows(
            checkpoints, spec, columns.checkpoint_formatters)


class ShowCheckpoint(errors.DragonCommand, command.ShowOne):
    """Show a checkpoint: status, progress and each resource's state"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        _add_checkpoint_argument(parser, 'show')
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        return _show(self.app.client_manager.dr.checkpoints.get(
            parsed_args.checkpoint))


class SetCheckpoint(errors.DragonCommand, command.ShowOne):
    """Put a checkpoint on hold (retention never deletes it) or release it"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        _add_checkpoint_argument(parser, 'change')
        hold = parser.add_mutually_exclusive_group(required=True)
        hold.add_argument(
            '--hold', dest='hold', action='store_true', default=None,
            help='Put the checkpoint on hold: retention never deletes it '
                 'and it cannot be deleted until released')
        hold.add_argument('--no-hold', dest='hold', action='store_false',
                          help='Release the hold')
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        return _show(self.app.client_manager.dr.checkpoints.update(
            parsed_args.checkpoint, hold=parsed_args.hold))


class DeleteCheckpoint(errors.DragonCommand, command.Command):
    """Delete checkpoints (their data goes at the next chunk clean-up)"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        parser.add_argument('checkpoints', metavar='<checkpoint>', nargs='+',
                            help='IDs of the checkpoints to delete')
        return parser

    def take_action(self, parsed_args: Any) -> None:
        errors.delete_each(parsed_args.checkpoints,
                           self.app.client_manager.dr.checkpoints.delete,
                           'checkpoints')


class ListCheckpointEvent(errors.DragonCommand, command.Lister):
    """List the step log of a checkpoint"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        _add_checkpoint_argument(parser, 'list the events of')
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        return output.events_table(
            self.app.client_manager.dr.checkpoints.events(
                parsed_args.checkpoint))


class ShowCheckpointTemplate(errors.DragonCommand, command.Command):
    """Print the Heat template of a checkpoint"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        _add_checkpoint_argument(parser, 'print the template of')
        parser.add_argument(
            '-f', '--format', dest='formatter', choices=('yaml', 'json'),
            default='yaml',
            help='yaml (default): the HOT template exactly as stored; json: '
                 'an object with the template and its parameters index')
        return parser

    def take_action(self, parsed_args: Any) -> None:
        found = self.app.client_manager.dr.checkpoints.template(
            parsed_args.checkpoint) or {}
        if parsed_args.formatter == 'json':
            self.app.stdout.write(json.dumps(
                {'template': found.get('template'),
                 'parameters': found.get('parameters') or {}},
                indent=4, sort_keys=True) + '\n')
            return
        text = found.get('template') or ''
        self.app.stdout.write(text if text.endswith('\n') or not text
                              else text + '\n')


def show_verification(verification: dict) -> tuple:
    return (output.headings(constants.VERIFICATION_COLUMNS),
            output.row(verification, constants.VERIFICATION_COLUMNS,
                       columns.VERIFICATION_FORMATTERS))


def judge_verification(command_: Any, parsed_args: Any, shown: tuple,
                       verification: dict, subject: str) -> tuple:
    """``shown`` if nothing was found; else print it and fail (exit 1)."""
    status = verification.get('status')
    if status == 'ok':
        return shown
    command_.produce_output(parsed_args, *shown)
    if status == 'error':
        reason = 'could not be verified: %s' % verification.get('error')
    else:
        reason = 'is %s: %d problems' % (
            status, verification.get('problem_count') or 0)
    raise osc_exceptions.CommandError('Error: %s %s' % (subject, reason))


class VerifyCheckpoint(waiting.Waiting, errors.DragonCommand,
                       command.ShowOne):
    """Verify that a checkpoint's data is intact in Swift"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        _add_checkpoint_argument(parser, 'verify')
        parser.add_argument(
            '--read-data', action='store_true', default=False,
            help='Read and hash every chunk (long: all the stored bytes); '
                 'default: compare the Swift listing with the recorded '
                 'size and checksum of every chunk (seconds)')
        parser.add_argument(
            '--wait', action='store_true', default=False,
            help='Wait for the result and show it; exit non-zero if '
                 'problems were found')
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        client = self.app.client_manager.dr
        checkpoint = client.checkpoints.verify(parsed_args.checkpoint,
                                               parsed_args.read_data)
        if not parsed_args.wait:
            return _show(checkpoint)
        checkpoint_id = checkpoint['id']
        verification = checkpoint.get('verification') or {}
        self.app.stderr.write('Verifying checkpoint %s%s\n' % (
            checkpoint_id, ' (reading every chunk)'
            if parsed_args.read_data else ''))
        try:
            while verification.get('status') == 'running':
                self.clock.sleep(2.0)
                verification = client.checkpoints.get(
                    checkpoint_id).get('verification') or {}
        except KeyboardInterrupt:
            self.app.stderr.write(
                "Stopped waiting; the verification continues on the "
                "server. Follow it with 'openstack dr checkpoint show "
                "%s'.\n" % checkpoint_id)
            raise
        return judge_verification(
            self, parsed_args, show_verification(verification), verification,
            'Checkpoint %s' % checkpoint_id)

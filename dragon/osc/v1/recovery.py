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

"""``openstack dr recovery create|list|show|delete|commit|rollback|event list``."""

import argparse
from typing import Any

from osc_lib.command import command
from osc_lib import exceptions as osc_exceptions

from dragon.checkpoint import naming
from dragon.client.v1 import recoveries
from dragon.osc.v1 import columns
from dragon.osc.v1 import constants
from dragon.osc.v1 import errors
from dragon.osc.v1 import output
from dragon.osc.v1 import waiting

RECREATE = 'recreate'
SUCCEEDED = 'succeeded'
AWAITING_COMMIT = 'awaiting_commit'

# (option, key of the API's mappings, metavar, what it maps).
MAP_OPTIONS = (
    ('--network-map', 'networks', '<source-network-id=target-network>',
     'a shared or external source network (its ID) to a target network '
     '(ID or name), or to "%s" for a new network like it; the project\'s '
     'own networks are always recreated with their subnets and cannot be '
     'mapped' % RECREATE),
    ('--flavor-map', 'flavors', '<source-flavor-name=target-flavor>',
     'a source flavor, by name (checkpoints record flavor names, not IDs), '
     'to a target flavor (name or ID); a name no server of the checkpoint '
     'has is refused'),
    ('--az-map', 'availability_zones', '<source-az=target-az>',
     'a source availability zone to a target one'),
    ('--volume-type-map', 'volume_types', '<source-type=target-type>',
     'a source volume type to a target one'),
    ('--key-pair-map', 'key_pairs', '<source-key=target-key>',
     'a source key pair name to a target one'),
    ('--image-map', 'images', '<source-image=target-image>',
     'a source image (ID or name) of a template-only server to a target '
     'image'),
)


def parse_pair(text: str) -> tuple[str, str]:
    """``SRC=DST`` as ``(SRC, DST)``; both sides must be there."""
    source, sep, target = text.partition('=')
    source, target = source.strip(), target.strip()
    if not sep or not source or not target:
        raise ValueError("'%s' is not SOURCE=TARGET" % text)
    return source, target


class MapAction(argparse.Action):
    """Collects a repeated ``--x-map SRC=DST`` into one dict.

    The same source mapped to two different targets is refused rather
    than one of them silently winning.
    """

    def __call__(self, parser: Any, namespace: Any, values: Any,
                 option_string: str | None = None) -> None:
        try:
            source, target = parse_pair(values)
        except ValueError as err:
            raise argparse.ArgumentError(self, str(err))
        mapping = dict(getattr(namespace, self.dest, None) or {})
        if mapping.get(source, target) != target:
            raise argparse.ArgumentError(
                self, "'%s' is mapped to both '%s' and '%s'" % (
                    source, mapping[source], target))
        mapping[source] = target
        setattr(namespace, self.dest, mapping)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(
            "'%s' is not a whole number of seconds above 0" % text)
    return value


def source_of(text: str) -> dict:
    """What to recover: a checkpoint container name is a recovery point.

    Recovery points are read from Swift alone (the backup site's database
    may never have seen the checkpoint); anything else is a checkpoint ID.
    """
    if naming.parse(text) is not None:
        return {'recovery_point': text}
    return {'checkpoint_id': text}


def mappings_of(parsed_args: Any) -> dict:
    """The ``mappings`` of the request: only what was given."""
    mappings = {key: getattr(parsed_args, key)
                for _option, key, _metavar, _what in MAP_OPTIONS
                if getattr(parsed_args, key)}
    if parsed_args.external_network:
        mappings['external_network'] = parsed_args.external_network
    if parsed_args.name_prefix:
        mappings['name_prefix'] = parsed_args.name_prefix
    return mappings


def mode_of(parsed_args: Any) -> str:
    """The request's mode; what the options cannot mean is refused here.

    :raises osc_lib.exceptions.CommandError: ``--dry-run`` without
        ``--in-place``; no ``--target-region`` for a failover or drill.
    """
    if parsed_args.in_place:
        return recoveries.IN_PLACE
    if parsed_args.dry_run:
        raise osc_exceptions.CommandError(
            '--dry-run is for --in-place restores only')
    if not parsed_args.target_region:
        raise osc_exceptions.CommandError(
            '--target-region is required (except with --in-place)')
    return recoveries.DRILL if parsed_args.drill else recoveries.FAILOVER


def show(recovery: dict) -> tuple:
    """A recovery as ``ShowOne`` shows it (also failback run's)."""
    return (output.headings(constants.RECOVERY_COLUMNS),
            output.row(recovery, constants.RECOVERY_COLUMNS,
                       columns.recovery_formatters(recovery)))


_show = show


def _add_recovery_argument(parser: Any, verb: str) -> None:
    parser.add_argument('recovery', metavar='<recovery>',
                        help='ID of the recovery to %s' % verb)


class CreateRecovery(waiting.Waiting, errors.DragonCommand, command.ShowOne):
    """Recover a checkpoint into a region: restore its data, launch its stack"""

    def get_parser(self, prog_name: str) -> Any:
        parser = errors.one_line_errors(super().get_parser(prog_name))
        parser.add_argument(
            'source', metavar='<checkpoint | recovery-point>',
            help='Checkpoint ID, or the Swift container of a recovery point '
                 '(dragon_<project>_<policy>_<time>, see "openstack dr '
                 'recovery point list"): works without the source database')
        parser.add_argument('--target-region', metavar='<region>',
                            help='Region to recover into (required for '
                                 'failover and drill; --in-place goes into '
                                 'the checkpoint\'s own region)')
        for option, key, metavar, what in MAP_OPTIONS:
            parser.add_argument(option, metavar=metavar, dest=key,
                                action=MapAction, default={},
                                help='Map %s (repeat for more)' % what)
        parser.add_argument(
            '--external-network', metavar='<network>',
            help='External network (name or ID) of the recovered routers')
        parser.add_argument(
            '--name-prefix', metavar='<prefix>',
            help='Prefix of the names of the recovered resources')
        modes = parser.add_mutually_exclusive_group()
        modes.add_argument(
            '--drill', action='store_true', default=False,
            help='Rehearse: recover onto isolated networks without external '
                 'access, check it runs, record the RTO on the policy and '
                 'tear everything down')
        modes.add_argument(
            '--in-place', action='store_true', default=False,
            help='Restore over the workload in the checkpoint\'s own '
                 'region: the selected volumes are restored into new '
                 'volumes swapped in at the same attachment, the selected '
                 'servers rebuilt from their checkpoint image (or, booted '
                 'from a volume, with their boot volume re-imaged in '
                 'place); the replaced volumes, the servers\' former disks '
                 'and copies of the boot volumes are kept until '
                 '"openstack dr recovery commit" (or rollback)')
        parser.add_argument(
            '--dry-run', action='store_true', default=False,
            help='With --in-place: show what would be replaced, recreated '
                 'and left alone, and change nothing (waits for the plan)')
        parser.add_argument(
            '--shrink-volumes', action='store_true', default=False,
            help='With --in-place: also restore volumes that are larger '
                 'now than in the checkpoint; they shrink back to their '
                 'checkpoint size')
        parser.add_argument(
            '--keep-current-flavor', action='store_true', default=False,
            help='With --in-place: also rebuild servers whose flavor '
                 'changed since the checkpoint; they keep the flavor they '
                 'have now, with the checkpoint\'s disk')
        parser.add_argument(
            '--resource', metavar='<resource-id>', dest='resources',
            action='append', default=[],
            help='Recover only this member resource (server, volume, '
                 'container, ...) and what it depends on; repeat for more')
        parser.add_argument(
            '--timeout', metavar='<seconds>', type=positive_int,
            help='Give up waiting for the stack after this many seconds')
        parser.add_argument(
            '--wait', action='store_true', default=False,
            help='Wait for the recovery to finish, showing its progress '
                 'on stderr; exit non-zero if it fails')
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        client = self.app.client_manager.dr
        mode = mode_of(parsed_args)
        recovery = client.recoveries.create(
            target_region=parsed_args.target_region, mode=mode,
            mappings=mappings_of(parsed_args),
            resources=parsed_args.resources, timeout=parsed_args.timeout,
            dry_run=parsed_args.dry_run,
            shrink_volumes=parsed_args.shrink_volumes,
            keep_current_flavor=parsed_args.keep_current_flavor,
            **source_of(parsed_args.source))
        if not (parsed_args.wait or parsed_args.dry_run):
            return _show(recovery)
        recovery_id = recovery['id']
        recovery = self.follow(
            lambda: client.recoveries.get(recovery_id), recovery,
            busy=('recovering',),
            header='Recovering %s into %s (%s): recovery %s' % (
                parsed_args.source, recovery['target_region'], mode,
                recovery_id),
            work='recovery',
            show_command='openstack dr recovery show %s' % recovery_id)
        wanted = (AWAITING_COMMIT if mode == recoveries.IN_PLACE and not
                  parsed_args.dry_run else SUCCEEDED)
        return self.outcome(parsed_args, _show(recovery), recovery,
                            wanted, 'Recovery %s of %s' % (
                                recovery_id, parsed_args.source))


class ListRecovery(errors.DragonCommand, command.Lister):
    """List recoveries and drills, newest first"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--status', metavar='<status>',
            help='Only recoveries in this status: recovering, succeeded, '
                 'error, deleting, awaiting_commit, committing, '
                 'rolling_back, committed, rolled_back or expired')
        parser.add_argument('--all-projects', action='store_true',
                            default=False,
                            help='Recoveries of all projects (admin only)')
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        found = self.app.client_manager.dr.recoveries.list(
            status=parsed_args.status, all_projects=parsed_args.all_projects,
            all_pages=True)
        if parsed_args.status:
            # The filter is also applied here so an API that ignores it
            # cannot show other statuses.
            found = [r for r in found if r.get('status') == parsed_args.status]
        spec = constants.RECOVERY_LIST_COLUMNS
        if parsed_args.all_projects:
            spec += constants.RECOVERY_LIST_PROJECT_COLUMNS
        return output.headings(spec), output.progress_rows(
            found, spec, columns.recovery_formatters)


class ShowRecovery(errors.DragonCommand, command.ShowOne):
    """Show a recovery: progress, each resource's state and target ID, stack, RTO"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        _add_recovery_argument(parser, 'show')
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        return _show(self.app.client_manager.dr.recoveries.get(
            parsed_args.recovery))


class DeleteRecovery(errors.DragonCommand, command.Command):
    """Delete recoveries: their stack and the images and volumes they restored"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        parser.add_argument('recoveries', metavar='<recovery>', nargs='+',
                            help='IDs of the recoveries to delete')
        return parser

    def take_action(self, parsed_args: Any) -> None:
        errors.delete_each(parsed_args.recoveries,
                           self.app.client_manager.dr.recoveries.delete,
                           'recoveries')


class _CloseWindow(waiting.Waiting, errors.DragonCommand, command.ShowOne):
    """Close the commit window of an in-place restore (commit or rollback)."""

    action = ''
    busy = ''
    ended = ''

    def get_parser(self, prog_name: str) -> Any:
        parser = errors.one_line_errors(super().get_parser(prog_name))
        _add_recovery_argument(parser, self.action)
        parser.add_argument(
            '--wait', action='store_true', default=False,
            help='Wait until it is done; exit non-zero if it fails')
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        client = self.app.client_manager.dr
        recovery_id = parsed_args.recovery
        recovery = getattr(client.recoveries, self.action)(recovery_id)
        if not parsed_args.wait:
            return _show(recovery)
        recovery = self.follow(
            lambda: client.recoveries.get(recovery_id), recovery,
            busy=(self.busy,),
            header='%s recovery %s' % (self.busy.replace('_', ' ').title(),
                                       recovery_id),
            work=self.action,
            show_command='openstack dr recovery show %s' % recovery_id)
        return self.outcome(parsed_args, _show(recovery), recovery,
                            self.ended, 'The %s of recovery %s' % (
                                self.action, recovery_id))


class CommitRecovery(_CloseWindow):
    """Commit an in-place restore: keep the restored volumes, delete the replaced ones"""

    action, busy, ended = 'commit', 'committing', 'committed'


class RollbackRecovery(_CloseWindow):
    """Roll back an in-place restore: put the replaced volumes back, delete the restored ones"""

    action, busy, ended = 'rollback', 'rolling_back', 'rolled_back'


class ListRecoveryEvent(errors.DragonCommand, command.Lister):
    """List the step log of a recovery"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        _add_recovery_argument(parser, 'list the events of')
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        return output.events_table(
            self.app.client_manager.dr.recoveries.events(
                parsed_args.recovery))

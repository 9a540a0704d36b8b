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

"""``openstack dr failback prepare`` and ``run``: reverse-protect, then come home."""

from typing import Any

from osc_lib.command import command

from dragon.osc.v1 import errors
from dragon.osc.v1 import recovery as recovery_commands
from dragon.osc.v1 import waiting

COLUMNS = ('recovery_id', 'source_region', 'policy', 'policy_id',
           'replication_target', 'members', 'left_out', 'schedules',
           'checkpoint_id', 'checkpoint_status', 'uploaded_bytes',
           'reused_chunks', 'notes')


def _rows(failback: dict[str, Any], checkpoint: dict[str, Any]) -> tuple:
    policy = failback['policy']
    stats = checkpoint.get('stats') or {}
    schedules = policy.get('schedules') or []
    values = {
        'recovery_id': failback['recovery_id'],
        'source_region': failback['source_region'],
        'policy': policy['name'],
        'policy_id': policy['id'],
        'replication_target': (policy.get('replication') or {}).get(
            'target_region'),
        'members': '\n'.join('%s %s (was %s), %s' % (
            m['resource_type'], m['resource_id'], m['source_id'],
            m['action']) for m in failback['members']),
        'left_out': '\n'.join('%s %s: %s' % (
            m['resource_type'], m['source_id'], m.get('reason') or '')
            for m in failback['left_out']),
        'schedules': '%d copied, %d enabled' % (
            failback['schedules_copied'],
            sum(bool(s.get('enabled')) for s in schedules)),
        'checkpoint_id': checkpoint['id'],
        'checkpoint_status': checkpoint['status'],
        'uploaded_bytes': stats.get('uploaded_bytes', 0),
        'reused_chunks': stats.get('reused_chunks', 0),
        'notes': '\n'.join(failback['notes']),
    }
    return COLUMNS, tuple(values[c] for c in COLUMNS)


class PrepareFailback(waiting.Waiting, errors.DragonCommand, command.ShowOne):
    """Prepare the failback of a failover recovery at this (backup) site.

    Creates a reverse policy over the recovered workload (the original
    members by their new IDs, same actions and options, schedules copied
    disabled unless --enable-schedules), replicating to the region the
    checkpoint came from, and protects it once: only what changed since
    the failover is uploaded.
    """

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'recovery', metavar='<recovery>',
            help='ID of a succeeded failover recovery into this Dragon\'s '
                 'region')
        parser.add_argument(
            '--name', metavar='<name>',
            help='Name of the reverse policy (default: the original '
                 'policy\'s name with -failback)')
        parser.add_argument(
            '--description', metavar='<description>',
            help='Description of the reverse policy')
        parser.add_argument(
            '--enable-schedules', action='store_true', default=False,
            help='Enable the copied schedules (those enabled in the '
                 'original policy); by default they are copied disabled')
        parser.add_argument(
            '--wait', action='store_true', default=False,
            help='Wait for the first reverse checkpoint to finish, showing '
                 'its progress on stderr (and then the bytes it uploaded); '
                 'exit non-zero if it fails')
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        client = self.app.client_manager.dr
        failback = client.recoveries.failback_prepare(
            parsed_args.recovery, name=parsed_args.name,
            description=parsed_args.description,
            enable_schedules=parsed_args.enable_schedules)
        checkpoint = failback['checkpoint']
        if not parsed_args.wait:
            return _rows(failback, checkpoint)
        checkpoint_id = checkpoint['id']
        checkpoint = self.follow(
            lambda: client.checkpoints.get(checkpoint_id), checkpoint,
            busy=('queued', 'protecting'),
            header='Protecting reverse policy %s: checkpoint %s' % (
                failback['policy']['name'], checkpoint_id),
            work='protection',
            show_command='openstack dr checkpoint show %s' % checkpoint_id)
        return self.outcome(
            parsed_args, _rows(failback, checkpoint), checkpoint,
            'available', 'Checkpoint %s of reverse policy %s' % (
                checkpoint_id, failback['policy']['name']))


class RunFailback(waiting.Waiting, errors.DragonCommand, command.ShowOne):
    """Bring a reverse policy's workload home (with the backup site's Dragon).

    Answers at once with the failback's recovery; its engine then pauses
    (or stops) the servers here, protects the policy once more, waits for
    that checkpoint's copy home, stops (fences) the stale servers at home,
    recovers the checkpoint there (in place or as a new stack) and waits
    for openstack dr recovery commit or rollback.
    """

    def get_parser(self, prog_name: str) -> Any:
        parser = errors.one_line_errors(super().get_parser(prog_name))
        parser.add_argument(
            'policy', metavar='<reverse-policy>',
            help='Name or ID of a reverse policy (made by openstack dr '
                 'failback prepare)')
        parser.add_argument(
            '--quiesce', choices=('pause', 'stop'), default=None,
            help='How its servers here are quiesced for the final '
                 'checkpoint, until the commit (default: pause)')
        parser.add_argument(
            '--delete-stale-servers', action='store_true', default=False,
            help='The commit deletes the stale servers fenced at home '
                 '(by default they are kept, stopped)')
        parser.add_argument(
            '--wait', action='store_true', default=False,
            help='Wait until the workload runs at home (awaiting_commit), '
                 'showing the progress on stderr; exit non-zero if it '
                 'fails')
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        client = self.app.client_manager.dr
        policy = client.policies.find(parsed_args.policy)
        recovery = client.policies.failback_run(
            policy['id'], quiesce=parsed_args.quiesce,
            delete_stale=parsed_args.delete_stale_servers)
        recovery_id = recovery['id']
        if not parsed_args.wait:
            # Nothing is quiesced yet: say where the run goes on.
            self.app.stderr.write(
                'Failback of policy %s handed to the engines: they %s its '
                "servers here, then take the final checkpoint. Follow it "
                "with 'openstack dr recovery event list %s'.\n" % (
                    policy['name'], 'stop' if parsed_args.quiesce == 'stop'
                    else 'pause', recovery_id))
            return recovery_commands.show(recovery)
        recovery = self.follow(
            lambda: client.recoveries.get(recovery_id), recovery,
            busy=('recovering',),
            header='Failing back policy %s to %s: recovery %s' % (
                policy['name'], recovery['target_region'], recovery_id),
            work='failback',
            show_command='openstack dr recovery show %s' % recovery_id)
        return self.outcome(
            parsed_args, recovery_commands.show(recovery), recovery,
            'awaiting_commit', 'The failback of policy %s (recovery %s)' % (
                policy['name'], recovery_id))

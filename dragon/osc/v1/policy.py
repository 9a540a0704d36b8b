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

"""``openstack dr policy create|list|show|set|delete``."""

import logging
from typing import Any

from osc_lib.command import command
from osc_lib import exceptions as osc_exceptions

from dragon.client import exceptions
from dragon.osc.v1 import columns
from dragon.osc.v1 import constants
from dragon.osc.v1 import errors
from dragon.osc.v1 import output

LOG = logging.getLogger(__name__)
# The API's ``data_key_scope`` values (dragon.checkpoint.envelope.SCOPES;
# the client does not import the server's packages).
DATA_KEY_SCOPES = ('project', 'policy')


def _add_option_arguments(parser: Any, for_set: bool = False) -> None:
    consistent = parser.add_mutually_exclusive_group()
    consistent.add_argument(
        '--consistent', dest='consistent', action='store_true', default=None,
        help='Pause the running member servers while every member is '
             'captured, so all are taken at one point in time '
             '(crash-consistent: paused, not quiesced)')
    consistent.add_argument(
        '--no-consistent', dest='consistent', action='store_false',
        help='Capture the members one after another without pausing')
    schedule = parser.add_mutually_exclusive_group()
    schedule.add_argument(
        '--schedule', metavar='<cron>', action='append', dest='schedules',
        help='Protect on this five-field cron line, e.g. "0 */4 * * *" '
             '(repeat for more; on set, replaces every schedule; see '
             "'openstack dr policy schedule' for one at a time)")
    if for_set:
        schedule.add_argument(
            '--no-schedule', action='store_true',
            help='Remove every schedule; protect only on demand')
    parser.add_argument(
        '--timezone', metavar='<zone>',
        help='IANA time zone of the --schedule lines, e.g. Europe/Berlin '
             '(default: UTC)')
    rpo = parser.add_mutually_exclusive_group()
    rpo.add_argument(
        '--rpo', metavar='<duration>',
        help='Target recovery point objective, e.g. 1h or 3600: the oldest '
             'the newest available checkpoint may be')
    if for_set:
        rpo.add_argument('--no-rpo', action='store_true',
                         help='Remove the RPO target')
    parser.add_argument(
        '--verify-every-days', metavar='<days>', type=int,
        help='Read back every byte of the newest checkpoint every this many '
             'days (needs an enabled schedule; 0 on set: stop)')
    _add_retention_arguments(parser, for_set)


# --flag, key of the retention option, help. A kept checkpoint is one any
# rule keeps; 0 removes a rule (on set).
_RETENTION_COUNTS = (
    ('--keep-last', 'keep_last', 'Keep the newest N available checkpoints'),
    ('--keep-hourly', 'hourly',
     'Keep the newest checkpoint of each of the last N hours that have one'),
    ('--keep-daily', 'daily',
     'Keep the newest checkpoint of each of the last N days that have one'),
    ('--keep-weekly', 'weekly',
     'Keep the newest checkpoint of each of the last N ISO weeks that have '
     'one'),
    ('--keep-monthly', 'monthly',
     'Keep the newest checkpoint of each of the last N months that have '
     'one'),
    ('--keep-yearly', 'yearly',
     'Keep the newest checkpoint of each of the last N years that have '
     'one'),
)


_RULE_KEYS = tuple(key for _flag, key, _text in _RETENTION_COUNTS) + (
    'max_age',)


def _add_retention_arguments(parser: Any, for_set: bool) -> None:
    group = parser.add_argument_group(
        'retention', 'Which checkpoints retention keeps after each '
        'successful checkpoint: those any rule keeps, the newest available '
        'one and those on hold; the rest are deleted.' +
        (' 0 removes a rule.' if for_set else ''))
    for flag, _key, text in _RETENTION_COUNTS:
        group.add_argument(flag, metavar='<N>', type=int, help=text)
    group.add_argument(
        '--max-age', metavar='<duration>',
        help='Keep the checkpoints captured within this long, e.g. 36h, '
             '30d, 2w (s, m, h, d, w; at least 1h)')
    group.add_argument(
        '--retention-timezone', metavar='<timezone>',
        help='IANA time zone of the hours, days, weeks, months and years '
             '(default: the schedule\'s, else UTC)')
    if for_set:
        group.add_argument(
            '--no-retention', action='store_true', default=False,
            help='Remove retention: keep every checkpoint')


def _retention(parsed_args: Any, current: dict | None,
               for_set: bool = False) -> dict | None:
    """The retention to send (the current one changed), or None if unchanged.

    On ``set``, 0 removes a rule; on ``create`` it is sent, for the API to
    refuse rules that keep nothing with its reason.

    :raises osc_lib.exceptions.CommandError: ``--no-retention`` with a
        rule, or ``set`` removing the last rule.
    """
    given = {key: getattr(parsed_args, flag[2:].replace('-', '_'))
             for flag, key, _text in _RETENTION_COUNTS}
    given['max_age'] = parsed_args.max_age
    given['timezone'] = parsed_args.retention_timezone
    given = {k: v for k, v in given.items() if v is not None}
    if getattr(parsed_args, 'no_retention', False):
        if given:
            raise osc_exceptions.CommandError(
                'Error: --no-retention cannot be combined with retention '
                'rules.')
        return None
    if not given:
        return None
    retention = dict(current or {})
    for key, value in given.items():
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if for_set and value in (0, ''):
            retention.pop(key, None)
        else:
            retention[key] = value
    if for_set and not any(retention.get(key) for key in _RULE_KEYS):
        raise osc_exceptions.CommandError(
            'Error: retention would keep nothing; use --no-retention to '
            'keep every checkpoint.')
    return retention


def _options(parsed_args: Any, current: dict | None = None) -> dict:
    """The options object to send, or {} when none was given.

    For ``set``, ``current`` is the policy's options: a changed schedule or
    retention is sent whole, so the result is the same whether the API
    merges or replaces them.
    """
    current = current or {}
    options: dict[str, Any] = {}
    if parsed_args.consistent is not None:
        options['consistent'] = parsed_args.consistent
    if getattr(parsed_args, 'no_rpo', False):
        options['rpo'] = None
    elif parsed_args.rpo is not None:
        options['rpo'] = (int(parsed_args.rpo) if parsed_args.rpo.isdigit()
                          else parsed_args.rpo)
    if parsed_args.verify_every_days is not None:
        options['verify_every_days'] = parsed_args.verify_every_days or None
    # Only ``set`` has --no-retention.
    for_set = hasattr(parsed_args, 'no_retention')
    if getattr(parsed_args, 'no_retention', False):
        _retention(parsed_args, None)   # refuses rules given with it
        options['retention'] = None
    else:
        retention = _retention(parsed_args, current.get('retention'),
                               for_set=for_set)
        if retention is not None:
            options['retention'] = retention
    return options


def _schedules(parsed_args: Any) -> list[dict] | None:
    """The schedules to send (they replace all), or ``None`` for no change."""
    if getattr(parsed_args, 'no_schedule', False):
        return []
    if not parsed_args.schedules:
        if parsed_args.timezone is not None:
            raise osc_exceptions.CommandError(
                'Error: --timezone applies to --schedule lines; give them '
                "too, or use 'openstack dr policy schedule set'.")
        return None
    return [{'cron': cron, **({'timezone': parsed_args.timezone}
                              if parsed_args.timezone else {})}
            for cron in parsed_args.schedules]


def parse_member(text: str) -> dict:
    """``TYPE:ID[:ACTION]`` as a member of a create request."""
    parts = text.split(':')
    if len(parts) not in (2, 3) or not all(parts):
        raise osc_exceptions.CommandError(
            "Error: --member '%s' is not TYPE:ID or TYPE:ID:ACTION." % text)
    member = {'resource_type': parts[0], 'resource_id': parts[1]}
    if len(parts) == 3:
        member['action'] = parts[2]
    return member


def _add_encryption_arguments(parser: Any, for_set: bool = False) -> None:
    group = parser.add_argument_group(
        'encryption', 'Encrypt the policy\'s checkpoints with a data key '
        'wrapped by the customer\'s key (an AES-256 Barbican secret).')
    group.add_argument(
        '--encryption-key', metavar='<key-ref>',
        help='The key (secret href or id) in the region Dragon protects; '
             'you must be able to read it')
    group.add_argument(
        '--recovery-key', metavar='<region=key-ref>', action='append',
        default=[],
        help='The same key in a recovery region\'s key manager (Barbican '
             'does not replicate between regions); repeat per region' +
             ('; REGION= removes that region' if for_set else ''))
    group.add_argument(
        '--data-key-scope', choices=DATA_KEY_SCOPES, default=None,
        help='Whose data key encrypts the checkpoints: the project\'s '
             '(default: chunks dedup across the project\'s policies under '
             'the same key) or this policy\'s own (no chunk shared with '
             'another policy)' + ('; refused once the policy has '
                                  'checkpoints' if for_set else ''))
    if for_set:
        group.add_argument(
            '--rotate-data-key', action='store_true', default=False,
            help='Rotate the data key: the next protection makes a new one '
                 '(everything is stored again) and uses no data key made '
                 'before; earlier checkpoints keep theirs and recover as '
                 'before, with the same customer key')
        group.add_argument(
            '--no-encryption', action='store_true', default=False,
            help='Remove the key from the policy')


def _encryption(parsed_args: Any, current: dict | None = None,
                for_set: bool = False) -> tuple[bool, dict | None]:
    """(changed, the encryption to send) from the arguments.

    :raises osc_lib.exceptions.CommandError: malformed ``--recovery-key``,
        ``--no-encryption`` with a key, or a recovery key, scope or data
        key rotation without one.
    """
    scope = getattr(parsed_args, 'data_key_scope', None)
    rotate = getattr(parsed_args, 'rotate_data_key', False)
    refs = {}
    for text in parsed_args.recovery_key:
        region, sep, ref = text.partition('=')
        if not sep or not region or (not ref and not for_set):
            raise osc_exceptions.CommandError(
                "Error: --recovery-key '%s' is not REGION=KEY-REF." % text)
        refs[region] = ref
    if getattr(parsed_args, 'no_encryption', False):
        if parsed_args.encryption_key or refs or scope or rotate:
            raise osc_exceptions.CommandError(
                'Error: --no-encryption cannot be combined with keys.')
        return True, None
    if not parsed_args.encryption_key and not refs and not scope and \
            not rotate:
        return False, None
    key_ref = parsed_args.encryption_key or (current or {}).get('key_ref')
    if not key_ref and not refs and not scope:
        raise osc_exceptions.CommandError(
            'Error: --rotate-data-key: the policy has no encryption, so no '
            'data key to rotate.')
    if not key_ref:
        raise osc_exceptions.CommandError(
            'Error: --%s needs --encryption-key (the key in the protected '
            'region).' % ('recovery-key' if refs else 'data-key-scope'))
    recovery = dict((current or {}).get('recovery_key_refs') or {})
    recovery.update(refs)
    encryption = {'key_ref': key_ref, 'recovery_key_refs': {
        region: ref for region, ref in recovery.items() if ref}}
    if scope:
        encryption['data_key_scope'] = scope
    if rotate:
        encryption['rotate_data_key'] = True
    return True, encryption


def _add_replication_arguments(parser: Any, for_set: bool = False) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        '--replication-target', metavar='<region>',
        help='Copy each checkpoint to this region\'s own object store (a '
             'backup site with its own Swift); refused if that region has '
             'no object store or shares this one')
    if for_set:
        group.add_argument(
            '--no-replication', action='store_true', default=False,
            help='Stop copying new checkpoints to another region')


def _replication(parsed_args: Any) -> tuple[bool, dict | None]:
    """(changed, the replication to send) from the arguments."""
    if getattr(parsed_args, 'no_replication', False):
        return True, None
    if parsed_args.replication_target:
        return True, {'target_region': parsed_args.replication_target}
    return False, None


def _show(policy: dict) -> tuple:
    return (output.headings(constants.POLICY_COLUMNS),
            output.row(output.flatten_policy(policy), constants.POLICY_COLUMNS,
                       columns.POLICY_FORMATTERS))


class CreatePolicy(errors.DragonCommand, command.ShowOne):
    """Create a workload policy"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='<name>', help='New policy name')
        parser.add_argument('--description', metavar='<description>',
                            help='Policy description')
        _add_option_arguments(parser)
        _add_encryption_arguments(parser)
        _add_replication_arguments(parser)
        parser.add_argument(
            '--member', metavar='<type:id[:action]>', action='append',
            default=[],
            help='Protect this resource, e.g. server:<id> or '
                 'volume:<id>:<action> (repeat for more)')
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        client = self.app.client_manager.dr
        members = [parse_member(m) for m in parsed_args.member]
        _changed, encryption = _encryption(parsed_args)
        _changed, replication = _replication(parsed_args)
        policy = client.policies.create(
            parsed_args.name, description=parsed_args.description,
            options=_options(parsed_args) or None,
            members=members or None, schedules=_schedules(parsed_args),
            encryption=encryption, replication=replication)
        return _show(policy)


class ListPolicy(errors.DragonCommand, command.Lister):
    """List workload policies"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        parser.add_argument('--name', metavar='<name>',
                            help='Only policies with this name')
        parser.add_argument('--limit', metavar='<limit>', type=int,
                            help='Show at most this many policies')
        parser.add_argument('--marker', metavar='<policy-id>',
                            help='Start after the policy with this ID')
        parser.add_argument('--sort-key', metavar='<key>',
                            help='Sort by this attribute, e.g. name')
        parser.add_argument('--sort-dir', metavar='<asc|desc>',
                            choices=('asc', 'desc'),
                            help='Sort direction: asc or desc')
        parser.add_argument('--all-projects', action='store_true',
                            default=False,
                            help='Policies of all projects (admin only)')
        parser.add_argument('--long', action='store_true', default=False,
                            help='List additional fields in output')
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        client = self.app.client_manager.dr
        policies = client.policies.list(
            name=parsed_args.name, limit=parsed_args.limit,
            marker=parsed_args.marker, sort_key=parsed_args.sort_key,
            sort_dir=parsed_args.sort_dir,
            all_projects=parsed_args.all_projects,
            # Without --limit, every page; with it, the one page asked for.
            all_pages=parsed_args.limit is None)
        column_spec = constants.POLICY_LIST_COLUMNS
        if parsed_args.all_projects or parsed_args.long:
            column_spec += constants.POLICY_LIST_PROJECT_COLUMNS
        if parsed_args.long:
            column_spec += constants.POLICY_LIST_LONG_COLUMNS
        return (output.headings(column_spec),
                [output.row(output.flatten_policy(p), column_spec,
                            columns.POLICY_FORMATTERS) for p in policies])


class ShowPolicy(errors.DragonCommand, command.ShowOne):
    """Show a workload policy"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        parser.add_argument('policy', metavar='<policy>',
                            help='Policy to show (name or ID)')
        return parser

    def take_action(self, parsed_args: Any) -> tuple:
        return _show(self.app.client_manager.dr.policies.find(
            parsed_args.policy))


class SetPolicy(errors.DragonCommand, command.Command):
    """Set workload policy properties"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        parser.add_argument('policy', metavar='<policy>',
                            help='Policy to modify (name or ID)')
        parser.add_argument('--name', metavar='<name>',
                            help='New policy name')
        parser.add_argument('--description', metavar='<description>',
                            help='New policy description')
        _add_option_arguments(parser, for_set=True)
        _add_encryption_arguments(parser, for_set=True)
        _add_replication_arguments(parser, for_set=True)
        state = parser.add_mutually_exclusive_group()
        state.add_argument('--suspend', dest='status', action='store_const',
                           const='suspended',
                           help='Skip the ticks of its schedules (kept, '
                                'with their trusts) until --resume')
        state.add_argument('--resume', dest='status', action='store_const',
                           const='active',
                           help='Run the ticks of its schedules again')
        return parser

    def take_action(self, parsed_args: Any) -> None:
        policies = self.app.client_manager.dr.policies
        policy = policies.find(parsed_args.policy)
        changes: dict[str, Any] = {}
        if parsed_args.name is not None:
            changes['name'] = parsed_args.name
        if parsed_args.description is not None:
            changes['description'] = parsed_args.description
        options = _options(parsed_args, policy.get('options'))
        if options:
            changes['options'] = options
        schedules = _schedules(parsed_args)
        if schedules is not None:
            changes['schedules'] = schedules
        changed, encryption = _encryption(parsed_args,
                                          policy.get('encryption'), True)
        if changed:
            changes['encryption'] = encryption
        changed, replication = _replication(parsed_args)
        if changed:
            changes['replication'] = replication
        if parsed_args.status:
            changes['status'] = parsed_args.status
        if changes:
            policies.update(policy['id'], **changes)


class DeletePolicy(errors.DragonCommand, command.Command):
    """Delete workload policies; their checkpoints are kept"""

    def get_parser(self, prog_name: str) -> Any:
        parser = super().get_parser(prog_name)
        parser.add_argument('policies', metavar='<policy>', nargs='+',
                            help='Policies to delete (names or IDs)')
        return parser

    def take_action(self, parsed_args: Any) -> None:
        policies = self.app.client_manager.dr.policies
        failed = 0
        for name_or_id in parsed_args.policies:
            try:
                policy = policies.find(name_or_id)
                result = policies.delete(policy['id']) or {}
            except exceptions.ClientError as err:
                if len(parsed_args.policies) == 1:
                    raise
                failed += 1
                LOG.error(errors.error_line(err))
                continue
            kept = result.get('kept_checkpoints', 0)
            self.app.stdout.write(
                'Deleted policy %s; its %d checkpoint%s %s kept.\n' % (
                    policy.get('name') or policy['id'], kept,
                    '' if kept == 1 else 's', 'was' if kept == 1 else 'were'))
        if failed:
            raise osc_exceptions.CommandError(
                'Error: %d of %d policies failed to delete.' % (
                    failed, len(parsed_args.policies)))

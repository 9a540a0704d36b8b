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

"""dragon-status: ``upgrade check`` for operators (oslo.upgradecheck)."""

import datetime
import sys

from oslo_config import cfg
from oslo_upgradecheck import upgradecheck

from dragon.checkpoint import readiness
from dragon.cmd import common
from dragon.common import config
from dragon import conf as dragon_conf
from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon.db import migration

PROG = 'dragon-status'
# oslo.upgradecheck uses 0-2 for check results; errors must not look like one.
EXIT_ERROR = 255
# Policy ids named in a result at most; the rest are counted.
LISTED = 20
# Characters of one region's reason shown at most.
REASON_CHARS = 160


class Checks(upgradecheck.UpgradeCommands):
    """Dragon's upgrade readiness checks."""

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        self.conf = conf

    def _check_schema(self) -> upgradecheck.Result:
        current, head = migration.version(), migration.head()
        if current != head:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                'Database schema is at %s, this release needs %s; run '
                '"dragon-manage db sync".' % (current, head))
        return upgradecheck.Result(upgradecheck.Code.SUCCESS)

    def _check_engines(self) -> upgradecheck.Result:
        if migration.version() is None:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                'No engine table yet: the database was never migrated.')
        down_time = self.conf.engine.service_down_time
        admin = dragon_context.get_admin_context()
        # Heartbeats are written by the database's clock (db.api.clock).
        since = db_api.database_utcnow(admin) - datetime.timedelta(
            seconds=down_time)
        engines = db_api.engine_service_get_all(admin)
        alive = [e.host for e in engines if e.updated_at and e.updated_at >= since]
        if not alive:
            return upgradecheck.Result(
                upgradecheck.Code.WARNING,
                'No engine has sent a heartbeat in the last %d seconds '
                '(%d known); nothing will protect or recover workloads.'
                % (down_time, len(engines)))
        return upgradecheck.Result(
            upgradecheck.Code.SUCCESS,
            '%d engine(s) alive: %s' % (len(alive), ', '.join(sorted(alive))))

    def _check_encryption(self) -> upgradecheck.Result:
        """Encrypted policies that could not be recovered at a backup site.

        dragon-status cannot read a key itself: Barbican lets a secret be
        read by its project (or an ACL), not by Dragon's service user, and
        this command has no project token.  It reports what was measured
        with the project's own credentials and kept on each policy: at
        each protection (the owner's trust) and each ``GET`` of the
        policy (the caller's token), whether the key of every recovery
        region reads and unwraps the newest checkpoint's data key (the
        ``dr_ready`` of ``openstack dr policy show``).  A policy naming no
        recovery key is not DR-ready whatever was measured; one never
        measured for the keys it names now is said to be unverified,
        never claimed ready.
        """
        if migration.version() != migration.head():
            return upgradecheck.Result(
                upgradecheck.Code.WARNING,
                'Not checked: the database schema is not at this '
                'release\'s (see "Database schema").')
        admin = dragon_context.get_admin_context()
        encrypted = [p for p in db_api.workload_policy_get_all(admin)
                     if p.encryption]
        if not encrypted:
            return upgradecheck.Result(
                upgradecheck.Code.SUCCESS,
                'No workload policy asks for encryption.')
        region = self.conf.engine.region_name
        lone, not_ready, unverified = [], [], []
        for policy in encrypted:
            if not policy.encryption.get('recovery_key_refs'):
                lone.append(policy.id)
            elif not readiness.current(policy.readiness, policy.encryption,
                                       region):
                unverified.append(policy.id)
            elif not policy.readiness.get('dr_ready'):
                not_ready.append(policy)
        problems = []
        if lone:
            problems.append(
                '%d encrypted policy(ies) not DR-ready: no recovery region '
                'key is named, so their checkpoints could only be '
                'decrypted in region %s: %s. Name one with "openstack dr '
                'policy set <id> --recovery-key REGION=<ref>".'
                % (len(lone), region, _listed(lone)))
        if not_ready:
            problems.append(
                '%d encrypted policy(ies) not DR-ready when last checked '
                '(a recovery region cannot read its key or open the newest '
                'checkpoint): %s.' % (len(not_ready), '; '.join(
                    _not_ready(p) for p in sorted(
                        not_ready, key=lambda p: p.id)[:LISTED])) +
                (' And %d more.' % (len(not_ready) - LISTED)
                 if len(not_ready) > LISTED else ''))
        notes = ['From the readiness stored at each policy\'s last '
                 'protection or "openstack dr policy show": dragon-status '
                 'cannot read a project\'s keys itself (Barbican lets only '
                 'the project or its ACL read them).']
        if unverified:
            notes.append(
                '%d encrypted policy(ies) NOT checked since their keys were '
                'set (no protection or show since): %s.'
                % (len(unverified), _listed(unverified)))
        details = ' '.join(problems + notes)
        return upgradecheck.Result(
            upgradecheck.Code.WARNING if problems else
            upgradecheck.Code.SUCCESS, details)

    _upgrade_checks = (
        ('Database schema', _check_schema),
        ('Engine heartbeats', _check_engines),
        ('Encryption DR readiness', _check_encryption),
    )


def _listed(ids: list[str]) -> str:
    """Up to :data:`LISTED` ids, then how many more."""
    shown = ', '.join(sorted(ids)[:LISTED])
    if len(ids) > LISTED:
        shown += ' and %d more' % (len(ids) - LISTED)
    return shown


def _not_ready(policy) -> str:
    """``<id> (RegionTwo: <reason>; checked <time> by a protection)``."""
    state = policy.readiness
    reasons = ['%s: %s' % (name, (region.get('reason') or 'not ready')[
        :REASON_CHARS]) for name, region in sorted(
            state['regions'].items())
        if region.get('readable') is False or region.get('unwraps') is False]
    return '%s (%s; checked %s by a %s)' % (
        policy.id, '; '.join(reasons) or 'not ready', state['checked_at'],
        state['by'])


def _run(argv: list[str]) -> int:
    conf = dragon_conf.CONF
    upgradecheck.register_cli_options(conf, Checks(conf))
    config.parse_args(conf, argv, prog=PROG)
    # upgradecheck reads ``--json`` from its module's CONF, which only its
    # own main() sets; without this the option is accepted and ignored.
    upgradecheck.CONF = conf
    db_api.check_connection(conf)
    # Not upgradecheck.run(): it prints tracebacks; errors go through common.
    return conf.command.action_fn()


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    common.run(PROG, lambda: _run(argv), dragon_conf.CONF, EXIT_ERROR)

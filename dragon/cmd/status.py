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
        """Encrypted policies that cannot be recovered at a backup site.

        Whether a key can be *read* in a recovery region is not checked:
        Barbican lets a secret be read by its project (or an ACL), not by
        Dragon's service user, and this command has no project token.
        What the database alone proves is reported: a policy naming no
        recovery key is not DR-ready.  The rest is said to be unverified,
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
        lone = [p.id for p in encrypted
                if not p.encryption.get('recovery_key_refs')]
        unverified = ('Whether the keys of %d encrypted policy(ies) can be '
                      'read in their recovery regions was NOT checked: '
                      'Barbican lets only the policy\'s project (or its '
                      'ACL) read a key, not dragon-status; see dr_ready in '
                      '"openstack dr policy show <id>" as that project.'
                      % len(encrypted))
        if not lone:
            return upgradecheck.Result(upgradecheck.Code.SUCCESS, unverified)
        return upgradecheck.Result(
            upgradecheck.Code.WARNING,
            '%d encrypted policy(ies) not DR-ready: no recovery region key '
            'is named, so their checkpoints could only be decrypted in '
            'region %s: %s. Name one with "openstack dr policy set <id> '
            '--recovery-key REGION=<ref>". %s'
            % (len(lone), self.conf.engine.region_name, _listed(lone),
               unverified))

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


def _run(argv: list[str]) -> int:
    conf = dragon_conf.CONF
    upgradecheck.register_cli_options(conf, Checks(conf))
    config.parse_args(conf, argv, prog=PROG)
    db_api.check_connection(conf)
    # Not upgradecheck.run(): it prints tracebacks; errors go through common.
    return conf.command.action_fn()


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    common.run(PROG, lambda: _run(argv), dragon_conf.CONF, EXIT_ERROR)

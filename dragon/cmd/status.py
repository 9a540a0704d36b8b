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

    _upgrade_checks = (
        ('Database schema', _check_schema),
        ('Engine heartbeats', _check_engines),
    )


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

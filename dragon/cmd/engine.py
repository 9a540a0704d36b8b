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

"""dragon-engine: runs one engine (RPC server and heartbeat) until SIGTERM/SIGINT."""

import sys

from dragon.cmd import common
from dragon.common import config
from dragon import conf as dragon_conf
from dragon.db import api as db_api
from dragon.db import migration
from dragon.engine import service
from dragon import rpc

PROG = 'dragon-engine'


def _run(argv: list[str]) -> int:
    conf = dragon_conf.CONF
    config.parse_args(conf, argv, prog=PROG)
    db_api.check_connection(conf)
    migration.check_current()
    rpc.check_broker(conf, conf.engine.broker_connect_retries)
    service.EngineService(conf).run()
    return 0


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    common.run(PROG, lambda: _run(argv), dragon_conf.CONF)

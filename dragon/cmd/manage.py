"""dragon-manage: operator tasks; for now ``db sync [--revision R]`` and ``db version``."""

import sys

from oslo_config import cfg

from dragon.cmd import common
from dragon.common import config
from dragon import conf as dragon_conf
from dragon.db import api as db_api
from dragon.db import migration

PROG = 'dragon-manage'


def db_sync(conf: cfg.ConfigOpts) -> int:
    migration.upgrade(conf.command.revision)
    print('database schema at %s' % migration.version())
    return 0


def db_version(conf: cfg.ConfigOpts) -> int:
    print(migration.version() or 'None (not migrated; run dragon-manage db sync)')
    return 0


def _add_command_parsers(subparsers) -> None:
    db = subparsers.add_parser('db', help='database schema')
    db_actions = db.add_subparsers(dest='db_action', required=True)
    sync = db_actions.add_parser('sync', help='upgrade the schema')
    sync.add_argument('--revision', default='head',
                      help='alembic revision to upgrade to (default: head)')
    sync.set_defaults(func=db_sync)
    version = db_actions.add_parser('version', help='print the schema revision')
    version.set_defaults(func=db_version)


def _run(argv: list[str]) -> int:
    conf = dragon_conf.CONF
    conf.register_cli_opt(cfg.SubCommandOpt(
        'command', title='Commands', handler=_add_command_parsers))
    config.parse_args(conf, argv, prog=PROG)
    db_api.check_connection(conf)
    return conf.command.func(conf)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    common.run(PROG, lambda: _run(argv), dragon_conf.CONF)

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

"""dragon-manage: operator tasks: ``db sync|version`` and ``chunks gc|check``."""

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


def chunks_gc(conf: cfg.ConfigOpts) -> int:
    """One mark-and-sweep pass over the chunks of the given projects."""
    from dragon.maintenance import collector
    projects = conf.command.project or None
    failed = False
    for result in collector.collect_projects(conf, projects):
        if result.skipped:
            print('project %s: skipped: %s' % (result.project_id,
                                              result.skipped))
            failed |= result.skipped.startswith('error')
        else:
            print('project %s: kept %d chunks, swept %d chunks and %d index '
                  'entries, removed %d incomplete checkpoints' % (
                      result.project_id, result.kept_chunks,
                      result.swept_chunks, result.swept_index_entries,
                      len(result.removed_incomplete)))
    return 1 if failed else 0


def chunks_check(conf: cfg.ConfigOpts) -> int:
    """Verify the complete checkpoints of the given projects; 1 on problems."""
    from dragon.checkpoint import verify
    from dragon.maintenance import collector
    projects = conf.command.project_id or None
    bad = False
    for found in collector.check_projects(conf, projects,
                                          read_data=conf.command.read_data):
        where = 'project %s' % found.project_id
        if found.container:
            where += ' %s' % found.container
        if found.error is not None:
            print('%s: error: %s' % (where, found.error))
            bad = True
            continue
        result = found.result
        print('%s: %s, %d chunks%s checked, %d problems' % (
            where, result.status, result.checked,
            ' read and' if result.read_data else '', len(result.problems)))
        for problem in result.problems:
            print('%s: %s' % (where, verify.describe(problem)))
        bad |= bool(result.problems)
    return 1 if bad else 0


def _add_command_parsers(subparsers) -> None:
    db = subparsers.add_parser('db', help='database schema')
    db_actions = db.add_subparsers(dest='db_action', required=True)
    sync = db_actions.add_parser('sync', help='upgrade the schema')
    sync.add_argument('--revision', default='head',
                      help='alembic revision to upgrade to (default: head)')
    sync.set_defaults(func=db_sync)
    version = db_actions.add_parser('version', help='print the schema revision')
    version.set_defaults(func=db_version)
    chunks = subparsers.add_parser('chunks', help='checkpoint data chunks')
    chunk_actions = chunks.add_subparsers(dest='chunks_action', required=True)
    gc = chunk_actions.add_parser(
        'gc', help='remove chunks no complete checkpoint references')
    # --project-id as for "chunks check"; --project is the older spelling.
    gc.add_argument('--project-id', '--project', dest='project',
                    action='append', default=[],
                    help='project id to collect (repeatable; default: every '
                         'project with checkpoints or workload policies, '
                         'deleted ones included, in the database)')
    gc.set_defaults(func=chunks_gc)
    check = chunk_actions.add_parser(
        'check', help='verify that every chunk of every complete checkpoint '
                      'is intact in Swift (exit 1 if not)')
    check.add_argument('--project-id', action='append', default=[],
                       help='project id to check (repeatable; default: '
                            'every project with checkpoints in the '
                            'database)')
    check.add_argument('--read-data', action='store_true', default=False,
                       help='read and hash every chunk (default: compare '
                            'the listing with the recorded size and md5)')
    check.set_defaults(func=chunks_check)


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

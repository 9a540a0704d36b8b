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

import argparse

from dragon.cmd import manage
from dragon.db import migration
from tests.unit import utils


def _config(tmp_path, connection):
    return str(utils.write_config(tmp_path / 'dragon.conf',
                                  {'database': {'connection': connection}}))


def test_db_sync_then_version(tmp_path):
    config = _config(tmp_path, 'sqlite:///%s/dragon.sqlite' % tmp_path)
    before = utils.run_command('dragon-manage', '--config-file', config,
                               'db', 'version')
    assert before.returncode == 0, before.stderr
    assert before.stdout.strip().splitlines()[-1].startswith('None')
    sync = utils.run_command('dragon-manage', '--config-file', config,
                             'db', 'sync')
    assert sync.returncode == 0, sync.stderr
    after = utils.run_command('dragon-manage', '--config-file', config,
                              'db', 'version')
    assert after.stdout.strip().splitlines()[-1] == migration.head()


def test_missing_config_file(tmp_path):
    result = utils.run_command('dragon-manage', '--config-file',
                               str(tmp_path / 'nope.conf'), 'db', 'sync')
    utils.assert_one_line_error(result, 'dragon-manage', 'nope.conf')


def test_bad_database_url(tmp_path):
    result = utils.run_command('dragon-manage', '--config-file',
                               _config(tmp_path, 'nosuchdb://x/y'),
                               'db', 'sync')
    utils.assert_one_line_error(result, 'dragon-manage', '[database] connection')


def test_unreachable_database_hides_password(tmp_path):
    with utils.refusing_port() as port:
        url = 'mysql+pymysql://dragon:hunter2@127.0.0.1:%d/dragon' % port
        result = utils.run_command('dragon-manage', '--config-file',
                                   _config(tmp_path, url), 'db', 'sync')
    line = utils.assert_one_line_error(result, 'dragon-manage',
                                       'cannot reach the database')
    assert 'hunter2' not in result.stderr + result.stdout
    assert 'dragon:***@' in line


def _parse(*argv):
    parser = argparse.ArgumentParser()
    manage._add_command_parsers(parser.add_subparsers(dest='command'))
    return parser.parse_args(argv)


def test_chunks_gc_and_check_take_project_id():
    gc = _parse('chunks', 'gc', '--project-id', 'p1', '--project', 'p2')
    check = _parse('chunks', 'check', '--project-id', 'p1')

    assert gc.func is manage.chunks_gc and gc.project == ['p1', 'p2']
    assert check.func is manage.chunks_check and check.project_id == ['p1']

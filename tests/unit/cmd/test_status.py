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

import json

from tests.unit import utils


def _config(tmp_path, connection=None):
    connection = connection or 'sqlite:///%s/dragon.sqlite' % tmp_path
    return str(utils.write_config(tmp_path / 'dragon.conf',
                                  {'database': {'connection': connection}}))


def _check(config):
    return utils.run_command('dragon-status', '--config-file', config,
                             'upgrade', 'check')


def test_unmigrated_database_fails_the_check(tmp_path):
    result = _check(_config(tmp_path))
    assert result.returncode == 2
    assert 'dragon-manage db sync' in result.stdout


def test_migrated_database_without_engines_warns(tmp_path):
    config = _config(tmp_path)
    assert utils.run_command('dragon-manage', '--config-file', config,
                             'db', 'sync').returncode == 0
    result = _check(config)
    assert result.returncode == 1
    assert 'No engine has sent a heartbeat' in result.stdout


def test_json_output_is_json(tmp_path):
    config = _config(tmp_path)
    assert utils.run_command('dragon-manage', '--config-file', config,
                             'db', 'sync').returncode == 0
    result = utils.run_command('dragon-status', '--config-file', config,
                               'upgrade', 'check', '--json')
    assert result.returncode == 1
    [line] = [x for x in result.stdout.splitlines() if x.startswith('{')]
    checks = {c['check']: c for c in json.loads(line)['checks']}
    assert checks['Encryption DR readiness']['result'] == 0
    assert 'No engine has sent a heartbeat' in checks[
        'Engine heartbeats']['details']


def test_unreachable_database_is_one_line_not_a_result(tmp_path):
    with utils.refusing_port() as port:
        url = 'mysql+pymysql://root:pw@127.0.0.1:%d/dragon' % port
        result = _check(_config(tmp_path, url))
    assert result.returncode == 255
    utils.assert_one_line_error(result, 'dragon-status',
                                'cannot reach the database')


def test_missing_config_file(tmp_path):
    result = utils.run_command('dragon-status', '--config-file',
                               str(tmp_path / 'x.conf'), 'upgrade', 'check')
    utils.assert_one_line_error(result, 'dragon-status', 'x.conf')

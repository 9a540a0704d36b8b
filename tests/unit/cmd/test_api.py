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
import os
import signal
import socket
import subprocess
import time
import urllib.request

from tests.unit import utils


def _config(tmp_path, port, migrate=True, connection=None):
    connection = connection or 'sqlite:///%s/dragon.sqlite' % tmp_path
    config = str(utils.write_config(tmp_path / 'dragon.conf', {
        'database': {'connection': connection},
        'api': {'auth_strategy': 'noauth', 'bind_port': port},
    }))
    if migrate:
        assert utils.run_command('dragon-manage', '--config-file', config,
                                 'db', 'sync').returncode == 0
    return config


def test_missing_config_file(tmp_path):
    result = utils.run_command('dragon-api', '--config-file',
                               str(tmp_path / 'absent.conf'))
    utils.assert_one_line_error(result, 'dragon-api', 'absent.conf')


def test_invalid_option_value(tmp_path):
    config = utils.write_config(tmp_path / 'dragon.conf',
                                {'api': {'bind_port': 'http'}})
    result = utils.run_command('dragon-api', '--config-file', str(config))
    utils.assert_one_line_error(result, 'dragon-api', '[api] bind_port')


def test_bad_database_url(tmp_path):
    config = _config(tmp_path, utils.free_port(), migrate=False,
                     connection='not a url')
    result = utils.run_command('dragon-api', '--config-file', config)
    utils.assert_one_line_error(result, 'dragon-api', '[database] connection')


def test_port_in_use_is_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        config = _config(tmp_path, busy.getsockname()[1])
        result = utils.run_command('dragon-api', '--config-file', config)
    utils.assert_one_line_error(result, 'dragon-api', 'cannot listen on')


def test_serves_and_stops_on_sigterm(tmp_path):
    port = utils.free_port()
    config = _config(tmp_path, port)
    env = {k: v for k, v in os.environ.items() if not k.startswith('DRAGON_')}
    process = subprocess.Popen([str(utils.BIN / 'dragon-api'),
                                '--config-file', config],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    try:
        body = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(
                        'http://127.0.0.1:%d/' % port, timeout=2) as response:
                    body = json.load(response)
            except OSError:
                time.sleep(0.3)
        assert body['versions'][0]['status'] == 'CURRENT'
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert 'Traceback' not in out + err

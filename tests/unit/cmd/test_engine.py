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

import os
import signal
import subprocess
import time

from tests.unit import utils


def _config(tmp_path, transport_url, migrate=True, **engine):
    connection = 'sqlite:///%s/dragon.sqlite' % tmp_path
    config = utils.write_config(tmp_path / 'dragon.conf', {
        'DEFAULT': {'transport_url': transport_url},
        'database': {'connection': connection},
        'engine': dict({'broker_connect_retries': 0}, **engine),
    })
    if migrate:
        sync = utils.run_command('dragon-manage', '--config-file', str(config),
                                 'db', 'sync')
        assert sync.returncode == 0, sync.stderr
    return str(config)


def test_missing_config_file(tmp_path):
    result = utils.run_command('dragon-engine', '--config-file',
                               str(tmp_path / 'missing.conf'))
    utils.assert_one_line_error(result, 'dragon-engine', 'missing.conf')


def test_invalid_option_value(tmp_path):
    config = utils.write_config(tmp_path / 'dragon.conf',
                                {'engine': {'heartbeat_interval': 'often'}})
    result = utils.run_command('dragon-engine', '--config-file', str(config))
    utils.assert_one_line_error(result, 'dragon-engine',
                                '[engine] heartbeat_interval')


def _timed_start(config):
    started = time.monotonic()
    result = utils.run_command('dragon-engine', '--config-file', config,
                               timeout=300)
    return result, time.monotonic() - started


def test_unreachable_broker_fails_fast_without_password(tmp_path):
    """With 0 retries the broker costs one connect, not a retry loop.

    The engine's own start (imports, config, database) takes tens of
    seconds on a loaded machine, so no absolute limit: the start that
    fails at the broker is compared with one that fails just before it
    (an unmigrated database), and may take longer by at most the one
    connect's 5 s timeout plus slack.  oslo.messaging's default, retrying
    forever, would hang until the 300 s timeout fails the test.
    """
    before = tmp_path / 'before'
    before.mkdir()
    with utils.refusing_port() as port:
        url = 'rabbit://guest:br0kerpw@127.0.0.1:%d/' % port
        baseline, baseline_seconds = _timed_start(
            _config(before, url, migrate=False))
        utils.assert_one_line_error(baseline, 'dragon-engine', 'db sync')
        result, seconds = _timed_start(_config(tmp_path, url))
    assert seconds < 2 * baseline_seconds + 5 + 15, (seconds,
                                                      baseline_seconds)
    line = utils.assert_one_line_error(
        result, 'dragon-engine', 'cannot reach the message broker',
        'guest:***@127.0.0.1')
    assert 'br0kerpw' not in result.stderr + result.stdout
    assert 'refused' in line.lower()


def test_unmigrated_database_is_refused(tmp_path):
    result = utils.run_command('dragon-engine', '--config-file',
                               _config(tmp_path, 'fake:/', migrate=False))
    utils.assert_one_line_error(result, 'dragon-engine', 'dragon-manage db sync')


def test_engine_runs_beats_and_stops_on_sigterm(tmp_path):
    config = _config(tmp_path, 'fake:/', host='engine-under-test',
                     heartbeat_interval=1)
    env_free = {k: v for k, v in os.environ.items()
                if not k.startswith('DRAGON_')}
    process = subprocess.Popen([str(utils.BIN / 'dragon-engine'),
                                '--config-file', config],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env_free)
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline:
            time.sleep(1)
            status = utils.run_command('dragon-status', '--config-file',
                                       config, 'upgrade', 'check')
            if 'engine-under-test' in status.stdout:
                break
        assert status is not None and 'engine-under-test' in status.stdout
        assert status.returncode == 0, status.stdout + status.stderr
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert 'Traceback' not in out + err

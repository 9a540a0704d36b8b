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

"""The minicloud tools ignore the caller's ``OS_*`` environment and clouds.yaml.

The README has users ``export OS_CLIENT_CONFIG_FILE=... OS_CLOUD=demo``;
from that shell, the minicloud, the benchmarks and the functional fixtures
must still connect as whom they mean to.
"""
import json
import sys
import time

import pytest

from tests.bench import common as bench
from tests.minicloud import catalog
from tests.minicloud.layout import Layout
from tests.minicloud.layout import REGIONS
from tests.minicloud.process import clean_environ
from tests.minicloud.process import Processes
from tests import story

BAD = 'from-the-callers-shell'


@pytest.fixture
def layout(tmp_path, monkeypatch):
    monkeypatch.setenv('MINICLOUD_HOME', str(tmp_path / 'cloud'))
    return Layout.from_env()


@pytest.fixture
def callers_shell(tmp_path, monkeypatch):
    """A shell that followed the README, with a few more OS_* set badly."""
    clouds = tmp_path / 'clouds.yaml'
    clouds.write_text(json.dumps({'clouds': {'demo': {
        'auth': {'auth_url': 'http://192.0.2.1:5000/v3', 'username': BAD,
                 'password': BAD, 'project_name': BAD,
                 'user_domain_name': BAD, 'project_domain_name': BAD},
        'region_name': BAD}}}))
    for name, value in {
            'OS_CLIENT_CONFIG_FILE': str(clouds), 'OS_CLOUD': 'demo',
            'OS_AUTH_URL': 'http://192.0.2.2:5000/v3', 'OS_USERNAME': BAD,
            'OS_PASSWORD': BAD, 'OS_PROJECT_NAME': BAD,
            'OS_REGION_NAME': BAD, 'OS_AUTH_TYPE': 'token', 'OS_TOKEN': BAD,
            'OS_ENGINE__HOST': BAD}.items():
        monkeypatch.setenv(name, value)


@pytest.mark.usefixtures('callers_shell')
@pytest.mark.parametrize('user,project', [('admin', 'admin'),
                                          ('demo', 'demo')])
def test_connection_config_is_explicit(layout, user, project):
    conn = catalog.connect(layout, user, project, REGIONS[1])

    assert conn.config.config['auth'] == {
        'auth_url': layout.keystone_url, 'username': user,
        'password': layout.password, 'project_name': project,
        'user_domain_name': 'Default', 'project_domain_name': 'Default'}
    assert conn.config.config['auth_type'] == 'password'
    assert conn.config.get_region_name() == REGIONS[1]


@pytest.mark.usefixtures('callers_shell')
def test_admin_connection_is_admin(layout):
    conn = catalog.admin_connection(layout)

    auth = conn.config.config['auth']
    assert (auth['username'], auth['project_name']) == ('admin', 'admin')
    assert auth['password'] == layout.password
    assert conn.config.get_region_name() == REGIONS[0]


@pytest.mark.usefixtures('callers_shell')
def test_clean_environ_drops_every_os_variable(monkeypatch):
    monkeypatch.setenv('KEEP_ME', 'yes')

    env = clean_environ({'OS_CLOUD': 'admin', 'N': 1})

    assert {k for k in env if k.startswith('OS_')} == {'OS_CLOUD'}
    assert env['OS_CLOUD'] == 'admin'
    assert env['N'] == '1'
    assert env['KEEP_ME'] == 'yes'


@pytest.mark.usefixtures('callers_shell')
def test_started_processes_get_only_their_own_os_variables(layout):
    procs = Processes(layout)
    pid = procs.start('env-dump', [
        sys.executable, '-c',
        'import json, os; print(json.dumps(dict(os.environ)))'],
        env={'OS_ENGINE__HOST': 'engine-1'})
    deadline = time.monotonic() + 30
    while procs.alive('env-dump') and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pid and not procs.alive('env-dump')

    env = json.loads((layout.logs / 'env-dump.log').read_text())
    assert {k: v for k, v in env.items() if k.startswith('OS_')} == {
        'OS_ENGINE__HOST': 'engine-1'}


def test_stop_ends_the_whole_process_group_and_forgets_it(layout):
    """``down`` and ``wipe`` stop services through this; a child a service
    forked (an API's workers) must not outlive it.
    """
    procs = Processes(layout)
    pid = procs.start('forker', [
        sys.executable, '-c',
        'import subprocess, sys, time; '
        'subprocess.Popen([sys.executable, "-c", "import time; '
        'time.sleep(60)"]); time.sleep(60)'])
    deadline = time.monotonic() + 30
    while len(procs.group_members(pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(procs.group_members(pid)) == 2

    assert procs.stop(['forker'], timeout=10) == ['forker']

    assert procs.group_members(pid) == []
    assert not procs.alive('forker') and 'forker' not in procs.names()


@pytest.mark.usefixtures('callers_shell')
def test_bench_cli_environment_is_the_demo_users(layout):
    env = bench.Env(layout).cli_env(REGIONS[1])

    os_vars = {k: v for k, v in env.items() if k.startswith('OS_')}
    assert BAD not in os_vars.values()
    assert 'OS_TOKEN' not in os_vars and 'OS_AUTH_TYPE' not in os_vars
    assert os_vars['OS_CLOUD'] == 'demo'
    assert os_vars['OS_CLIENT_CONFIG_FILE'] == str(layout.clouds_yaml)
    assert os_vars['OS_REGION_NAME'] == REGIONS[1]


@pytest.mark.usefixtures('callers_shell')
def test_bench_and_story_sessions_are_the_demo_users(layout):
    env = bench.Env(layout)
    for session in (env.session(), story.session(layout),
                    env.conn(REGIONS[1]).session):
        auth = session.auth
        method = auth.auth_methods[0]
        assert (auth.auth_url, method.username, auth.project_name) == (
            layout.keystone_url, 'demo', 'demo')
        assert method.password == layout.password
    assert env.conn(REGIONS[1]).config.get_region_name() == REGIONS[1]

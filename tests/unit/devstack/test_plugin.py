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

"""The devstack plugin's phases, run in bash against stubbed devstack functions.

``stubs.sh`` stands in for devstack: each stub records its call, so a test
reads back the calls ``plugin.sh`` made and the ini values it set with
``iniset``, the way stack.sh, unstack.sh and clean.sh would source it.
"""
import collections
import dataclasses
import pathlib
import shlex
import subprocess

import pytest

from tests.unit.conf.sample_options import sample_options

REPO = pathlib.Path(__file__).resolve().parents[3]
DEVSTACK = REPO / 'devstack'
STUBS = pathlib.Path(__file__).with_name('stubs.sh')

# What devstack sets before a plugin runs (a subset: what plugin.sh uses).
DEVSTACK_GLOBALS = {
    'STACK_USER': 'stack', 'REGION_NAME': 'RegionOne',
    'SERVICE_TIMEOUT': '60', 'SERVICE_PROTOCOL': 'http',
    'SERVICE_HOST': '192.0.2.10', 'SERVICE_LISTEN_ADDRESS': '0.0.0.0',
    'KEYSTONE_SERVICE_URI': 'http://192.0.2.10/identity',
    'SERVICE_PASSWORD': 'service-secret', 'SERVICE_DOMAIN_NAME': 'Default',
    'SERVICE_PROJECT_NAME': 'service', 'DATABASE_TYPE': 'mysql',
    'ENABLE_DEBUG_LOG_LEVEL': 'True', 'SSL_BUNDLE_FILE': '',
    'ENABLED_SERVICES': 'key,mysql,rabbit,s-proxy,swift,h-api,h-eng',
}


@dataclasses.dataclass
class Run:
    """What one run of some phases did."""

    returncode: int
    calls: list
    conf_dir: pathlib.Path
    state_path: pathlib.Path
    output: str

    @property
    def conf(self):
        return self.ini(self.conf_dir / 'dragon.conf')

    def ini(self, path):
        """{section: {option: value}} of ``path`` as set through iniset."""
        values = collections.defaultdict(dict)
        for name, *args in self.calls:
            if name == 'iniset':
                if args[0] == '-sudo':
                    args = args[1:]
                if args[0] == str(path):
                    values[args[1]][args[2]] = args[3]
        return dict(values)

    def called(self, name):
        return [args for call, *args in self.calls if call == name]


def run_plugin(tmp_path, *phases, **settings):
    """Source settings, then plugin.sh once per phase, in one bash.

    ``settings`` are localrc values (e.g. ``DRAGON_ENGINE_COUNT='2'``,
    ``DISABLED_SERVICES``) or devstack globals to override.
    """
    log = tmp_path / 'calls.log'
    log.write_text('')
    stub_bin = tmp_path / 'bin'
    stub_bin.mkdir(exist_ok=True)
    manage = stub_bin / 'dragon-manage'
    manage.write_text('#!/bin/bash\nprintf "%s\\037" dragon-manage "$@" '
                      '>>"$STUB_LOG"\nprintf "\\n" >>"$STUB_LOG"\n')
    manage.chmod(0o755)
    env = dict(DEVSTACK_GLOBALS)
    env.update(DEST=str(tmp_path / 'opt'), DATA_DIR=str(tmp_path / 'data'),
               DRAGON_DIR=str(REPO),
               DRAGON_CONF_DIR=str(tmp_path / 'etc' / 'dragon'))
    env.update(settings)
    lines = ['set -o errexit', 'source %s' % shlex.quote(str(STUBS))]
    lines += ['%s=%s' % (k, shlex.quote(v)) for k, v in env.items()]
    lines += ['export STUB_LOG=%s STUB_BIN=%s' % (
        shlex.quote(str(log)), shlex.quote(str(stub_bin))),
        'source %s' % shlex.quote(str(DEVSTACK / 'settings'))]
    lines += ['source %s %s' % (shlex.quote(str(DEVSTACK / 'plugin.sh')),
                                phase) for phase in phases]
    result = subprocess.run(['bash', '-c', '\n'.join(lines)],
                            capture_output=True, text=True, timeout=60,
                            cwd=str(tmp_path))
    calls = [line.split('\x1f')[:-1]
             for line in log.read_text().splitlines() if line]
    return Run(result.returncode, calls, tmp_path / 'etc' / 'dragon',
               tmp_path / 'data' / 'dragon', result.stdout + result.stderr)


def test_stack_install_installs_the_checkout(tmp_path):
    run = run_plugin(tmp_path, 'stack install')

    assert run.returncode == 0, run.output
    assert run.called('setup_develop') == [[str(REPO)]]
    assert not run.called('iniset')


def test_post_config_writes_the_configuration(tmp_path):
    run = run_plugin(tmp_path, 'stack post-config', REGION_NAME='RegionTwo')

    assert run.returncode == 0, run.output
    conf = run.conf
    assert conf['DEFAULT'] == {
        'debug': 'True', 'state_path': str(run.state_path),
        'transport_url': 'rabbit://stackrabbit:secret@127.0.0.1:5672/'}
    assert conf['database'] == {
        'connection': 'mysql+pymysql://root:secret@127.0.0.1/dragon'
                      '?charset=utf8'}
    assert conf['api'] == {'auth_strategy': 'keystone',
                           'bind_host': '0.0.0.0', 'bind_port': '8799'}
    assert 'keystone_authtoken' not in conf    # devstack's function sets it
    assert run.called('configure_keystone_authtoken_middleware') == [
        [str(run.conf_dir / 'dragon.conf'), 'dragon']]
    # The trustee has its own project scope, for chunk gc.
    assert conf['trustee'] == {
        'auth_type': 'password', 'auth_url': 'http://192.0.2.10/identity',
        'username': 'dragon', 'password': 'service-secret',
        'user_domain_name': 'Default', 'project_name': 'service',
        'project_domain_name': 'Default'}
    assert conf['engine'] == {'region_name': 'RegionTwo'}
    assert conf['scheduler'] == {'poll_interval': '10'}
    for group in ('nova', 'cinder', 'glance', 'neutron', 'heat', 'swift'):
        assert conf[group] == {'region_name': 'RegionTwo'}, group
    assert 'oslo_messaging_notifications' not in conf
    policy_file = run.conf_dir / 'policy.yaml'
    assert conf['oslo_policy'] == {'policy_file': str(policy_file)}
    assert policy_file.read_text() == (
        REPO / 'etc' / 'dragon' / 'policy.yaml.sample').read_text()
    assert run.ini(run.conf_dir / 'dragon-api-uwsgi.ini') == {
        'uwsgi': {'env': 'DRAGON_CONFIG_FILE=%s' % (
            run.conf_dir / 'dragon.conf')}}
    assert run.called('write_uwsgi_config') == [[
        str(run.conf_dir / 'dragon-api-uwsgi.ini'),
        'dragon.wsgi.api:application', '', '0.0.0.0:8799', 'dragon-api']]
    assert run.called('setup_logging') == [[str(run.conf_dir / 'dragon.conf')]]


def test_post_config_sets_only_options_dragon_has(tmp_path):
    run = run_plugin(tmp_path, 'stack post-config',
                     ENABLED_SERVICES='key,mysql,rabbit,ceilometer',
                     SSL_BUNDLE_FILE='/opt/stack/data/ca-bundle.pem')

    assert run.returncode == 0, run.output
    known = sample_options()
    unknown = [(section, option)
               for section, values in run.conf.items()
               for option in values if option not in known.get(section, ())]
    assert not unknown
    assert run.conf['trustee']['cafile'] == '/opt/stack/data/ca-bundle.pem'


def test_post_config_registers_dragon_in_keystone(tmp_path):
    run = run_plugin(tmp_path, 'stack post-config', REGION_NAME='RegionTwo')

    assert run.returncode == 0, run.output
    assert run.called('create_service_user') == [['dragon', 'admin']]
    # Swift's reseller admin role, for chunk gc on every project's account.
    assert run.called('get_or_create_role') == [['ResellerAdmin']]
    assert run.called('get_or_add_user_project_role') == [
        ['ResellerAdmin', 'dragon', 'service', 'Default', 'Default']]
    assert run.called('get_or_create_service') == [
        ['dragon', 'dr', 'Workload protection and disaster recovery']]
    url = 'http://192.0.2.10:8799'
    assert run.called('get_or_create_endpoint') == [
        ['dr', 'RegionTwo', url, url, url]]


def test_post_config_syncs_the_database_after_writing_the_config(tmp_path):
    run = run_plugin(tmp_path, 'stack post-config')

    assert run.returncode == 0, run.output
    names = [call[0] for call in run.calls]
    assert run.called('recreate_database') == [['dragon']]
    assert run.called('dragon-manage') == [
        ['--config-file', str(run.conf_dir / 'dragon.conf'), 'db', 'sync']]
    last_iniset = max(i for i, n in enumerate(names) if n == 'iniset')
    assert names.index('recreate_database') > last_iniset
    assert names.index('dragon-manage') > names.index('recreate_database')


def test_without_mysql_or_swift(tmp_path):
    run = run_plugin(tmp_path, 'stack post-config', DATABASE_TYPE='sqlite',
                     ENABLED_SERVICES='key,rabbit')

    assert run.returncode == 0, run.output
    assert 'database' not in run.conf
    assert not run.called('recreate_database')
    assert run.called('dragon-manage')
    assert not run.called('get_or_create_role')
    assert not run.called('get_or_add_user_project_role')


@pytest.mark.parametrize('services,driver,expected', [
    ('key,rabbit,ceilometer', '', 'messagingv2'),
    ('key,rabbit', 'log', 'log'),
    ('key,rabbit,ceilometer', 'noop', 'noop'),
])
def test_notifications(tmp_path, services, driver, expected):
    run = run_plugin(tmp_path, 'stack post-config', ENABLED_SERVICES=services,
                     DRAGON_NOTIFICATION_DRIVER=driver)

    assert run.returncode == 0, run.output
    assert run.conf['oslo_messaging_notifications'] == {
        'driver': expected, 'topics': 'notifications'}


def test_stack_extra_starts_api_and_engines(tmp_path):
    run = run_plugin(tmp_path, 'stack extra', DRAGON_ENGINE_COUNT='2')

    assert run.returncode == 0, run.output
    conf = str(run.conf_dir / 'dragon.conf')
    engine = '%s/dragon-engine --config-file %s' % (tmp_path / 'bin', conf)
    assert run.called('run_process') == [
        ['dragon-api', '/usr/bin/uwsgi --procname-prefix dragon --ini %s'
         % (run.conf_dir / 'dragon-api-uwsgi.ini')],
        ['dragon-engine', engine],
        ['dragon-engine-2', engine, '', '',
         'OS_ENGINE__HOST=node1-engine-2']]
    assert run.called('wait_for_service') == [['60', 'http://192.0.2.10:8799/']]


def test_stack_extra_standalone_api(tmp_path):
    run = run_plugin(tmp_path, 'stack extra', DRAGON_API_SERVER='standalone')

    assert run.returncode == 0, run.output
    assert run.called('run_process')[0] == [
        'dragon-api', '%s/dragon-api --config-file %s' % (
            tmp_path / 'bin', run.conf_dir / 'dragon.conf')]


def test_stack_extra_dies_when_the_api_does_not_answer(tmp_path):
    run = run_plugin(tmp_path, 'stack extra', STUB_WAIT_FOR_SERVICE_RC='124')

    assert run.returncode != 0
    assert [args[1:] for args in run.called('die')] == [
        ['dragon-api did not start']]


def test_unstack_stops_every_process(tmp_path):
    run = run_plugin(tmp_path, 'unstack', DRAGON_ENGINE_COUNT='3')

    assert run.returncode == 0, run.output
    assert run.called('stop_process') == [
        ['dragon-api'], ['dragon-engine'], ['dragon-engine-2'],
        ['dragon-engine-3']]


def test_clean_removes_what_stack_made(tmp_path):
    run = run_plugin(tmp_path, 'stack post-config', DATABASE_TYPE='sqlite')
    assert run.returncode == 0, run.output
    (run.state_path / 'dragon.sqlite').write_text('')
    assert (run.conf_dir / 'policy.yaml').exists()

    run = run_plugin(tmp_path, 'unstack', 'clean')

    assert run.returncode == 0, run.output
    assert not run.conf_dir.exists()
    assert not run.state_path.exists()


def test_settings_enable_both_services(tmp_path):
    run = run_plugin(tmp_path, 'unstack')

    assert run.returncode == 0, run.output
    assert run.called('stop_process') == [['dragon-api'], ['dragon-engine']]


def test_disabled_plugin_does_nothing(tmp_path):
    run = run_plugin(tmp_path, 'stack install', 'stack post-config',
                     'stack extra', 'unstack', 'clean',
                     DISABLED_SERVICES='dragon-api,dragon-engine')

    assert run.returncode == 0, run.output
    assert [call[0] for call in run.calls] == ['define_plugin']


def test_stack_install_with_horizon_installs_the_dashboard_extra(tmp_path):
    run = run_plugin(tmp_path, 'stack install',
                     ENABLED_SERVICES='key,mysql,rabbit,horizon')

    assert run.returncode == 0, run.output
    assert run.called('setup_develop') == [[str(REPO), 'dashboard']]


def _dragon_tree_with_panel(tmp_path):
    """A Dragon tree with two enabled files (and the policy sample)."""
    src = tmp_path / 'dragon-src'
    (src / 'etc' / 'dragon').mkdir(parents=True)
    (src / 'etc' / 'dragon' / 'policy.yaml.sample').write_text('')
    enabled = src / 'dragon' / 'dashboard' / 'enabled'
    enabled.mkdir(parents=True)
    for name in ('__init__.py', '_6000_dr_group.py', '_6010_dr_policies.py'):
        (enabled / name).write_text('')
    return enabled


def test_post_config_with_horizon_enables_the_panel(tmp_path):
    enabled = _dragon_tree_with_panel(tmp_path)
    horizon = tmp_path / 'horizon'
    local_enabled = horizon / 'openstack_dashboard' / 'local' / 'enabled'
    local_enabled.mkdir(parents=True)
    (local_enabled / '_1000_theirs.py').write_text('')

    run = run_plugin(tmp_path, 'stack post-config',
                     ENABLED_SERVICES='key,mysql,rabbit,horizon',
                     DRAGON_DIR=str(tmp_path / 'dragon-src'),
                     HORIZON_DIR=str(horizon))

    assert run.returncode == 0, run.output
    links = {p.name: p for p in local_enabled.iterdir()}
    assert sorted(links) == ['_1000_theirs.py', '_6000_dr_group.py',
                             '_6010_dr_policies.py']
    for name in ('_6000_dr_group.py', '_6010_dr_policies.py'):
        assert links[name].is_symlink()
        assert links[name].resolve() == enabled / name

    # clean takes back its links, and only its links.
    run = run_plugin(tmp_path, 'clean',
                     ENABLED_SERVICES='key,mysql,rabbit,horizon',
                     DRAGON_DIR=str(tmp_path / 'dragon-src'),
                     HORIZON_DIR=str(horizon))

    assert run.returncode == 0, run.output
    assert [p.name for p in local_enabled.iterdir()] == ['_1000_theirs.py']


def test_post_config_without_horizon_leaves_it_alone(tmp_path):
    _dragon_tree_with_panel(tmp_path)
    horizon = tmp_path / 'horizon'

    run = run_plugin(tmp_path, 'stack post-config',
                     DRAGON_DIR=str(tmp_path / 'dragon-src'),
                     HORIZON_DIR=str(horizon))

    assert run.returncode == 0, run.output
    assert not horizon.exists()

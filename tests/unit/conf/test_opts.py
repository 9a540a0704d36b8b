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

import importlib

from oslo_config import cfg

from dragon import conf as dragon_conf
from dragon.conf import database
from dragon.conf import opts


def _group_name(group):
    return group.name if isinstance(group, cfg.OptGroup) else group


def test_each_module_lists_only_its_own_group():
    for module in dragon_conf.MODULES:
        name = module.__name__.rsplit('.', 1)[1]
        groups = {_group_name(g) for g in module.list_opts()}
        expected = {'DEFAULT'} if name == 'default' else {name}
        if name == 'database':
            expected = set()  # oslo.db documents [database] itself
        assert groups == expected, name


def test_every_registered_option_is_listed_for_the_generator(conf):
    listed = {(_group_name(g), o.dest) for g, group_opts in opts.list_opts()
              for o in group_opts}
    for group in ('api', 'engine', 'nova', 'cinder', 'glance', 'neutron',
                  'heat', 'swift'):
        for option in conf[group]:
            assert (group, option) in listed, (group, option)
    assert ('DEFAULT', 'state_path') in listed


def test_remote_service_groups_default_to_their_service_type(conf):
    assert conf.nova.service_type == 'compute'
    assert conf.cinder.service_type == 'block-storage'
    assert conf.swift.service_type == 'object-store'
    assert conf.heat.service_type == 'orchestration'
    assert 'timeout' in conf.glance  # session options too


def test_api_defaults(conf):
    assert conf.api.bind_host == '127.0.0.1'
    assert conf.api.bind_port == 8799
    assert conf.api.auth_strategy == 'keystone'
    assert conf.api.max_request_body_size == 1024 * 1024


def test_default_database_follows_state_path(conf):
    conf.set_override('state_path', '/srv/dragon')
    assert conf.database.connection == 'sqlite:////srv/dragon/dragon.sqlite'
    assert database.DEFAULT_CONNECTION.startswith('sqlite:///$state_path')


def test_engine_topic_default(conf):
    assert conf.engine.topic == 'dragon-engine'


def test_conf_modules_do_not_read_config_at_import():
    # Re-importing must not touch CONF values (which would need parsing).
    fresh = cfg.ConfigOpts()
    for module in dragon_conf.MODULES:
        importlib.reload(module).register_opts(fresh)
    assert fresh.engine.topic == 'dragon-engine'

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

"""ServiceClients: one counting session, the SDK connection, the options."""
from unittest import mock

from keystoneauth1 import discover
import pytest

from dragon.cloud import clients


def _session():
    session = mock.Mock()
    session.auth.get_endpoint_data.return_value = discover.EndpointData(
        catalog_url='http://glance.test:9292/v2', api_version=(2, 0))
    session.request.return_value = mock.Mock(status_code=200, history=[])
    session._discovery_cache = {}
    session.auth.get_project_id.return_value = 'p1'
    return session


def _sent(session):
    return session.request.call_args.kwargs


def test_adapter_is_bound_to_region_interface_and_microversion(conf):
    conf.set_override('valid_interfaces', ['internal'], group='nova')
    sc = clients.ServiceClients(_session(), 'RegionTwo', conf)
    compute = sc.adapter('compute')
    assert (compute.service_type, compute.region_name, compute.interface) == (
        'compute', 'RegionTwo', ['internal'])
    assert compute.default_microversion == '2.79'
    assert sc.adapter('image').default_microversion is None
    assert sc.adapter('compute') is compute


def test_requests_are_counted_per_service(conf):
    session = _session()
    sc = clients.ServiceClients(session, 'RegionOne', conf)
    sc.adapter('network').get('/v2.0/ports')
    sc.adapter('network').get('/v2.0/networks')
    sc.adapter('compute').get('/servers/detail')
    assert sc.calls == {'network': 2, 'compute': 1}
    assert _sent(session)['endpoint_filter']['region_name'] == 'RegionOne'


def test_sdk_requests_go_through_the_counting_session(conf):
    conf.set_override('endpoint_override', 'http://glance.test:9292',
                      group='glance')
    session = _session()
    sc = clients.ServiceClients(session, 'RegionOne', conf)
    assert sc.connection.config.get_endpoint('image') == (
        'http://glance.test:9292')
    sc.connection.image.get('/v2/images')
    assert sc.calls == {'image': 1}
    assert _sent(session)['timeout'] == clients.TIMEOUT
    assert _sent(session)['connect_retries'] == clients.CONNECT_RETRIES


def test_connection_pins_microversions_and_reads_the_groups(conf):
    conf.set_override('valid_interfaces', ['internal'], group='cinder')
    conf.set_override('region_name', 'RegionNine', group='neutron')
    sc = clients.ServiceClients(_session(), 'RegionTwo', conf)
    config = sc.connection.config
    assert config.get_default_microversion('compute') == '2.79'
    assert config.get_default_microversion('block-storage') == '3.60'
    assert config.get_default_microversion('image') is None
    assert config.get_interface('block-storage') == ['internal']
    # The run's region wins over the group's.
    assert config.get_region_name('network') == 'RegionTwo'
    assert sc.connection is sc.connection


def test_group_region_is_the_default_when_the_run_has_none(conf):
    conf.set_override('region_name', 'RegionNine', group='neutron')
    sc = clients.ServiceClients(_session(), None, conf)
    assert sc.options('network').region_name == 'RegionNine'
    assert sc.connection.config.get_region_name('network') == 'RegionNine'
    assert sc.options('compute').region_name is None


def test_group_timeout_and_retries_apply_to_its_service_only(conf):
    conf.set_override('timeout', 7, group='nova')
    conf.set_override('connect_retries', 5, group='nova')
    session = _session()
    sc = clients.ServiceClients(session, 'RegionOne', conf)
    sc.adapter('compute').get('/servers/x')
    assert (_sent(session)['timeout'], _sent(session)['connect_retries']) == (
        7, 5)
    sc.adapter('image').get('/v2/images/x')
    assert (_sent(session)['timeout'], _sent(session)['connect_retries']) == (
        clients.TIMEOUT, clients.CONNECT_RETRIES)


def test_other_region_has_its_own_counter(conf):
    sc = clients.ServiceClients(_session(), 'RegionOne', conf)
    sc.adapter('image').get('/v2/images')
    other = sc.in_region('RegionTwo')
    assert other.region_name == 'RegionTwo' and other.calls == {}
    assert other.base_session is sc.base_session


def test_unknown_service_is_refused(conf):
    with pytest.raises(ValueError):
        clients.ServiceClients(_session(), 'RegionOne',
                               conf).adapter('compute2')


def test_swift_connection_uses_the_session_region_and_group(conf):
    conf.set_override('valid_interfaces', ['public'], group='swift')
    conf.set_override('timeout', 9, group='swift')
    session = _session()
    conn = clients.ServiceClients(session, 'RegionTwo', conf).swift()
    assert conn.session is session
    assert conn.os_options['region_name'] == 'RegionTwo'
    assert conn.os_options['endpoint_type'] == 'public'
    assert conn.timeout == 9


def test_swift_calls_are_counted(conf):
    sc = clients.ServiceClients(_session(), 'RegionOne', conf)
    conn = sc.swift()
    with mock.patch.object(clients.swift_client.Connection, '_retry',
                           return_value=({}, [])):
        conn.get_container('c')
        conn.head_account()
    assert sc.calls == {'object-store': 2}


def test_only_idempotent_requests_retry_a_dropped_connection(conf):
    session = _session()
    sc = clients.ServiceClients(session, 'RegionOne', conf)
    sc.adapter('image').get('/v2/images/x')
    assert _sent(session)['connect_retries'] == 3
    sc.adapter('compute').post('/servers/x/action', json={})
    assert not _sent(session).get('connect_retries')


def _heat_session(body):
    session = _session()
    session.request.return_value = mock.Mock(
        status_code=200, headers={'content-type': 'application/json'},
        json=lambda: body, history=[])
    return session


def test_heat_requests_are_counted_and_bound_to_the_region(conf):
    conf.set_override('valid_interfaces', ['internal'], group='heat')
    session = _heat_session({'stack': {'id': 's1', 'stack_name': 'n',
                                       'stack_status': 'CREATE_COMPLETE'}})
    sc = clients.ServiceClients(session, 'RegionTwo', conf)
    stack = sc.heat().stacks.get('s1', resolve_outputs=False)
    sc.heat().stacks.get('s1')
    assert stack.stack_status == 'CREATE_COMPLETE'
    assert sc.calls == {'orchestration': 2}
    sent = _sent(session)
    assert sent['endpoint_filter']['service_type'] == 'orchestration'
    assert sent['endpoint_filter']['region_name'] == 'RegionTwo'
    assert sent['endpoint_filter']['interface'] == ['internal']
    # Same request policy as every service: a timeout, reads retried.
    assert sent['timeout'] == clients.TIMEOUT
    assert sent['connect_retries'] == clients.CONNECT_RETRIES
    # The run's token only: no X-Auth-User/Key credentials headers.
    assert not {'X-Auth-User', 'X-Auth-Key'} & set(sent.get('headers') or {})


def test_another_regions_dragon_is_reached_with_the_dr_options(conf):
    conf.set_override('valid_interfaces', ['internal'], group='dr')
    session = _heat_session({'policy': {'id': 'p1', 'status': 'active'}})
    session.request.return_value.content = b'{}'
    sc = clients.ServiceClients(session, 'RegionOne', conf)

    policy = sc.dragon().policies.get('p1')

    assert policy == {'id': 'p1', 'status': 'active'}
    assert sc.calls == {'dr': 1}
    sent = _sent(session)
    assert sent['endpoint_filter']['service_type'] == 'dr'
    assert sent['endpoint_filter']['region_name'] == 'RegionOne'
    assert sent['endpoint_filter']['interface'] == ['internal']
    assert sent['timeout'] == clients.TIMEOUT


def test_heat_writes_are_counted_and_not_retried(conf):
    session = _heat_session({'stack': {'id': 's1'}})
    sc = clients.ServiceClients(session, 'RegionOne', conf)
    sc.heat().stacks.create(stack_name='n', template='{}')
    assert sc.calls == {'orchestration': 1}
    assert not _sent(session).get('connect_retries')

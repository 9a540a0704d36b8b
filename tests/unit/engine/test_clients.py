"""ServiceClients: adapters bound to a region, counted per service."""
from unittest import mock

import pytest

from dragon.engine import clients


def _session():
    session = mock.Mock()
    session.request.return_value = mock.Mock(status_code=200)
    return session


def test_adapter_is_bound_to_region_interface_and_microversion():
    sc = clients.ServiceClients(_session(), 'RegionTwo', interface='internal')
    compute = sc.adapter('compute')
    assert (compute.service_type, compute.region_name, compute.interface) == (
        'compute', 'RegionTwo', 'internal')
    assert compute.default_microversion == '2.79'
    assert sc.adapter('image').default_microversion is None
    assert sc.adapter('compute') is compute


def test_requests_are_counted_per_service():
    session = _session()
    sc = clients.ServiceClients(session, 'RegionOne')
    sc.adapter('network').get('/v2.0/ports')
    sc.adapter('network').get('/v2.0/networks')
    sc.adapter('compute').get('/servers/detail')
    assert sc.calls == {'network': 2, 'compute': 1}
    assert session.request.call_args.kwargs['endpoint_filter']['region_name'] == 'RegionOne'


def test_other_region_has_its_own_counter():
    sc = clients.ServiceClients(_session(), 'RegionOne')
    sc.adapter('image').get('/v2/images')
    other = sc.in_region('RegionTwo')
    assert other.region_name == 'RegionTwo' and other.calls == {}
    assert other.session is sc.session


def test_unknown_service_is_refused():
    with pytest.raises(ValueError):
        clients.ServiceClients(_session(), 'RegionOne').adapter('compute2')


def test_swift_connection_uses_the_session_and_region():
    session = _session()
    conn = clients.ServiceClients(session, 'RegionTwo').swift()
    assert conn.session is session
    assert conn.os_options['region_name'] == 'RegionTwo'


def test_only_idempotent_requests_retry_a_dropped_connection():
    session = _session()
    sc = clients.ServiceClients(session, 'RegionOne')
    sc.adapter('image').get('/v2/images/x')
    assert session.request.call_args.kwargs['connect_retries'] == 3
    sc.adapter('compute').post('/servers/x/action', json={})
    assert 'connect_retries' not in session.request.call_args.kwargs or \
        not session.request.call_args.kwargs['connect_retries']


def _heat_session(body):
    session = _session()
    session.request.return_value = mock.Mock(
        status_code=200, headers={'content-type': 'application/json'},
        json=lambda: body)
    return session


def test_heat_requests_are_counted_and_bound_to_the_region():
    session = _heat_session({'stack': {'id': 's1', 'stack_name': 'n',
                                       'stack_status': 'CREATE_COMPLETE'}})
    sc = clients.ServiceClients(session, 'RegionTwo', interface='internal')
    stack = sc.heat().stacks.get('s1', resolve_outputs=False)
    sc.heat().stacks.get('s1')
    assert stack.stack_status == 'CREATE_COMPLETE'
    assert sc.calls == {'orchestration': 2}
    kwargs = session.request.call_args.kwargs
    assert kwargs['endpoint_filter'] == {
        'service_type': 'orchestration', 'region_name': 'RegionTwo',
        'interface': 'internal'}
    # Same request policy as every adapter: a timeout, reads retried.
    assert kwargs['timeout'] == clients.TIMEOUT
    assert kwargs['connect_retries'] == clients.CONNECT_RETRIES
    # The run's token only: no X-Auth-User/Key credentials headers.
    assert not {'X-Auth-User', 'X-Auth-Key'} & set(kwargs['headers'])


def test_heat_writes_are_counted_and_not_retried():
    session = _heat_session({'stack': {'id': 's1'}})
    sc = clients.ServiceClients(session, 'RegionOne')
    sc.heat().stacks.create(stack_name='n', template='{}')
    assert sc.calls == {'orchestration': 1}
    assert not session.request.call_args.kwargs.get('connect_retries')

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

"""dragon.cloud.caller: the caller's catalog and token, through openstacksdk."""

import json
from urllib import parse

import pytest
import requests

from dragon.cloud import caller
from dragon import context as dragon_context
from dragon import exception

CATALOG = [
    {'type': 'compute', 'name': 'nova', 'endpoints': [
        {'region': 'RegionOne', 'publicURL': 'http://r1/nova/v2.1',
         'internalURL': 'http://r1-int/nova/v2.1'},
        {'region': 'RegionTwo', 'publicURL': 'http://r2/nova/v2.1'}]},
    {'type': 'block-storage', 'name': 'cinder', 'endpoints': [
        {'region': 'RegionOne', 'publicURL': 'http://r1/cinder/v3/p1'}]},
]


def _ctx():
    return dragon_context.RequestContext(
        user_id='u1', project_id='p1', roles=['member'], auth_token='tok',
        service_catalog=CATALOG)


def test_endpoint_comes_from_the_callers_catalog_and_region(global_conf):
    global_conf.set_override('region_name', 'RegionTwo', group='nova')
    try:
        adapter = caller._adapter(_ctx(), 'nova')
        assert adapter.get_endpoint() == 'http://r2/nova/v2.1'
        assert adapter.session.get_auth_headers(adapter.auth) == {
            'X-Auth-Token': 'tok'}
    finally:
        global_conf.clear_override('region_name', group='nova')


def test_internal_interface_is_preferred(global_conf):
    global_conf.set_override('region_name', 'RegionOne', group='nova')
    try:
        assert caller._adapter(_ctx(), 'nova').get_endpoint() == (
            'http://r1-int/nova/v2.1')
    finally:
        global_conf.clear_override('region_name', group='nova')


def test_context_reads_the_catalog_header():
    environ = {'HTTP_X_SERVICE_CATALOG': '[{"type": "compute"}]',
               'HTTP_X_PROJECT_ID': 'p1'}
    ctx = dragon_context.RequestContext.from_environ(environ)
    assert ctx.service_catalog == [{'type': 'compute'}]
    bad = dragon_context.RequestContext.from_environ(
        {'HTTP_X_SERVICE_CATALOG': '{not json'})
    assert bad.service_catalog == []
    copy = dragon_context.RequestContext.from_dict(ctx.to_dict())
    assert copy.service_catalog == ctx.service_catalog


NOVA = 'http://r1-int/nova/v2.1'
CINDER = 'http://r1/cinder/v3/p1'


def _nova_versions(url):
    return {'version': {'id': 'v2.1', 'status': 'CURRENT', 'version': '2.95',
                        'min_version': '2.1',
                        'links': [{'rel': 'self', 'href': url + '/'}]}}


def _cinder_versions(url):
    return {'versions': [{'id': 'v3.0', 'status': 'CURRENT',
                          'version': '3.70', 'min_version': '3.0',
                          'links': [{'rel': 'self', 'href': url + '/'}]}]}


class _Cloud:
    """Answers HTTP as Nova and Cinder would, below keystoneauth."""

    def __init__(self):
        self.routes = {
            'http://r1-int/nova/v2.1': (200, _nova_versions(NOVA)),
            'http://r2/nova/v2.1': (200, _nova_versions('http://r2/nova/v2.1')),
            'http://nova.test/v2.1': (200, _nova_versions(
                'http://nova.test/v2.1')),
            'http://r1/cinder/v3': (200, _cinder_versions('http://r1/cinder/v3')),
        }
        self.sent = []

    def request(self, method, url, **kwargs):
        if kwargs.get('params'):
            url += '?' + parse.urlencode(kwargs['params'], doseq=True)
        self.sent.append((method, url, kwargs))
        answer = self.routes.get(url.rstrip('/'), (404, {}))
        if isinstance(answer, Exception):
            raise answer
        response = requests.Response()
        response.status_code, body = answer
        response.url = url
        response.headers['Content-Type'] = 'application/json'
        response._content = json.dumps(body).encode()
        return response

    def calls(self, path):
        return [(url, kwargs) for method, url, kwargs in self.sent
                if url.split('?')[0].endswith(path)]


@pytest.fixture
def cloud(monkeypatch, global_conf):
    fake = _Cloud()
    monkeypatch.setattr(requests.Session, 'request', fake.request)
    return fake


def _server(i, project='p1'):
    return {'id': 's%d' % i, 'name': 'web%d' % i, 'status': 'ACTIVE',
            'tenant_id': project}


def test_server_get_speaks_the_engines_microversion(cloud):
    cloud.routes[NOVA + '/servers/s1'] = (200, {'server': _server(1)})
    assert caller.server_get(_ctx(), 's1') == {
        'id': 's1', 'name': 'web1', 'status': 'ACTIVE', 'project_id': 'p1'}
    [(url, sent)] = cloud.calls('/servers/s1')
    assert sent['headers']['OpenStack-API-Version'] == 'compute 2.79'
    assert sent['headers']['X-Auth-Token'] == 'tok'
    assert sent['timeout'] == caller.TIMEOUT


def test_volume_project_is_cinders_tenant_attribute(cloud):
    cloud.routes[CINDER + '/volumes/v1'] = (200, {'volume': {
        'id': 'v1', 'name': None, 'status': 'available',
        'os-vol-tenant-attr:tenant_id': 'p1', 'encrypted': True,
        'volume_type': 'luks'}})
    cloud.routes[CINDER + '/volumes/detail'] = (200, {'volumes': [
        {'id': 'v2', 'name': 'data', 'status': 'in-use'}]})
    assert caller.volume_get(_ctx(), 'v1') == {
        'id': 'v1', 'name': '', 'status': 'available', 'project_id': 'p1',
        'encrypted': True, 'volume_type': 'luks'}
    assert caller.volume_list(_ctx()) == [
        {'id': 'v2', 'name': 'data', 'status': 'in-use', 'project_id': None}]
    [(url, sent)] = cloud.calls('/volumes/v1')
    assert sent['headers']['OpenStack-API-Version'] == 'volume 3.60'


def test_lists_read_every_page(cloud):
    # Nova returns at most [api] max_limit servers and a ``next`` link.
    cloud.routes[NOVA + '/servers/detail'] = (200, {
        'servers': [_server(i) for i in range(1000)],
        'servers_links': [{'rel': 'next', 'href':
                           NOVA + '/servers/detail?marker=s999'}]})
    cloud.routes[NOVA + '/servers/detail?marker=s999'] = (200, {
        'servers': [_server(1000), _server(1001)]})
    servers = caller.server_list(_ctx())
    assert len(servers) == 1002
    assert servers[-1]['id'] == 's1001'
    assert len(cloud.calls('/servers/detail')) == 2


def test_not_found_is_none_and_ids_are_quoted(cloud):
    assert caller.server_get(_ctx(), 'missing') is None
    assert caller.volume_get(_ctx(), 'a/b') is None
    assert cloud.calls('/volumes/a%2Fb')


@pytest.mark.parametrize('status', [500, 503, 403])
def test_errors_are_service_unavailable(cloud, status):
    cloud.routes[NOVA + '/servers/boom'] = (status, {})
    with pytest.raises(exception.RemoteServiceUnavailable) as raised:
        caller.server_get(_ctx(), 'boom')
    assert str(raised.value) == 'cannot reach Nova: HTTP %s' % status


def test_no_endpoint_is_service_unavailable(cloud):
    ctx = dragon_context.RequestContext(
        user_id='u1', project_id='p1', roles=['member'], auth_token='tok',
        service_catalog=CATALOG[:1])
    with pytest.raises(exception.RemoteServiceUnavailable) as raised:
        caller.volume_list(ctx)
    assert str(raised.value).startswith(
        'cannot reach Cinder: no endpoint in the catalog')
    assert raised.value.code == 503


def test_connection_failure_is_service_unavailable(cloud):
    cloud.routes[NOVA + '/servers/detail'] = requests.ConnectionError('reset')
    with pytest.raises(exception.RemoteServiceUnavailable) as raised:
        caller.server_list(_ctx())
    assert str(raised.value).startswith('cannot reach Nova: ')


def test_group_options_are_honoured(cloud, global_conf):
    cloud.routes['http://r2/nova/v2.1/servers/detail'] = (200, {
        'servers': [_server(7)]})
    cloud.routes['http://nova.test/v2.1/servers/detail'] = (200, {
        'servers': [_server(8)]})
    global_conf.set_override('region_name', 'RegionTwo', group='nova')
    global_conf.set_override('timeout', 7, group='nova')
    try:
        assert [s['id'] for s in caller.server_list(_ctx())] == ['s7']
        [(url, sent)] = cloud.calls('/servers/detail')
        assert sent['timeout'] == 7
        global_conf.set_override('endpoint_override', 'http://nova.test/v2.1',
                                 group='nova')
        assert [s['id'] for s in caller.server_list(_ctx())] == ['s8']
    finally:
        for option in ('region_name', 'timeout', 'endpoint_override'):
            global_conf.clear_override(option, group='nova')


def test_swift_connection_uses_the_callers_account_and_token(global_conf):
    catalog = CATALOG + [{'type': 'object-store', 'name': 'swift',
                          'endpoints': [{'region': 'RegionOne',
                                         'publicURL': 'http://r1/v1/AUTH_p1'},
                                        {'region': 'RegionTwo',
                                         'publicURL': 'http://r2/v1/AUTH_p1'}]}]
    ctx = dragon_context.RequestContext(
        user_id='u1', project_id='p1', roles=['member'], auth_token='tok',
        service_catalog=catalog)
    global_conf.set_override('region_name', 'RegionTwo', group='swift')
    try:
        connection = caller.swift_connection(ctx)
    finally:
        global_conf.clear_override('region_name', group='swift')
    assert connection.url == 'http://r2/v1/AUTH_p1'
    assert connection.token == 'tok'


def test_swift_connection_without_swift_in_the_catalog_is_503(global_conf):
    with pytest.raises(exception.RemoteServiceUnavailable) as raised:
        caller.swift_connection(_ctx())
    assert raised.value.code == 503

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

"""dragon.cloud.caller: the caller's catalog picks the endpoint; 404 means not found."""

import pytest

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


class _Response:

    def __init__(self, status_code, body=None):
        self.status_code = status_code
        self._body = body

    def json(self):
        return self._body


class _Adapter:

    def __init__(self, responses):
        self.responses = responses
        self.paths = []

    def get(self, path, **kwargs):
        self.paths.append(path)
        return self.responses[path]


@pytest.fixture
def fake_adapter(monkeypatch):
    adapter = _Adapter({
        '/servers/s1': _Response(200, {'server': {
            'id': 's1', 'name': 'web', 'status': 'ACTIVE',
            'tenant_id': 'p1'}}),
        '/servers/missing': _Response(404),
        '/servers/boom': _Response(500),
        '/servers/detail': _Response(200, {'servers': [
            {'id': 's1', 'name': 'web', 'status': 'ACTIVE',
             'tenant_id': 'p1'}]}),
        '/volumes/v1': _Response(200, {'volume': {
            'id': 'v1', 'name': None, 'status': 'available'}}),
        '/volumes/a%2Fb': _Response(404),
    })
    monkeypatch.setattr(caller, '_adapter', lambda context, group: adapter)
    return adapter


def test_get_and_list_normalize_resources(fake_adapter):
    assert caller.server_get(_ctx(), 's1') == {
        'id': 's1', 'name': 'web', 'status': 'ACTIVE', 'project_id': 'p1'}
    assert caller.volume_get(_ctx(), 'v1') == {
        'id': 'v1', 'name': '', 'status': 'available', 'project_id': None}
    assert [s['id'] for s in caller.server_list(_ctx())] == ['s1']


def test_not_found_is_none_and_ids_are_quoted(fake_adapter):
    assert caller.server_get(_ctx(), 'missing') is None
    assert caller.volume_get(_ctx(), 'a/b') is None
    assert '/volumes/a%2Fb' in fake_adapter.paths


def test_server_errors_are_service_unavailable(fake_adapter):
    with pytest.raises(exception.RemoteServiceUnavailable):
        caller.server_get(_ctx(), 'boom')


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

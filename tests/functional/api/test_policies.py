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

"""Workload policies over HTTP against dragon-api on the minicloud (real Keystone,
Nova and Cinder): members checked with the caller's token, RBAC personas,
project isolation on every route, and bad input."""
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from tests.minicloud import resources


class Http:
    """dragon-api with one Keystone token."""

    def __init__(self, url, token):
        self.url = url
        self.token = token

    def __call__(self, method, path, body=None, raw=None, token=None):
        data = raw if raw is not None else (
            json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.url + path, method=method,
                                         data=data)
        request.add_header('Content-Type', 'application/json')
        token = self.token if token is None else token
        if token:
            request.add_header('X-Auth-Token', token)
        try:
            with urllib.request.urlopen(request, timeout=60) as resp:
                text = resp.read()
                return resp.status, json.loads(text) if text else None
        except urllib.error.HTTPError as err:
            text = err.read()
            try:
                return err.code, json.loads(text)
            except ValueError:
                return err.code, text


def assert_error(answer, *codes):
    status, body = answer
    assert status in codes, (status, body)
    assert isinstance(body, dict), body
    error = body['error']
    assert set(error) == {'code', 'title', 'message', 'request_id'}
    assert error['code'] == status
    assert 'Traceback' not in error['message']
    return error['message']


@pytest.fixture(scope='module')
def demo_resources(cloud):
    """A server and a volume of project demo (a network for the server)."""
    conn = cloud.connect('demo')
    name = 'ft-api-' + uuid.uuid4().hex[:6]
    net = conn.network.create_network(name=name)
    conn.network.create_subnet(network_id=net.id, name=name, ip_version=4,
                               cidr='10.78.0.0/24')
    image = conn.image.find_image(resources.IMAGE_NAME)
    flavor = conn.compute.find_flavor('m1.tiny')
    server = conn.compute.create_server(
        name=name, image_id=image.id, flavor_id=flavor.id,
        networks=[{'uuid': net.id}])
    volume = conn.block_storage.create_volume(size=1, name=name)
    try:
        yield {'server': server, 'volume': volume, 'name': name}
    finally:
        conn.compute.delete_server(server, ignore_missing=True)
        conn.compute.wait_for_delete(server, wait=120)
        conn.block_storage.wait_for_status(
            conn.block_storage.get_volume(volume), 'available',
            failures=['error'], wait=120)
        conn.block_storage.delete_volume(volume, ignore_missing=True)
        for port in conn.network.ports(network_id=net.id):
            if port.device_owner in ('', 'compute:nova', 'compute:None'):
                conn.network.delete_port(port, ignore_missing=True)
        conn.network.delete_network(net, ignore_missing=True)


@pytest.fixture(scope='module')
def demo(cloud, dragon):
    return Http(dragon.api_url, cloud.connect('demo').auth_token)


@pytest.fixture(scope='module')
def alt(cloud, dragon):
    return Http(dragon.api_url, cloud.connect('alt_demo').auth_token)


@pytest.fixture
def policy(demo, demo_resources):
    """A demo policy protecting the demo server; deleted afterwards."""
    status, body = demo('POST', '/v1/policies', {'policy': {
        'name': 'ft-' + uuid.uuid4().hex[:8], 'description': 'functional',
        'options': {'consistent': True},
        'members': [{'resource_type': 'server',
                     'resource_id': demo_resources['server'].id}]}})
    assert status == 201, body
    yield body['policy']
    demo('DELETE', '/v1/policies/' + body['policy']['id'])


def test_policy_lifecycle_with_real_members(demo, demo_resources, policy):
    server, volume = demo_resources['server'], demo_resources['volume']
    assert policy['members'][0]['resource_name'] == demo_resources['name']
    assert policy['members'][0]['action'] == 'image_snapshot'
    base = '/v1/policies/' + policy['id']
    status, body = demo('POST', base + '/members', {'member': {
        'resource_type': 'volume', 'resource_id': volume.id,
        'action': 'cinder_backup', 'options': {'incremental': False}}})
    assert status == 201, body
    status, body = demo('GET', '/v1/protectables')
    assert status == 200
    by_id = {p['id']: p for p in body['protectables']}
    assert by_id[server.id]['policy_id'] == policy['id']
    assert by_id[server.id]['type'] == 'server'
    assert by_id[volume.id]['policy_name'] == policy['name']
    status, body = demo('GET', '/v1/protectables?type=volume')
    assert {p['type'] for p in body['protectables']} == {'volume'}
    status, body = demo('PATCH', base + '/members/' + volume.id,
                        {'member': {'action': 'snapshot_data'}})
    assert (status, body['member']['action']) == (200, 'snapshot_data')
    status, body = demo('GET', base + '/members')
    assert [m['resource_id'] for m in body['members']] == [server.id,
                                                            volume.id]
    status, _ = demo('DELETE', base + '/members/' + volume.id)
    assert status == 204
    # A schedule in the old options place is refused, nothing stored.
    assert_error(demo('PATCH', base, {'policy': {
        'options': {'schedule': {'cron': '0 2 * * *'}}}}), 400)
    status, body = demo('PATCH', base, {'policy': {
        'schedules': [{'cron': '0 2 * * *', 'timezone': 'Europe/Berlin'}],
        'options': {'retention': {'keep_last': 5}, 'rpo': '1d'}}})
    assert status == 200, body
    schedule, = body['policy']['schedules']
    assert (schedule['timezone'], schedule['status']) == (
        'Europe/Berlin', 'active')
    assert schedule['next_run_at']
    assert body['policy']['options']['rpo'] == 86400
    assert body['policy']['rpo']['state'] == 'ok'
    assert body['policy']['options']['consistent'] is True
    for bad, reason in (({'cron': '61 * * * *'}, 'cron'),
                        ({'cron': '0 2 * * *', 'timezone': 'Mars/Base'},
                         'unknown')):
        message = assert_error(demo('POST', base + '/schedules',
                                    {'schedule': bad}), 400)
        assert reason in message, message
    status, body = demo('GET', base + '/schedules')
    assert [s['id'] for s in body['schedules']] == [schedule['id']]
    status, body = demo('DELETE', base)
    assert (status, body) == (200, {'policy_id': policy['id'],
                                    'kept_checkpoints': 0})
    assert_error(demo('GET', base), 404)


def test_resource_types(demo):
    status, body = demo('GET', '/v1/resource-types')
    assert status == 200
    assert {t['name'] for t in body['resource_types']} == {
        'server', 'volume', 'swift_container'}


def test_a_resource_is_in_one_policy_unless_template_only(demo, policy,
                                                          demo_resources):
    server_id = demo_resources['server'].id
    member = {'resource_type': 'server', 'resource_id': server_id}
    message = assert_error(demo('POST', '/v1/policies', {'policy': {
        'name': 'ft-second-' + uuid.uuid4().hex[:6], 'members': [member]}}),
        409)
    assert policy['id'] in message
    status, body = demo('POST', '/v1/policies', {'policy': {
        'name': 'ft-tpl-' + uuid.uuid4().hex[:6],
        'members': [{**member, 'action': 'template_only'}]}})
    assert status == 201, body
    demo('DELETE', '/v1/policies/' + body['policy']['id'])


def test_another_project_gets_404_on_every_route(cloud, demo, alt, policy,
                                                 demo_resources):
    from dragon.api.v1 import router as v1_router
    server_id = demo_resources['server'].id
    bodies = {
        ('POST', True): {'member': {'resource_type': 'volume',
                                    'resource_id': demo_resources['volume'].id}},
        ('PATCH', True): {'member': {'action': 'template_only'}},
        ('PATCH', False): {'policy': {'name': 'stolen'}},
    }
    walked = set()
    for route in v1_router.build().mapper.matchlist:
        if route.conditions is None or '{policy_id}' not in route.routepath:
            continue
        method = route.conditions['method'][0]
        path = route.routepath.format(policy_id=policy['id'],
                                      resource_id=server_id,
                                      schedule_id='sch-1')
        body = bodies.get((method, '/members' in path))
        assert_error(alt(method, path, body), 404)
        walked.add((method, route.routepath))
    # including POST ./protect and ./failback, GET ./retention and
    # ./schedules
    assert len(walked) == 15
    status, body = alt('GET', '/v1/policies')
    assert policy['id'] not in {p['id'] for p in body['policies']}
    status, body = alt('GET', '/v1/protectables')
    assert server_id not in {p['id'] for p in body['protectables']}
    # alt_demo cannot make demo's server its own member.
    message = assert_error(alt('POST', '/v1/policies', {'policy': {
        'name': 'ft-steal', 'members': [{'resource_type': 'server',
                                         'resource_id': server_id}]}}),
        400, 404)
    assert server_id in message
    # The demo policy is untouched.
    status, body = demo('GET', '/v1/policies/' + policy['id'])
    assert status == 200 and body['policy']['name'] == policy['name']
    assert len(body['policy']['members']) == 1


def test_reader_reads_and_cannot_write(cloud, dragon, policy,
                                       demo_resources):
    reader = Http(dragon.api_url, cloud.connect('demo_reader').auth_token)
    base = '/v1/policies/' + policy['id']
    for path in ('/v1/policies', base, base + '/members',
                 '/v1/resource-types', '/v1/protectables'):
        status, body = reader('GET', path)
        assert status == 200, (path, body)
    assert_error(reader('POST', '/v1/policies',
                        {'policy': {'name': 'ft-reader'}}), 403)
    assert_error(reader('PATCH', base, {'policy': {'name': 'x'}}), 403)
    assert_error(reader('DELETE', base), 403)
    assert_error(reader('POST', base + '/members', {'member': {
        'resource_type': 'volume',
        'resource_id': demo_resources['volume'].id}}), 403)
    assert_error(reader('DELETE', base + '/members/' +
                        demo_resources['server'].id), 403)


def test_admin_sees_every_project_with_all_projects(cloud, dragon, demo,
                                                    policy):
    admin = Http(dragon.api_url, cloud.connect('admin').auth_token)
    status, body = admin('GET', '/v1/policies?all_projects=true&limit=1000')
    assert status == 200
    assert policy['id'] in {p['id'] for p in body['policies']}
    status, body = admin('GET', '/v1/policies')
    assert policy['id'] not in {p['id'] for p in body['policies']}
    assert admin('GET', '/v1/policies/' + policy['id'])[0] == 200
    assert_error(demo('GET', '/v1/policies?all_projects=true'), 403)


def test_pagination_and_filter(demo):
    prefix = 'ft-page-' + uuid.uuid4().hex[:6]
    ids = []
    try:
        for i in range(3):
            status, body = demo('POST', '/v1/policies',
                                {'policy': {'name': '%s-%d' % (prefix, i)}})
            ids.append(body['policy']['id'])
        status, body = demo('GET', '/v1/policies?name=%s-1' % prefix)
        assert [p['id'] for p in body['policies']] == [ids[1]]
        seen, path = [], '/v1/policies?limit=1&sort_key=created_at'
        while path:
            status, body = demo('GET', path)
            assert status == 200
            seen += [p['id'] for p in body['policies']]
            links = body.get('links', [])
            path = links[0]['href'].replace(demo.url, '') if links else None
        assert [i for i in seen if i in ids] == ids
    finally:
        for policy_id in ids:
            demo('DELETE', '/v1/policies/' + policy_id)


@pytest.mark.parametrize('raw', [
    b'{"policy": ', b'<xml/>', b'{"policy": {"name": 5}}',
    b'{"policy": {"name": "x", "surprise": true}}',
    b'{"policy": {"name": "' + b'n' * 10000 + b'"}}',
    b'{"policy": {"name": "ctl\\u0001"}}',
    b'{"policy": {"name": "   "}}',
    b'{"policy": {"name": "x", "options": {"consistent": "yes"}}}',
    b'{"policy": {"name": "x", "members": [{"resource_type": "server", '
    b'"resource_id": "x", "action": "snapshot_data"}]}}',
    b'{"policy": {"name": "x", "members": [{"resource_type": "server", '
    b'"resource_id": "1\' OR \'1\'=\'1"}]}}',
])
def test_bad_bodies_are_400(demo, raw):
    assert_error(demo('POST', '/v1/policies', raw=raw), 400)


def test_ten_megabyte_body_is_413(demo):
    """Refused on its declared length, before the body is read.

    The server answers and closes without reading 10 MB, so the client
    sends the headers and a first part, then reads the answer (a client
    that insists on writing everything first meets a closed socket).
    """
    size = 10 * 1024 * 1024
    connection = http.client.HTTPConnection(
        urllib.parse.urlsplit(demo.url).netloc, timeout=60)
    try:
        connection.putrequest('POST', '/v1/policies')
        connection.putheader('Content-Type', 'application/json')
        connection.putheader('Content-Length', str(size))
        connection.putheader('X-Auth-Token', demo.token)
        connection.endheaders()
        connection.send(b'{"policy": {"name": "' + b'x' * 65536)
        response = connection.getresponse()
        assert_error((response.status, json.loads(response.read())), 413)
    finally:
        connection.close()


def test_unicode_and_sql_like_names_are_data_and_duplicates_409(demo):
    for name in ('ft-龍-' + uuid.uuid4().hex[:4],
                 "ft-x'; DROP TABLE workload_policies;--" + uuid.uuid4().hex[:4]):
        status, body = demo('POST', '/v1/policies', {'policy': {'name': name}})
        assert status == 201, body
        assert body['policy']['name'] == name
        assert_error(demo('POST', '/v1/policies', {'policy': {'name': name}}),
                     409)
        demo('DELETE', '/v1/policies/' + body['policy']['id'])


def test_unknown_action_and_unknown_resource(demo, policy, demo_resources):
    base = '/v1/policies/%s/members' % policy['id']
    assert_error(demo('POST', base, {'member': {
        'resource_type': 'volume', 'resource_id': demo_resources['volume'].id,
        'action': 'image_snapshot'}}), 400)
    missing = str(uuid.uuid4())
    assert missing in assert_error(demo('POST', base, {'member': {
        'resource_type': 'volume', 'resource_id': missing}}), 400)
    # A server id is not a volume id.
    assert_error(demo('POST', base, {'member': {
        'resource_type': 'volume',
        'resource_id': demo_resources['server'].id}}), 400)


def test_missing_forged_and_revoked_tokens_are_401(cloud, demo):
    assert_error(demo('GET', '/v1/policies', token=''), 401)
    assert_error(demo('GET', '/v1/policies', token='gAAAAA' + 'x' * 100),
                 401)
    conn = cloud.connect('demo')
    token = conn.auth_token
    conn.identity.delete('/auth/tokens', headers={'X-Subject-Token': token})
    assert_error(demo('GET', '/v1/policies', token=token), 401)


def test_openapi_document_is_served(demo):
    status, body = demo('GET', '/v1/openapi.json')
    assert status == 200
    assert body['openapi'].startswith('3.0')
    assert '/v1/policies/{policy_id}/members/{resource_id}' in body['paths']
    assert_error(demo('GET', '/v1/openapi.json', token=''), 401)


def test_urls_that_are_not_utf8_are_400(demo):
    assert_error(demo('GET', '/v1/policies?name=%ff'), 400)
    assert_error(demo('GET', '/v1/policies/%ff'), 400)


@pytest.fixture(scope='module')
def encrypted_volume(cloud):
    """A demo volume Cinder encrypts (LUKS, its key in RegionOne's Barbican)."""
    admin = cloud.connect('admin').block_storage
    name = 'ft-luks-' + uuid.uuid4().hex[:6]
    volume_type = admin.create_type(name=name)
    admin.create_type_encryption(
        volume_type, provider='luks', cipher='aes-xts-plain64', key_size=256,
        control_location='front-end')
    conn = cloud.connect('demo')
    volume = conn.block_storage.create_volume(size=1, name=name,
                                              volume_type=name)
    try:
        yield conn.block_storage.wait_for_status(
            volume, 'available', failures=['error'], wait=120)
    finally:
        conn.block_storage.delete_volume(volume, ignore_missing=True)
        conn.block_storage.wait_for_delete(volume, wait=120)
        admin.delete_type_encryption(
            admin.get_type_encryption(volume_type), ignore_missing=True)
        admin.delete_type(volume_type, ignore_missing=True)


def test_a_volume_cinder_encrypts_is_refused_with_the_reason(
        demo, policy, encrypted_volume):
    # Its data would be recovered unreadable: the LUKS key stays in this
    # region's key manager.  Refused when added, whatever the action.
    assert encrypted_volume.is_encrypted
    base = '/v1/policies/' + policy['id']
    for action in ('snapshot_data', 'cinder_backup'):
        message = assert_error(demo('POST', base + '/members', {'member': {
            'resource_type': 'volume', 'resource_id': encrypted_volume.id,
            'action': action}}), 400)
        assert ('volume %s is encrypted by Cinder (volume type %s)' % (
            encrypted_volume.id, encrypted_volume.volume_type)) in message
    status, body = demo('GET', base)
    assert status == 200
    assert encrypted_volume.id not in [
        m['resource_id'] for m in body['policy']['members']]

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

"""Checkpoints over HTTP against dragon-api and dragon-engine on the minicloud.

A policy with one template_only server is protected through the real path:
Keystone trust from demo's token, RPC cast over RabbitMQ, the engine's run,
Swift. Then the checkpoint's routes, isolation from another project, and
deletion.
"""
import time
import uuid

import pytest

from tests.functional.api.test_policies import assert_error
from tests.functional.api.test_policies import Http
from tests.minicloud import resources


@pytest.fixture(scope='module')
def demo(cloud, dragon):
    return Http(dragon.api_url, cloud.connect('demo').auth_token)


@pytest.fixture(scope='module')
def alt(cloud, dragon):
    return Http(dragon.api_url, cloud.connect('alt_demo').auth_token)


@pytest.fixture(scope='module')
def reader(cloud, dragon):
    return Http(dragon.api_url,
                cloud.connect('demo_reader', project='demo').auth_token)


@pytest.fixture(scope='module')
def server(cloud):
    conn = cloud.connect('demo')
    name = 'ft-cp-' + uuid.uuid4().hex[:6]
    net = conn.network.create_network(name=name)
    conn.network.create_subnet(network_id=net.id, name=name, ip_version=4,
                               cidr='10.79.0.0/24')
    server = conn.compute.create_server(
        name=name, image_id=conn.image.find_image(resources.IMAGE_NAME).id,
        flavor_id=conn.compute.find_flavor('m1.tiny').id,
        networks=[{'uuid': net.id}])
    server = conn.compute.wait_for_server(server, wait=120)
    try:
        yield server
    finally:
        conn.compute.delete_server(server, ignore_missing=True)
        conn.compute.wait_for_delete(server, wait=120)
        for port in conn.network.ports(network_id=net.id):
            if port.device_owner in ('', 'compute:nova', 'compute:None'):
                conn.network.delete_port(port, ignore_missing=True)
        conn.network.delete_network(net, ignore_missing=True)


@pytest.fixture
def policy(demo, server):
    status, body = demo('POST', '/v1/policies', {'policy': {
        'name': 'ft-cp-' + uuid.uuid4().hex[:6],
        'members': [{'resource_type': 'server', 'resource_id': server.id,
                     'action': 'template_only'}]}})
    assert status == 201, body
    yield body['policy']
    demo('DELETE', '/v1/policies/' + body['policy']['id'])


def _wait_ended(demo, checkpoint_id, timeout=180):
    deadline = time.monotonic() + timeout
    while True:
        status, body = demo('GET', '/v1/checkpoints/' + checkpoint_id)
        assert status == 200, body
        checkpoint = body['checkpoint']
        if checkpoint['status'] not in ('queued', 'protecting') or \
                time.monotonic() > deadline:
            return checkpoint
        time.sleep(1)


def test_protect_then_read_isolate_and_delete(demo, alt, reader, policy):
    path = '/v1/policies/%s/protect' % policy['id']
    assert_error(reader('POST', path, {}), 403)
    assert_error(alt('POST', path, {}), 404)
    status, body = demo('POST', path, {})
    assert status == 202, body
    checkpoint = body['checkpoint']
    assert checkpoint['status'] in ('queued', 'protecting')
    cp_path = '/v1/checkpoints/' + checkpoint['id']

    # One protect at a time: a second one while the first runs is 409.
    again = demo('POST', path, {})
    if again[0] != 409:
        # Only possible if the first had already ended.
        assert again[0] == 202, again
        assert demo('GET', cp_path)[1]['checkpoint']['status'] not in (
            'queued', 'protecting')
        _wait_ended(demo, again[1]['checkpoint']['id'])

    # Another project sees none of it, whatever its role.
    for route in ('', '/events', '/template'):
        assert_error(alt('GET', cp_path + route), 404)
    assert_error(alt('DELETE', cp_path), 404)
    assert all(c['id'] != checkpoint['id'] for c in
               alt('GET', '/v1/checkpoints')[1]['checkpoints'])

    ended = _wait_ended(demo, checkpoint['id'])
    assert ended['status'] in ('available', 'error'), ended
    assert ended['engine'], ended
    if ended['status'] == 'error':
        pytest.fail('checkpoint failed: %s' % ended['error'])
    assert ended['finished_at'] and ended['duration'] is not None
    assert ended['progress']['percent'] == 100.0
    assert [r['status'] for r in ended['resources']] and all(
        r['status'] == 'done' for r in ended['resources'])

    status, body = reader('GET', cp_path + '/events')
    assert status == 200 and body['events'], body
    status, body = demo('GET', cp_path + '/template')
    assert status == 200, body
    assert 'heat_template_version' in body['template']
    # The minicloud's Swift serves only its operator roles (admin, member):
    # a reader is told so, with a 403.
    assert 'Swift' in assert_error(reader('GET', cp_path + '/template'), 403)
    status, body = demo('GET', '/v1/recovery-points?policy=' + policy['id'])
    assert status == 200, body
    assert [p['checkpoint_id'] for p in body['recovery_points']] == [
        checkpoint['id']]
    listed = demo('GET', '/v1/checkpoints?policy_id=' + policy['id'])[1]
    assert checkpoint['id'] in [c['id'] for c in listed['checkpoints']]

    # Deleting: readers may not; members may, once it has ended.
    assert_error(reader('DELETE', cp_path), 403)
    status, body = demo('DELETE', cp_path)
    assert status == 202, body
    assert body['checkpoint']['status'] == 'deleting'
    deadline = time.monotonic() + 120
    while demo('GET', cp_path)[0] != 404:
        assert time.monotonic() < deadline, demo('GET', cp_path)
        time.sleep(1)
    status, body = demo('GET', '/v1/recovery-points?policy=' + policy['id'])
    assert status == 200 and body['recovery_points'] == [], body

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

"""Recoveries over HTTP against dragon-api and dragon-engine on the minicloud.

Bad requests are refused before anything is made; recovery points and
recoveries of other projects are 404s; a checkpoint of a template_only
server, protected through the real path, is recovered as a drill into
RegionTwo and the recovery is deleted again.
"""
import time
import uuid

import pytest

from tests.functional.api.test_checkpoints import _wait_ended
from tests.functional.api.test_checkpoints import alt  # noqa: F401
from tests.functional.api.test_checkpoints import demo  # noqa: F401
from tests.functional.api.test_checkpoints import reader  # noqa: F401
from tests.functional.api.test_checkpoints import server  # noqa: F401
from tests.functional.api.test_policies import assert_error

TARGET = 'RegionTwo'


@pytest.fixture(scope='module')
def demo_project(cloud):
    return cloud.connect('demo').current_project_id


@pytest.fixture(scope='module')
def checkpoint(demo, server):
    """An available checkpoint of a policy with one template_only server."""
    status, body = demo('POST', '/v1/policies', {'policy': {
        'name': 'ft-rec-' + uuid.uuid4().hex[:6],
        'members': [{'resource_type': 'server', 'resource_id': server.id,
                     'action': 'template_only'}]}})
    assert status == 201, body
    policy = body['policy']
    checkpoint = None
    try:
        status, body = demo('POST', '/v1/policies/%s/protect' % policy['id'],
                            {})
        assert status == 202, body
        checkpoint = _wait_ended(demo, body['checkpoint']['id'])
        if checkpoint['status'] != 'available':
            pytest.fail('checkpoint failed: %s' % checkpoint['error'])
        yield {**checkpoint, 'policy': policy, 'server': server}
    finally:
        if checkpoint is not None:
            path = '/v1/checkpoints/' + checkpoint['id']
            demo('DELETE', path)
            deadline = time.monotonic() + 120
            while demo('GET', path)[0] != 404 and \
                    time.monotonic() < deadline:
                time.sleep(1)
        demo('DELETE', '/v1/policies/' + policy['id'])


def _wait(demo, recovery_id, timeout=600):
    deadline = time.monotonic() + timeout
    while True:
        status, body = demo('GET', '/v1/recoveries/' + recovery_id)
        assert status == 200, body
        recovery = body['recovery']
        if recovery['status'] != 'recovering' or \
                time.monotonic() > deadline:
            return recovery
        time.sleep(2)


def _delete(demo, recovery_id, timeout=300):
    path = '/v1/recoveries/' + recovery_id
    status, body = demo('DELETE', path)
    assert status == 202, body
    assert body['recovery']['status'] == 'deleting'
    deadline = time.monotonic() + timeout
    while True:
        status, body = demo('GET', path)
        if status == 404:
            return
        assert status == 200, body
        assert body['recovery']['status'] == 'deleting', body
        assert time.monotonic() < deadline, body
        time.sleep(2)


@pytest.mark.parametrize('recovery,words', [
    ({'recovery_point': 'x'}, 'target_region'),
    ({'target_region': TARGET}, 'exactly one of'),
    ({'recovery_point': 'my-backup', 'target_region': TARGET},
     'not the name of a checkpoint container'),
    ({'recovery_point': 'dragon_p_a_20261123T120000Z',
      'target_region': TARGET, 'mode': 'rehearsal'}, 'mode'),
    ({'recovery_point': 'dragon_p_a_20261123T120000Z',
      'target_region': TARGET, 'timeout': 5}, 'timeout'),
    ({'recovery_point': 'dragon_p_a_20261123T120000Z',
      'target_region': TARGET, 'resources': 'all'}, 'resources'),
    ({'recovery_point': 'dragon_p_a_20261123T120000Z',
      'target_region': TARGET, 'mappings': {'flavours': {}}}, 'flavours'),
    ({'recovery_point': 'dragon_p_a_20261123T120000Z',
      'target_region': 'RegionNowhere'}, 'RegionNowhere'),
])
def test_bad_requests_are_400_with_a_message(demo, recovery, words):
    message = assert_error(demo('POST', '/v1/recoveries',
                                {'recovery': recovery}), 400)
    assert words in message


def test_unknown_recovery_point_is_404(demo, demo_project):
    container = 'dragon_%s_nothing_20200101T000000Z' % demo_project
    message = assert_error(demo('POST', '/v1/recoveries', {'recovery': {
        'recovery_point': container, 'target_region': TARGET}}), 404)
    assert container in message
    assert_error(demo('POST', '/v1/recoveries', {'recovery': {
        'checkpoint_id': str(uuid.uuid4()), 'target_region': TARGET}}), 404)


def test_recover_a_checkpoint_as_a_drill_isolated_and_deleted(
        demo, alt, reader, checkpoint):
    server = checkpoint['server']
    body = {'recovery': {
        'checkpoint_id': checkpoint['id'], 'target_region': TARGET,
        'mode': 'drill', 'timeout': 600,
        'mappings': {'name_prefix': 'ft-'}}}
    assert_error(reader('POST', '/v1/recoveries', body), 403)
    # Another project may not recover demo's checkpoint or its container.
    assert_error(alt('POST', '/v1/recoveries', body), 404)
    assert_error(alt('POST', '/v1/recoveries', {'recovery': {
        'recovery_point': checkpoint['container'],
        'target_region': TARGET}}), 404)

    status, answer = demo('POST', '/v1/recoveries', body)
    assert status == 202, answer
    recovery = answer['recovery']
    assert recovery['status'] == 'recovering'
    assert recovery['recovery_point'] == checkpoint['container']
    assert recovery['checkpoint_id'] == checkpoint['id']
    path = '/v1/recoveries/' + recovery['id']

    # Another project sees none of it, whatever it asks.
    for method, route in (('GET', ''), ('GET', '/events'), ('DELETE', '')):
        assert_error(alt(method, path + route), 404)
    assert all(r['id'] != recovery['id'] for r in
               alt('GET', '/v1/recoveries')[1]['recoveries'])
    assert 'recovering' in assert_error(demo('DELETE', path), 409)
    # The checkpoint it reads is not deleted under it.
    refused = assert_error(
        demo('DELETE', '/v1/checkpoints/' + checkpoint['id']), 409)
    assert recovery['id'] in refused

    try:
        ended = _wait(demo, recovery['id'])
        status, events = reader('GET', path + '/events')
        assert status == 200 and events['events'], events
        if ended['status'] == 'recovering':
            pytest.skip('the recovery is still running after 600 s')
        assert ended['status'] == 'succeeded', (ended['error'],
                                                events['events'])
        assert ended['engine'] and ended['rto_seconds'] > 0
        assert ended['torn_down'] is True
        assert ended['progress']['percent'] == 100.0
        assert ended['stack_id'] and ended['stack_name']
        assert [r['id'] for r in ended['resource_status']
                if r['type'] == 'OS::Nova::Server'] == [server.id]
        status, body = demo('GET',
                            '/v1/policies/' + checkpoint['policy']['id'])
        assert status == 200, body
        last = body['policy']['last_drill']
        assert last['recovery_id'] == recovery['id'], last
        assert last['status'] == 'succeeded' and last['rto_seconds'] > 0
        listed = demo('GET', '/v1/recoveries?status=succeeded')[1]
        assert recovery['id'] in [r['id'] for r in listed['recoveries']]

        assert_error(reader('DELETE', path), 403)
    finally:
        # Whatever happened: the stack and restored data go, then the row.
        if _wait(demo, recovery['id'], 0)['status'] != 'recovering':
            _delete(demo, recovery['id'])

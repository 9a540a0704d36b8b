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

"""Dragon's notifications reach a consumer on the minicloud's RabbitMQ and match the samples.

One template-only server policy (cheap: no data moves) is protected, then
its checkpoint is drilled into RegionTwo (a network and one server made
and torn down again); a listener with its own pool on Dragon's vhost
collects what the engine sends.
"""
import pytest

from dragon.notifications.payloads import EventType
from dragon.notifications import samples
from tests.functional.notifications import about
from tests.functional.notifications import data_of
from tests.functional.notifications import NotificationCollector
from tests.functional.protected import wait_checkpoint
from tests.story import BACKUP
from tests.story import FINAL_RECOVERY
from tests.story import wait


def _check(entry):
    event_type, payload, publisher_id, priority = entry
    samples.check_against_sample(event_type, payload, priority=priority,
                                 publisher_id=publisher_id)
    assert publisher_id.startswith('dragon-engine.')
    return data_of(payload)


@pytest.fixture
def collector(cloud, dragon):
    with NotificationCollector(
            cloud.layout.rabbit_url(dragon.ensure_up().vhost)) as found:
        yield found


@pytest.fixture
def small_policy(protected, unique_name):
    """A policy of one new m1.tiny server, template only."""
    conn, dr = protected.conn, protected.dr
    server = conn.compute.create_server(
        name=unique_name, image_id=conn.image.find_image('minicloud-raw').id,
        flavor_id=conn.compute.find_flavor('m1.tiny').id,
        networks=[{'uuid': protected.workload.ids['net']}])
    policy = None
    try:
        conn.compute.wait_for_server(server, status='ACTIVE', wait=180)
        policy = dr.policies.create(unique_name, members=[
            {'resource_type': 'server', 'resource_id': server.id,
             'action': 'template_only'}])
        yield policy
    finally:
        if policy:
            for checkpoint in dr.checkpoints.list(policy_id=policy['id']):
                dr.checkpoints.delete(checkpoint['id'])
            dr.policies.delete(policy['id'])
        conn.compute.delete_server(server, ignore_missing=True)


def test_protection_and_drill_notify_start_and_end(protected, small_policy,
                                                   collector):
    dr = protected.dr
    started = dr.checkpoints.protect(small_policy['id'])
    checkpoint = wait_checkpoint(dr, started['id'], timeout=300)
    assert checkpoint['status'] == 'available', checkpoint['error']

    start = _check(collector.wait_for(EventType.CHECKPOINT_CREATE_START,
                                      about(checkpoint['id']), 30))
    assert start['policy_id'] == small_policy['id']
    end = _check(collector.wait_for(EventType.CHECKPOINT_CREATE_END,
                                    about(checkpoint['id']), 30))
    assert (end['status'], end['container']) == (
        'available', checkpoint['container'])

    recovery = dr.recoveries.create(checkpoint_id=checkpoint['id'],
                                    target_region=BACKUP, mode='drill')
    recovery = wait(lambda: dr.recoveries.get(recovery['id']),
                    FINAL_RECOVERY, 600)
    start = _check(collector.wait_for(EventType.RECOVERY_CREATE_START,
                                      about(recovery['id']), 30))
    assert start['mode'] == 'drill'
    assert recovery['status'] == 'succeeded', recovery['error']
    end = _check(collector.wait_for(EventType.RECOVERY_CREATE_END,
                                    about(recovery['id']), 30))
    assert end['rto_seconds'] == pytest.approx(recovery['rto_seconds'],
                                               abs=0.01)
    dr.recoveries.delete(recovery['id'])

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

"""The primary site is lost: its workload comes back at the backup site.

The session's protected workload (``protected``) was checkpointed by the
primary site's Dragon.  Here every service of RegionOne and that Dragon are
stopped; the backup site's Dragon, on a database that has never seen the
checkpoint, finds it in Swift and recovers it into RegionTwo.  The
recovered volumes are read back from the file-backed driver's files and
compared with the bytes the workload was built with.  RegionOne and its
Dragon are brought back at the end.

An encrypted checkpoint rides along, without a stop-site cycle of its own:
before the loss, an encrypted policy protects a volume holding 64 MiB of
random bytes (twice: the second upload is 0 bytes); no object of the
project shows a window of those bytes or a name of its template; after
the loss it is recovered at the backup site, its key read from
RegionTwo's Barbican alone, and the volume holds the same bytes.

This is also the test cloud's own proof that ``stop-site`` loses a site
as a disaster would (every process of RegionOne gone, its APIs silent,
its Barbican included) while Keystone, Swift and RegionTwo (its own
Barbican included) keep serving.
"""
import json

import pytest

from tests.functional.encrypted import EncryptedVolume
from tests.functional.key_manager import delete_secret
from tests.functional.key_manager import read_payload
from tests.functional.key_manager import store_secret
from tests.minicloud.services import http_answers
from tests.story import BACKUP
from tests.story import FINAL_RECOVERY
from tests.story import volume_file_sha256
from tests.story import wait

pytestmark = pytest.mark.site_loss


@pytest.fixture
def primary_dragon(dragon):
    """The primary's Dragon, answering: an earlier site-loss test may have
    taken it down with its site.
    """
    return dragon.ensure_up()


@pytest.fixture
def encrypted(cloud, primary_dragon):
    """An encrypted checkpoint of a volume of known bytes, before the loss."""
    from tests.story import Story
    state = EncryptedVolume(cloud, Story(cloud.minicloud).dragon_client(
        'RegionOne'))
    try:
        state.checkpoint = state.setup()
        yield state
    finally:
        state.teardown()


@pytest.fixture
def primary_lost(cloud, primary_dragon, protected, encrypted):
    """The newest checkpoint, then the primary site and its Dragon gone."""
    checkpoint = protected.latest()
    cloud.minicloud.stop_site('RegionOne')
    for service in cloud.minicloud.table.region('RegionOne'):
        assert not cloud.minicloud.procs.alive(service.name), service.name
    assert not http_answers(cloud.layout.url('nova', 'RegionOne'))
    assert not http_answers(cloud.layout.url('glance', 'RegionOne') +
                            '/healthcheck')
    assert not http_answers(primary_dragon.api_url)
    # The backup site's Swift serves; the primary's went with its site
    # when it had its own (MINICLOUD_SWIFT_TOPOLOGY=per-region).
    lo = cloud.layout
    assert http_answers(lo.swift_url(BACKUP) + '/healthcheck')
    assert http_answers(lo.swift_url('RegionOne') + '/healthcheck') == (
        lo.swift_topology == 'shared')
    # Each site has its own key manager: RegionOne's went with it,
    # RegionTwo's still stores and reads secrets.
    assert not http_answers(cloud.layout.url('barbican', 'RegionOne'))
    backup_keys = cloud.connect('demo', region=BACKUP)
    secret_id, payload = store_secret(backup_keys, 'site-loss-probe')
    assert read_payload(backup_keys, secret_id) == payload
    delete_secret(backup_keys, secret_id)
    yield checkpoint
    cloud.minicloud.up()
    primary_dragon.up()


def test_recover_at_the_backup_site_from_swift_alone(
        cloud, primary_dragon, protected, backup_dragon, primary_lost,
        encrypted):
    from tests.story import Story
    checkpoint = primary_lost
    story = Story(cloud.minicloud)
    dr = story.dragon_client(BACKUP)
    # The backup site's database knows nothing; Swift knows the checkpoint.
    assert dr.checkpoints.list() == []
    points = dr.recovery_points.list(policy=protected.policy['id'])
    assert checkpoint['container'] in [p['container'] for p in points]

    recovery = dr.recoveries.create(recovery_point=checkpoint['container'],
                                    target_region=BACKUP)
    # The encrypted checkpoint recovers meanwhile (it is checked last).
    encrypted_recovery = _start_encrypted(cloud, dr, encrypted)
    recovery = wait(lambda: dr.recoveries.get(recovery['id']),
                    FINAL_RECOVERY, 1800)
    assert recovery['status'] == 'succeeded', (recovery['error'],
                                               recovery['resource_status'])
    assert recovery['rto_seconds'] > 0
    assert recovery['progress']['percent'] == 100

    conn = cloud.connect('demo', region=BACKUP)
    stack = conn.orchestration.get_stack(recovery['stack_id'])
    # Its networking was created while the data was restored, the rest by
    # an update once it was ([recovery] early_stack).
    assert stack.status == 'UPDATE_COMPLETE'
    events = [e['message'] for e in dr.recoveries.events(recovery['id'])]
    assert any('resources that need no restored data' in m
               for m in events), events
    resources = {r.name: r for r in conn.orchestration.resources(stack)}
    # As the checkpoint names them (an in-place commit may have moved one).
    ids = protected.workload.ids_as_of(checkpoint)
    servers = [conn.compute.get_server(r.physical_resource_id)
               for r in resources.values()
               if r.resource_type == 'OS::Nova::Server']
    assert sorted(s.status for s in servers) == ['ACTIVE'] * 3
    # A failover keeps what makes the workload reachable: the web server's
    # floating IP, the source addresses, the volumes attached.
    by_type = {}
    for r in resources.values():
        by_type.setdefault(r.resource_type, []).append(r.physical_resource_id)
    assert len(by_type['OS::Neutron::FloatingIP']) == 1
    ports = [conn.network.get_port(i) for i in by_type['OS::Neutron::Port']]
    assert ports and all(p.fixed_ips[0]['ip_address'].startswith('10.82.0.')
                         for p in ports)
    volumes = [conn.block_storage.get_volume(i)
               for i in by_type['OS::Cinder::Volume']]
    assert sorted(v.status for v in volumes) == ['in-use'] * 2

    expected = protected.workload.expected_sha256
    for role in ('data', 'app_boot'):
        key = next(k for k in resources if ids[role][:8] in k)
        digest = volume_file_sha256(cloud.layout, BACKUP,
                                    resources[key].physical_resource_id)
        assert digest == expected[role], role

    # No RegionOne id is left in what Heat runs.
    template = json.dumps(conn.orchestration.get_stack_template(stack))
    for role, source_id in ids.items():
        if role != 'keypair':          # a name, kept on purpose
            assert source_id not in template, role

    dr.recoveries.delete(recovery['id'])
    _wait_gone(dr, recovery['id'])
    assert conn.orchestration.find_stack(recovery['stack_id'],
                                         ignore_missing=True) is None or \
        conn.orchestration.get_stack(recovery['stack_id']).status == \
        'DELETE_COMPLETE'

    _check_encrypted(cloud, dr, encrypted, encrypted_recovery)


def _start_encrypted(cloud, dr, encrypted):
    """The encrypted checkpoint's recovery, its key read in RegionTwo only."""
    assert encrypted.leaks(_swift(cloud)) == []
    container = encrypted.checkpoint['container']
    [point] = [p for p in dr.recovery_points.list(
        policy=encrypted.policy['id']) if p['container'] == container]
    assert point['encrypted'] is True
    assert point['key_ref'] == encrypted.keys['RegionOne']
    return dr.recoveries.create(recovery_point=container,
                                target_region=BACKUP)


def _check_encrypted(cloud, dr, encrypted, recovery):
    conn = cloud.connect('demo', region=BACKUP)
    recovery = wait(lambda: dr.recoveries.get(recovery['id']),
                    FINAL_RECOVERY, 1800)
    assert recovery['status'] == 'succeeded', (recovery['error'],
                                               recovery['resource_status'])
    stack = conn.orchestration.get_stack(recovery['stack_id'])
    [volume_id] = [r.physical_resource_id
                   for r in conn.orchestration.resources(stack)
                   if r.resource_type == 'OS::Cinder::Volume']
    assert volume_file_sha256(cloud.layout, BACKUP, volume_id) == \
        encrypted.expected_sha256
    dr.recoveries.delete(recovery['id'])
    _wait_gone(dr, recovery['id'])


def _wait_gone(dr, recovery_id):
    """Until the recovery (and its stack) is deleted, or failed deleting."""
    wait(lambda: next((r for r in dr.recoveries.list()
                       if r['id'] == recovery_id), {'status': 'gone'}),
         ('gone', 'error'), 600)


def _swift(cloud):
    from dragon.cloud import clients as clients_mod
    from tests.story import session
    return clients_mod.ServiceClients(session(cloud.layout),
                                      BACKUP).swift()

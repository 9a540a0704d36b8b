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

"""Failback into a home site where one server survived and one is gone.

Two servers on their own network are protected at RegionOne with
replication to RegionTwo, failed over to RegionTwo, and protected there by
the reverse policy. While the workload runs at RegionTwo, one of the home
servers is deleted. The failback (its servers at the backup site
stopped by the engine after the request answered) then goes in place at
home: the surviving server is rebuilt, the gone one is booted again on
its home network with its old fixed IP, and the commit leaves the
original policy protecting the new server. Both sites stay up (the site-loss path is
test_replication's).
"""

import uuid

import pytest

from dragon.client.v1 import client as dragon_client
from tests.functional import failback_steps
from tests.minicloud import resources
from tests.story import BACKUP
from tests.story import FINAL_CHECKPOINT
from tests.story import FINAL_RECOVERY
from tests.story import PRIMARY
from tests.story import session
from tests.story import wait


def _fixed_ips(conn, server_id):
    return sorted(ip['ip_address'] for port in conn.network.ports(
        device_id=server_id) for ip in port.fixed_ips)


def _replicated(dr, checkpoint):
    assert checkpoint['status'] == 'available', checkpoint['error']
    copy = wait(lambda: dict(dr.checkpoints.get(checkpoint['id'])[
        'replication'] or {'status': None}), ('replicated', 'failed'), 600)
    assert copy['status'] == 'replicated', copy


class Workload:
    """Two servers on a network of their own at home; removed at the end."""

    def __init__(self, cloud):
        self.name = 'ft-mix-' + uuid.uuid4().hex[:6]
        self.conn = cloud.connect('demo')
        self.there = cloud.connect('demo', region=BACKUP)
        self.home = dragon_client.Client(session(cloud.layout),
                                         region_name=PRIMARY)
        self.backup = dragon_client.Client(session(cloud.layout),
                                           region_name=BACKUP)
        self.ids, self.servers = {}, []
        self.net = None
        self.made = []      # (client, 'policy' | 'recovery', id)

    def deploy(self):
        conn = self.conn
        self.net = conn.network.create_network(name=self.name)
        conn.network.create_subnet(network_id=self.net.id, name=self.name,
                                   ip_version=4, cidr='10.78.0.0/24')
        image = conn.image.find_image(resources.IMAGE_NAME)
        flavor = conn.compute.find_flavor('m1.tiny')
        for role in ('web', 'db'):
            self.ids[role] = conn.compute.create_server(
                name='%s-%s' % (self.name, role), image_id=image.id,
                flavor_id=flavor.id, networks=[{'uuid': self.net.id}],
                metadata={'tier': role}).id
            self.servers.append(self.ids[role])
        for server_id in self.servers:
            conn.compute.wait_for_server(conn.compute.get_server(server_id),
                                         status='ACTIVE', interval=0.5,
                                         wait=300)

    def remove(self):
        for client, kind, object_id in reversed(self.made):
            try:
                if kind == 'policy':
                    for checkpoint in client.checkpoints.list(
                            policy_id=object_id):
                        client.checkpoints.delete(checkpoint['id'])
                    client.policies.delete(object_id)
                else:
                    client.recoveries.delete(object_id)
            except Exception:  # noqa: BLE001 - best effort
                pass
        conn = self.conn
        for server_id in self.servers:
            conn.compute.delete_server(server_id, ignore_missing=True)
        for server_id in self.servers:
            try:
                conn.compute.wait_for_delete(
                    conn.compute.get_server(server_id), wait=120)
            except Exception:  # noqa: BLE001 - already gone
                pass
        if self.net is not None:
            for port in conn.network.ports(network_id=self.net.id):
                conn.network.delete_port(port, ignore_missing=True)
            conn.network.delete_network(self.net, ignore_missing=True)


@pytest.fixture
def workload(cloud, dragon, backup_dragon):
    dragon.ensure_up()
    made = Workload(cloud)
    try:
        made.deploy()
        yield made
    finally:
        made.remove()


def test_a_gone_home_server_is_booted_again_in_place(workload):
    conn, home, backup = workload.conn, workload.home, workload.backup
    ids = workload.ids
    db_ips = _fixed_ips(conn, ids['db'])
    policy = home.policies.create(workload.name, members=[
        {'resource_type': 'server', 'resource_id': ids[role],
         'action': 'image_snapshot'} for role in ('web', 'db')],
        replication={'target_region': BACKUP})
    workload.made.append((home, 'policy', policy['id']))
    started = home.checkpoints.protect(policy['id'])
    _replicated(home, wait(lambda: home.checkpoints.get(started['id']),
                           FINAL_CHECKPOINT, 900))

    failover = backup.recoveries.create(
        recovery_point=home.checkpoints.get(started['id'])['container'],
        target_region=BACKUP)
    workload.made.append((backup, 'recovery', failover['id']))
    failover = wait(lambda: backup.recoveries.get(failover['id']),
                    FINAL_RECOVERY, 900)
    assert failover['status'] == 'succeeded', failover['error']
    prepared = backup.recoveries.failback_prepare(failover['id'])
    reverse = prepared['policy']
    workload.made.append((backup, 'policy', reverse['id']))
    _replicated(backup, wait(
        lambda: backup.checkpoints.get(prepared['checkpoint']['id']),
        FINAL_CHECKPOINT, 900))

    # While the workload runs at the backup site, db is lost at home.
    conn.compute.delete_server(ids['db'])
    conn.compute.wait_for_delete(conn.compute.get_server(ids['db']),
                                 wait=300)
    # Stopped, not paused: the engine stops both servers here, asked
    # together, after the request answered.
    run = failback_steps.run(backup, reverse['id'], quiesce='stop')
    workload.made.append((backup, 'recovery', run['id']))
    run = wait(lambda: backup.recoveries.get(run['id']),
               ('awaiting_commit', 'error'), 1500)
    events = [e['message'] for e in backup.recoveries.events(run['id'])]
    assert run['status'] == 'awaiting_commit', (run['error'], events)
    failback_steps.assert_quiesced(
        backup, workload.there, reverse['id'], run['id'], 'SHUTOFF', 2)
    assert 'step 1/6: quiescing 2 server(s) here: stopping 2' in events
    record = backup.policies.get(reverse['id'])['failback']['run']
    assert record['home_restore']['mode'] == 'in_place', record
    assert record['home_restore']['new_servers'] == 1, record

    # web rebuilt where it stood; db booted again on its home network,
    # with its old address.
    [made] = [r for r in run['replaced'] if r['kind'] == 'new_server']
    new = made['server_id']
    workload.servers.append(new)
    assert conn.compute.get_server(new).status == 'ACTIVE'
    assert [p.network_id for p in conn.network.ports(device_id=new)] == [
        workload.net.id]
    assert _fixed_ips(conn, new) == db_ips
    assert conn.compute.get_server(ids['web']).status == 'ACTIVE'

    backup.recoveries.commit(run['id'])
    done = wait(lambda: backup.recoveries.get(run['id']),
                ('committed', 'awaiting_commit', 'error'), 900)
    assert done['status'] == 'committed', done['error']
    assert 'dragon_restore' not in (conn.compute.get_server(new).metadata
                                    or {})
    # The original policy protects the workload at home again, db as the
    # server that replaced it.
    members = [m['resource_id'] for m in
               home.policies.get(policy['id'])['members']]
    assert new in members and ids['db'] not in members

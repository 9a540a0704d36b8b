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

"""Re-protecting what did not change: stopped servers, incremental backups.

A stopped server protected twice is snapshotted once: the second
checkpoint references the first one's data (0 bytes uploaded) and
verifies whole by reading it back; started in between, it is snapshotted
again, and the checkpoint says why.  A ``cinder_backup`` volume protected
twice gets a full then an incremental backup, and deleting the checkpoints
deletes the backups, the base only once its incremental is gone.
"""
import time
import uuid

from openstack import exceptions as sdk_exc
import pytest

from dragon.client.v1 import client as dragon_client
from dragon.cloud import clients as clients_mod
from tests.functional.protected import wait_checkpoint
from tests.functional.protection.test_takeover import wait_verified
from tests.story import session


@pytest.fixture(scope='module')
def env(cloud, dragon):
    dragon.ensure_up()
    conn = cloud.connect('demo')
    name = 'ft-reprot-' + uuid.uuid4().hex[:6]
    dr = dragon_client.Client(session(cloud.layout), region_name='RegionOne')
    clients = clients_mod.ServiceClients(session(cloud.layout), 'RegionOne')
    made = {'policies': [], 'checkpoints': []}
    net = conn.network.create_network(name=name)
    conn.network.create_subnet(network_id=net.id, name=name, ip_version=4,
                               cidr='10.86.0.0/24')
    yield conn, dr, clients, name, net, made
    for checkpoint_id in made['checkpoints']:
        try:
            dr.checkpoints.delete(checkpoint_id)
        except Exception:
            pass
    for policy_id in made['policies']:
        try:
            dr.policies.delete(policy_id)
        except Exception:
            pass
    for port in conn.network.ports(network_id=net.id):
        conn.network.delete_port(port, ignore_missing=True)
    conn.network.delete_network(net, ignore_missing=True)


def _protect(dr, made, policy_id):
    started = dr.checkpoints.protect(policy_id)
    made['checkpoints'].append(started['id'])
    ended = wait_checkpoint(dr, started['id'], timeout=600)
    assert ended['status'] == 'available', (ended['error'],
                                            ended['resources'])
    return ended


def _manifest(clients, checkpoint):
    from dragon.checkpoint import store
    return store.read_manifest(clients.swift(), checkpoint['container'])


def _power(conn, server, verb, status):
    getattr(conn.compute, '%s_server' % verb)(server)
    conn.compute.wait_for_server(server, status=status, wait=180)


def test_a_stopped_server_is_snapshotted_once(env):
    conn, dr, clients, name, net, made = env
    server = conn.compute.create_server(
        name=name, image_id=conn.image.find_image('minicloud-raw').id,
        flavor_id=conn.compute.find_flavor('m1.tiny').id,
        networks=[{'uuid': net.id}])
    try:
        conn.compute.wait_for_server(server, status='ACTIVE', wait=180)
        _power(conn, server, 'stop', 'SHUTOFF')
        policy = dr.policies.create(name, members=[
            {'resource_type': 'server', 'resource_id': server.id,
             'action': 'image_snapshot'}])
        made['policies'].append(policy['id'])
        first = _protect(dr, made, policy['id'])
        second = _protect(dr, made, policy['id'])
        assert second['stats']['reused_records'] == 1, second['stats']
        assert second['stats']['uploaded_bytes'] == 0, second['stats']
        assert first['stats']['reused_records'] == 0
        [old] = [r for r in _manifest(clients, first)['data'].values()
                 if r['kind'] == 'image']
        [new] = [r for r in _manifest(clients, second)['data'].values()
                 if r['kind'] == 'image']
        assert new['reused_from'] == first['id']
        assert new['data_captured_by'] == first['id']
        assert new['stopped_server'] is True
        assert new['chunks'] == old['chunks'] and new['size'] == old['size']
        messages = ' '.join(e['message']
                            for e in dr.checkpoints.events(second['id']))
        assert 'data of checkpoint %s reused' % first['id'] in messages
        # The referenced data reads back whole.
        dr.checkpoints.verify(second['id'], read_data=True)
        assert wait_verified(dr, second['id'])['status'] == 'ok'

        # Started and stopped again: its disk may differ, snapshot again.
        _power(conn, server, 'start', 'ACTIVE')
        _power(conn, server, 'stop', 'SHUTOFF')
        third = _protect(dr, made, policy['id'])
        assert third['stats']['reused_records'] == 0, third['stats']
        messages = ' '.join(e['message']
                            for e in dr.checkpoints.events(third['id']))
        assert "not reused: instance action 'stop'" in messages, messages
    finally:
        conn.compute.delete_server(server)
        conn.compute.wait_for_delete(server, wait=180)


def _delete(dr, made, policy_id, checkpoint_id, timeout=300):
    dr.checkpoints.delete(checkpoint_id)
    deadline = time.monotonic() + timeout
    while True:
        left = [c for c in dr.checkpoints.list(policy_id=policy_id)
                if c['id'] == checkpoint_id]
        if not left:
            break
        assert left[0]['status'] != 'error', left[0]['error']
        assert time.monotonic() < deadline, left
        time.sleep(1)
    made['checkpoints'].remove(checkpoint_id)


def _backup_exists(conn, backup_id):
    try:
        return conn.block_storage.get_backup(backup_id)
    except sdk_exc.NotFoundException:
        return None


def test_cinder_backups_are_incremental_and_deleted_in_order(env):
    conn, dr, clients, name, _net, made = env
    volume = conn.block_storage.create_volume(name=name, size=1)
    try:
        conn.block_storage.wait_for_status(volume, status='available',
                                           wait=180)
        policy = dr.policies.create(name + '-vol', members=[
            {'resource_type': 'volume', 'resource_id': volume.id,
             'action': 'cinder_backup'}])
        made['policies'].append(policy['id'])
        first = _protect(dr, made, policy['id'])
        second = _protect(dr, made, policy['id'])
        [full] = _manifest(clients, first)['data'].values()
        [incr] = _manifest(clients, second)['data'].values()
        assert not full['backup']['is_incremental']
        assert incr['backup']['is_incremental']
        assert incr['backup']['parent_id'] == full['backup']['id']
        assert [link['id'] for link in incr['export_chain']] == [
            full['backup']['id'], incr['backup']['id']]

        # The base goes first: kept (released) while its incremental is.
        _delete(dr, made, policy['id'], first['id'])
        base = _backup_exists(conn, full['backup']['id'])
        assert base is not None and base.metadata.get(
            'dragon_released') == 'true', base
        _delete(dr, made, policy['id'], second['id'])
        # Deleted before the checkpoint's row: the incremental, then the base.
        assert _backup_exists(conn, incr['backup']['id']) is None
        assert _backup_exists(conn, full['backup']['id']) is None
    finally:
        for backup in conn.block_storage.backups(details=True):
            if backup.volume_id == volume.id:
                conn.block_storage.delete_backup(backup, ignore_missing=True)
        conn.block_storage.delete_volume(volume, ignore_missing=True)

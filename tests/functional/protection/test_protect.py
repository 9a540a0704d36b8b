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

"""Protecting a three-tier workload end to end: dragon-api → engine → Swift.

The workload (``tests.minicloud.workload``): ``web`` from an image with a
floating IP and a key pair, ``app`` booted from a volume, ``db`` with an
attached data volume of known bytes, on a private network behind a router,
with a security group.  The policy is ``consistent`` (servers paused around
the captures).  Everything is checked from the outside: the Swift
container, the template (validated by Heat again), and the bytes read back
from the chunks, compared with the sha256 the workload was built with.
"""
import subprocess
import time

from dragon.checkpoint import chunks as chunks_mod
from tests.functional.protected import wait_checkpoint
from tests.minicloud.dragon import dragon_bin
from tests.minicloud.process import clean_environ


def _node_of(manifest, resource_id):
    return next(n for n in manifest['graph']['nodes'] if n['id'] == resource_id)


def test_checkpoint_is_complete_and_describes_the_workload(protected):
    checkpoint = protected.first
    assert checkpoint['progress']['percent'] == 100
    assert checkpoint['progress']['bytes_done'] == \
        checkpoint['progress']['bytes_total'] > 0
    assert {r['status'] for r in checkpoint['resources']} == {'done'}
    points = protected.dr.recovery_points.list(policy=protected.policy['id'])
    assert [p['container'] for p in points] == [checkpoint['container']]
    assert checkpoint['container'].startswith(
        'dragon_%s_%s_' % (protected.clients.project_id, protected.name))

    manifest = protected.manifest(checkpoint)
    types = [n['type'] for n in manifest['graph']['nodes']]
    for heat_type, count in (('OS::Nova::Server', 3), ('OS::Cinder::Volume', 2),
                             ('OS::Neutron::Net', 1), ('OS::Neutron::Subnet', 1),
                             ('OS::Neutron::Router', 1),
                             ('OS::Neutron::Port', 3),
                             ('OS::Neutron::SecurityGroup', 1),
                             ('OS::Neutron::FloatingIP', 1),
                             ('OS::Nova::KeyPair', 1)):
        assert types.count(heat_type) >= count, (heat_type, types)
    ids = protected.workload.ids
    boot = _node_of(manifest, ids['app_boot'])
    assert boot['action'] == 'snapshot_data', boot
    assert manifest['source_region'] == 'RegionOne'

    # The template the API serves validates in Heat again, and has no secret.
    template = protected.dr.checkpoints.template(checkpoint['id'])
    assert 'PRIVATE KEY' not in template['template']
    heat = protected.clients.adapter('orchestration')
    answer = heat.post('/validate', json={'template': template['template']})
    assert answer.status_code == 200

    events = protected.dr.checkpoints.events(checkpoint['id'])
    messages = ' '.join(e['message'] for e in events)
    assert 'paused' in messages and 'unpaused' in messages


def test_stored_bytes_equal_the_sources(protected):
    manifest = protected.manifest(protected.first)
    ids = protected.workload.ids
    expected = protected.workload.expected_sha256
    checked = 0
    for role, resource_id in (('web', ids['web']), ('db', ids['db']),
                              ('app_boot', ids['app_boot']),
                              ('data', ids['data'])):
        record = manifest['data'][_node_of(manifest, resource_id)['key']]
        assert record['sha256'] is None, role   # hashed once: chunk names
        assert protected.sha256_of(record) == expected[role], role
        checked += 1
    assert checked == 4


def test_no_temporaries_are_left(protected):
    conn = protected.conn
    leftovers = [i.name for i in conn.image.images()
                 if (i.name or '').startswith('dragon-tmp')]
    leftovers += [v.name for v in conn.block_storage.volumes()
                  if (v.name or '').startswith('dragon-tmp')]
    leftovers += [s.name for s in conn.block_storage.snapshots()
                  if (s.name or '').startswith('dragon-tmp')]
    assert leftovers == []
    for role in ('web', 'app', 'db'):
        assert conn.compute.get_server(
            protected.workload.ids[role]).status == 'ACTIVE'


def test_second_protect_uploads_almost_nothing_and_gc_keeps_it(protected,
                                                              dragon):
    first = protected.first
    started = protected.dr.checkpoints.protect(protected.policy['id'])
    protected.checkpoints.append(started['id'])
    second = wait_checkpoint(protected.dr, started['id'])
    assert second['status'] == 'available', second['error']
    assert second['container'] != first['container']
    first_upload = first['stats']['uploaded_bytes']
    assert first_upload > 0
    assert second['stats']['uploaded_bytes'] <= first_upload * 0.01, (
        second['stats'], first['stats'])

    # Delete the first checkpoint, collect, and read every byte of the second.
    protected.dr.checkpoints.delete(first['id'])
    deadline = time.monotonic() + 120
    while any(c['id'] == first['id'] for c in protected.dr.checkpoints.list(
            policy_id=protected.policy['id'])):
        assert time.monotonic() < deadline
        time.sleep(1)
    protected.checkpoints.remove(first['id'])
    points = protected.dr.recovery_points.list(policy=protected.policy['id'])
    assert [p['container'] for p in points] == [second['container']]

    result = subprocess.run(
        [dragon_bin('dragon-manage'), '--config-file', str(dragon.config_file),
         'chunks', 'gc', '--project', protected.clients.project_id],
        capture_output=True, text=True, timeout=300, env=clean_environ())
    assert result.returncode == 0, result.stderr
    manifest = protected.manifest(second)
    for record in manifest['data'].values():
        if record.get('chunks'):
            # Every chunk read back (each checked against its name) and
            # the list against its digest.
            protected.sha256_of(record)
            assert record['chunk_list_sha256'] == \
                chunks_mod.chunk_list_sha256(record['chunks'])


def test_a_member_that_vanished_fails_the_checkpoint_with_its_name(
        protected, cloud):
    conn = protected.conn
    net = protected.workload.ids['net']
    server = conn.compute.create_server(
        name=protected.name + '-gone', image_id=conn.image.find_image(
            'minicloud-raw').id,
        flavor_id=conn.compute.find_flavor('m1.tiny').id,
        networks=[{'uuid': net}])
    conn.compute.wait_for_server(server, status='ACTIVE', wait=180)
    policy = protected.dr.policies.create(protected.name + '-gone', members=[
        {'resource_type': 'server', 'resource_id': server.id,
         'action': 'template_only'}])
    try:
        conn.compute.delete_server(server)
        conn.compute.wait_for_delete(server, wait=180)
        started = protected.dr.checkpoints.protect(policy['id'])
        failed = wait_checkpoint(protected.dr, started['id'], timeout=300)
        assert failed['status'] == 'error'
        assert server.id in failed['error'], failed['error']
        assert failed['container'] is None or not any(
            p['container'] == failed['container'] for p in
            protected.dr.recovery_points.list())
        protected.dr.checkpoints.delete(started['id'])
    finally:
        protected.dr.policies.delete(policy['id'])


def _protect_once(protected, name, server_id, options):
    """Protect a one-server policy: the ended checkpoint, manifest, events."""
    policy = protected.dr.policies.create(name, members=[
        {'resource_type': 'server', 'resource_id': server_id,
         'action': 'template_only', 'options': options}])
    try:
        started = protected.dr.checkpoints.protect(policy['id'])
        ended = wait_checkpoint(protected.dr, started['id'], timeout=600)
        assert ended['status'] == 'available', ended['error']
        manifest = protected.manifest(ended)
        events = protected.dr.checkpoints.events(ended['id'])
        protected.dr.checkpoints.delete(ended['id'])
        return ended, manifest, events
    finally:
        protected.dr.policies.delete(policy['id'])


def test_an_attached_volume_that_is_not_a_member_keeps_its_data(protected):
    """Its data is in the checkpoint; left out on purpose, it is named."""
    conn = protected.conn
    server = conn.compute.create_server(
        name=protected.name + '-att', image_id=conn.image.find_image(
            'minicloud-raw').id,
        flavor_id=conn.compute.find_flavor('m1.tiny').id,
        networks=[{'uuid': protected.workload.ids['net']}])
    volume = conn.block_storage.create_volume(name=protected.name + '-att',
                                              size=1)
    try:
        conn.compute.wait_for_server(server, status='ACTIVE', wait=180)
        conn.block_storage.wait_for_status(volume, status='available',
                                           wait=180)
        conn.compute.create_volume_attachment(server, volume_id=volume.id)
        conn.block_storage.wait_for_status(volume, status='in-use', wait=180)
        # Default (attached_volumes: protect): the volume's data is taken.
        ended, manifest, _events = _protect_once(
            protected, protected.name + '-att', server.id, {})
        node = _node_of(manifest, volume.id)
        assert not node['member'] and node['action'] == 'snapshot_data'
        record = manifest['data'][node['key']]
        assert record['kind'] == 'volume' and record['size'] == 1024 ** 3
        assert not [w for w in ended['warnings']
                    if w['what'] == 'volume_not_protected']
        assert manifest['warnings'] == ended['warnings']

        # The member says template_only: recreated empty, and named.
        ended, manifest, events = _protect_once(
            protected, protected.name + '-att2', server.id,
            {'attached_volumes': 'template_only'})
        node = _node_of(manifest, volume.id)
        assert node['action'] == 'template_only'
        assert manifest['data'][node['key']]['kind'] == 'none'
        named = [w for w in ended['warnings']
                 if w['what'] == 'volume_not_protected']
        assert [w['resource'] for w in named] == [node['key']]
        assert volume.name in named[0]['message']
        assert any(e['level'] == 'warning' and
                   e['resource'] == node['key'] for e in events)
    finally:
        conn.compute.delete_server(server, ignore_missing=True)
        conn.compute.wait_for_delete(server, wait=180)
        conn.block_storage.wait_for_status(volume, status='available',
                                           wait=180)
        conn.block_storage.delete_volume(volume, ignore_missing=True)

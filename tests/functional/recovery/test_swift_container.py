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

"""A Swift container member: protected in RegionOne, recovered in RegionTwo.

The type is a plugin only (``dragon.plugins.swift_container``).
The container's objects (a few MiB of random bytes, a copy of one of them,
a small text, an empty object) go through dragon-api → engine → the chunk
store; the recovery recreates the container under a name prefix (both
regions share one Swift cluster, where the source name is taken) and
every object is compared by sha256, content type and metadata.
"""
import hashlib
import os
import time

from dragon.checkpoint import store
from dragon.client.exceptions import ClientError
from dragon.client.v1 import client as dragon_client
from dragon.cloud import clients as clients_mod
from tests.functional.protected import wait_checkpoint
from tests.story import BACKUP
from tests.story import FINAL_RECOVERY
from tests.story import session
from tests.story import wait

PREFIX = 'rec-'


def _objects():
    blob = os.urandom(3 * 1024 * 1024 + 17)
    return {
        'data/blob.bin': (blob, 'application/octet-stream', {'Color': 'blue'}),
        'data/copy.bin': (blob, 'application/x-copy', {}),
        'notes.txt': ('héllo dragon\n'.encode(), 'text/plain; charset=utf-8',
                      {'Author': 'ann', 'Lang': 'fr'}),
        'empty': (b'', 'application/x-empty', {}),
    }


def _remove(swift, container):
    try:
        _headers, listed = swift.get_container(container, full_listing=True)
    except Exception:
        return
    for obj in listed:
        swift.delete_object(container, obj['name'])
    swift.delete_container(container)


def test_a_container_is_protected_and_recovered_with_its_bytes(
        cloud, dragon, unique_name):
    dragon.ensure_up()
    dr = dragon_client.Client(session(cloud.layout), region_name='RegionOne')
    clients = clients_mod.ServiceClients(session(cloud.layout), 'RegionOne')
    source = clients.swift()
    container = unique_name + '-box'
    objects = _objects()
    source.put_container(container,
                         headers={'X-Container-Meta-Purpose': 'ft'})
    for name, (body, content_type, meta) in objects.items():
        source.put_object(container, name, body, content_type=content_type,
                          headers={'X-Object-Meta-%s' % k: v
                                   for k, v in meta.items()})
    policy = checkpoint = recovery = None
    target = clients.in_region(BACKUP).swift()
    try:
        listed = dr.protectables.list('swift_container')
        names = {p['id'] for p in listed}
        assert container in names
        assert not any(n.startswith('dragon_') for n in names), names

        policy = dr.policies.create(unique_name, members=[
            {'resource_type': 'swift_container', 'resource_id': container}])
        started = dr.checkpoints.protect(policy['id'])
        checkpoint = wait_checkpoint(dr, started['id'], timeout=300)
        assert checkpoint['status'] == 'available', (
            checkpoint['error'], checkpoint['resources'])
        manifest = store.read_manifest(source, checkpoint['container'])
        record = next(r for r in manifest['data'].values()
                      if r['kind'] == 'swift_container')
        assert sorted(o['name'] for o in record['objects']) == sorted(objects)
        assert record['size'] == sum(len(b) for b, _c, _m in objects.values())
        # The copy of the blob is deduplicated chunk by chunk.
        assert record['reused_chunks'] >= 1
        warnings = {w['what'] for w in checkpoint['warnings']}
        assert 'container_not_point_in_time' in warnings
        template = dr.checkpoints.template(checkpoint['id'])['template']
        assert 'OS::Swift::Container' in template

        recovery = dr.recoveries.create(
            checkpoint_id=checkpoint['id'], target_region=BACKUP,
            mappings={'name_prefix': PREFIX})
        recovery = wait(lambda: dr.recoveries.get(recovery['id']),
                        FINAL_RECOVERY, 300)
        assert recovery['status'] == 'succeeded', recovery['error']

        restored = PREFIX + container
        headers = target.head_container(restored)
        assert headers.get('x-container-meta-purpose') == 'ft'
        for name, (body, content_type, meta) in objects.items():
            got_headers, got = target.get_object(restored, name)
            assert hashlib.sha256(got).hexdigest() == \
                hashlib.sha256(body).hexdigest(), name
            assert got_headers['content-type'] == content_type, name
            for key, value in meta.items():
                assert got_headers['x-object-meta-%s' % key.lower()] == \
                    value, name
        # The source container was never written into.
        _h, source_listed = source.get_container(container)
        assert len(source_listed) == len(objects)
    finally:
        if recovery is not None:
            dr.recoveries.delete(recovery['id'])
            _wait_gone(dr, recovery['id'], 300)
        if checkpoint is not None:
            dr.checkpoints.delete(checkpoint['id'])
        if policy is not None:
            dr.policies.delete(policy['id'])
        _remove(source, container)
    # Deleting the recovery removed the stack and the container with it.
    try:
        target.head_container(PREFIX + container)
        left = True
    except Exception:
        left = False
    assert not left


def _wait_gone(dr, recovery_id, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            dr.recoveries.get(recovery_id)
        except ClientError as e:
            if e.status == 404:
                return
            raise
        time.sleep(1)
    raise TimeoutError('recovery %s still there' % recovery_id)

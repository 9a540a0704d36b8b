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

"""Rotating a policy's data key and customer key, then destroying the old key.

A volume of known random bytes is protected under key K1 (stored in both
regions' Barbicans).  The data key is rotated (``rotate_data_key``, what
``openstack dr policy set --rotate-data-key`` sends) and protected again:
a new data key, no chunk name shared with the first checkpoint,
everything uploaded again.  The policy is then pointed at K2 (``PATCH``
of its ``encryption``, what ``openstack dr policy set --encryption-key
--recovery-key`` sends) and protected again: the newest data key is
re-wrapped under K2, so nothing is uploaded again, and both earlier
checkpoints' envelopes are re-wrapped too, each with its own data key.
K1 is then deleted from both Barbicans, and the first checkpoint (first
data key) and the second (second data key) are recovered in RegionTwo,
their key read there through K2's reference: each volume holds the
protected bytes.
"""
import pytest

from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import store
from dragon.cloud import clients as clients_mod
from tests.functional.encrypted import EncryptedVolume
from tests.functional.encrypted import MiB
from tests.story import BACKUP
from tests.story import FINAL_RECOVERY
from tests.story import PRIMARY
from tests.story import session
from tests.story import Story
from tests.story import volume_file_sha256
from tests.story import wait


@pytest.fixture
def encrypted(cloud, dragon):
    state = EncryptedVolume(cloud, Story(cloud.minicloud).dragon_client(
        PRIMARY), payload_size=16 * MiB)
    try:
        yield state
    finally:
        state.teardown()


def _recover(dr, container):
    return dr.recoveries.create(recovery_point=container,
                                target_region=BACKUP)


def _recovered_sha256(cloud, dr, recovery):
    recovery = wait(lambda: dr.recoveries.get(recovery['id']),
                    FINAL_RECOVERY, 1200)
    assert recovery['status'] == 'succeeded', (recovery['error'],
                                               recovery['resource_status'])
    conn = cloud.connect('demo', region=BACKUP)
    stack = conn.orchestration.get_stack(recovery['stack_id'])
    [volume_id] = [r.physical_resource_id
                   for r in conn.orchestration.resources(stack)
                   if r.resource_type == 'OS::Cinder::Volume']
    digest = volume_file_sha256(cloud.layout, BACKUP, volume_id)
    dr.recoveries.delete(recovery['id'])
    wait(lambda: next((r for r in dr.recoveries.list()
                       if r['id'] == recovery['id']), {'status': 'gone'}),
         ('gone', 'error'), 600)
    return digest


def test_both_checkpoints_recover_after_the_old_key_is_destroyed(
        cloud, encrypted):
    dr = encrypted.dr
    encrypted.make_volume()
    policy = encrypted.make_policy()
    k1 = encrypted.keys
    old = encrypted.protect()
    assert old['stats']['uploaded_bytes'] >= len(encrypted.payload)

    # A data key rotation: a new data key, a new chunk namespace.
    shown = dr.policies.update(policy['id'], encryption={
        **EncryptedVolume.encryption(k1), 'rotate_data_key': True})
    rotation = shown['encryption']['data_key_not_before']
    assert rotation
    rotated = encrypted.protect()
    assert rotated['stats']['uploaded_bytes'] >= len(encrypted.payload)
    swift = clients_mod.ServiceClients(session(cloud.layout, 'demo'),
                                       PRIMARY).swift()
    before, after = (store.read_manifest(swift, c['container'])
                     for c in (old, rotated))
    key_id = after['encryption']['key_id']
    assert key_id != before['encryption']['key_id']
    assert manifest_mod.chunk_names(after)
    assert not (manifest_mod.chunk_names(before) &
                manifest_mod.chunk_names(after))
    messages = [e['message'] for e in dr.checkpoints.events(rotated['id'])]
    assert any('new data key %s made' % key_id in m and 'rotated' in m
               for m in messages), messages

    # The customer key rotated: the newest data key is re-wrapped (nothing
    # uploaded), and so are both earlier checkpoints, of either data key.
    k2 = encrypted.store_key()
    shown = dr.policies.update(policy['id'],
                               encryption=EncryptedVolume.encryption(k2))
    assert shown['encryption']['key_ref'] == k2[PRIMARY]
    # A change of keys keeps the rotation (the next run reuses key_id).
    assert shown['encryption']['data_key_not_before'] == rotation
    assert shown['dr_ready'] is True, shown['encryption_readiness']
    new = encrypted.protect()
    assert new['stats']['uploaded_bytes'] == 0, new['stats']
    messages = [e['message'] for e in dr.checkpoints.events(new['id'])]
    assert any('data key %s re-wrapped by the new key %s' % (
        key_id, k2[PRIMARY]) in m and '2 earlier checkpoints' in m
        for m in messages), messages

    # Every envelope now names K2 (what the backup site lists).
    points = {p['container']: p for p in dr.recovery_points.list(
        policy=policy['id'])}
    assert {points[c['container']]['key_ref']
            for c in (old, rotated, new)} == {k2[PRIMARY]}

    for region, secret_id in k1.items():
        conn = cloud.connect('demo', region=region)
        conn.key_manager.delete('/secrets/%s' % secret_id)
        assert conn.key_manager.get('/secrets/%s' % secret_id,
                                    raise_exc=False).status_code == 404

    # Destroying K1 changes nothing for a policy that names K2.
    shown = dr.policies.get(policy['id'])
    assert shown['dr_ready'] is True, shown['encryption_readiness']
    assert shown['encryption_readiness'][BACKUP]['unwraps'] is True

    # One after the other: two stacks created at once by one user may
    # collide in Heat's trust creation (Keystone answers 409, Heat 500).
    # One checkpoint of each data key, both re-wrapped (``new`` has the
    # second data key, wrapped under K2 when it was taken).
    for checkpoint in (old, rotated):
        recovery = _recover(dr, checkpoint['container'])
        assert _recovered_sha256(cloud, dr, recovery) == \
            encrypted.expected_sha256, checkpoint['container']

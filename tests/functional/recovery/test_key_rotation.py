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

"""Rotating a policy's customer key, then destroying the old key.

A volume of known random bytes is protected under key K1 (stored in both
regions' Barbicans), the policy is pointed at K2 (``PATCH`` of its
``encryption``, what ``openstack dr policy set --encryption-key
--recovery-key`` sends) and protected again: the data key is re-wrapped
under K2, so nothing is uploaded again, and the first checkpoint's
envelope is re-wrapped too.  K1 is then deleted from both Barbicans, and
both checkpoints are recovered in RegionTwo, their key read there through
K2's reference: each volume holds the protected bytes.
"""
import pytest

from tests.functional.encrypted import EncryptedVolume
from tests.functional.encrypted import MiB
from tests.story import BACKUP
from tests.story import FINAL_RECOVERY
from tests.story import PRIMARY
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

    k2 = encrypted.store_key()
    shown = dr.policies.update(policy['id'],
                               encryption=EncryptedVolume.encryption(k2))
    assert shown['encryption']['key_ref'] == k2[PRIMARY]
    assert shown['dr_ready'] is True, shown['encryption_readiness']
    new = encrypted.protect()
    # The same data key, re-wrapped: every chunk is found, none uploaded.
    assert new['stats']['uploaded_bytes'] == 0, new['stats']
    messages = [e['message'] for e in dr.checkpoints.events(new['id'])]
    assert any('re-wrapped by the new key %s' % k2[PRIMARY] in m and
               '1 earlier checkpoints' in m for m in messages), messages

    # Both envelopes now name K2 (what the backup site lists).
    points = {p['container']: p for p in dr.recovery_points.list(
        policy=policy['id'])}
    assert {points[c['container']]['key_ref'] for c in (old, new)} == {
        k2[PRIMARY]}

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
    for checkpoint in (old, new):
        recovery = _recover(dr, checkpoint['container'])
        assert _recovered_sha256(cloud, dr, recovery) == \
            encrypted.expected_sha256, checkpoint['container']

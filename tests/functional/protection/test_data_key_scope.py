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

"""Whose data key encrypts a policy's checkpoints: the project's or its own.

Four volumes hold the same random bytes (one Glance image), each the
member of its own encrypted policy under one customer key: two with the
project's data key, two with a data key of their own
(``data_key_scope: policy``).  The project's two share every chunk name;
a policy with its own key shares none with any other.  Another project
protecting the same bytes under a key of its own shares no chunk name
with this one either (its data key is its own).  One of those is
then recovered in RegionTwo (the key read there, the policy-bound data
key unwrapped) with the same bytes, and its scope cannot change now that
it has checkpoints.
"""
import os
import uuid

import pytest

from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import store
from dragon.client import exceptions as client_exc
from dragon.client.v1 import client as dragon_client
from dragon.cloud import clients as clients_mod
from tests.functional.key_manager import delete_secret
from tests.functional.key_manager import store_secret
from tests.functional.protected import wait_checkpoint
from tests.minicloud.layout import REGIONS
from tests.minicloud.waiters import wait_for
from tests.minicloud.workload import sha256_padded
from tests.story import FINAL_RECOVERY
from tests.story import session
from tests.story import volume_file_sha256
from tests.story import wait

ONE, TWO = REGIONS
OTHER = 'alt_demo'      # a project of its own (tests.minicloud.layout)
MiB = 1024 * 1024
PAYLOAD = 8 * MiB
SCOPES = ('project', 'project', 'policy', 'policy')


class SameData:
    """One image of random bytes, a volume of it per policy, one key."""

    def __init__(self, cloud, payload=None, user='demo',
                 copies=len(SCOPES)):
        self.cloud = cloud
        self.user = user
        self.copies = copies
        self.name = 'ft-scope-' + uuid.uuid4().hex[:6]
        self.payload = os.urandom(PAYLOAD) if payload is None else payload
        self.conn = cloud.connect(user)
        self.dr = dragon_client.Client(session(cloud.layout, user),
                                       region_name=ONE)
        self.keys = {}
        self.image = None
        self.volumes, self.policies, self.checkpoints = [], [], []

    def setup(self):
        one_id, key = store_secret(
            self.cloud.connect(self.user, region=ONE), self.name)
        two_id, _ = store_secret(self.cloud.connect(self.user, region=TWO),
                                 self.name, payload=key)
        self.keys = {ONE: one_id, TWO: two_id}
        c = self.conn
        self.image = c.image.create_image(
            name=self.name, data=self.payload, disk_format='raw',
            container_format='bare')
        wait_for(lambda: c.image.get_image(self.image.id), ('active',),
                 ('killed',), timeout=300)
        for n in range(self.copies):
            self.volumes.append(c.block_storage.create_volume(
                size=1, name='%s-%d' % (self.name, n), image_id=self.image.id))
        for volume in self.volumes:
            wait_for(lambda v=volume: c.block_storage.get_volume(v.id),
                     ('available',), ('error',), timeout=300)

    def protect(self, n, scope):
        policy = self.dr.policies.create(
            '%s-%d' % (self.name, n), members=[{
                'resource_type': 'volume',
                'resource_id': self.volumes[n].id,
                'action': 'snapshot_data'}],
            encryption={'key_ref': self.keys[ONE],
                        'recovery_key_refs': {TWO: self.keys[TWO]},
                        'data_key_scope': scope})
        self.policies.append(policy)
        assert policy['encryption']['data_key_scope'] == scope
        started = self.dr.checkpoints.protect(policy['id'])
        self.checkpoints.append(started['id'])
        done = wait_checkpoint(self.dr, started['id'])
        assert done['status'] == 'available', (done['error'],
                                                done['resources'])
        return done

    def teardown(self):
        for checkpoint_id in self.checkpoints:
            try:
                self.dr.checkpoints.delete(checkpoint_id)
            except Exception:       # noqa: BLE001 - best effort
                pass
        for policy in self.policies:
            try:
                self.dr.policies.delete(policy['id'])
            except Exception:       # noqa: BLE001
                pass
        for volume in self.volumes:
            self.conn.block_storage.delete_volume(volume, ignore_missing=True)
        if self.image is not None:
            self.conn.image.delete_image(self.image, ignore_missing=True)
        for region, secret_id in self.keys.items():
            delete_secret(self.cloud.connect(self.user, region=region),
                          secret_id)

    def swift(self):
        return clients_mod.ServiceClients(
            session(self.cloud.layout, self.user), ONE).swift()


@pytest.fixture
def same_data(cloud, dragon):
    state = SameData(cloud)
    try:
        state.setup()
        yield state
    finally:
        state.teardown()


@pytest.fixture
def other_project(cloud, same_data):
    """The same bytes in another project, one volume, its own key."""
    state = SameData(cloud, payload=same_data.payload, user=OTHER, copies=1)
    try:
        state.setup()
        yield state
    finally:
        state.teardown()


def _chunk_names(swift, checkpoint):
    envelope = store.read_manifest(swift, checkpoint['container'])
    assert manifest_mod.is_envelope(envelope)
    return (envelope['encryption']['data_key_scope'],
            manifest_mod.chunk_names(envelope))


def test_a_policy_with_its_own_data_key_shares_no_chunk(
        cloud, same_data, other_project):
    swift = same_data.swift()
    checkpoints = [same_data.protect(n, scope)
                   for n, scope in enumerate(SCOPES)]
    found = [_chunk_names(swift, c) for c in checkpoints]
    assert [scope for scope, _names in found] == list(SCOPES)
    names = [n for _scope, n in found]
    assert names[0] and names[0] == names[1]      # the project's: dedup
    assert checkpoints[1]['stats']['uploaded_bytes'] == 0
    for own in (2, 3):                            # a policy's: its own
        assert names[own] and len(names[own]) == len(names[0])
        assert not names[own] & (names[0] | names[5 - own])
        assert checkpoints[own]['stats']['uploaded_bytes'] >= PAYLOAD

    # Another project, the same bytes: other names, all uploaded again.
    theirs = other_project.protect(0, 'project')
    _scope, their_names = _chunk_names(other_project.swift(), theirs)
    assert their_names and len(their_names) == len(names[0])
    assert not their_names & set().union(*names)
    assert theirs['stats']['uploaded_bytes'] >= PAYLOAD

    dr = same_data.dr
    own = same_data.policies[2]
    shown = dr.policies.get(own['id'])
    assert shown['dr_ready'] is True, shown['encryption_readiness']
    assert shown['encryption_readiness'][TWO]['unwraps'] is True
    with pytest.raises(client_exc.ClientError) as refused:
        dr.policies.update(own['id'], encryption={
            'key_ref': same_data.keys[ONE], 'data_key_scope': 'project'})
    assert refused.value.status == 409
    assert 'data_key_scope' in str(refused.value)

    recovery = dr.recoveries.create(
        recovery_point=checkpoints[2]['container'], target_region=TWO)
    recovery = wait(lambda: dr.recoveries.get(recovery['id']),
                    FINAL_RECOVERY, 1200)
    assert recovery['status'] == 'succeeded', (recovery['error'],
                                               recovery['resource_status'])
    target = cloud.connect('demo', region=TWO)
    stack = target.orchestration.get_stack(recovery['stack_id'])
    [volume_id] = [r.physical_resource_id for r in
                   target.orchestration.resources(stack)
                   if r.resource_type == 'OS::Cinder::Volume']
    assert volume_file_sha256(cloud.layout, TWO, volume_id) == \
        sha256_padded(same_data.payload, 1024 * MiB)
    dr.recoveries.delete(recovery['id'])
    wait(lambda: next((r for r in dr.recoveries.list()
                       if r['id'] == recovery['id']), {'status': 'gone'}),
         ('gone', 'error'), 600)

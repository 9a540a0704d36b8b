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

"""An encrypted checkpoint of a volume of known random bytes (site-loss setup).

A 64 MiB random payload goes into a 1 GiB volume (through a Glance image),
the same AES-256 customer key is stored in both regions' Barbicans, and an
encrypted policy protects the volume twice (the second upload must be 0
bytes).  The site-loss test then recovers it at the backup site with
RegionOne and its Barbican stopped.
"""
import os
import uuid

from tests.functional.key_manager import delete_secret
from tests.functional.key_manager import store_secret
from tests.functional.protected import wait_checkpoint
from tests.minicloud.layout import REGIONS
from tests.minicloud.waiters import wait_for
from tests.minicloud.workload import sha256_padded

MiB = 1024 * 1024
GiB = 1024 * MiB
PAYLOAD_SIZE = 64 * MiB
# Every window searched for in the stored objects (see ``leaks``): a
# sealed chunk that held any stretch of plain bytes this long shows.
WINDOW, STRIDE = 64, 256 * 1024


class EncryptedVolume:
    """The payload's volume, its keys, its encrypted policy and checkpoints."""

    def __init__(self, cloud, dr, payload_size=PAYLOAD_SIZE):
        self.cloud = cloud
        self.dr = dr
        self.name = 'ft-enc-' + uuid.uuid4().hex[:6]
        self.volume_name = self.name + '-ledger-vol'
        self.payload = os.urandom(payload_size)
        self.conn = cloud.connect('demo')
        self.keys: dict = {}
        # Every key stored, {region: id} each, for teardown.
        self.stored_keys: list = []
        self.image = self.volume = self.policy = None
        self.checkpoints: list = []

    @property
    def expected_sha256(self) -> str:
        return sha256_padded(self.payload, GiB)

    def store_key(self):
        """A new AES-256 key, the same bytes in both regions: {region: id}."""
        one, two = REGIONS
        one_id, key = store_secret(self.cloud.connect('demo', region=one),
                                   self.name)
        two_id, _ = store_secret(self.cloud.connect('demo', region=two),
                                 self.name, payload=key)
        stored = {one: one_id, two: two_id}
        self.stored_keys.append(stored)
        return stored

    @staticmethod
    def encryption(keys):
        """The policy's ``encryption`` naming ``keys`` (of store_key)."""
        one, two = REGIONS
        return {'key_ref': keys[one], 'recovery_key_refs': {two: keys[two]}}

    def setup(self):
        """Key, volume, policy, and two protections (the second uploads 0)."""
        self.make_volume()
        self.make_policy()
        first = self.protect()
        again = self.protect()
        # Unchanged data: every chunk is found under its keyed name.
        assert again['stats']['uploaded_bytes'] == 0, again['stats']
        assert first['stats']['uploaded_bytes'] >= len(self.payload)
        return first

    def make_volume(self):
        """The payload's 1 GiB volume, through a Glance image."""
        c = self.conn
        self.image = c.image.create_image(
            name=self.name + '-img', data=self.payload, disk_format='raw',
            container_format='bare')
        wait_for(lambda: c.image.get_image(self.image.id), ('active',),
                 ('killed',), timeout=300)
        self.volume = c.block_storage.create_volume(
            size=1, name=self.volume_name, image_id=self.image.id)
        wait_for(lambda: c.block_storage.get_volume(self.volume.id),
                 ('available',), ('error',), timeout=300)
        return self.volume

    def make_policy(self, **encryption):
        """The volume's encrypted policy, under a new key; DR-ready.

        :param encryption: more of the policy's ``encryption``.
        """
        self.keys = self.store_key()
        self.policy = self.dr.policies.create(
            self.name, members=[{'resource_type': 'volume',
                                 'resource_id': self.volume.id,
                                 'action': 'snapshot_data'}],
            encryption={**self.encryption(self.keys), **encryption})
        assert self.policy['dr_ready'] is True, self.policy
        return self.policy

    def protect(self):
        started = self.dr.checkpoints.protect(self.policy['id'])
        self.checkpoints.append(started['id'])
        done = wait_checkpoint(self.dr, started['id'])
        assert done['status'] == 'available', (done['error'],
                                                done['resources'])
        return done

    def names(self) -> list[bytes]:
        """What the template knows about the workload: never in clear."""
        return [self.volume_name.encode(), self.volume.id.encode(),
                self.image.id.encode()]

    def leaks(self, swift) -> list[str]:
        """Objects of the project (``swift``'s account) holding a window or name.

        Windows of ``WINDOW`` bytes every ``STRIDE`` bytes of the payload
        (256 of them): sealed data shows none; a chunk stored in clear (or
        any plain stretch longer than ``STRIDE``) shows several.
        """
        windows = [self.payload[i:i + WINDOW]
                   for i in range(0, len(self.payload) - WINDOW, STRIDE)]
        needles = windows + self.names()
        found = []
        _h, containers = swift.get_account(prefix='dragon_',
                                           full_listing=True)
        for container in containers:
            _h, objects = swift.get_container(container['name'],
                                              full_listing=True)
            for obj in objects:
                _h, body = swift.get_object(container['name'], obj['name'])
                if any(n in body for n in needles):
                    found.append('%s/%s' % (container['name'], obj['name']))
        return found

    def teardown(self):
        for checkpoint_id in self.checkpoints:
            try:
                self.dr.checkpoints.delete(checkpoint_id)
            except Exception:       # noqa: BLE001 - best effort
                pass
        if self.policy:
            try:
                self.dr.policies.delete(self.policy['id'])
            except Exception:       # noqa: BLE001
                pass
        c = self.conn
        if self.volume is not None:
            c.block_storage.delete_volume(self.volume, ignore_missing=True)
        if self.image is not None:
            c.image.delete_image(self.image, ignore_missing=True)
        for stored in self.stored_keys:
            for region, secret_id in stored.items():
                delete_secret(self.cloud.connect('demo', region=region),
                              secret_id)

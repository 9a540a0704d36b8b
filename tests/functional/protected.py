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

"""A protected three-tier workload, shared by the protection and recovery tests.

Deploying the workload and taking its first checkpoint costs minutes (two
1 GiB volumes go through Cinder snapshots and uploads), so the functional
session does it once; tests that change it (a second checkpoint, deleting
the first) keep ``checkpoints`` and ``first`` true.
"""
import hashlib
import uuid

import pytest

from dragon.checkpoint import chunks as chunks_mod
from dragon.checkpoint import naming
from dragon.checkpoint import store
from dragon.client.exceptions import ClientError
from dragon.client.v1 import client as dragon_client
from dragon.cloud import clients as clients_mod
from tests.minicloud.workload import Workload
from tests.story import FINAL_CHECKPOINT
from tests.story import session
from tests.story import wait


def wait_checkpoint(dr, checkpoint_id, timeout=900):
    """The checkpoint once it is ``available`` or ``error``."""
    return wait(lambda: dr.checkpoints.get(checkpoint_id), FINAL_CHECKPOINT,
                timeout)


class Protected:
    """The workload, its policy and its first checkpoint (shared by the tests)."""

    def __init__(self, cloud, dragon):
        self.layout = cloud.layout
        self.conn = cloud.connect('demo')
        self.name = 'ft-prot-' + uuid.uuid4().hex[:6]
        self.dr = dragon_client.Client(session(cloud.layout),
                                       region_name='RegionOne')
        self.clients = clients_mod.ServiceClients(session(cloud.layout),
                                                  'RegionOne')
        self.workload = Workload(self.name, self.conn)
        self.policy = None
        self.checkpoints = []

    def setup(self):
        ids = self.workload.deploy(cidr='10.82.0.0/24').ids
        self.policy = self.dr.policies.create(
            self.name, options={'consistent': True}, members=[
                {'resource_type': 'server', 'resource_id': ids['web']},
                {'resource_type': 'server', 'resource_id': ids['app']},
                {'resource_type': 'server', 'resource_id': ids['db']},
                {'resource_type': 'volume', 'resource_id': ids['data'],
                 'action': 'snapshot_data'}])
        started = self.dr.checkpoints.protect(self.policy['id'])
        assert started['status'] in ('queued', 'protecting')
        self.checkpoints.append(started['id'])
        # A second protect of the same policy while one runs: refused.
        with pytest.raises(ClientError) as refused:
            self.dr.checkpoints.protect(self.policy['id'])
        assert refused.value.status == 409
        self.first = wait_checkpoint(self.dr, started['id'])
        assert self.first['status'] == 'available', (
            self.first['error'], self.first['resources'])

    def teardown(self):
        for checkpoint_id in self.checkpoints:
            try:
                self.dr.checkpoints.delete(checkpoint_id)
            except Exception:
                pass
        if self.policy:
            try:
                self.dr.policies.delete(self.policy['id'])
            except Exception:
                pass
        self.workload.delete()

    def latest(self):
        """The newest available checkpoint of the policy."""
        return next(c for c in self.dr.checkpoints.list(
            policy_id=self.policy['id'], status='available'))

    def manifest(self, checkpoint):
        return store.read_manifest(self.clients.swift(),
                                   checkpoint['container'])

    def chunk_store(self):
        return chunks_mod.ChunkStore(
            self.clients.swift, naming.chunk_container(self.clients.project_id),
            decompressor=chunks_mod._zstd_decompress)

    def sha256_of(self, record):
        digest = hashlib.sha256()
        refs = [chunks_mod.ChunkRef.from_dict(c) for c in record['chunks']]
        for block in self.chunk_store().iter_stream(refs):
            digest.update(block)
        return digest.hexdigest()

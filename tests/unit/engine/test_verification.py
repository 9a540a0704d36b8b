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

"""Checkpoint verification in the engine: cast, trust, result on the row."""

import io
import os

import pytest

from dragon.checkpoint import chunks
from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import store
from dragon.checkpoint import verify
from dragon.cloud import clients as clients_mod
from dragon import context
from dragon.db import api as db_api
from dragon.engine import rpcapi
from dragon.engine import verification
from tests.unit.checkpoint.fake_swift import FakeAccount
from tests.unit.engine.test_checkpoints import _checkpoint
from tests.unit.engine.test_checkpoints import _ctx
from tests.unit.engine.test_checkpoints import _RecordingClient
from tests.unit.engine.test_checkpoints import _wait
from tests.unit.engine.test_checkpoints import client  # noqa: F401
from tests.unit.engine.test_checkpoints import engines  # noqa: F401
from tests.unit.engine.test_checkpoints import trusts  # noqa: F401

ADMIN = context.get_admin_context
CONTAINER = 'dragon_p1_app_20261123T101500Z'


@pytest.fixture
def account(monkeypatch):
    account = FakeAccount()

    class Clients:
        def __init__(self, session, region, conf=None):
            self.session = session

        def swift(self):
            return account.connect()

    monkeypatch.setattr(clients_mod, 'ServiceClients', Clients)
    return account


def _store(account):
    chunk_store = chunks.ChunkStore(account.connect, 'dragon_p1_chunks',
                                    chunk_size=1024, workers=2)
    chunk_store.ensure_container()
    result = chunk_store.put_stream(io.BytesIO(os.urandom(4096)))
    manifest = manifest_mod.build(
        checkpoint_id='c1', project_id='p1', policy={}, source_region='R',
        graph={}, data={'volume_a': {
            'kind': 'volume', 'size': result.size, 'chunk_list_sha256': result.chunk_list_sha256,
            'chunks': [c.to_dict() for c in result.chunks]}},
        parameters={}, chunk_container='dragon_p1_chunks', started_at='t0',
        finished_at='t1', dragon_version='1')
    writer = store.CheckpointWriter(account.connect(), 'p1', 'pol', 'app')
    writer.container = CONTAINER
    account.connect().put_container(CONTAINER)
    writer.finish(manifest, 'heat_template_version: 2018-08-31', [])
    return result


def _available(verification_id='v1', read_data=False):
    checkpoint_id = _checkpoint(trust_id=None)
    db_api.checkpoint_update(ADMIN(), checkpoint_id, {
        'status': 'available', 'container': CONTAINER,
        'verification': verify.running(read_data, verification_id)})
    return checkpoint_id


def _verification(checkpoint_id):
    return db_api.checkpoint_get(ADMIN(), checkpoint_id).verification


def test_a_cast_verification_lands_on_the_row_and_drops_its_trust(
        engines, client, trusts, account):
    engines('e1')
    _store(account)
    checkpoint_id = _available('v1', read_data=True)
    client.verify_checkpoint(_ctx(), checkpoint_id, 'v1', True, 't9')
    assert _wait(lambda: _verification(checkpoint_id)['status'] != 'running')
    stored = _verification(checkpoint_id)
    assert stored['status'] == 'ok' and stored['read_data'] is True
    assert stored['chunks_checked'] == 4 and stored['id'] == 'v1'
    assert stored['finished_at']
    assert _wait(lambda: trusts == [('session-of-t9', 't9')])
    events = db_api.checkpoint_event_get_all(ADMIN(), checkpoint_id)
    assert events[-1].message == ('verification (reading every chunk): 4 '
                                  'chunks checked, 0 problems')


def test_damage_is_recorded_and_a_superseded_result_dropped(db, trusts,
                                                            account, conf):
    result = _store(account)
    objects = account.containers['dragon_p1_chunks']['objects']
    name = chunks.ChunkStore.object_name(result.chunks[2].sha256)
    body = objects[name][0]
    objects[name] = (bytes([body[0] ^ 0xff]) + body[1:], objects[name][1])
    checkpoint_id = _available('v1')
    value = verification.run(conf, checkpoint_id, 'v1', False, 't1')
    assert value['status'] == 'damaged'
    stored = _verification(checkpoint_id)
    assert stored['problems'] == [{'chunk': result.chunks[2].sha256,
                                   'resources': ['volume_a'],
                                   'problem': stored['problems'][0][
                                       'problem']}]
    assert stored['problems'][0]['problem'].startswith('md5 ')
    events = db_api.checkpoint_event_get_all(ADMIN(), checkpoint_id)
    assert events[-1].level == 'warning'
    # a newer request replaced v2: its result is not written
    verification.run(conf, checkpoint_id, 'v2', True, 't2')
    assert _verification(checkpoint_id)['id'] == 'v1'
    assert [t for _s, t in trusts] == ['t1', 't2']


def test_a_verification_that_cannot_finish_is_an_error(db, trusts, account,
                                                       conf):
    checkpoint_id = _available('v1')          # no container in Swift
    value = verification.run(conf, checkpoint_id, 'v1', False, 't1')
    assert value['status'] == 'error'
    stored = _verification(checkpoint_id)
    assert stored['status'] == 'error' and 'checkpoint.json' in \
        stored['error']
    assert trusts == [('session-of-t1', 't1')]
    # a deleted checkpoint: nothing to record, the trust still goes
    assert verification.run(conf, 'no-such', 'v1', False, 't2') is None
    assert trusts[-1] == ('session-of-t2', 't2')


def test_verify_checkpoint_names_version_1_5(rpc_conf, fake_transport):
    engine = rpcapi.EngineAPI(rpc_conf, transport=fake_transport)
    engine._client = _RecordingClient()
    engine.verify_checkpoint(_ctx(), 'c1', 'v1', True, 't1')
    prepared, = engine._client.prepared
    assert prepared['version'] == '1.5'
    assert prepared['cast'] == ('verify_checkpoint', {
        'checkpoint_id': 'c1', 'verification_id': 'v1', 'read_data': True,
        'trust_id': 't1'})
    assert tuple(map(int, rpcapi.RPC_API_VERSION.split('.'))) >= (1, 5)

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

"""POST /v1/checkpoints/{id}/verify and /v1/recovery-points/{c}/verify."""

import io
import os

import oslo_messaging as messaging
import pytest

from dragon.checkpoint import chunks
from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import store
from dragon.cloud import caller
from dragon import context
from dragon.db import api as db_api
from tests.unit.api.v1.conftest import OTHER
from tests.unit.api.v1.test_checkpoints import _check
from tests.unit.api.v1.test_checkpoints import _error
from tests.unit.api.v1.test_checkpoints import _finish
from tests.unit.api.v1.test_checkpoints import _policy
from tests.unit.api.v1.test_checkpoints import _protect
from tests.unit.api.v1.test_checkpoints import cp_api  # noqa: F401
from tests.unit.api.v1.test_checkpoints import engine  # noqa: F401
from tests.unit.api.v1.test_checkpoints import swift  # noqa: F401
from tests.unit.api.v1.test_checkpoints import trusts  # noqa: F401
from tests.unit.checkpoint.fake_swift import FakeAccount

CONTAINER = 'dragon_p1_app_20261123T101500Z'


def _available(cp_api):
    checkpoint = _protect(cp_api, _policy(cp_api)).json['checkpoint']
    _finish(checkpoint['id'], container=CONTAINER)
    return checkpoint['id']


def test_verify_records_running_and_casts_with_a_trust(cp_api, engine,
                                                       trusts):
    checkpoint_id = _available(cp_api)
    response = cp_api('POST', '/v1/checkpoints/%s/verify' % checkpoint_id,
                      body={'verify': {'read_data': True}})
    assert response.status_int == 202, response.text
    _check(response, 'CheckpointOne')
    shown = response.json['checkpoint']['verification']
    assert shown['status'] == 'running' and shown['read_data'] is True
    assert 'id' not in shown
    (cid, vid, read_data, trust_id), = engine.verifications
    assert (cid, read_data) == (checkpoint_id, True)
    assert trust_id == trusts['created'][-1][2]
    row = db_api.checkpoint_get(context.get_admin_context(), checkpoint_id)
    assert row.verification['id'] == vid
    # no body: a listing check
    assert cp_api('POST', '/v1/checkpoints/%s/verify' % checkpoint_id
                  ).status_int == 202
    assert engine.verifications[-1][2] is False
    shown = cp_api('GET', '/v1/checkpoints/' + checkpoint_id).json
    assert shown['checkpoint']['verification']['read_data'] is False


def test_verify_refuses_what_is_not_available_and_bad_bodies(cp_api, engine,
                                                              trusts):
    checkpoint = _protect(cp_api, _policy(cp_api)).json['checkpoint']
    path = '/v1/checkpoints/%s/verify' % checkpoint['id']
    _error(cp_api('POST', path), 409)
    _finish(checkpoint['id'], container=CONTAINER)
    _error(cp_api('POST', path, body={'verify': {'read_data': 'yes'}}), 400)
    _error(cp_api('POST', path, body={'check': {}}), 400)
    _error(cp_api('POST', path, roles='reader'), 403)
    _error(cp_api('POST', path, project=OTHER), 404)
    assert engine.verifications == []
    assert len(trusts['created']) == 1          # the protect's only


def test_an_unreachable_engine_is_a_503_and_a_failed_verification(
        cp_api, engine, trusts):
    checkpoint_id = _available(cp_api)
    engine.error = messaging.MessageDeliveryFailure('broker down')
    response = cp_api('POST', '/v1/checkpoints/%s/verify' % checkpoint_id)
    _error(response, 503)
    assert trusts['deleted'][-1] == trusts['created'][-1][2]
    shown = cp_api('GET', '/v1/checkpoints/' + checkpoint_id).json
    assert shown['checkpoint']['status'] == 'available'
    assert shown['checkpoint']['verification']['status'] == 'error'


@pytest.fixture
def account(monkeypatch):
    account = FakeAccount()
    monkeypatch.setattr(caller, 'swift_connection',
                        lambda ctx: account.connect())
    return account


def _recovery_point(account, damage=False):
    chunk_store = chunks.ChunkStore(account.connect, 'dragon_p1_chunks',
                                    chunk_size=1024)
    chunk_store.ensure_container()
    result = chunk_store.put_stream(io.BytesIO(os.urandom(3000)))
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
    if damage:
        name = chunk_store.object_name(result.chunks[1].sha256)
        objects = account.containers['dragon_p1_chunks']['objects']
        objects[name] = (b'x' * len(objects[name][0]), objects[name][1])
    return result


@pytest.mark.parametrize('damage', [False, True])
def test_a_recovery_point_is_verified_in_the_request(api, account, damage):
    result = _recovery_point(account, damage)
    response = api('POST', '/v1/recovery-points/%s/verify' % CONTAINER)
    assert response.status_int == 200, response.text
    _check(response, 'RecoveryPointVerification')
    shown = response.json['verification']
    assert shown['container'] == CONTAINER and shown['chunks_checked'] == 3
    if damage:
        assert shown['status'] == 'damaged'
        assert shown['problems'][0]['chunk'] == result.chunks[1].sha256
    else:
        assert shown['status'] == 'ok' and shown['problem_count'] == 0


def test_a_recovery_point_read_is_refused_and_others_are_hidden(api,
                                                                account):
    _recovery_point(account)
    path = '/v1/recovery-points/%s/verify' % CONTAINER
    _error(api('POST', path, body={'verify': {'read_data': True}}), 400)
    _error(api('POST', path, project=OTHER), 404)
    _error(api('POST', '/v1/recovery-points/nonsense/verify'), 400)
    _error(api('POST', '/v1/recovery-points/%s/verify'
               % CONTAINER.replace('T10', 'T11')), 404)

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

"""Concurrent requests on one object: one wins, the others 404/409, never 5xx.

Requests run on threads against the whole pipeline and a real database.
Both requests of a pair are held at the point where each has read the
object and neither has changed it (the window of a real race), then let
go together. Keystone is faked at the openstacksdk identity proxy of
``dragon.identity`` with its real rule: one trust per trustor, trustee,
project and expiry second, deleted trusts included.
"""

import datetime
import threading
import types

from openstack import exceptions as sdk_exc
import pytest

from dragon import context
from dragon.db import api as db_api
from dragon import identity
from tests.unit.api.v1.test_checkpoints import _finish
from tests.unit.api.v1.test_checkpoints import _policy
from tests.unit.api.v1.test_checkpoints import _protect
from tests.unit.api.v1.test_checkpoints import engine  # noqa: F401
from tests.unit.api.v1.test_checkpoints import FakeEngine
from tests.unit.api.v1.test_checkpoints import swift  # noqa: F401
from tests.unit.api.v1.test_recoveries import _delete_cast
from tests.unit.api.v1.test_recoveries import _recover_cast
from tests.unit.api.v1.test_recoveries import CATALOG
from tests.unit.api.v1.test_recoveries import containers  # noqa: F401
from tests.unit.api.v1.test_recoveries import POINT

WAIT = 10


class FakeKeystone:
    """Trusts as Keystone keeps them: unique by expiry second, soft-deleted.

    The calls are those of openstacksdk's identity proxy.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.trusts = {}       # id -> (key, deleted)
        self.duplicates = 0
        self.refuse = None     # an HTTP status to answer every create with

    def create_trust(self, **trust):
        expiry = trust['expires_at']
        key = (trust['trustor_user_id'], trust['trustee_user_id'],
               trust['project_id'], trust['is_impersonation'],
               expiry[:19] if expiry else None)
        with self.lock:
            if self.refuse:
                raise sdk_exc.HttpException(
                    details='refused', http_status=self.refuse)
            if expiry and any(k == key for k, _d in self.trusts.values()):
                self.duplicates += 1
                raise sdk_exc.ConflictException(
                    details='Conflict occurred attempting to store trust - '
                            'Duplicate entry.', http_status=409)
            trust_id = 'trust-%d' % len(self.trusts)
            self.trusts[trust_id] = (key, False)
        return types.SimpleNamespace(id=trust_id)

    def delete_trust(self, trust_id, ignore_missing=True):
        with self.lock:
            if trust_id in self.trusts:
                self.trusts[trust_id] = (self.trusts[trust_id][0], True)

    def live(self):
        return sorted(i for i, (_k, deleted) in self.trusts.items()
                      if not deleted)


@pytest.fixture
def keystone(monkeypatch):
    fake = FakeKeystone()
    monkeypatch.setattr(identity, '_caller_identity',
                        lambda ctx, conf: fake)
    monkeypatch.setattr(identity, 'trustee_user_id', lambda conf: 'dragon')
    return fake


@pytest.fixture
def race_api(api, fake_cloud, engine, swift, containers,  # noqa: F811
             keystone, monkeypatch):
    fake_cloud.add('server', 'srv-1', name='web')
    monkeypatch.setattr(FakeEngine, 'recover', _recover_cast, raising=False)
    monkeypatch.setattr(FakeEngine, 'delete_recovery', _delete_cast,
                        raising=False)

    def call(method, path, body=None, **kwargs):
        return api(method, path, body, headers={
            'X-Service-Catalog': CATALOG, 'X-User-Id': 'alice'}, **kwargs)
    return call


def _hold(monkeypatch, name, parties):
    """Hold the first ``parties`` calls of ``db_api.<name>`` till all are made.

    Placed on the read a request decides on, it makes every request see
    the object as it was before any of them changed it.
    """
    real = getattr(db_api, name)
    barrier = threading.Barrier(parties, timeout=WAIT)
    count = {'calls': 0}
    lock = threading.Lock()

    def held(*args, **kwargs):
        result = real(*args, **kwargs)
        with lock:
            count['calls'] += 1
            wait = count['calls'] <= parties
        if wait:
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
        return result
    monkeypatch.setattr(db_api, name, held)


def _together(*requests):
    """Run each request (a callable) on its own thread; their responses."""
    responses = [None] * len(requests)

    def run(i):
        responses[i] = requests[i]()

    threads = [threading.Thread(target=run, args=(i,))
               for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 3)
    assert all(r is not None for r in responses), 'a request hung'
    for response in responses:
        assert response.status_int < 500, response.text
        assert 'Traceback' not in response.text
    return responses


def _codes(responses):
    return sorted(r.status_int for r in responses)


def _available_checkpoint(race_api, name='app'):
    policy = _policy(race_api, name=name)
    response = _protect(race_api, policy)
    assert response.status_int == 202, response.text
    checkpoint = response.json['checkpoint']
    _finish(checkpoint['id'], container='dragon_p1_%s_x' % name,
            trust_id=None)
    return policy, checkpoint


def _recovery(race_api, status='succeeded'):
    response = race_api('POST', '/v1/recoveries', {'recovery': {
        'recovery_point': POINT, 'target_region': 'RegionTwo'}})
    assert response.status_int == 202, response.text
    recovery = response.json['recovery']
    db_api.recovery_update(context.get_admin_context(), recovery['id'],
                           {'status': status, 'trust_id': None})
    return recovery


def test_two_deletes_of_one_checkpoint_one_202_one_409(
        race_api, keystone, engine, monkeypatch):  # noqa: F811
    _policy_, checkpoint = _available_checkpoint(race_api)
    path = '/v1/checkpoints/' + checkpoint['id']
    trusts_before = len(keystone.trusts)
    _hold(monkeypatch, 'checkpoint_get', 2)
    responses = _together(lambda: race_api('DELETE', path),
                          lambda: race_api('DELETE', path))
    assert _codes(responses) == [202, 409]
    loser = next(r for r in responses if r.status_int == 409)
    assert 'deleting' in loser.json['error']['message']
    # The loser was refused before it made a trust.
    assert len(keystone.trusts) == trusts_before + 1
    assert [c for c in engine.casts if c[0] == 'delete_checkpoint'] == [
        ('delete_checkpoint', checkpoint['id'])]
    row = db_api.checkpoint_get(context.get_admin_context(), checkpoint['id'])
    assert row.status == 'deleting' and row.trust_id in keystone.live()


def test_delete_of_a_checkpoint_gone_meanwhile_is_404(race_api,
                                                      monkeypatch):
    _policy_, checkpoint = _available_checkpoint(race_api)
    real = db_api.checkpoint_get

    def read_then_gone(*args, **kwargs):
        row = real(*args, **kwargs)
        db_api.checkpoint_delete(context.get_admin_context(), row.id)
        return row
    monkeypatch.setattr(db_api, 'checkpoint_get', read_then_gone)
    response = race_api('DELETE', '/v1/checkpoints/' + checkpoint['id'])
    assert response.status_int == 404, response.text


def test_a_refused_trust_puts_the_checkpoint_back(race_api, keystone):
    _policy_, checkpoint = _available_checkpoint(race_api)
    path = '/v1/checkpoints/' + checkpoint['id']
    keystone.refuse = 403
    assert race_api('DELETE', path).status_int == 403
    row = db_api.checkpoint_get(context.get_admin_context(), checkpoint['id'])
    assert row.status == 'available' and row.trust_id is None
    keystone.refuse = None
    assert race_api('DELETE', path).status_int == 202


def test_two_protects_of_one_policy_one_202_one_409(
        race_api, keystone, engine, monkeypatch):  # noqa: F811
    policy = _policy(race_api)
    _hold(monkeypatch, 'checkpoint_get_all', 2)
    responses = _together(lambda: _protect(race_api, policy),
                          lambda: _protect(race_api, policy))
    assert _codes(responses) == [202, 409]
    loser = next(r for r in responses if r.status_int == 409)
    assert 'already being protected' in loser.json['error']['message']
    rows = db_api.checkpoint_get_all(context.get_admin_context(),
                                     policy_id=policy['id'])
    assert len(rows) == 1
    # The loser's trust is not left behind.
    assert keystone.live() == [rows[0].trust_id]


def test_two_deletes_of_one_recovery_one_202_one_409(
        race_api, keystone, engine, monkeypatch):  # noqa: F811
    recovery = _recovery(race_api)
    path = '/v1/recoveries/' + recovery['id']
    _hold(monkeypatch, 'recovery_get', 2)
    responses = _together(lambda: race_api('DELETE', path),
                          lambda: race_api('DELETE', path))
    assert _codes(responses) == [202, 409]
    assert [c for c in engine.casts if c[0] == 'delete_recovery'] == [
        ('delete_recovery', recovery['id'])]
    row = db_api.recovery_get(context.get_admin_context(), recovery['id'])
    assert row.status == 'deleting' and row.trust_id in keystone.live()


def test_two_recoveries_of_one_recovery_point_one_202_one_409(
        race_api, keystone, monkeypatch):
    body = {'recovery': {'recovery_point': POINT,
                         'target_region': 'RegionTwo'}}
    _hold(monkeypatch, 'recovery_get_running', 2)
    responses = _together(lambda: race_api('POST', '/v1/recoveries', body),
                          lambda: race_api('POST', '/v1/recoveries', body))
    assert _codes(responses) == [202, 409]
    loser = next(r for r in responses if r.status_int == 409)
    assert 'still running' in loser.json['error']['message']
    rows = db_api.recovery_get_all(context.get_admin_context())
    assert len(rows) == 1
    assert keystone.live() == [rows[0].trust_id]


def test_a_second_recovery_waits_for_the_first_to_end(race_api):
    first = _recovery(race_api, status='recovering')
    body = {'recovery': {'recovery_point': POINT,
                         'target_region': 'RegionTwo'}}
    response = race_api('POST', '/v1/recoveries', body)
    assert response.status_int == 409, response.text
    assert first['id'] in response.json['error']['message']
    db_api.recovery_update(context.get_admin_context(), first['id'],
                           {'status': 'succeeded'})
    assert race_api('POST', '/v1/recoveries', body).status_int == 202


def test_protect_while_deleting_its_previous_checkpoint_both_202(
        race_api, keystone, engine, monkeypatch):  # noqa: F811
    policy, checkpoint = _available_checkpoint(race_api)
    _hold(monkeypatch, 'checkpoint_get', 2)
    responses = _together(
        lambda: race_api('DELETE', '/v1/checkpoints/' + checkpoint['id']),
        lambda: (db_api.checkpoint_get(context.get_admin_context(),
                                       checkpoint['id']),
                 _protect(race_api, policy))[1])
    assert _codes(responses) == [202, 202]


def test_delete_while_protecting_is_409(race_api):
    policy = _policy(race_api)
    checkpoint = _protect(race_api, policy).json['checkpoint']
    response = race_api('DELETE', '/v1/checkpoints/' + checkpoint['id'])
    assert response.status_int == 409, response.text
    assert 'queued' in response.json['error']['message']


def test_a_burst_of_one_users_requests_in_one_second_is_never_5xx(
        race_api, keystone, monkeypatch):
    """Each needs a trust of the same expiry second: Keystone's duplicates.

    With the retries in lockstep (one second later each) a burst of a
    few requests ran out of retries and answered 503.
    """
    checkpoints = [_available_checkpoint(race_api, name='app%d' % i)[1]
                   for i in range(8)]
    # All in one second, as on a fast Keystone.
    now = datetime.datetime.now(datetime.UTC)
    frozen = type('frozen', (datetime.datetime,), {
        'now': classmethod(lambda cls, tz=None: now)})
    monkeypatch.setattr(identity, 'datetime', types.SimpleNamespace(
        datetime=frozen, timedelta=datetime.timedelta, UTC=datetime.UTC))
    _hold(monkeypatch, 'checkpoint_get', len(checkpoints))
    responses = _together(*[
        (lambda c=c: race_api('DELETE', '/v1/checkpoints/' + c['id']))
        for c in checkpoints])
    assert keystone.duplicates > 0
    assert set(_codes(responses)) <= {202, 409}
    for response in responses:
        if response.status_int == 409:
            assert 'try again' in response.json['error']['message']
    assert _codes(responses).count(202) >= len(checkpoints) - 1

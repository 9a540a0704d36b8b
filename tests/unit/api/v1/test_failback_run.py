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

"""``POST /v1/policies/{id}/failback``: a reverse policy's workload home.

RegionTwo's Dragon (``test_failback``'s ``backup``), a reverse policy
prepared there; Nova and Cinder of the caller faked at
``caller.connection``.
"""

import datetime
import time
import types

import pytest

from dragon.cloud import caller
from dragon.common import timeutils
from dragon import context
from dragon.db import api as db_api
from dragon.recovery import failback
from dragon.recovery import failback_claim
from tests.unit.api.v1.test_checkpoints import _check
from tests.unit.api.v1.test_checkpoints import _error
from tests.unit.api.v1.test_failback import _failover
from tests.unit.api.v1.test_failback import _prepare
from tests.unit.api.v1.test_failback import backup  # noqa: F401
from tests.unit.api.v1.test_recoveries import containers  # noqa: F401
from tests.unit.api.v1.test_recoveries import cp_api  # noqa: F401
from tests.unit.api.v1.test_recoveries import engine  # noqa: F401
from tests.unit.api.v1.test_recoveries import rec_api  # noqa: F401
from tests.unit.api.v1.test_recoveries import swift  # noqa: F401
from tests.unit.api.v1.test_recoveries import trusts  # noqa: F401
# The request only looks (get_server): the engine quiesces.
from tests.unit.recovery.test_failback_quiesce import FakeNova


@pytest.fixture
def nova(monkeypatch):
    fake = FakeNova({'b-srv': 'ACTIVE'})
    volumes = types.SimpleNamespace(get_volume=lambda i: types.SimpleNamespace(
        id=i, attachments=[]))
    monkeypatch.setattr(caller, 'connection', lambda ctx, service:
                        types.SimpleNamespace(compute=fake,
                                              block_storage=volumes))
    return fake


def _reverse(api):
    recovery = _failover(api)
    response = _prepare(api, recovery)
    assert response.status_int == 202, response.text
    return recovery, response.json['failback']['policy']


def _run(api, policy, body=None, **kwargs):
    return api('POST', '/v1/policies/%s/failback' % policy['id'], body,
               **kwargs)


def _policy(policy_id):
    return db_api.workload_policy_get(context.get_admin_context(),
                                      policy_id)


def _finish_checkpoints():
    admin = context.get_admin_context()
    for checkpoint in db_api.checkpoint_get_all(admin):
        if checkpoint.status in ('queued', 'protecting'):
            db_api.checkpoint_update(admin, checkpoint.id,
                                     {'status': 'available'})


def test_run_hands_the_failback_to_the_engines_at_once(
        backup, engine, trusts, nova, conf):
    """Nothing is quiesced in the request: a server that would take the
    whole timeout to stop does not hold the answer back.
    """
    conf.set_override('failback_quiesce_timeout', 600, group='recovery')
    nova.stuck.add('b-srv')
    failover, policy = _reverse(backup)
    _finish_checkpoints()
    casts = len(engine.casts)
    began = time.monotonic()

    response = _run(backup, policy, {'failback': {'quiesce': 'stop'}})

    assert time.monotonic() - began < 5
    assert response.status_int == 202, response.text
    _check(response, 'RecoveryOne')
    recovery = response.json['recovery']
    assert recovery['mode'] == 'failback'
    assert recovery['target_region'] == 'RegionOne'
    assert recovery['policy_id'] == policy['id']
    assert recovery['status'] == 'recovering'
    # The engine quiesces and starts the final checkpoint: neither here.
    assert recovery['checkpoint_id'] is None
    assert nova.actions() == []
    assert engine.casts[casts:] == [('recover', recovery['id'])]
    # Its trust outlives the run: the commit or rollback needs it (and
    # the final checkpoint borrows it).
    assert trusts['redelegate'][-1] is True
    assert trusts['expires'][-1] is False
    run = _policy(policy['id']).failback['run']
    assert run['status'] == 'running'
    assert run['recovery_id'] == recovery['id']
    assert run['checkpoint_id'] is None and run['quiesced'] == []
    assert run['quiesced_at'] is None    # set by the engine's quiesce
    assert run['quiesce'] == 'stop' and run['delete_stale'] is False
    [event] = db_api.recovery_event_get_all(context.get_admin_context(),
                                            recovery['id'])
    assert 'the engine stops the 1 server(s) here, then starts the final ' \
        'checkpoint' in event.message
    shown = backup('GET', '/v1/policies/%s' % policy['id'])
    _check(shown, 'PolicyOne')
    assert shown.json['policy']['failback']['run']['recovery_id'] == \
        recovery['id']


def test_pause_is_the_default(backup, engine, nova):
    _failover_, policy = _reverse(backup)
    _finish_checkpoints()

    response = _run(backup, policy)

    assert response.status_int == 202, response.text
    assert _policy(policy['id']).failback['run']['quiesce'] == 'pause'
    assert nova.actions() == []


@pytest.mark.parametrize('status, shown', [('ERROR', 'ERROR'),
                                           ('SHELVED_OFFLOADED',
                                            'SHELVED_OFFLOADED'),
                                           (None, 'gone')])
def test_a_server_that_cannot_be_quiesced_is_refused_before_anything(
        backup, engine, nova, status, shown):
    _failover_, policy = _reverse(backup)
    _finish_checkpoints()
    if status is None:
        del nova.servers['b-srv']
    else:
        nova.servers['b-srv'] = status
    casts = len(engine.casts)

    message = _error(_run(backup, policy), 400)

    assert 'server b-srv is %s: it can be neither paused nor stopped' \
        % shown in message
    assert nova.actions() == []
    assert len(engine.casts) == casts     # no recovery
    # Not even claimed: the run may be asked again at once.
    assert not _policy(policy['id']).failback.get('run')


@pytest.mark.parametrize('status', ['PAUSED', 'SHUTOFF'])
def test_servers_quiesced_already_are_accepted(backup, engine, nova,
                                               status):
    _failover_, policy = _reverse(backup)
    _finish_checkpoints()
    nova.servers['b-srv'] = status

    assert _run(backup, policy).status_int == 202


def test_a_reverse_policy_being_protected_is_409_before_the_claim(
        backup, engine, nova):
    _failover_, policy = _reverse(backup)     # its first checkpoint runs

    message = _error(_run(backup, policy), 409)

    assert 'already being protected' in message
    assert not _policy(policy['id']).failback.get('run')


def test_a_policy_that_is_not_a_reverse_one_is_refused(backup, engine, nova):
    response = backup('POST', '/v1/policies', {'policy': {'name': 'plain'}})
    assert response.status_int == 201, response.text
    plain = response.json['policy']

    message = _error(_run(backup, plain), 400)

    assert 'not a reverse policy' in message
    assert nova.actions() == []


def test_a_second_run_while_one_is_open_is_refused(backup, engine, nova):
    _failover_, policy = _reverse(backup)
    _finish_checkpoints()
    assert _run(backup, policy).status_int == 202

    message = _error(_run(backup, policy), 409)

    assert 'failback run in progress' in message


def test_a_run_claimed_by_another_request_is_409_and_touches_nothing(
        backup, engine, nova):
    _failover_, policy = _reverse(backup)
    _finish_checkpoints()
    # Another request has claimed the run and is still quiescing.
    failback.claim_run(policy['id'], status=failback.RUNNING,
                       recovery_id=None)

    message = _error(_run(backup, policy), 409)

    assert 'failback run in progress' in message
    assert nova.actions() == []
    assert nova.servers == {'b-srv': 'ACTIVE'}


def test_a_claim_never_handed_to_the_engines_goes_stale(backup, engine,
                                                        nova):
    _failover_, policy = _reverse(backup)
    _finish_checkpoints()
    failback.claim_run(policy['id'], status=failback.RUNNING,
                       recovery_id=None)
    long_ago = timeutils.utcnow() - datetime.timedelta(
        seconds=failback_claim.CLAIM_STALE_AFTER + 60)
    failback.save_run(policy['id'], claimed_at=long_ago.isoformat() + 'Z')

    response = _run(backup, policy)

    assert response.status_int == 202, response.text
    run = _policy(policy['id']).failback['run']
    assert run['recovery_id'] == response.json['recovery']['id']


@pytest.mark.parametrize('body', [
    {'failback': {'quiesce': 'shelve'}},
    {'failback': {'delete_stale': 'yes'}},
    {'failback': {'unknown': 1}}])
def test_bad_bodies_are_400(backup, engine, nova, body):
    _failover_, policy = _reverse(backup)

    _error(_run(backup, policy, body), 400)

    assert nova.actions() == []


def test_another_project_sees_404(backup, engine, nova):
    _failover_, policy = _reverse(backup)

    _error(_run(backup, policy, project='p2'), 404)


def test_a_reader_is_forbidden(backup, engine, nova):
    _failover_, policy = _reverse(backup)

    _error(_run(backup, policy, roles='reader'), 403)

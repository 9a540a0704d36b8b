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

"""One RunKind per kind of run: each call reaches its own table."""

import datetime

import pytest

from dragon import context
from dragon.db import api as db_api
from dragon.db import run_kinds
from dragon import exception


@pytest.fixture
def ctx(db):
    return context.get_admin_context()


def _checkpoint(ctx):
    policy = db_api.workload_policy_create(ctx, {
        'project_id': 'p1', 'user_id': 'u1', 'name': 'app', 'options': {}})
    return db_api.checkpoint_create(ctx, {
        'project_id': 'p1', 'user_id': 'u1', 'policy_id': policy.id,
        'policy_name': 'app', 'status': 'protecting'})


def _recovery(ctx):
    return db_api.recovery_create(ctx, {
        'project_id': 'p1', 'user_id': 'u1', 'mode': 'failover',
        'recovery_point': 'dragon_p1_app_20261123T120000Z',
        'target_region': 'RegionTwo'})


@pytest.mark.parametrize('kind, create, events', [
    (run_kinds.CHECKPOINT, _checkpoint, db_api.checkpoint_event_get_all),
    (run_kinds.RECOVERY, _recovery, db_api.recovery_event_get_all)])
def test_claim_update_and_event_reach_the_kinds_table(ctx, kind, create,
                                                      events):
    row = create(ctx)
    assert kind.claim(ctx, row.id, 'engine-1', status=row.status)
    assert not kind.claim(ctx, row.id, 'engine-2', status=row.status)
    claim = kind.get(ctx, row.id).claim
    kind.update(ctx, row.id, {kind.resources_field: [{'key': 'k'}]},
                expected_status=(row.status,), expected_claim=claim)
    kind.event_add(ctx, row.id, 'info', 'hello', resource='k')
    found = kind.get(ctx, row.id)
    assert getattr(found, kind.resources_field) == [{'key': 'k'}]
    assert [e.message for e in events(ctx, row.id)][-1] == 'hello'
    with pytest.raises(kind.busy):
        kind.update(ctx, row.id, {'error': 'x'}, expected_status=('gone',))
    with pytest.raises(kind.not_found):
        kind.get(ctx, 'no-such-row')


@pytest.mark.parametrize('kind, create, events', [
    (run_kinds.CHECKPOINT, _checkpoint, db_api.checkpoint_event_get_all),
    (run_kinds.RECOVERY, _recovery, db_api.recovery_event_get_all)])
def test_many_events_are_added_in_one_call_in_order(ctx, kind, create,
                                                    events):
    row = create(ctx)
    at = datetime.datetime(2026, 12, 4, 12, 0, 0)
    lines = [{'level': 'warning', 'resource': 'server_%d' % i,
              'message': 'm%d' % i, 'time': at} for i in range(300)]
    lines.append({'level': 'info', 'message': 'no time, no resource'})
    assert kind.events_add(ctx, row.id, lines) == 301
    found = events(ctx, row.id)
    assert [(e.level, e.resource, e.message) for e in found] == [
        (x['level'], x.get('resource'), x['message']) for x in lines]
    assert found[0].time == at and found[-1].time > at


def test_only_checkpoints_have_warnings():
    assert run_kinds.CHECKPOINT.warnings_field == 'warnings'
    assert run_kinds.RECOVERY.warnings_field is None


def test_a_replaced_db_api_function_is_called(monkeypatch):
    calls = []
    monkeypatch.setattr(db_api, 'recovery_event_add',
                        lambda *a, **k: calls.append((a, k)))
    run_kinds.RECOVERY.event_add('ctx', 'r-1', 'error', 'boom')
    assert calls == [(('ctx', 'r-1', 'error', 'boom'), {'resource': None})]
    assert run_kinds.RECOVERY.unavailable is (
        exception.RecoveryEngineUnavailable)

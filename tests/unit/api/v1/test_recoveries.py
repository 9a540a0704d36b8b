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

"""Recoveries through the whole pipeline.

Keystone trusts, the engine RPC client and Swift are faked at their module
boundary (the checkpoint tests' fakes); the database is real.
"""

import datetime
import json

import oslo_messaging as messaging
import pytest

from dragon.checkpoint import store
from dragon.cloud import caller
from dragon import context
from dragon.db import api as db_api
from dragon import exception
from tests.unit.api.v1.conftest import OTHER
from tests.unit.api.v1.test_checkpoints import _check
from tests.unit.api.v1.test_checkpoints import _error
from tests.unit.api.v1.test_checkpoints import _finish
from tests.unit.api.v1.test_checkpoints import _policy
from tests.unit.api.v1.test_checkpoints import _protect
from tests.unit.api.v1.test_checkpoints import cp_api  # noqa: F401
from tests.unit.api.v1.test_checkpoints import engine  # noqa: F401
from tests.unit.api.v1.test_checkpoints import FakeEngine
from tests.unit.api.v1.test_checkpoints import swift  # noqa: F401
from tests.unit.api.v1.test_checkpoints import trusts  # noqa: F401

POINT = 'dragon_p1_app_20261123T120000Z'
CATALOG = json.dumps([
    {'type': 'orchestration', 'name': 'heat', 'endpoints': [
        {'region': 'RegionOne', 'publicURL': 'http://one/heat'},
        {'region': 'RegionTwo', 'publicURL': 'http://two/heat'}]},
    {'type': 'object-store', 'name': 'swift', 'endpoints': [
        {'region': 'RegionOne', 'publicURL': 'http://one/swift'}]}])


def _recover_cast(self, ctx, recovery_id):
    self._cast('recover', recovery_id)


def _delete_cast(self, ctx, recovery_id):
    self._cast('delete_recovery', recovery_id)


@pytest.fixture
def containers(monkeypatch, swift):
    """Container metadata as Swift holds it: complete, incomplete, refused."""
    known = {
        POINT: {store.COMPLETE: '2026-11-23T12:01:00Z',
                store.POLICY_ID: 'pol-a', store.POLICY_NAME: 'app',
                store.CHECKPOINT_ID: 'elsewhere'},
        'dragon_p1_app_20261123T130000Z': {store.POLICY_NAME: 'app'},
    }
    reads = []

    def metadata(conn, container):
        reads.append((conn, container))
        if container == 'dragon_p1_refused_20261123T120000Z':
            raise exception.CheckpointStoreError(
                operation='HEAD', container=container, reason=403)
        return known.get(container)

    monkeypatch.setattr(store, 'container_metadata', metadata)
    return {'known': known, 'reads': reads}


@pytest.fixture
def rec_api(cp_api, engine, containers, monkeypatch):
    monkeypatch.setattr(FakeEngine, 'recover', _recover_cast, raising=False)
    monkeypatch.setattr(FakeEngine, 'delete_recovery', _delete_cast,
                        raising=False)

    def call(method, path, body=None, **kwargs):
        headers = {'X-Service-Catalog': CATALOG, 'X-User-Id': 'alice',
                   **kwargs.pop('headers', {})}
        return cp_api(method, path, body, headers=headers, **kwargs)
    return call


def _body(**values):
    return {'recovery': {'recovery_point': POINT,
                         'target_region': 'RegionTwo', **values}}


def _recover(api, **values):
    response = api('POST', '/v1/recoveries', _body(**values))
    assert response.status_int == 202, response.text
    _check(response, 'RecoveryOne')
    return response.json['recovery']


def _set(recovery_id, **values):
    db_api.recovery_update(context.get_admin_context(), recovery_id, values)


def test_recover_a_recovery_point_creates_a_trust_a_row_and_casts(
        rec_api, engine, trusts, containers):
    recovery = _recover(rec_api, mode='drill', timeout=600,
                        resources=['srv-1'],
                        mappings={'flavors': {'m1.tiny': 'm1.small'},
                                  'networks': {'net-a': 'recreate'},
                                  'name_prefix': 'dr-'})
    assert recovery['status'] == 'recovering'
    assert recovery['mode'] == 'drill' and recovery['timeout'] == 600
    assert recovery['recovery_point'] == POINT
    assert recovery['target_region'] == 'RegionTwo'
    assert recovery['resources'] == ['srv-1']
    assert recovery['mappings']['flavors'] == {'m1.tiny': 'm1.small'}
    assert (recovery['policy_id'], recovery['policy_name']) == ('pol-a',
                                                                'app')
    # The container names a checkpoint this database does not know.
    assert recovery['checkpoint_id'] is None
    assert recovery['progress']['percent'] == 0.0
    assert recovery['torn_down'] is False and recovery['restored'] == {}
    assert engine.casts == [('recover', recovery['id'])]
    assert trusts['created'] == [('alice', 'p1', 'trust-0')]
    # Heat makes its own trust from the engine's token of this one.
    assert trusts['redelegate'] == [True]
    assert containers['reads'] == [('swift-as-p1', POINT)]
    row = db_api.recovery_get(context.get_admin_context(), recovery['id'])
    assert row.trust_id == 'trust-0' and row.user_id == 'alice'
    events = rec_api('GET', '/v1/recoveries/%s/events' % recovery['id'])
    _check(events, 'RecoveryEventList')
    assert 'drill of %s into RegionTwo requested' % POINT in \
        events.json['events'][0]['message']


def test_defaults_are_a_failover_of_everything(rec_api):
    recovery = _recover(rec_api)
    assert recovery['mode'] == 'failover'
    assert recovery['mappings'] == {} and recovery['resources'] == []
    assert recovery['timeout'] is None


def test_recover_a_checkpoint_of_this_database(rec_api, engine):
    policy = _policy(rec_api)
    checkpoint = _protect(rec_api, policy).json['checkpoint']
    body = {'recovery': {'checkpoint_id': checkpoint['id'],
                         'target_region': 'RegionTwo'}}
    assert 'is queued' in _error(rec_api('POST', '/v1/recoveries', body),
                                  409)
    _finish(checkpoint['id'], container=POINT)
    response = rec_api('POST', '/v1/recoveries', body)
    assert response.status_int == 202, response.text
    recovery = response.json['recovery']
    assert recovery['checkpoint_id'] == checkpoint['id']
    assert recovery['recovery_point'] == POINT
    assert recovery['policy_id'] == policy['id']
    assert engine.casts[-1] == ('recover', recovery['id'])


def test_a_recovery_point_known_here_names_its_checkpoint(rec_api,
                                                          containers):
    policy = _policy(rec_api)
    checkpoint = _protect(rec_api, policy).json['checkpoint']
    containers['known'][POINT][store.CHECKPOINT_ID] = checkpoint['id']
    assert _recover(rec_api)['checkpoint_id'] == checkpoint['id']


@pytest.mark.parametrize('recovery,words', [
    ({}, 'exactly one of checkpoint_id and recovery_point'),
    ({'checkpoint_id': 'c1', 'recovery_point': POINT},
     'exactly one of checkpoint_id and recovery_point'),
    ({'recovery_point': POINT, 'mode': 'dry-run'}, 'mode'),
    ({'recovery_point': POINT, 'timeout': 59}, 'timeout'),
    ({'recovery_point': POINT, 'timeout': 86401}, 'timeout'),
    ({'recovery_point': POINT, 'timeout': '600'}, 'timeout'),
    ({'recovery_point': POINT, 'resources': 'srv-1'}, 'resources'),
    ({'recovery_point': POINT, 'resources': [1]}, 'resources/0'),
    ({'recovery_point': POINT, 'resources': ['a/b']}, 'resources/0'),
    ({'recovery_point': POINT, 'mappings': []}, 'mappings'),
    ({'recovery_point': POINT, 'mappings': {'colour': {}}},
     "unknown field(s): 'colour'"),
    ({'recovery_point': POINT, 'mappings': {'flavors': {'a': 1}}},
     'mappings/flavors/a'),
    ({'recovery_point': POINT, 'mappings': {'networks': 'recreate'}},
     'mappings/networks'),
    ({'recovery_point': POINT, 'mappings': {'name_prefix': 'a\nb'}},
     'mappings/name_prefix'),
    ({'recovery_point': POINT, 'force': True}, "unknown field(s): 'force'"),
    ({'recovery_point': 'a/b'}, 'recovery_point'),
    ({'recovery_point': 'my-backup'}, 'not the name of a checkpoint'),
    ({'recovery_point': 'dragon_chunks_p1'}, 'not the name of a checkpoint'),
])
def test_bad_bodies_are_400_with_a_message(rec_api, engine, trusts, recovery,
                                           words):
    recovery.setdefault('target_region', 'RegionTwo')
    message = _error(rec_api('POST', '/v1/recoveries',
                             {'recovery': recovery}), 400)
    assert words in message
    assert engine.casts == [] and trusts['created'] == []


def test_bodies_that_are_no_recovery_are_400(rec_api):
    _error(rec_api('POST', '/v1/recoveries', raw=b'{'), 400)
    _error(rec_api('POST', '/v1/recoveries', {'recovery_point': POINT}), 400)
    assert 'target_region' in _error(rec_api(
        'POST', '/v1/recoveries', {'recovery': {'recovery_point': POINT}}),
        400)


def test_a_region_not_in_the_catalog_is_400(rec_api, engine, trusts):
    message = _error(rec_api('POST', '/v1/recoveries',
                             _body(target_region='RegionNine')), 400)
    assert 'RegionNine' in message and 'RegionOne, RegionTwo' in message
    message = _error(rec_api('POST', '/v1/recoveries', _body(),
                             headers={'X-Service-Catalog': '[]'}), 400)
    assert 'known regions: none' in message
    assert engine.casts == [] and trusts['created'] == []


@pytest.mark.parametrize('container,missing', [
    ('dragon_p1_app_20261123T140000Z', 'the container is missing'),
    ('dragon_p1_app_20261123T130000Z', 'checkpoint.json is missing'),
    # Another project's container: not the caller's to know of.
    ('dragon_p2_app_20261123T120000Z', 'the container is missing'),
])
def test_unknown_or_incomplete_recovery_points_are_404(
        rec_api, engine, trusts, containers, container, missing):
    message = _error(rec_api('POST', '/v1/recoveries',
                             _body(recovery_point=container)), 404)
    assert container in message and missing in message
    assert engine.casts == [] and trusts['created'] == []


def test_swift_refusing_the_caller_is_403(rec_api):
    message = _error(rec_api('POST', '/v1/recoveries', _body(
        recovery_point='dragon_p1_refused_20261123T120000Z')), 403)
    assert 'Swift does not let you' in message


def test_another_projects_checkpoint_is_404(rec_api, engine):
    theirs = _policy(rec_api, 'theirs', project=OTHER)
    checkpoint = _protect(rec_api, theirs, project=OTHER).json['checkpoint']
    _finish(checkpoint['id'], container='dragon_p2_theirs_x')
    casts = list(engine.casts)
    for checkpoint_id in (checkpoint['id'], 'nope'):
        _error(rec_api('POST', '/v1/recoveries', {'recovery': {
            'checkpoint_id': checkpoint_id,
            'target_region': 'RegionTwo'}}), 404)
    assert engine.casts == casts


def test_recover_needs_a_member_role(rec_api, engine):
    _error(rec_api('POST', '/v1/recoveries', _body(), roles='reader'), 403)
    assert engine.casts == []


def test_unreachable_broker_leaves_error_and_answers_503(rec_api, engine,
                                                         trusts):
    engine.error = messaging.MessageDeliveryFailure('no broker')
    message = _error(rec_api('POST', '/v1/recoveries', _body()), 503)
    assert 'engines cannot be reached' in message and 'recovery' in message
    recoveries = rec_api('GET', '/v1/recoveries').json['recoveries']
    assert [r['status'] for r in recoveries] == ['error']
    assert 'unreachable' in recoveries[0]['error']
    assert trusts['deleted'] == ['trust-0']


@pytest.mark.parametrize('error,code', [
    (exception.TrustFailed(reason='HTTP 500: no roles'), 503),
    (exception.TrustRefused(reason='no roles'), 403)])
def test_refused_trust_leaves_no_recovery(rec_api, trusts, error, code):
    trusts['error'] = error
    assert 'no roles' in _error(rec_api('POST', '/v1/recoveries', _body()),
                                code)
    assert rec_api('GET', '/v1/recoveries').json['recoveries'] == []


def test_list_filters_and_pages(rec_api):
    # One at a time per recovery point and region: each ends first.
    first = _recover(rec_api)
    _set(first['id'], status='succeeded')
    second = _recover(rec_api)
    _set(second['id'], status='error')
    third = _recover(rec_api)
    listed = rec_api('GET', '/v1/recoveries', roles='reader')
    _check(listed, 'RecoveryList')
    assert [r['id'] for r in listed.json['recoveries']] == [
        third['id'], second['id'], first['id']]
    done = rec_api('GET', '/v1/recoveries?status=succeeded').json
    assert [r['id'] for r in done['recoveries']] == [first['id']]
    page = rec_api('GET', '/v1/recoveries?limit=2').json
    assert len(page['recoveries']) == 2 and page['links']
    rest = rec_api('GET', '/v1/recoveries?limit=2&marker=' +
                   page['recoveries'][-1]['id']).json
    assert [r['id'] for r in rest['recoveries']] == [first['id']]
    oldest = rec_api('GET', '/v1/recoveries?sort_dir=asc').json
    assert oldest['recoveries'][0]['id'] == first['id']


@pytest.mark.parametrize('query', [
    'status=done', 'limit=0', 'limit=x', 'marker=nope', 'sort_dir=up',
    'policy_id=x', 'all_projects=maybe'])
def test_bad_list_queries_are_400(rec_api, query):
    _error(rec_api('GET', '/v1/recoveries?' + query), 400)


def test_all_projects_is_for_admins(rec_api):
    _recover(rec_api)
    db_api.recovery_create(context.get_admin_context(), {
        'project_id': OTHER, 'mode': 'failover', 'recovery_point': 'x',
        'target_region': 'RegionTwo'})
    _error(rec_api('GET', '/v1/recoveries?all_projects=true'), 403)
    mine = rec_api('GET', '/v1/recoveries').json['recoveries']
    assert {r['project_id'] for r in mine} == {'p1'}
    every = rec_api('GET', '/v1/recoveries?all_projects=true',
                    roles='admin,member,reader').json['recoveries']
    assert {r['project_id'] for r in every} == {'p1', OTHER}


def test_show_reports_progress_stack_and_rto(rec_api):
    recovery = _recover(rec_api)
    started = datetime.datetime.now(datetime.UTC).replace(
        tzinfo=None) - datetime.timedelta(seconds=10)
    _set(recovery['id'], host='engine-1', started_at=started, bytes_done=25,
         bytes_total=100, phase={
             'name': 'restoring', 'done': 1, 'total': 2,
             'bytes_per_second': 2.5, 'bytes_at': (
                 started + datetime.timedelta(seconds=9)).isoformat()},
         resource_status=[
             {'key': 'server_web', 'type': 'OS::Nova::Server',
              'id': 'srv-1', 'name': 'web', 'action': 'image_snapshot',
              'status': 'restored', 'reason': None, 'bytes_done': 25,
              'bytes_total': 25, 'target_id': 'img-9'},
             {'key': 'volume_data', 'type': 'OS::Cinder::Volume',
              'id': 'vol-1', 'name': 'data', 'status': 'transferring',
              'reason': None, 'bytes_done': 0, 'bytes_total': 75}])
    response = rec_api('GET', '/v1/recoveries/' + recovery['id'],
                       roles='reader')
    _check(response, 'RecoveryOne')
    shown = response.json['recovery']
    assert shown['progress']['percent'] == 25.0
    assert 20 <= shown['progress']['eta_seconds'] <= 40
    assert shown['progress']['phase'] == 'restoring'
    assert (shown['progress']['phase_done'],
            shown['progress']['phase_total']) == (1, 2)
    assert shown['progress']['resources_total'] == 2
    assert shown['resource_status'][0]['target_id'] == 'img-9'
    assert shown['resource_status'][1]['target_id'] is None
    assert shown['engine'] == 'engine-1' and shown['duration'] is None
    _set(recovery['id'], status='succeeded', bytes_done=100,
         finished_at=started + datetime.timedelta(seconds=90),
         rto_seconds=80.5, stack_id='stk-1', stack_name='app-20261123',
         stack_status='CREATE_COMPLETE',
         restored={'server_web': {'image_id': 'img-9'}})
    shown = rec_api('GET', '/v1/recoveries/' + recovery['id']).json[
        'recovery']
    assert shown['duration'] == 90.0 and shown['rto_seconds'] == 80.5
    assert shown['progress']['percent'] == 100.0
    assert shown['progress']['eta_seconds'] is None
    assert (shown['stack_id'], shown['stack_status']) == (
        'stk-1', 'CREATE_COMPLETE')
    assert shown['restored'] == {'server_web': {'image_id': 'img-9'}}


def test_delete_only_when_ended_with_a_fresh_trust(rec_api, engine, trusts):
    recovery = _recover(rec_api)
    path = '/v1/recoveries/' + recovery['id']
    assert 'recovering' in _error(rec_api('DELETE', path), 409)
    _set(recovery['id'], status='succeeded', host='engine-1', trust_id=None)
    _error(rec_api('DELETE', path, roles='reader'), 403)
    _error(rec_api('DELETE', path, raw=b'{}'), 400)
    response = rec_api('DELETE', path)
    assert response.status_int == 202, response.text
    _check(response, 'RecoveryOne')
    assert response.json['recovery']['status'] == 'deleting'
    assert engine.casts[-1] == ('delete_recovery', recovery['id'])
    row = db_api.recovery_get(context.get_admin_context(), recovery['id'])
    assert row.host is None and row.trust_id == 'trust-1'
    assert trusts['redelegate'] == [True, False]
    assert 'deleting' in _error(rec_api('DELETE', path), 409)


def test_delete_with_unreachable_broker_is_503_and_can_be_retried(
        rec_api, engine, trusts):
    recovery = _recover(rec_api)
    _set(recovery['id'], status='error')
    path = '/v1/recoveries/' + recovery['id']
    engine.error = messaging.MessageDeliveryFailure('no broker')
    _error(rec_api('DELETE', path), 503)
    assert rec_api('GET', path).json['recovery']['status'] == 'error'
    engine.error = None
    assert rec_api('DELETE', path).status_int == 202


def test_another_project_sees_404_on_every_recovery_route(rec_api, engine):
    """The isolation walk: every route that names a recovery, from p2."""
    from dragon.api.v1 import router as v1_router
    recovery = _recover(rec_api)
    _set(recovery['id'], status='succeeded')
    casts = list(engine.casts)
    walked = 0
    for route in v1_router.build().mapper.matchlist:
        if route.conditions is None or \
                '{recovery_id}' not in route.routepath:
            continue
        method = route.conditions['method'][0]
        path = route.routepath.format(recovery_id=recovery['id'])
        for roles in ('member,reader', 'reader', 'admin-less', ''):
            _error(rec_api(method, path, project=OTHER, roles=roles), 404)
        walked += 1
    assert walked == 6
    assert engine.casts == casts
    assert rec_api('GET', '/v1/recoveries', project=OTHER).json[
        'recoveries'] == []
    assert rec_api('GET', '/v1/recoveries/' + recovery['id']).status_int \
        == 200


def test_admin_of_another_project_must_scope_to_delete(rec_api, trusts):
    recovery = _recover(rec_api)
    _set(recovery['id'], status='error')
    path = '/v1/recoveries/' + recovery['id']
    assert 'scoped to project p1' in _error(rec_api(
        'DELETE', path, project=OTHER, roles='admin,member,reader'), 403)
    assert rec_api('GET', path, project=OTHER,
                   roles='admin').status_int == 200


def test_unknown_and_odd_recovery_ids_are_404(rec_api):
    for recovery_id in ('nope', 'x' * 300, '%27%3B--'):
        message = _error(rec_api('GET', '/v1/recoveries/' + recovery_id),
                         404)
        assert len(message) < 150


def test_policies_show_their_last_drill(rec_api):
    policy = _policy(rec_api)
    assert rec_api('GET', '/v1/policies/' + policy['id']).json['policy'][
        'last_drill'] is None
    drill = {'recovery_id': 'r1', 'at': '2026-11-23T12:00:00Z',
             'rto_seconds': 42.5, 'status': 'succeeded'}
    db_api.workload_policy_set_last_drill(context.get_admin_context(),
                                          policy['id'], drill)
    response = rec_api('GET', '/v1/policies/' + policy['id'])
    _check(response, 'PolicyOne')
    assert response.json['policy']['last_drill'] == drill
    listed = rec_api('GET', '/v1/policies')
    _check(listed, 'PolicyList')
    assert listed.json['policies'][0]['last_drill'] == drill


def test_swift_is_read_with_the_callers_token(rec_api, monkeypatch):
    seen = []
    monkeypatch.setattr(caller, 'swift_connection',
                        lambda ctx: seen.append(ctx.project_id) or 'conn')
    _recover(rec_api)
    assert seen == ['p1']

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

"""Checkpoints and recovery points through the whole pipeline.

Keystone trusts, the engine RPC client and the Swift checkpoint store are
faked at their module boundary; the database is real.
"""

import datetime

import jsonschema
import oslo_messaging as messaging
import pytest

from dragon.api.v1 import openapi
from dragon.checkpoint import store
from dragon.cloud import caller
from dragon import context
from dragon.db import api as db_api
from dragon.engine import rpcapi
from dragon import exception
from dragon import identity
from tests.unit.api.v1.conftest import OTHER


class FakeEngine:
    """Records casts; ``error`` makes them fail like an unreachable broker."""

    casts: list = []
    verifications: list = []
    error = None

    def __init__(self, conf):
        pass

    def protect(self, ctx, checkpoint_id):
        self._cast('protect', checkpoint_id)

    def delete_checkpoint(self, ctx, checkpoint_id):
        self._cast('delete_checkpoint', checkpoint_id)

    def verify_checkpoint(self, ctx, checkpoint_id, verification_id,
                          read_data, trust_id):
        self._cast('verify_checkpoint', checkpoint_id)
        FakeEngine.verifications.append((checkpoint_id, verification_id,
                                         read_data, trust_id))

    def _cast(self, method, checkpoint_id):
        if FakeEngine.error is not None:
            raise FakeEngine.error
        FakeEngine.casts.append((method, checkpoint_id))


@pytest.fixture
def engine(monkeypatch):
    monkeypatch.setattr(FakeEngine, 'casts', [])
    monkeypatch.setattr(FakeEngine, 'verifications', [])
    monkeypatch.setattr(FakeEngine, 'error', None)
    monkeypatch.setattr(rpcapi, 'EngineAPI', FakeEngine)
    return FakeEngine


@pytest.fixture
def trusts(monkeypatch):
    record = {'created': [], 'deleted': [], 'error': None, 'redelegate': [],
              'expires': []}

    def create(ctx, conf=None, redelegate=False, expires=True):
        if record['error']:
            raise record['error']
        trust_id = 'trust-%d' % len(record['created'])
        record['created'].append((ctx.user_id, ctx.project_id, trust_id))
        record['redelegate'].append(redelegate)
        record['expires'].append(expires)
        return trust_id

    monkeypatch.setattr(identity, 'create_trust', create)
    monkeypatch.setattr(identity, 'delete_trust',
                        lambda ctx, trust_id, conf=None:
                        record['deleted'].append(trust_id))
    return record


@pytest.fixture
def swift(monkeypatch):
    calls = {'template': [], 'list': []}

    def read_manifest(conn, container):
        # A clear checkpoint (its template needs no key); failures as below.
        if container in ('gone', 'refused', 'broken'):
            read_template(conn, container)
        return {'format': 'dragon-checkpoint', 'features': []}

    def read_template(conn, container, domain=None):
        assert domain is None
        calls['template'].append((conn, container))
        if container == 'gone':
            raise exception.RecoveryPointNotFound(container=container,
                                                  missing='template.yaml')
        if container == 'refused':
            raise exception.CheckpointStoreError(
                operation='GET template.yaml', container=container,
                reason=403)
        if container == 'broken':
            raise exception.CheckpointStoreError(
                operation='GET template.yaml', container=container,
                reason=500)
        return 'heat_template_version: 2021-04-16\n', {
            'server_web_image': {'kind': 'image', 'node': 'server_web',
                                 'default': 'img-1'}}

    def list_points(conn, project_id, policy=None):
        calls['list'].append((conn, project_id, policy))
        return [{'container': 'dragon_%s_app_20261123T120000Z' % project_id,
                 'project_id': project_id, 'policy_id': 'pol',
                 'policy_name': 'app', 'created_at': '2026-11-23T12:00:00Z',
                 'finished_at': '2026-11-23T12:01:00Z', 'size': 42,
                 'source_region': 'RegionOne', 'checkpoint_id': 'c1',
                 'format_version': 1}]

    monkeypatch.setattr(caller, 'swift_connection',
                        lambda ctx: 'swift-as-%s' % ctx.project_id)
    monkeypatch.setattr(store, 'read_template', read_template)
    monkeypatch.setattr(store, 'read_manifest', read_manifest)
    monkeypatch.setattr(store, 'list_recovery_points', list_points)
    return calls


@pytest.fixture
def cp_api(api, fake_cloud, engine, trusts, swift):
    fake_cloud.add('server', 'srv-1', name='web')
    fake_cloud.add('server', 'srv-2', name='db', project_id=OTHER)
    return api


def _error(response, code):
    assert response.status_int == code, response.text
    error = response.json['error']
    assert error['code'] == code
    assert 'Traceback' not in response.text
    return error['message']


def _policy(api, name='app', members=True, project='p1'):
    body = {'policy': {'name': name}}
    if members:
        body['policy']['members'] = [{
            'resource_type': 'server',
            'resource_id': 'srv-1' if project == 'p1' else 'srv-2',
            'action': 'template_only'}]
    response = api('POST', '/v1/policies', body, project=project)
    assert response.status_int == 201, response.text
    return response.json['policy']


def _protect(api, policy, **kwargs):
    return api('POST', '/v1/policies/%s/protect' % policy['id'], **kwargs)


def _finish(checkpoint_id, status='available', **values):
    db_api.checkpoint_update(context.get_admin_context(), checkpoint_id,
                             {'status': status, **values})


def _check(response, name):
    jsonschema.validate(response.json, openapi.json_schemas()[name])


def test_protect_creates_a_checkpoint_with_a_trust_and_casts(
        cp_api, engine, trusts):
    policy = _policy(cp_api)
    response = _protect(cp_api, policy, body={},
                        headers={'X-User-Id': 'alice'})
    assert response.status_int == 202, response.text
    _check(response, 'CheckpointOne')
    checkpoint = response.json['checkpoint']
    assert checkpoint['status'] == 'queued'
    assert checkpoint['policy_id'] == policy['id']
    assert checkpoint['policy_name'] == 'app'
    assert checkpoint['project_id'] == 'p1'
    assert checkpoint['progress'] == {
        'bytes_done': 0, 'bytes_total': 0, 'percent': 0.0,
        'eta_seconds': None, 'resources_done': 0, 'resources_total': 0,
        'phase': None, 'phase_done': None, 'phase_total': None,
        'bytes_per_second': None, 'queue_position': 1}
    assert checkpoint['engine'] is None and checkpoint['error'] is None
    assert engine.casts == [('protect', checkpoint['id'])]
    assert trusts['created'] == [('alice', 'p1', 'trust-0')]
    row = db_api.checkpoint_get(context.get_admin_context(),
                                checkpoint['id'])
    assert row.trust_id == 'trust-0' and row.user_id == 'alice'


def test_protect_without_a_body_is_accepted(cp_api):
    assert _protect(cp_api, _policy(cp_api)).status_int == 202


def test_second_protect_while_protecting_is_409(cp_api, engine, trusts):
    policy = _policy(cp_api)
    first = _protect(cp_api, policy).json['checkpoint']
    assert 'already being protected' in _error(_protect(cp_api, policy), 409)
    assert len(trusts['created']) == 1
    _finish(first['id'])
    assert _protect(cp_api, policy).status_int == 202
    assert len(engine.casts) == 2


def test_protect_of_a_policy_without_members_is_400(cp_api, engine):
    policy = _policy(cp_api, members=False)
    assert 'no members' in _error(_protect(cp_api, policy), 400)
    assert engine.casts == []


def test_protect_with_a_bad_body_is_400(cp_api, engine):
    policy = _policy(cp_api)
    _error(_protect(cp_api, policy, body={'force': True}), 400)
    _error(_protect(cp_api, policy, raw=b'{'), 400)
    assert engine.casts == []


def test_protect_needs_a_member_role(cp_api):
    policy = _policy(cp_api)
    _error(_protect(cp_api, policy, roles='reader'), 403)


def test_unreachable_broker_leaves_error_and_answers_503(cp_api, engine,
                                                         trusts):
    policy = _policy(cp_api)
    engine.error = messaging.MessageDeliveryFailure('no broker')
    message = _error(_protect(cp_api, policy), 503)
    assert 'engines cannot be reached' in message
    checkpoints = cp_api('GET', '/v1/checkpoints').json['checkpoints']
    assert [c['status'] for c in checkpoints] == ['error']
    assert 'unreachable' in checkpoints[0]['error']
    assert trusts['deleted'] == ['trust-0']
    # The policy is free again once the broker is back.
    engine.error = None
    assert _protect(cp_api, policy).status_int == 202


@pytest.mark.parametrize('error,code', [
    (exception.TrustFailed(reason='HTTP 500: no roles'), 503),
    (exception.TrustRefused(reason='no roles'), 403)])
def test_refused_trust_leaves_no_checkpoint(cp_api, trusts, error, code):
    policy = _policy(cp_api)
    trusts['error'] = error
    assert 'no roles' in _error(_protect(cp_api, policy), code)
    assert cp_api('GET', '/v1/checkpoints').json['checkpoints'] == []


def test_list_filters_and_pages(cp_api):
    a, b = _policy(cp_api, 'a'), _policy(cp_api, 'b')
    first = _protect(cp_api, a).json['checkpoint']
    _finish(first['id'])
    second = _protect(cp_api, a).json['checkpoint']
    third = _protect(cp_api, b).json['checkpoint']
    listed = cp_api('GET', '/v1/checkpoints')
    _check(listed, 'CheckpointList')
    assert [c['id'] for c in listed.json['checkpoints']] == [
        third['id'], second['id'], first['id']]
    by_policy = cp_api('GET', '/v1/checkpoints?policy_id=' + a['id'])
    assert [c['id'] for c in by_policy.json['checkpoints']] == [
        second['id'], first['id']]
    available = cp_api('GET', '/v1/checkpoints?status=available')
    assert [c['id'] for c in available.json['checkpoints']] == [first['id']]
    page = cp_api('GET', '/v1/checkpoints?limit=2').json
    assert len(page['checkpoints']) == 2 and page['links']
    rest = cp_api('GET', '/v1/checkpoints?limit=2&marker=' +
                  page['checkpoints'][-1]['id']).json
    assert [c['id'] for c in rest['checkpoints']] == [first['id']]
    oldest = cp_api('GET', '/v1/checkpoints?sort_dir=asc').json
    assert oldest['checkpoints'][0]['id'] == first['id']


@pytest.mark.parametrize('query', [
    'status=done', 'limit=0', 'limit=x', 'marker=nope', 'sort_dir=up',
    'colour=red', 'all_projects=maybe', 'status=error&status=available'])
def test_bad_list_queries_are_400(cp_api, query):
    _error(cp_api('GET', '/v1/checkpoints?' + query), 400)


def test_all_projects_is_for_admins(cp_api):
    _protect(cp_api, _policy(cp_api))
    _protect(cp_api, _policy(cp_api, 'theirs', project=OTHER), project=OTHER)
    _error(cp_api('GET', '/v1/checkpoints?all_projects=true'), 403)
    mine = cp_api('GET', '/v1/checkpoints').json['checkpoints']
    assert {c['project_id'] for c in mine} == {'p1'}
    every = cp_api('GET', '/v1/checkpoints?all_projects=true',
                   roles='admin,member,reader').json['checkpoints']
    assert {c['project_id'] for c in every} == {'p1', OTHER}


def test_show_reports_progress_and_resources(cp_api):
    checkpoint = _protect(cp_api, _policy(cp_api)).json['checkpoint']
    started = datetime.datetime.now(datetime.UTC).replace(
        tzinfo=None) - datetime.timedelta(seconds=10)
    db_api.checkpoint_update(context.get_admin_context(), checkpoint['id'], {
        'status': 'protecting',
        'host': 'engine-1', 'started_at': started, 'bytes_done': 25,
        'bytes_total': 100, 'container': 'dragon_p1_app_x',
        # 75 bytes left at 2.5 B/s, the last ones a second ago.
        'phase': {'name': 'transferring', 'done': 1, 'total': 2,
                  'bytes_per_second': 2.5,
                  'bytes_at': (started + datetime.timedelta(
                      seconds=9)).isoformat()},
        'resources': [
            {'key': 'server_web', 'type': 'OS::Nova::Server', 'id': 'srv-1',
             'name': 'web', 'action': 'image_snapshot', 'status': 'done',
             'reason': None, 'bytes_done': 25, 'bytes_total': 25},
            {'key': 'volume_data', 'type': 'OS::Cinder::Volume',
             'id': 'vol-1', 'name': 'data', 'action': 'snapshot_data',
             'status': 'transferring', 'reason': None, 'bytes_done': 0,
             'bytes_total': 75}],
        'stats': {'uploaded_bytes': 20, 'reused_chunks': 1,
                  'api_calls': {'compute': 3, 'network': 8}}})
    response = cp_api('GET', '/v1/checkpoints/' + checkpoint['id'],
                      roles='reader')
    _check(response, 'CheckpointOne')
    shown = response.json['checkpoint']
    progress = shown['progress']
    assert progress['percent'] == 25.0
    assert 20 <= progress['eta_seconds'] <= 40
    assert (progress['phase'], progress['phase_done'],
            progress['phase_total']) == ('transferring', 1, 2)
    assert progress['bytes_per_second'] == 2.5
    assert (progress['resources_done'], progress['resources_total']) == (1, 2)
    assert shown['engine'] == 'engine-1'
    assert shown['stats'] == {'uploaded_bytes': 20, 'reused_chunks': 1,
                              'zero_chunks': 0, 'stored_bytes': 0, 'takeovers': 0,
                              'reused_records': 0,
                              'api_calls': {'compute': 3, 'network': 8}}
    assert shown['duration'] is None
    _finish(checkpoint['id'], finished_at=started + datetime.timedelta(
        seconds=90), bytes_done=100)
    shown = cp_api('GET', '/v1/checkpoints/' + checkpoint['id']).json[
        'checkpoint']
    assert shown['duration'] == 90.0
    assert shown['progress']['percent'] == 100.0
    assert shown['progress']['eta_seconds'] is None
    assert shown['progress']['phase'] is None


@pytest.mark.parametrize('phase', [
    # Waiting for snapshots: hours since the start, few bytes moved.
    {'name': 'capturing', 'done': 2, 'total': 3, 'bytes_per_second': None,
     'bytes_at': None},
    # Transferring, but no rate measured yet (too few bytes).
    {'name': 'transferring', 'done': 0, 'total': 3,
     'bytes_per_second': None, 'bytes_at': None},
    # Transferring, but the last bytes are a minute old: a wait.
    {'name': 'transferring', 'done': 1, 'total': 3,
     'bytes_per_second': 1000.0, 'bytes_at': 'STALE'},
])
def test_no_eta_while_no_bytes_move(cp_api, phase):
    checkpoint = _protect(cp_api, _policy(cp_api)).json['checkpoint']
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    if phase['bytes_at'] == 'STALE':
        phase = dict(phase, bytes_at=(
            now - datetime.timedelta(seconds=60)).isoformat())
    db_api.checkpoint_update(context.get_admin_context(), checkpoint['id'], {
        'status': 'protecting', 'started_at': now - datetime.timedelta(
            hours=2), 'bytes_done': 10, 'bytes_total': 10 ** 9,
        'phase': phase})
    response = cp_api('GET', '/v1/checkpoints/' + checkpoint['id'])
    _check(response, 'CheckpointOne')
    progress = response.json['checkpoint']['progress']
    assert progress['eta_seconds'] is None
    assert (progress['phase'], progress['phase_done'],
            progress['phase_total']) == (phase['name'], phase['done'],
                                         phase['total'])


def test_show_lists_the_warnings_empty_when_none(cp_api):
    checkpoint = _protect(cp_api, _policy(cp_api)).json['checkpoint']
    assert checkpoint['warnings'] == []
    warning = {'resource': 'volume_data', 'what': 'volume_not_protected',
               'message': 'volume data is recreated empty at recovery'}
    _finish(checkpoint['id'], warnings=[warning])
    response = cp_api('GET', '/v1/checkpoints/' + checkpoint['id'],
                      roles='reader')
    _check(response, 'CheckpointOne')
    shown = response.json['checkpoint']
    assert shown['status'] == 'available'
    assert shown['warnings'] == [warning]
    listed = cp_api('GET', '/v1/checkpoints')
    _check(listed, 'CheckpointList')
    assert listed.json['checkpoints'][0]['warnings'] == [warning]


def test_events_oldest_first(cp_api):
    checkpoint = _protect(cp_api, _policy(cp_api)).json['checkpoint']
    db_api.checkpoint_event_add(context.get_admin_context(),
                                checkpoint['id'], 'warning', 'slow',
                                resource='server_web')
    response = cp_api('GET', '/v1/checkpoints/%s/events' % checkpoint['id'],
                      roles='reader')
    _check(response, 'CheckpointEventList')
    events = response.json['events']
    assert events[0]['level'] == 'info' and 'requested' in \
        events[0]['message']
    assert events[-1] == {'time': events[-1]['time'], 'level': 'warning',
                          'resource': 'server_web', 'message': 'slow'}


def test_delete_only_when_ended(cp_api, engine, trusts):
    checkpoint = _protect(cp_api, _policy(cp_api)).json['checkpoint']
    path = '/v1/checkpoints/' + checkpoint['id']
    assert 'is queued' in _error(cp_api('DELETE', path), 409)
    _finish(checkpoint['id'], host='engine-1')
    _error(cp_api('DELETE', path, roles='reader'), 403)
    response = cp_api('DELETE', path)
    assert response.status_int == 202
    _check(response, 'CheckpointOne')
    assert response.json['checkpoint']['status'] == 'deleting'
    assert engine.casts[-1] == ('delete_checkpoint', checkpoint['id'])
    row = db_api.checkpoint_get(context.get_admin_context(),
                                checkpoint['id'])
    assert row.host is None and row.trust_id == 'trust-1'
    _error(cp_api('DELETE', path), 409)


def test_delete_with_unreachable_broker_is_503_and_can_be_retried(
        cp_api, engine, trusts):
    checkpoint = _protect(cp_api, _policy(cp_api)).json['checkpoint']
    _finish(checkpoint['id'])
    path = '/v1/checkpoints/' + checkpoint['id']
    engine.error = messaging.MessageDeliveryFailure('no broker')
    _error(cp_api('DELETE', path), 503)
    assert cp_api('GET', path).json['checkpoint']['status'] == 'error'
    engine.error = None
    assert cp_api('DELETE', path).status_int == 202


def test_template_of_an_available_checkpoint_comes_from_swift(cp_api, swift):
    checkpoint = _protect(cp_api, _policy(cp_api)).json['checkpoint']
    path = '/v1/checkpoints/%s/template' % checkpoint['id']
    assert 'available' in _error(cp_api('GET', path), 409)
    _finish(checkpoint['id'], container='dragon_p1_app_x')
    response = cp_api('GET', path, roles='reader')
    _check(response, 'CheckpointTemplate')
    assert response.json['template'].startswith('heat_template_version')
    assert response.json['parameters']['server_web_image']['kind'] == 'image'
    assert swift['template'] == [('swift-as-p1', 'dragon_p1_app_x')]
    _finish(checkpoint['id'], container='gone')
    _error(cp_api('GET', path), 404)
    # Swift refusing the caller's role is the caller's 403, not a 503.
    _finish(checkpoint['id'], container='refused')
    assert 'Swift does not let you' in _error(cp_api('GET', path), 403)
    _finish(checkpoint['id'], container='broken')
    _error(cp_api('GET', path), 503)


def test_recovery_points_come_from_the_callers_swift(cp_api, swift):
    response = cp_api('GET', '/v1/recovery-points', roles='reader')
    _check(response, 'RecoveryPointList')
    assert response.json['recovery_points'][0]['size'] == 42
    cp_api('GET', '/v1/recovery-points?policy=app')
    assert swift['list'] == [('swift-as-p1', 'p1', None),
                             ('swift-as-p1', 'p1', 'app')]
    _error(cp_api('GET', '/v1/recovery-points?all=1'), 400)
    _error(cp_api('GET', '/v1/recovery-points', roles=''), 403)


def test_another_project_sees_404_on_every_checkpoint_route(cp_api, engine):
    """The isolation walk: every route that names a checkpoint, from p2."""
    from dragon.api.v1 import router as v1_router
    checkpoint = _protect(cp_api, _policy(cp_api)).json['checkpoint']
    _finish(checkpoint['id'], container='dragon_p1_app_x')
    casts = list(engine.casts)
    walked = 0
    for route in v1_router.build().mapper.matchlist:
        if route.conditions is None or \
                '{checkpoint_id}' not in route.routepath:
            continue
        method = route.conditions['method'][0]
        path = route.routepath.format(checkpoint_id=checkpoint['id'])
        for roles in ('member,reader', 'reader', 'admin-less', ''):
            _error(cp_api(method, path, project=OTHER, roles=roles), 404)
        walked += 1
    assert walked == 6  # show, PATCH (hold), DELETE, events, template, verify
    assert engine.casts == casts
    assert cp_api('GET', '/v1/checkpoints', project=OTHER).json[
        'checkpoints'] == []
    assert cp_api('GET', '/v1/checkpoints/' + checkpoint['id']).status_int \
        == 200


def test_protect_of_another_projects_policy_is_404(cp_api, engine):
    policy = _policy(cp_api)
    for roles in ('member,reader', 'reader'):
        _error(_protect(cp_api, policy, project=OTHER, roles=roles), 404)
    assert engine.casts == []


def test_unknown_and_odd_checkpoint_ids_are_404(cp_api):
    for checkpoint_id in ('nope', 'x' * 300, '%27%3B--'):
        message = _error(cp_api('GET', '/v1/checkpoints/' + checkpoint_id),
                         404)
        assert len(message) < 150


def test_admin_of_another_project_must_scope_to_the_policys_project(
        cp_api, engine, trusts):
    policy = _policy(cp_api)
    message = _error(_protect(cp_api, policy, project=OTHER,
                              roles='admin,member,reader'), 403)
    assert 'scoped to project p1' in message
    checkpoint = _protect(cp_api, policy).json['checkpoint']
    _finish(checkpoint['id'])
    _error(cp_api('DELETE', '/v1/checkpoints/' + checkpoint['id'],
                  project=OTHER, roles='admin,member,reader'), 403)
    # Reading works across projects for an administrator.
    assert cp_api('GET', '/v1/checkpoints/' + checkpoint['id'],
                  project=OTHER, roles='admin').status_int == 200
    assert trusts['created'] and len(trusts['created']) == 1


def test_hold_and_release(cp_api, engine, trusts):
    checkpoint = _protect(cp_api, _policy(cp_api)).json['checkpoint']
    assert (checkpoint['hold'], checkpoint['trigger'],
            checkpoint['schedule_id'], checkpoint['captured_at']) == (
        False, 'manual', None, None)
    _finish(checkpoint['id'], captured_at=datetime.datetime(2026, 12, 1, 3))
    path = '/v1/checkpoints/' + checkpoint['id']
    _error(cp_api('PATCH', path, {'checkpoint': {'hold': True}},
                  roles='reader'), 403)
    response = cp_api('PATCH', path, {'checkpoint': {'hold': True}})
    assert response.status_int == 200, response.text
    _check(response, 'CheckpointOne')
    shown = response.json['checkpoint']
    assert shown['hold'] is True
    assert shown['captured_at'] == '2026-12-01T03:00:00+00:00'
    assert cp_api('GET', path).json['checkpoint']['hold'] is True
    # a held checkpoint cannot be deleted
    message = _error(cp_api('DELETE', path), 409)
    assert 'release the hold first' in message
    assert 'delete_checkpoint' not in [c[0] for c in engine.casts]
    events = cp_api('GET', path + '/events').json['events']
    assert 'put on hold' in events[-1]['message']
    response = cp_api('PATCH', path, {'checkpoint': {'hold': False}})
    assert response.json['checkpoint']['hold'] is False
    assert cp_api('DELETE', path).status_int == 202
    # nothing to hold while it is being deleted
    assert 'deleting' in _error(cp_api('PATCH', path, {
        'checkpoint': {'hold': True}}), 409)


@pytest.mark.parametrize('body', [
    {}, {'checkpoint': {}}, {'checkpoint': {'hold': 'yes'}},
    {'checkpoint': {'hold': True, 'status': 'available'}},
    {'hold': True}])
def test_bad_checkpoint_updates_are_400(cp_api, body):
    checkpoint = _protect(cp_api, _policy(cp_api)).json['checkpoint']
    _error(cp_api('PATCH', '/v1/checkpoints/' + checkpoint['id'], body), 400)


def test_a_running_checkpoint_may_be_held(cp_api):
    checkpoint = _protect(cp_api, _policy(cp_api)).json['checkpoint']
    response = cp_api('PATCH', '/v1/checkpoints/' + checkpoint['id'],
                      {'checkpoint': {'hold': True}})
    assert response.status_int == 200, response.text
    assert response.json['checkpoint']['status'] == 'queued'
    assert response.json['checkpoint']['hold'] is True

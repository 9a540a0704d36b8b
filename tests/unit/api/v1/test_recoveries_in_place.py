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

"""In-place restores through the API: checked before any trust; the window."""

import types

import pytest

from dragon.checkpoint import store
from dragon import context
from dragon.db import api as db_api
from dragon import exception
from dragon.services import in_place as in_place_service
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
from tests.unit.api.v1.test_recoveries import containers  # noqa: F401
from tests.unit.api.v1.test_recoveries import POINT
from tests.unit.api.v1.test_recoveries import rec_api  # noqa: F401
from tests.unit.recovery.in_place import fakes
from tests.unit.recovery.in_place.test_run import BlockStorage
from tests.unit.recovery.in_place.test_run import Compute
from tests.unit.recovery.in_place.test_run import Network


@pytest.fixture
def manifests(monkeypatch):
    """The manifest of POINT as Swift holds it; reads are counted."""
    state = {'manifest': fakes.manifest('RegionOne', 'p1'), 'reads': []}

    def read(conn, container):
        state['reads'].append(container)
        if container != POINT:
            raise exception.RecoveryPointNotFound(container=container,
                                                  missing='checkpoint.json')
        return state['manifest']
    monkeypatch.setattr(store, 'read_manifest', read)
    return state


def _body(**values):
    return {'recovery': {'recovery_point': POINT, 'mode': 'in_place',
                         'dry_run': True, **values}}


def test_a_dry_run_goes_into_the_checkpoints_region_and_casts(
        rec_api, engine, trusts, manifests):
    response = rec_api('POST', '/v1/recoveries', _body(resources=[
        'vol-data']))
    assert response.status_int == 202, response.text
    _check(response, 'RecoveryOne')
    recovery = response.json['recovery']
    assert recovery['mode'] == 'in_place' and recovery['dry_run'] is True
    assert recovery['target_region'] == 'RegionOne'
    assert recovery['plan'] is None and recovery['resources'] == [
        'vol-data']
    assert engine.casts == [('recover', recovery['id'])]
    # The plan the engine stores is what the API shows.
    plan = [{'key': 'volume_data', 'type': fakes.VOLUME, 'id': 'vol-data',
             'name': 'data', 'action': 'replace', 'detail': 'new volume',
             'changes': [], 'current_status': 'in-use'}]
    db_api.recovery_update(context.get_admin_context(), recovery['id'],
                           {'plan': plan, 'status': 'succeeded'})
    shown = rec_api('GET', '/v1/recoveries/%s' % recovery['id'])
    _check(shown, 'RecoveryOne')
    assert shown.json['recovery']['plan'] == plan


def test_the_checkpoints_own_region_may_be_named(rec_api, manifests):
    response = rec_api('POST', '/v1/recoveries',
                       _body(target_region='RegionOne'))
    assert response.status_int == 202, response.text


@pytest.mark.parametrize('values,code,words', [
    ({'target_region': 'RegionTwo'}, 400,
     "checkpoint's own region RegionOne, not RegionTwo"),
    ({'resources': ['vol-data', 'vol-nope']}, 400,
     'Cannot recover only vol-nope: not a member resource'),
    ({'mappings': {'flavors': {'m1.small': 'm1.tiny'}}}, 400,
     'mappings are for failover and drill'),
    ({'dry_run': False}, 409, 'holds no image of it to rebuild it from'),
    ({'dry_run': 'yes'}, 400, 'dry_run'),
    ({'recovery_point': 'dragon_p1_app_20261123T130000Z'}, 404,
     'checkpoint.json is missing'),
])
def test_bad_in_place_requests_are_refused_before_a_trust(
        rec_api, engine, trusts, manifests, region, values, code, words):
    message = _error(rec_api('POST', '/v1/recoveries', _body(**values)),
                     code)
    assert words in message
    assert engine.casts == [] and trusts['created'] == []


def test_a_manifest_of_another_project_is_404(rec_api, engine, manifests):
    manifests['manifest']['project_id'] = OTHER
    message = _error(rec_api('POST', '/v1/recoveries', _body()), 404)
    assert 'a checkpoint of this project' in message
    assert engine.casts == []


def test_a_checkpoint_of_another_project_is_404(rec_api, engine, manifests):
    theirs = _policy(rec_api, 'theirs', project=OTHER)
    checkpoint = _protect(rec_api, theirs, project=OTHER).json['checkpoint']
    _finish(checkpoint['id'], container=POINT)
    casts = list(engine.casts)
    _error(rec_api('POST', '/v1/recoveries', {'recovery': {
        'checkpoint_id': checkpoint['id'], 'mode': 'in_place',
        'dry_run': True}}), 404)
    assert engine.casts == casts and manifests['reads'] == []


def test_a_region_the_caller_cannot_reach_is_400(rec_api, manifests):
    message = _error(rec_api('POST', '/v1/recoveries', _body(),
                             headers={'X-Service-Catalog': '[]'}), 400)
    assert 'Region RegionOne is not in your service catalog' in message


def test_dry_run_is_for_in_place_only(rec_api, engine, manifests):
    message = _error(rec_api('POST', '/v1/recoveries', {'recovery': {
        'recovery_point': POINT, 'target_region': 'RegionTwo',
        'dry_run': True}}), 400)
    assert 'dry_run is for in_place restores only' in message
    assert manifests['reads'] == []


def test_failover_still_needs_a_target_region(rec_api, manifests):
    message = _error(rec_api('POST', '/v1/recoveries', {'recovery': {
        'recovery_point': POINT, 'mode': 'drill'}}), 400)
    assert 'target_region is required for a drill' in message


# -- real in-place restores and their window
IN_USE = {'status': 'in-use', 'size': 1, 'attachments': [
    {'server_id': 'srv-web', 'device': '/dev/vdb'}]}


@pytest.fixture
def region(monkeypatch):
    """What the caller sees in RegionOne: web and its data volume."""
    now = {'servers': {'srv-web': {'status': 'ACTIVE', 'flavor': {
        'original_name': 'm1.small'}}}, 'volumes': {'vol-data': IN_USE}}

    def clients(context):
        return types.SimpleNamespace(connection=types.SimpleNamespace(
            compute=Compute(now['servers']),
            block_storage=BlockStorage(now['volumes']), network=Network()))
    monkeypatch.setattr(in_place_service, '_CallerClients', clients)
    monkeypatch.setattr(FakeEngine, 'close_window',
                        lambda self, ctx, rid: self._cast('close_window',
                                                          rid),
                        raising=False)
    manifest = fakes.manifest('RegionOne', 'p1')
    manifest['data'] = {'volume_data': {'kind': 'volume', 'size': 1 << 30}}
    return now, manifest


def _restore(rec_api, manifests, region, **values):
    manifests['manifest'] = region[1]
    return rec_api('POST', '/v1/recoveries', _body(
        **{'dry_run': False, 'resources': ['vol-data'], **values}))


def test_a_volume_is_restored_in_place_with_a_standing_trust(
        rec_api, engine, trusts, manifests, region):
    response = _restore(rec_api, manifests, region)
    assert response.status_int == 202, response.text
    _check(response, 'RecoveryOne')
    recovery = response.json['recovery']
    assert recovery['dry_run'] is False and recovery['replaced'] == []
    assert recovery['commit_deadline'] is None
    assert engine.casts == [('recover', recovery['id'])]
    # Kept through the window, deleted when it closes.
    assert trusts['expires'] == [False] and trusts['redelegate'] == [True]
    # While it runs (and then in its window) no other restore in place.
    message = _error(_restore(rec_api, manifests, region), 409)
    assert 'Recovery %s of' % recovery['id'] in message or \
        recovery['id'] in message
    db_api.recovery_update(context.get_admin_context(), recovery['id'],
                           {'status': 'awaiting_commit'})
    message = _error(_restore(rec_api, manifests, region), 409)
    assert 'is awaiting_commit; commit or roll it back' in message


def test_a_grown_volume_is_409_unless_the_user_accepts_the_shrink(
        rec_api, engine, trusts, manifests, region):
    region[0]['volumes']['vol-data'] = {**IN_USE, 'size': 3}
    message = _error(_restore(rec_api, manifests, region), 409)
    assert message.startswith('In-place restore refused, nothing was '
                              'changed: volume data (vol-data) changed')
    assert 'size 1 GiB at the checkpoint, 3 GiB now' in message
    assert engine.casts == [] and trusts['created'] == []
    response = _restore(rec_api, manifests, region, shrink_volumes=True)
    assert response.status_int == 202, response.text
    assert response.json['recovery']['shrink_volumes'] is True


def test_a_gone_server_whose_network_is_gone_is_409(
        rec_api, engine, trusts, manifests, region):
    """web is gone, and its network too: never made in place."""
    del region[0]['servers']['srv-web']
    region[1]['data']['server_web'] = {'kind': 'image', 'size': 1}
    region[1]['graph']['nodes'] = [
        {**n, 'properties': {**n['properties'], 'image': {'id': 'img-b'},
                             'ports': ['port_web']}}
        if n['key'] == 'server_web' else
        {**n, 'properties': {'network': 'net_a'}}
        if n['key'] == 'port_web' else n
        for n in region[1]['graph']['nodes']]
    message = _error(_restore(rec_api, manifests, region,
                              resources=['srv-web']), 409)
    assert 'server web (srv-web) is gone from the region and its network ' \
        'net-1 is too: in-place restore never makes networks' in message
    assert engine.casts == [] and trusts['created'] == []


def test_a_failing_cinder_is_503_not_a_gone_volume(rec_api, manifests,
                                                   region):
    region[0]['volumes'] = {'vol-broken': IN_USE}
    region[1]['graph']['nodes'] = [
        dict(n, id='vol-broken') if n['key'] == 'volume_data' else n
        for n in region[1]['graph']['nodes']]
    manifests['manifest'] = region[1]
    response = rec_api('POST', '/v1/recoveries', _body(
        dry_run=False, resources=['vol-broken']))
    assert response.status_int == 503, response.text


@pytest.mark.parametrize('option', ['shrink_volumes', 'keep_current_flavor'])
def test_in_place_confirmations_are_for_in_place_only(rec_api, manifests,
                                                      option):
    message = _error(rec_api('POST', '/v1/recoveries', {'recovery': {
        'recovery_point': POINT, 'target_region': 'RegionTwo',
        option: True}}), 400)
    assert '%s is for in_place restores only' % option in message


def _awaiting(rec_api, manifests, region):
    recovery = _restore(rec_api, manifests, region).json['recovery']
    db_api.recovery_update(context.get_admin_context(), recovery['id'], {
        'status': 'awaiting_commit', 'host': 'engine-1', 'claim': 'c1'})
    return recovery['id']


@pytest.mark.parametrize('action,busy', [('commit', 'committing'),
                                         ('rollback', 'rolling_back')])
def test_commit_and_rollback_hand_the_window_to_an_engine(
        rec_api, engine, trusts, manifests, region, action, busy):
    recovery_id = _awaiting(rec_api, manifests, region)
    response = rec_api('POST', '/v1/recoveries/%s/%s' % (recovery_id,
                                                         action))
    assert response.status_int == 202, response.text
    _check(response, 'RecoveryOne')
    shown = response.json['recovery']
    assert shown['status'] == busy and shown['window_action'] == action
    assert shown['engine'] is None
    assert engine.casts[-1] == ('close_window', recovery_id)
    # The second one finds it closing.
    message = _error(rec_api('POST', '/v1/recoveries/%s/commit' %
                             recovery_id), 409)
    assert ('is %s; committing it is possible only when it is '
            'awaiting_commit' % busy) in message
    # No new trust: the restore's own is used.
    assert len(trusts['created']) == 1


def test_a_recovery_not_awaiting_commit_cannot_be_committed(
        rec_api, engine, manifests):
    dry = rec_api('POST', '/v1/recoveries', _body()).json['recovery']
    db_api.recovery_update(context.get_admin_context(), dry['id'],
                           {'status': 'succeeded'})
    message = _error(rec_api('POST', '/v1/recoveries/%s/rollback' %
                             dry['id']), 409)
    assert 'is succeeded; rolling back it is possible only when it is ' \
        'awaiting_commit' in message


def test_a_failover_has_no_window(rec_api, engine):
    failover = rec_api('POST', '/v1/recoveries', {'recovery': {
        'recovery_point': POINT, 'target_region': 'RegionTwo'}})
    recovery_id = failover.json['recovery']['id']
    message = _error(rec_api('POST', '/v1/recoveries/%s/commit' %
                             recovery_id), 409)
    assert ('only in-place restores and failback runs have a commit '
            'window') in message


def test_a_window_is_not_deleted_nor_closed_by_others(
        rec_api, engine, manifests, region):
    recovery_id = _awaiting(rec_api, manifests, region)
    message = _error(rec_api('DELETE', '/v1/recoveries/%s' % recovery_id),
                     409)
    assert 'is awaiting_commit; deleting is possible only' in message
    _error(rec_api('POST', '/v1/recoveries/%s/commit' % recovery_id,
                   project=OTHER), 404)
    _error(rec_api('POST', '/v1/recoveries/%s/commit' % recovery_id,
                   roles='reader'), 403)
    _error(rec_api('POST', '/v1/recoveries/%s/commit' % recovery_id,
                   {'commit': {}}), 400)


def test_an_unreachable_engine_leaves_the_window_open(
        rec_api, engine, manifests, region):
    recovery_id = _awaiting(rec_api, manifests, region)
    FakeEngine.error = RuntimeError('broker down')
    try:
        _error(rec_api('POST', '/v1/recoveries/%s/commit' % recovery_id),
               503)
    finally:
        FakeEngine.error = None
    row = db_api.recovery_get(context.get_admin_context(), recovery_id)
    assert row.status == 'awaiting_commit' and row.window_action is None


def test_a_recreated_server_is_shown_with_its_own_fields(
        rec_api, engine, trusts, manifests, region):
    recovery = _restore(rec_api, manifests, region).json['recovery']
    entry = {'key': 'server_web', 'name': 'web', 'kind': 'new_server',
             'recreates': 'srv-web', 'server_id': 'srv-new',
             'restored_image_id': 'img-1', 'server_status': None,
             'boot_volume_key': None, 'floating_ips': [
                 {'id': 'fip-1', 'address': '172.24.4.9',
                  'port_id': 'port-new'}],
             'state': 'swapped'}
    db_api.recovery_update(context.get_admin_context(), recovery['id'],
                           {'status': 'awaiting_commit', 'replaced': [entry]})
    response = rec_api('GET', '/v1/recoveries/%s' % recovery['id'])
    _check(response, 'RecoveryOne')
    assert response.json['recovery']['replaced'] == [{
        k: v for k, v in entry.items()
        if k not in ('server_status', 'boot_volume_key')}]


def test_a_re_imaged_boot_volume_is_shown_with_its_copy(
        rec_api, engine, trusts, manifests, region):
    recovery = _restore(rec_api, manifests, region).json['recovery']
    entry = {'key': 'volume_boot', 'name': 'boot', 'kind': 'boot_volume',
             'volume_id': 'vol-boot', 'server_id': 'srv-app',
             'device': '/dev/vda', 'saved_volume_id': 'vol-copy',
             'restored_image_id': 'img-1', 'image_id': None,
             'reimaged': True, 'rollback_image_id': None,
             'server_status': 'ACTIVE', 'state': 'swapped'}
    db_api.recovery_update(context.get_admin_context(), recovery['id'],
                           {'status': 'awaiting_commit', 'replaced': [entry]})
    response = rec_api('GET', '/v1/recoveries/%s' % recovery['id'])
    _check(response, 'RecoveryOne')
    # Not the engine's bookkeeping (transient images, the re-image flag).
    assert response.json['recovery']['replaced'] == [{
        k: v for k, v in entry.items() if k not in (
            'server_status', 'image_id', 'reimaged', 'rollback_image_id')}]

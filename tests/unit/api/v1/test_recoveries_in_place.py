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

"""In-place restores through the API: checked before any trust, dry runs only."""

import pytest

from dragon.checkpoint import store
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
from tests.unit.api.v1.test_checkpoints import swift  # noqa: F401
from tests.unit.api.v1.test_checkpoints import trusts  # noqa: F401
from tests.unit.api.v1.test_recoveries import containers  # noqa: F401
from tests.unit.api.v1.test_recoveries import POINT
from tests.unit.api.v1.test_recoveries import rec_api  # noqa: F401
from tests.unit.recovery.in_place import fakes


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
    ({'dry_run': False}, 400, 'in-place restore can only be planned for '
     'now (dry_run)'),
    ({'dry_run': 'yes'}, 400, 'dry_run'),
    ({'recovery_point': 'dragon_p1_app_20261123T130000Z'}, 404,
     'checkpoint.json is missing'),
])
def test_bad_in_place_requests_are_refused_before_a_trust(
        rec_api, engine, trusts, manifests, values, code, words):
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

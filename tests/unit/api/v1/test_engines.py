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

"""``GET /v1/engines``: heartbeats, liveness and runs held, for admins only."""

import datetime

import sqlalchemy as sa

from dragon import context
from dragon.db import api as db_api
from dragon.db import models
from tests.unit.api.v1.test_checkpoints import _check
from tests.unit.api.v1.test_checkpoints import _error

ADMIN = 'admin,member,reader'


def _run(model, status, host, **values):
    create = (db_api.checkpoint_create if model is models.Checkpoint
              else db_api.recovery_create)
    row = create(context.get_admin_context(), {
        'project_id': 'p1', 'status': status, **values})
    with db_api.main_context_manager.writer.using(
            context.get_admin_context()) as session:
        session.execute(sa.update(model).where(model.id == row.id)
                        .values(host=host))
    return row


def _stale(host):
    """The engine ``host`` last beat ten minutes ago."""
    old = models.utcnow() - datetime.timedelta(minutes=10)
    with db_api.main_context_manager.writer.using(
            context.get_admin_context()) as session:
        session.execute(sa.update(models.EngineService)
                        .where(models.EngineService.host == host)
                        .values(updated_at=old))


def test_engines_show_heartbeat_liveness_and_runs_held(api):
    ctx = context.get_admin_context()
    db_api.engine_service_heartbeat(ctx, 'engine-1', 'dragon-engine', '1.0')
    db_api.engine_service_heartbeat(ctx, 'engine-2', 'dragon-engine', '1.0')
    _stale('engine-2')
    _run(models.Checkpoint, 'protecting', 'engine-1', policy_id='a', policy_name='a')
    _run(models.Checkpoint, 'deleting', 'engine-1', policy_id='b', policy_name='b')
    # ended: not held
    _run(models.Checkpoint, 'available', 'engine-1', policy_id='c', policy_name='c')
    _run(models.Recovery, 'recovering', 'engine-2', mode='failover',
         recovery_point='c', target_region='RegionTwo')
    response = api('GET', '/v1/engines', roles=ADMIN)
    assert response.status_int == 200, response.text
    _check(response, 'EngineList')
    engines = {e['host']: e for e in response.json['engines']}
    assert list(engines) == ['engine-1', 'engine-2']   # newest beat first
    assert engines['engine-1']['alive'] is True
    assert engines['engine-1']['runs'] == {'checkpoints': 2,
                                           'recoveries': 0}
    assert engines['engine-2']['alive'] is False
    assert engines['engine-2']['runs'] == {'checkpoints': 0,
                                           'recoveries': 1}
    assert engines['engine-1']['heartbeat_at'].endswith('+00:00')
    assert engines['engine-1']['version'] == '1.0'


def test_engines_are_for_admins_only(api):
    db_api.engine_service_heartbeat(context.get_admin_context(),
                                    'engine-1', 'dragon-engine', '1.0')
    for roles in ('reader', 'member,reader'):
        message = _error(api('GET', '/v1/engines', roles=roles), 403)
        assert 'dragon:engine:list' in message


def test_engines_refuse_query_parameters(api):
    _error(api('GET', '/v1/engines?all_projects=true', roles=ADMIN), 400)


def test_no_engine_is_an_empty_list(api):
    response = api('GET', '/v1/engines', roles=ADMIN)
    assert response.json == {'engines': []}

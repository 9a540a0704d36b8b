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

"""Which projects chunk gc visits, and one failing project among many."""
import datetime

import pytest

from dragon.checkpoint import gc
from dragon import context
from dragon.db import api as db_api
from dragon import identity
from dragon.maintenance import accounts
from dragon.maintenance import collector


@pytest.fixture
def ctx(db):
    return context.get_admin_context()


def _policy(ctx, project_id, name='app'):
    return db_api.workload_policy_create(ctx, {
        'project_id': project_id, 'user_id': 'u1', 'name': name,
        'options': {}})


def _checkpoint(ctx, policy):
    return db_api.checkpoint_create(ctx, {
        'project_id': policy.project_id, 'user_id': 'u1',
        'policy_id': policy.id, 'policy_name': policy.name,
        'status': 'available'})


def test_a_project_whose_last_checkpoint_was_deleted_is_still_collected(
        ctx):
    kept = _policy(ctx, 'p-kept')
    _checkpoint(ctx, kept)
    emptied = _policy(ctx, 'p-emptied')
    db_api.checkpoint_delete(ctx, _checkpoint(ctx, emptied).id)
    gone = _policy(ctx, 'p-gone')
    db_api.checkpoint_delete(ctx, _checkpoint(ctx, gone).id)
    db_api.workload_policy_delete(ctx, gone.id)
    _policy(ctx, 'p-kept', name='second')
    assert collector.projects_to_collect() == [
        'p-emptied', 'p-gone', 'p-kept']


def test_checkpoints_of_a_project_without_policy_rows_count(ctx):
    policy = _policy(ctx, 'p1')
    _checkpoint(ctx, policy)
    assert db_api.checkpoint_get_project_ids(ctx) == ['p1']
    assert db_api.workload_policy_get_project_ids(ctx) == ['p1']
    assert collector.projects_to_collect() == ['p1']


def test_collect_projects_defaults_to_every_known_project(
        ctx, conf, monkeypatch):
    _policy(ctx, 'p1')
    _policy(ctx, 'p2')
    monkeypatch.setattr(identity, 'service_session', lambda conf: 'session')
    monkeypatch.setattr(accounts, 'project_swift',
                        lambda conf, project_id, session: (
                            project_id, session))
    seen = []

    def collect(swift, project_id, grace, stale):
        seen.append((swift, project_id))
        assert stale == datetime.timedelta(
            seconds=conf.checkpoint.gc_stale_mark)
        if project_id == 'p1':
            raise RuntimeError('swift down')
        return gc.GcResult(project_id)

    monkeypatch.setattr(gc, 'collect', collect)
    results = list(collector.collect_projects(conf))
    assert seen == [(('p1', 'session'), 'p1'), (('p2', 'session'), 'p2')]
    assert [r.project_id for r in results] == ['p1', 'p2']
    assert results[0].skipped.startswith('error: ')

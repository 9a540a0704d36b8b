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

import datetime

from oslo_config import cfg
import pytest

from dragon import conf as dragon_conf
from dragon import context
from dragon.db import api as db_api
from dragon import exception
from tests.unit import utils


@pytest.fixture
def ctx():
    return context.get_admin_context()


def test_first_heartbeat_creates_the_engine_row(db, ctx):
    service = db_api.engine_service_heartbeat(ctx, 'e1', 'dragon-engine', '1.0')
    assert service.id is not None
    assert (service.host, service.topic, service.version) == (
        'e1', 'dragon-engine', '1.0')
    assert service.updated_at is not None
    assert not service.deleted


def test_later_heartbeats_update_the_same_row(db, ctx):
    first = db_api.engine_service_heartbeat(ctx, 'e1', 'dragon-engine', '1.0')
    second = db_api.engine_service_heartbeat(ctx, 'e1', 'dragon-engine', '1.1')
    assert second.id == first.id
    assert second.version == '1.1'
    assert second.updated_at >= first.updated_at
    assert second.created_at == first.created_at
    assert len(db_api.engine_service_get_all(ctx)) == 1


def test_engines_on_other_hosts_get_their_own_rows(db, ctx):
    db_api.engine_service_heartbeat(ctx, 'e1', 'dragon-engine', '1.0')
    db_api.engine_service_heartbeat(ctx, 'e2', 'dragon-engine', '1.0')
    hosts = sorted(s.host for s in db_api.engine_service_get_all(ctx))
    assert hosts == ['e1', 'e2']


def test_get_all_lists_most_recent_heartbeat_first(db, ctx):
    db_api.engine_service_heartbeat(ctx, 'old', 'dragon-engine', '1.0')
    db_api.engine_service_heartbeat(ctx, 'new', 'dragon-engine', '1.0')
    with db_api.main_context_manager.writer.using(ctx) as session:
        session.execute(db_api.sa.update(db_api.models.EngineService)
                        .where(db_api.models.EngineService.host == 'old')
                        .values(updated_at=datetime.datetime(2020, 1, 1)))
    assert [s.host for s in db_api.engine_service_get_all(ctx)] == [
        'new', 'old']


def test_deleted_engines_are_hidden_and_revived_by_a_heartbeat(db, ctx):
    db_api.engine_service_heartbeat(ctx, 'e1', 'dragon-engine', '1.0')
    with db_api.main_context_manager.writer.using(ctx) as session:
        session.execute(db_api.sa.update(db_api.models.EngineService)
                        .values(deleted=True))
    assert db_api.engine_service_get_all(ctx) == []
    assert len(db_api.engine_service_get_all(ctx, include_deleted=True)) == 1
    db_api.engine_service_heartbeat(ctx, 'e1', 'dragon-engine', '1.0')
    assert [s.host for s in db_api.engine_service_get_all(ctx)] == ['e1']


def _conf_with(url):
    conf = cfg.ConfigOpts()
    dragon_conf.register_opts(conf)
    conf([], default_config_files=[], default_config_dirs=[])
    conf.set_override('connection', url, group='database')
    return conf


def test_check_connection_accepts_a_reachable_database(tmp_path):
    db_api.check_connection(_conf_with('sqlite:///%s/ok.sqlite' % tmp_path))


def test_check_connection_reports_unreachable_database(tmp_path):
    url = 'sqlite:///%s/missing-dir/x.sqlite' % tmp_path
    with pytest.raises(exception.DatabaseUnavailable,
                       match='unable to open database file'):
        db_api.check_connection(_conf_with(url))


def test_check_connection_masks_the_password():
    with utils.refusing_port() as port:
        url = 'mysql+pymysql://dragon:hunter2@127.0.0.1:%d/dragon' % port
        with pytest.raises(exception.DatabaseUnavailable) as error:
            db_api.check_connection(_conf_with(url))
    assert 'hunter2' not in error.value.message
    assert 'dragon:***@127.0.0.1' in error.value.message


@pytest.mark.parametrize('url', ['not a url', 'nosuchdialect://h/db'])
def test_check_connection_rejects_unusable_urls(url):
    with pytest.raises(exception.ConfigInvalid, match=r'\[database\] connection'):
        db_api.check_connection(_conf_with(url))


def _policy(ctx, name, project_id='p1', members=()):
    return db_api.workload_policy_create(ctx, {
        'project_id': project_id, 'name': name, 'description': '',
        'options': {}, 'members': list(members)})


def _member(resource_id, exclusive=True):
    return {'resource_type': 'server', 'resource_id': resource_id,
            'resource_name': resource_id, 'action': 'image_snapshot',
            'options': {},
            'exclusive_resource_id': resource_id if exclusive else None}


def test_deleted_policy_keeps_its_row_and_frees_its_name(db, ctx):
    policy = _policy(ctx, 'app', members=[_member('s1')])
    db_api.workload_policy_delete(ctx, policy.id)
    with pytest.raises(exception.PolicyNotFound):
        db_api.workload_policy_get(ctx, policy.id)
    again = _policy(ctx, 'app', members=[_member('s1')])
    assert again.id != policy.id
    with db.connect() as connection:
        rows = connection.exec_driver_sql(
            'SELECT id, deleted FROM workload_policies').fetchall()
    assert {(r[0], r[1]) for r in rows} == {(policy.id, policy.id),
                                            (again.id, '')}
    assert db_api.checkpoint_count_by_policy(ctx, policy.id) == 0


def test_exclusive_claim_is_enforced_by_the_database(db, ctx):
    _policy(ctx, 'a', members=[_member('s1')])
    with pytest.raises(exception.ResourceProtectedElsewhere, match='"a"'):
        _policy(ctx, 'b', members=[_member('s1')])
    shared = _policy(ctx, 'c', members=[_member('s1', exclusive=False)])
    assert [m.resource_id for m in shared.members] == ['s1']
    with pytest.raises(exception.MemberExists):
        _policy(ctx, 'd', members=[_member('s2'), _member('s2')])


def test_policies_page_by_marker_in_either_direction(db, ctx):
    ids = [_policy(ctx, name).id for name in ('b', 'a', 'c')]
    _policy(ctx, 'z', project_id='p2')
    first = db_api.workload_policy_get_all(ctx, project_id='p1', limit=2,
                                           sort_key='name')
    assert [p.name for p in first] == ['a', 'b']
    rest = db_api.workload_policy_get_all(ctx, project_id='p1', limit=2,
                                          sort_key='name',
                                          marker=first[-1].id)
    assert [p.name for p in rest] == ['c']
    newest = db_api.workload_policy_get_all(ctx, project_id='p1',
                                            sort_dir='desc')
    assert [p.id for p in newest] == ids[::-1]
    assert len(db_api.workload_policy_get_all(ctx)) == 4
    with pytest.raises(exception.InvalidMarker):
        db_api.workload_policy_get_all(ctx, project_id='p2', marker=ids[0])


def test_paging_by_updated_at_counts_never_updated_by_creation(db, ctx):
    a, b, c = (_policy(ctx, name) for name in ('a', 'b', 'c'))
    db_api.workload_policy_update(ctx, a.id, {'description': 'touched'})
    order = [p.name for p in db_api.workload_policy_get_all(
        ctx, project_id='p1', sort_key='updated_at')]
    assert order == ['b', 'c', 'a']
    page = db_api.workload_policy_get_all(
        ctx, project_id='p1', sort_key='updated_at', marker=c.id)
    assert [p.name for p in page] == ['a']


def test_sqlite_lock_collisions_are_retried():
    from sqlalchemy import exc as sa_exc
    calls = []

    @db_api._retry_if_locked
    def write():
        calls.append(1)
        if len(calls) < 3:
            raise sa_exc.OperationalError('UPDATE', {}, Exception(
                'database is locked'))
        return 'done'

    assert write() == 'done'
    assert len(calls) == 3
    assert not db_api._is_locked(ValueError('database is locked'))


def test_failback_run_merges_keep_each_writers_keys(db, ctx):
    policy = _policy(ctx, 'reverse')
    db_api.workload_policy_update(ctx, policy.id, {'failback': {
        'recovery_id': 'r1', 'run': {'status': 'running'}}})
    db_api.workload_policy_merge_failback_run(ctx, policy.id,
                                              {'step': 'fence'})
    run = db_api.workload_policy_merge_failback_run(
        ctx, policy.id, {'recovery_id': 'fb1'})
    record = db_api.workload_policy_get(ctx, policy.id).failback
    assert run == record['run'] == {'status': 'running', 'step': 'fence',
                                    'recovery_id': 'fb1'}
    assert record['recovery_id'] == 'r1'


def test_a_failback_run_is_claimed_only_where_may_claim_says(db, ctx):
    policy = _policy(ctx, 'reverse')
    db_api.workload_policy_update(ctx, policy.id, {'failback': {
        'run': {'status': 'running', 'recovery_id': 'fb1'}}})
    with pytest.raises(exception.FailbackRunInProgress, match='fb1'):
        db_api.workload_policy_merge_failback_run(
            ctx, policy.id, {'status': 'running', 'recovery_id': None},
            may_claim=lambda run: run.get('status') != 'running')
    assert db_api.workload_policy_get(
        ctx, policy.id).failback['run']['recovery_id'] == 'fb1'
    with pytest.raises(exception.PolicyNotFound):
        db_api.workload_policy_merge_failback_run(ctx, 'nope', {})

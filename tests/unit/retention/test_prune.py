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

"""Pruning a policy's checkpoints: the normal delete, holds, one failure."""

import datetime

import pytest

from dragon.checkpoint import store
from dragon import context
from dragon.db import api as db_api
from dragon import exception
from dragon.retention import prune
from tests.unit.checkpoint import fake_swift

NOW = datetime.datetime(2026, 12, 10, 12, 0)


@pytest.fixture
def ctx():
    return context.get_admin_context()


@pytest.fixture
def account():
    return fake_swift.FakeAccount()


@pytest.fixture
def swift(account):
    return account.connect()


def _policy(ctx, retention):
    return db_api.workload_policy_create(ctx, {
        'project_id': 'p1', 'user_id': 'u1', 'name': 'app',
        'options': {'retention': retention}})


def _checkpoint(ctx, policy, swift, days_ago, status='available',
                hold=False):
    """A checkpoint captured ``days_ago`` days before NOW, with a container."""
    when = NOW - datetime.timedelta(days=days_ago)
    container = 'dragon-cp-%d' % days_ago
    swift.put_container(container, headers={
        'X-Container-Meta-Dragon-Complete': 'yes'})
    swift.put_object(container, 'checkpoint.json', b'{}')
    swift.put_object(container, 'template.yaml', b'x')
    row = db_api.checkpoint_create(ctx, {
        'project_id': policy.project_id, 'user_id': 'u1',
        'policy_id': policy.id, 'policy_name': policy.name,
        'status': status, 'hold': hold, 'container': container,
        'captured_at': when})
    with db_api.main_context_manager.writer.using(ctx) as session:
        session.execute(db_api.sa.update(db_api.models.Checkpoint)
                        .where(db_api.models.Checkpoint.id == row.id)
                        .values(created_at=when))
    return row


def _left(ctx, policy):
    return {c.container: c.status for c in
            db_api.checkpoint_get_all(ctx, policy_id=policy.id)}


def test_deletes_what_the_plan_does_not_keep(db, ctx, conf, swift,
                                            account):
    policy = _policy(ctx, {'keep_last': 2})
    for days in range(4):
        _checkpoint(ctx, policy, swift, days)
    result = prune.prune(ctx, conf, policy, swift, now=NOW)
    assert result.kept == 2 and result.errors == []
    assert sorted(d['container'] for d in result.deleted) == [
        'dragon-cp-2', 'dragon-cp-3']
    assert result.deleted[0]['reasons'] == ['no rule keeps it']
    assert result.deleted[0]['captured_at'].endswith('+00:00')
    assert _left(ctx, policy) == {'dragon-cp-0': 'available',
                                  'dragon-cp-1': 'available'}
    assert sorted(account.containers) == ['dragon-cp-0', 'dragon-cp-1']


def test_the_manifest_goes_before_the_rest_of_the_container(
        db, ctx, conf, swift, account):
    policy = _policy(ctx, {'keep_last': 1})
    _checkpoint(ctx, policy, swift, 0)
    _checkpoint(ctx, policy, swift, 1)
    del account.requests[:]
    prune.prune(ctx, conf, policy, swift, now=NOW)
    deletes = [r for r in account.requests if r[0] in ('DELETE', 'POST')]
    assert deletes[0] == ('POST', 'dragon-cp-1')    # completion mark
    assert deletes[1] == ('DELETE', 'dragon-cp-1', store.MANIFEST)
    assert deletes[-1] == ('DELETE', 'dragon-cp-1')


def test_holds_other_statuses_and_the_newest_are_never_touched(
        db, ctx, conf, swift):
    policy = _policy(ctx, {'max_age': 3600})
    _checkpoint(ctx, policy, swift, 1)
    _checkpoint(ctx, policy, swift, 2, hold=True)
    _checkpoint(ctx, policy, swift, 3, status='error')
    _checkpoint(ctx, policy, swift, 4)
    result = prune.prune(ctx, conf, policy, swift, now=NOW)
    assert [d['container'] for d in result.deleted] == ['dragon-cp-4']
    assert result.kept == 3
    assert _left(ctx, policy) == {'dragon-cp-1': 'available',
                                  'dragon-cp-2': 'available',
                                  'dragon-cp-3': 'error'}


def test_a_hold_set_after_the_plan_wins(db, ctx, conf, swift,
                                        monkeypatch):
    policy = _policy(ctx, {'keep_last': 1})
    _checkpoint(ctx, policy, swift, 0)
    late = _checkpoint(ctx, policy, swift, 1)
    mark = db_api.checkpoint_mark_deleting

    def hold_first(context, checkpoint_id, host=None):
        db_api.checkpoint_update(context, checkpoint_id, {'hold': True})
        return mark(context, checkpoint_id, host=host)

    monkeypatch.setattr(db_api, 'checkpoint_mark_deleting', hold_first)
    result = prune.prune(ctx, conf, policy, swift, now=NOW)
    assert result.deleted == [] and result.kept == 2
    assert db_api.checkpoint_get(ctx, late.id).status == 'available'


def test_one_failure_does_not_stop_the_others(db, ctx, conf, swift,
                                              monkeypatch):
    policy = _policy(ctx, {'keep_last': 1})
    for days in range(4):
        _checkpoint(ctx, policy, swift, days)
    delete = store.delete

    def flaky(connection, container):
        if container == 'dragon-cp-2':
            raise exception.CheckpointStoreError(
                operation='DELETE', container=container, reason=503)
        delete(connection, container)

    monkeypatch.setattr(store, 'delete', flaky)
    result = prune.prune(ctx, conf, policy, swift, now=NOW)
    assert sorted(d['container'] for d in result.deleted) == [
        'dragon-cp-1', 'dragon-cp-3']
    assert len(result.errors) == 1 and 'dragon-cp-2' in result.errors[0]
    left = {c.container: c for c in
            db_api.checkpoint_get_all(ctx, policy_id=policy.id)}
    assert sorted(left) == ['dragon-cp-0', 'dragon-cp-2']
    failed = left['dragon-cp-2']
    assert failed.status == 'error' and failed.host is None
    assert 'delete it again' in failed.error
    events = db_api.checkpoint_event_get_all(ctx, failed.id)
    assert events[-1].level == 'error'
    # not a candidate any more: the next pass leaves it to a person
    again = prune.prune(ctx, conf, policy, swift, now=NOW)
    assert again.deleted == [] and again.errors == []


def test_the_deletion_is_claimed_by_this_engine(db, ctx, conf, swift,
                                                monkeypatch):
    conf.set_override('host', 'engine-7', group='engine')
    policy = _policy(ctx, {'keep_last': 1})
    _checkpoint(ctx, policy, swift, 0)
    old = _checkpoint(ctx, policy, swift, 1)
    seen = []
    monkeypatch.setattr(store, 'delete', lambda s, c: seen.append(
        db_api.checkpoint_get(ctx, old.id).host))
    prune.prune(ctx, conf, policy, swift, now=NOW)
    assert seen == ['engine-7']


def test_no_retention_deletes_nothing(db, ctx, conf, swift):
    policy = _policy(ctx, None)
    for days in range(3):
        _checkpoint(ctx, policy, swift, days)
    result = prune.prune(ctx, conf, policy, swift, now=NOW)
    assert (result.deleted, result.kept, result.errors) == ([], 3, [])


def test_tiers_use_the_given_time_zone(db, ctx, conf, swift):
    policy = _policy(ctx, {'daily': 2})
    first = _checkpoint(ctx, policy, swift, 0)
    _checkpoint(ctx, policy, swift, 1)
    # 01:00 UTC and 23:30 UTC the day before: two days in UTC, one in
    # Tokyo (10:00 and 08:30)
    older = NOW.replace(hour=23, minute=30) - datetime.timedelta(days=1)
    db_api.checkpoint_update(ctx, first.id, {'captured_at': NOW.replace(
        hour=1)})
    rows = db_api.checkpoint_get_all(ctx, policy_id=policy.id)
    other = [r for r in rows if r.id != first.id][0]
    db_api.checkpoint_update(ctx, other.id, {'captured_at': older})
    assert prune.prune(ctx, conf, policy, swift, now=NOW).deleted == []
    result = prune.prune(ctx, conf, policy, swift, now=NOW,
                         timezone='Asia/Tokyo')
    assert [d['id'] for d in result.deleted] == [other.id]


def test_what_a_checkpoint_holds_outside_its_container_goes_first(
        db, ctx, conf, swift, account):
    """Its cinder-backup backups (``release``); a failure keeps it."""
    policy = _policy(ctx, {'keep_last': 1})
    for days in range(3):
        _checkpoint(ctx, policy, swift, days)
    released = []

    def release(checkpoint):
        # Before the container is touched: its manifest names the backups.
        assert checkpoint.container in account.containers
        if checkpoint.container == 'dragon-cp-2':
            raise exception.DragonException('backup b-2 refused')
        released.append(checkpoint.container)

    result = prune.prune(ctx, conf, policy, swift, now=NOW, release=release)
    assert released == ['dragon-cp-1']
    assert [d['container'] for d in result.deleted] == ['dragon-cp-1']
    assert 'backup b-2 refused' in result.errors[0]
    assert _left(ctx, policy) == {'dragon-cp-0': 'available',
                                  'dragon-cp-2': 'error'}
    assert 'dragon-cp-2' in account.containers

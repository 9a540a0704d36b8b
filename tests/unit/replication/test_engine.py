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

"""Replication state on the checkpoint: claimed, resumed after a dead engine,
retried after a failure, the target's copy deleted with the checkpoint.

A real database; two fake Swift accounts stand in for the regions.
"""
import datetime

import pytest

from dragon.checkpoint import gc
from dragon.checkpoint import naming
from dragon.checkpoint import store
from dragon import context
from dragon.db import api as db_api
from dragon.replication import engine as replication
from tests.unit.replication import test_copier as copies

ADMIN = context.get_admin_context


class Clients:
    """ServiceClients of two regions, each over its own fake account."""

    def __init__(self, accounts, region='RegionOne'):
        self.accounts = accounts
        self.region_name = region

    def swift(self):
        return self.accounts[self.region_name].connect()

    def in_region(self, region):
        return Clients(self.accounts, region)


@pytest.fixture
def regions(db, conf, monkeypatch):
    accounts = {'RegionOne': copies.Account(), 'RegionTwo': copies.Account()}
    monkeypatch.setattr(replication, '_clients',
                        lambda conf, trust_id: Clients(accounts))
    conf.set_override('progress_interval', 0, group='replication')
    return accounts


def _checkpoint(accounts, target='RegionTwo', replication_state=None,
                name='web', **values):
    ctx = ADMIN()
    container = copies._checkpoint(accounts['RegionOne'], [b'aaaa', b'bbbb'])
    policy = db_api.workload_policy_create(ctx, {
        'project_id': copies.PROJECT, 'name': name, 'options': {},
        'replication': {'target_region': target} if target else None})
    row = db_api.checkpoint_create(ctx, {
        'project_id': copies.PROJECT, 'user_id': 'u1',
        'policy_id': policy.id, 'policy_name': policy.name,
        'trust_id': 't1', 'status': 'available', 'container': container,
        'replication': replication_state, **values})
    return row.id, container


def _state(checkpoint_id):
    return db_api.checkpoint_get(ADMIN(), checkpoint_id).replication


def _listed(account):
    return [p['container'] for p in store.list_recovery_points(
        account.connect(), copies.PROJECT)]


def test_a_checkpoint_is_copied_and_its_state_recorded(conf, regions):
    checkpoint_id, container = _checkpoint(regions)

    assert replication.replicate(conf, checkpoint_id, 'e1') == 'replicated'

    state = _state(checkpoint_id)
    assert state['status'] == 'replicated' and state['claim'] is None
    assert state['target_region'] == 'RegionTwo'
    assert state['bytes'] == state['bytes_total'] > 0
    assert state['copied_chunks'] == 2 and state['attempts'] == 1
    assert _listed(regions['RegionTwo']) == [container]
    events = [e.message for e in db_api.checkpoint_event_get_all(
        ADMIN(), checkpoint_id)]
    assert any('replicated to RegionTwo' in m for m in events)


def test_a_policy_without_target_is_not_replicated(conf, regions):
    checkpoint_id, _container = _checkpoint(regions, target=None)

    assert replication.replicate(conf, checkpoint_id, 'e1') is None
    assert _state(checkpoint_id) is None
    assert regions['RegionTwo'].containers == {}


def test_a_failure_is_recorded_and_tried_again_later(conf, regions):
    checkpoint_id, container = _checkpoint(regions)
    chunks = naming.chunk_container(copies.PROJECT)
    target = regions['RegionTwo'].connect()
    target.put_container(chunks, headers={gc.COLLECTING: datetime.datetime.now(
        datetime.UTC).isoformat()})

    assert replication.replicate(conf, checkpoint_id, 'e1') == 'failed'
    state = _state(checkpoint_id)
    assert 'garbage collection' in state['error']
    assert state['attempts'] == 1 and state['retry_at']
    assert replication.holds_trust(state, conf)
    assert _listed(regions['RegionTwo']) == []
    # Not yet: its wait is not over.
    assert replication.retry_failed(conf, 'e2') == []
    assert _state(checkpoint_id)['status'] == 'failed'

    target.post_container(chunks, headers={gc.COLLECTING: ''})
    db_api.checkpoint_replication_swap(ADMIN(), checkpoint_id, None, dict(
        state, retry_at='2000-01-01T00:00:00'))
    assert replication.retry_failed(conf, 'e2') == [checkpoint_id]

    state = _state(checkpoint_id)
    assert state['status'] == 'replicated' and state['attempts'] == 2
    assert not replication.holds_trust(state, conf)
    assert _listed(regions['RegionTwo']) == [container]


def test_the_last_attempt_gives_up_and_frees_the_trust(conf, regions):
    conf.set_override('max_attempts', 1, group='replication')
    checkpoint_id, _container = _checkpoint(regions)
    regions['RegionTwo'].fail_put = store.MANIFEST
    conf.set_override('workers', 1, group='replication')
    copies.copier_mod.ATTEMPTS, saved = 1, copies.copier_mod.ATTEMPTS
    try:
        assert replication.replicate(conf, checkpoint_id, 'e1') == 'failed'
    finally:
        copies.copier_mod.ATTEMPTS = saved
    state = _state(checkpoint_id)
    assert state['retry_at'] is None
    assert not replication.holds_trust(state, conf)


def test_a_copy_left_by_a_dead_engine_is_resumed_without_recopying(
        conf, regions):
    checkpoint_id, container = _checkpoint(regions)
    # The dead engine had copied the chunks and the container's objects,
    # not the manifest nor the mark.
    copies.copier_mod.ATTEMPTS, saved = 1, copies.copier_mod.ATTEMPTS
    regions['RegionTwo'].fail_put = store.MANIFEST
    try:
        replication.replicate(conf, checkpoint_id, 'dead')
    finally:
        copies.copier_mod.ATTEMPTS = saved
    db_api.checkpoint_replication_swap(
        ADMIN(), checkpoint_id, None,
        dict(_state(checkpoint_id), status='replicating', claim='old',
             host='dead', retry_at=None))
    db_api.engine_service_heartbeat(ADMIN(), 'dead', 'dragon-engine', '1')
    regions['RegionTwo'].requests.clear()
    now = db_api.database_utcnow(ADMIN())

    # Still heartbeating: not an orphan.
    assert replication.take_over(conf, 'e2', dead_before=now - datetime.
                                 timedelta(seconds=60)) == []
    resumed = replication.take_over(
        conf, 'e2', dead_before=now + datetime.timedelta(seconds=1))

    assert resumed == [checkpoint_id]
    state = _state(checkpoint_id)
    assert state['status'] == 'replicated' and state['host'] == 'e2'
    puts = [r for r in regions['RegionTwo'].requests if r[0] == 'PUT' and
            len(r) > 2]
    assert [r[2] for r in puts] == [store.MANIFEST]
    assert _listed(regions['RegionTwo']) == [container]
    events = [e.message for e in db_api.checkpoint_event_get_all(
        ADMIN(), checkpoint_id)]
    assert any('(host dead) stopped; resumed by engine e2' in m
               for m in events)


def test_a_copy_claimed_by_another_engine_is_left_alone(conf, regions):
    checkpoint_id, _container = _checkpoint(regions, replication_state={
        'status': 'replicating', 'target_region': 'RegionTwo',
        'host': 'e1', 'claim': 'live'})

    assert replication.replicate(conf, checkpoint_id, 'e2') is None
    assert _state(checkpoint_id)['claim'] == 'live'
    assert regions['RegionTwo'].containers == {}


def test_own_copies_are_resumed_after_a_restart(conf, regions):
    checkpoint_id, container = _checkpoint(regions, replication_state={
        'status': 'replicating', 'target_region': 'RegionTwo',
        'host': 'e1', 'claim': 'before-restart'})

    assert replication.take_over(conf, 'e1', owner='e1',
                                 running=frozenset({checkpoint_id})) == []
    assert replication.take_over(conf, 'e1', owner='e1') == [checkpoint_id]
    assert _listed(regions['RegionTwo']) == [container]


def test_a_copy_its_engine_died_before_claiming_is_made_by_another(
        conf, regions):
    """Available, no replication state, the run's trust still held: its
    engine died between the two. The periodic pass copies it once.
    """
    checkpoint_id, container = _checkpoint(regions, host='dead')
    released, _c = _checkpoint(regions, host='dead', trust_id=None,
                               name='released')
    plain, _c = _checkpoint(regions, target=None, host='dead', name='plain')
    db_api.engine_service_heartbeat(ADMIN(), 'dead', 'dragon-engine', '1')
    now = db_api.database_utcnow(ADMIN())

    # Still heartbeating: its engine is only about to claim the copy.
    assert replication.copy_unclaimed(
        conf, 'e2', dead_before=now - datetime.timedelta(seconds=60)) == []
    assert _state(checkpoint_id) is None
    later = now + datetime.timedelta(seconds=1)
    assert replication.copy_unclaimed(
        conf, 'e2', dead_before=later,
        running=frozenset({checkpoint_id})) == []

    assert replication.copy_unclaimed(conf, 'e2', dead_before=later) == [
        checkpoint_id]
    state = _state(checkpoint_id)
    assert state['status'] == 'replicated' and state['host'] == 'e2'
    assert _listed(regions['RegionTwo']) == [container]
    events = [e.message for e in db_api.checkpoint_event_get_all(
        ADMIN(), checkpoint_id)]
    assert any('(host dead) stopped before its replication started; '
               'replicated by engine e2' in m for m in events)
    # A released trust (taken before its policy replicated) or no target:
    # nothing to copy, nothing recorded.
    assert _state(released) is None and _state(plain) is None
    # Done once: the next pass finds nothing.
    assert replication.copy_unclaimed(conf, 'e3', dead_before=later) == []


def test_an_unclaimed_copy_is_made_once(conf, regions, monkeypatch):
    """The late owner claims (and even finishes) between the sweep's
    query and its claim: the sweep copies nothing, records nothing.
    """
    checkpoint_id, _container = _checkpoint(regions, host='e1')
    query = db_api.checkpoint_replication_unclaimed

    def owner_in_between(context, host, dead_before):
        rows = query(context, host, dead_before)
        assert replication.replicate(conf, checkpoint_id, 'e1') == \
            'replicated'
        return rows

    monkeypatch.setattr(db_api, 'checkpoint_replication_unclaimed',
                        owner_in_between)
    later = db_api.database_utcnow(ADMIN()) + datetime.timedelta(seconds=1)

    assert replication.copy_unclaimed(conf, 'e2', dead_before=later) == []
    state = _state(checkpoint_id)
    assert state['host'] == 'e1' and state['attempts'] == 1
    assert not any('stopped before' in e.message for e in
                   db_api.checkpoint_event_get_all(ADMIN(), checkpoint_id))


def test_own_unclaimed_copies_are_made_after_a_restart(conf, regions):
    checkpoint_id, container = _checkpoint(regions, host='e1')

    assert replication.copy_unclaimed(conf, 'e1',
                                      running=frozenset({checkpoint_id})) \
        == []
    assert replication.copy_unclaimed(conf, 'e1') == [checkpoint_id]
    assert _listed(regions['RegionTwo']) == [container]


def test_deleting_a_checkpoint_deletes_the_copy(conf, regions):
    checkpoint_id, container = _checkpoint(regions)
    replication.replicate(conf, checkpoint_id, 'e1')
    row = db_api.checkpoint_get(ADMIN(), checkpoint_id)

    replication.delete_copy(conf, Clients(regions), row)

    assert container not in regions['RegionTwo'].containers
    assert container in regions['RegionOne'].containers


def test_the_rpo_counts_from_the_newest_copy_at_the_target(conf, regions):
    checkpoint_id, _container = _checkpoint(regions)
    policy_id = db_api.checkpoint_get(ADMIN(), checkpoint_id).policy_id
    plain_id, _c = _checkpoint(regions, target=None, name='plain')
    plain_policy = db_api.checkpoint_get(ADMIN(), plain_id).policy_id

    def newest():
        return {p: c.id for p, c in db_api.checkpoint_newest_available(
            ADMIN(), [policy_id, plain_policy], at_target=True).items()}

    assert newest() == {plain_policy: plain_id}
    # Reuse of earlier data does not care where copies are.
    assert policy_id in db_api.checkpoint_newest_available(
        ADMIN(), [policy_id])
    replication.replicate(conf, checkpoint_id, 'e1')
    assert newest() == {policy_id: checkpoint_id, plain_policy: plain_id}

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

"""A stopped, unchanged server's data is referenced, not snapshotted again."""
import os

from openstack import exceptions as sdk_exc
import pytest

from dragon.checkpoint import chunks as chunk_mod
from dragon.protection import data
from dragon.protection.data import reuse
from tests.unit.protection.data import fakes


@pytest.fixture
def stopped(env):
    disk = os.urandom(4096 * 2) + bytes(1024)
    sid = env.cloud.add_server(fakes.pieces_of(disk))
    env.cloud.objects['server'][sid]['status'] = 'SHUTOFF'
    env.cloud.actions[sid] = [
        {'action': 'stop', 'start_time': '2026-12-04T11:00:00.000000'},
        {'action': 'create', 'start_time': '2026-12-04T10:00:00.000000'}]
    return sid


def _set(env, sid, **fields):
    server = env.cloud.objects['server'][sid]
    for pending in ('_steps', '_next', '_then'):
        server.pop(pending, None)      # the fake's snapshot timeline
    server.update(fields)


def _protect(env, node):
    action = data.get('server', 'image_snapshot')
    state = action.capture(env.ctx, node)
    try:
        return action.transfer(env.ctx, node, state)
    finally:
        action.cleanup(env.ctx, node, state)


def _previous(env, node, checkpoint_id='cp-1'):
    """The first checkpoint's record, as the workflow hands it on."""
    record = _protect(env, node)
    env.ctx.previous = reuse.Previous(checkpoint_id, record)
    env.events.clear()
    return record


def test_a_stopped_unchanged_server_reuses_the_previous_data(env, stopped):
    node = fakes.node('server', stopped)
    first = _previous(env, node)
    assert first['server']['status'] == 'SHUTOFF'
    # Dragon's own createImage of the first checkpoint changes nothing.
    env.cloud.actions[stopped].insert(0, {
        'action': 'createImage', 'start_time': '2026-12-04T12:00:01.000000'})
    second = _protect(env, node)
    assert env.cloud.calls.count('createImage') == 1     # the first's only
    assert second['reused_from'] == 'cp-1'
    assert second['data_captured_by'] == 'cp-1'
    assert second['stopped_server'] is True
    assert second['uploaded_bytes'] == 0 and second['reused_chunks'] == 8
    assert second['chunks'] == first['chunks']
    assert second['sha256'] == first['sha256']
    assert any('data of checkpoint cp-1 reused' in m for _l, m in env.events)
    # The next one names the checkpoint that took the snapshot.
    env.ctx.previous = reuse.Previous('cp-2', second)
    third = _protect(env, node)
    assert (third['reused_from'], third['data_captured_by']) == (
        'cp-2', 'cp-1')


def _not_reused(env, node, why):
    images = env.cloud.calls.count('createImage')
    record = _protect(env, node)
    assert 'reused_from' not in record
    assert env.cloud.calls.count('createImage') == images + 1   # a snapshot
    assert any('not reused: ' in m and why in m for _l, m in env.events), \
        env.events


def test_an_instance_action_since_the_checkpoint_means_a_snapshot(env,
                                                                  stopped):
    node = fakes.node('server', stopped)
    _previous(env, node)
    env.cloud.actions[stopped][:0] = [
        {'action': 'stop', 'start_time': '2026-12-04T12:10:00.000000'},
        {'action': 'start', 'start_time': '2026-12-04T12:05:00.000000'}]
    _not_reused(env, node, "instance action 'stop' at 2026-12-04T12:10:00")


def test_a_server_running_now_or_then_is_snapshotted(env, stopped):
    node = fakes.node('server', stopped)
    record = _previous(env, node)
    _set(env, stopped, status='ACTIVE')
    _not_reused(env, node, 'it is ACTIVE, not SHUTOFF')
    _set(env, stopped, status='SHUTOFF')
    env.ctx.previous = reuse.Previous('cp-1', {
        **record, 'server': {**record['server'], 'status': 'ACTIVE'}})
    env.events.clear()
    _not_reused(env, node, 'it was ACTIVE at checkpoint cp-1')


def test_a_running_servers_actions_are_not_listed_before_its_snapshot(
        env, stopped):
    # Never compared later (reuse needs SHUTOFF then and now): one Nova
    # call less before the createImage of every running server.
    _set(env, stopped, status='ACTIVE')
    record = _protect(env, fakes.node('server', stopped))
    assert not any('action' in c for c in env.cloud.calls), env.cloud.calls
    assert 'last_action' not in record['server']
    assert record['server']['status'] == 'ACTIVE'


def test_another_flavor_or_image_means_a_snapshot(env, stopped):
    node = fakes.node('server', stopped)
    _previous(env, node)
    _set(env, stopped, flavor={'disk': 2})
    _not_reused(env, node, 'its flavor changed since checkpoint cp-1')
    env.ctx.previous = reuse.Previous('cp-1', env.ctx.previous.record)
    _set(env, stopped, flavor={'disk': 1}, image={'id': 'image-other'})
    env.events.clear()
    _not_reused(env, node, 'its image changed since checkpoint cp-1')


def test_a_missing_chunk_means_a_snapshot(env, stopped):
    node = fakes.node('server', stopped)
    record = _previous(env, node)
    gone = next(c['sha256'] for c in record['chunks']
                if c['sha256'] != chunk_mod.ZERO)
    del env.objects[('chunks', chunk_mod.ChunkStore.object_name(gone))]
    fakes.next_run(env)      # a new run lists the container again
    _not_reused(env, node, 'chunks of checkpoint cp-1 are missing')


def test_an_old_record_without_server_facts_is_not_reused(env, stopped):
    node = fakes.node('server', stopped)
    record = _previous(env, node)
    del record['server']
    _not_reused(env, node, 'it was not known at checkpoint cp-1')


@pytest.mark.parametrize('where', ['conf', 'member'])
def test_skip_unchanged_off_snapshots_every_time(env, stopped, where):
    node = fakes.node('server', stopped)
    _previous(env, node)
    if where == 'conf':
        env.conf.set_override('skip_unchanged_servers', False,
                              group='protection')
    else:
        env.ctx.options = {'skip_unchanged': False}
    del env.cloud.calls[:]
    record = _protect(env, node)
    assert 'reused_from' not in record
    assert env.cloud.calls.count('createImage') == 1
    assert env.cloud.calls.count('os-instance-actions') == 0


def test_an_action_list_nova_refuses_means_a_snapshot_not_a_failure(
        env, stopped):
    node = fakes.node('server', stopped)
    _previous(env, node)
    env.cloud.fail_call['os-instance-actions'] = \
        sdk_exc.ForbiddenException('policy does not allow it')
    _not_reused(env, node, 'its instance actions could not be read: '
                'policy does not allow it')


def test_an_action_seconds_after_the_checkpoint_is_seen_whatever_the_clock(
        env, stopped):
    """By Nova's request id: a start dated before the checkpoint counts."""
    node = fakes.node('server', stopped)
    _previous(env, node)
    env.cloud.actions[stopped][:0] = [
        {'action': 'stop', 'start_time': '2026-12-04T11:59:59.000000'},
        {'action': 'start', 'start_time': '2026-12-04T11:59:58.000000'}]
    _not_reused(env, node, "instance action 'stop' at 2026-12-04T11:59:59")


def test_past_the_newest_hundred_harmless_actions_nothing_is_assumed(
        env, stopped):
    node = fakes.node('server', stopped)
    _previous(env, node)
    env.cloud.actions[stopped][:0] = [
        {'action': 'createImage',
         'start_time': '2026-12-04T13:%02d:%02d.000000' % divmod(n, 60)}
        for n in range(reuse.MAX_ACTIONS, 0, -1)]
    _not_reused(env, node, 'none of its newest 100 instance actions')


def test_no_previous_checkpoint_is_said_nowhere(env, stopped):
    """The first checkpoint of a policy: nothing to reuse, nothing to say."""
    record = _protect(env, fakes.node('server', stopped))
    assert 'reused_from' not in record
    assert not any('reused' in m for _l, m in env.events)

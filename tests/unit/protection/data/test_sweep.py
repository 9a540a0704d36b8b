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

"""Intents on the row before each create call; the sweep of a dead run's temporaries."""
import os

import pytest

from dragon.protection import data
from dragon.protection.data import base
from dragon.protection.data import sweep
from tests.unit.protection.data import fakes

RUN = fakes.RUN_ID


class Killed(BaseException):
    """Stands for the engine's ``kill -9`` right after a create call."""


@pytest.fixture
def recorded(env):
    """Every row write of the action: the calls made so far and the state."""
    writes = []
    env.ctx.temporaries = lambda state: writes.append(
        (list(env.cloud.calls), dict(state)))
    return writes


@pytest.fixture
def kill_after(monkeypatch):
    """Die (``Killed``) right after creating a temporary of that kind."""
    def arm(kind):
        def fault(created):
            if created == kind:
                raise Killed(created)
        monkeypatch.setattr(base, '_test_fault', fault)
    return arm


def _name(what, node):
    return 'dragon-tmp-%s-%s-%s' % (RUN, what, node.key)


def _first_write_naming(writes, key):
    return next(i for i, (_, state) in enumerate(writes) if key in state)


def test_temporary_names_embed_the_checkpoint_and_the_resource(env):
    one, two = fakes.node('volume', 'v-1'), fakes.node('volume', 'v-2')
    names = {base.temporary_name(env.ctx, n, what)
             for n in (one, two) for what in ('snapshot', 'volume', 'image')}
    assert len(names) == 6
    assert all(n.startswith('dragon-tmp-%s-' % RUN) for n in names)
    assert base.temporary_name(env.ctx, one, 'volume') == \
        base.temporary_name(env.ctx, one, 'volume')


def test_snapshot_data_records_each_name_before_its_create_call(
        env, recorded):
    vid = env.cloud.add_volume(fakes.pieces_of(b'x' * 4096))
    node = fakes.node('volume', vid)
    action = data.get('volume', 'snapshot_data')
    state = action.capture(env.ctx, node)
    action.transfer(env.ctx, node, state)
    for kind, call in (('snapshot', 'POST snapshot'),
                       ('volume', 'POST volume'),
                       ('image', 'os-volume_upload_image')):
        intent = next(i for i, (_, s) in enumerate(recorded)
                      if kind in s.get(base.INTENTS, {}))
        calls, state_then = recorded[intent]
        assert call not in calls, (kind, calls)    # written before the call
        assert base.id_field(kind) not in state_then
        assert state_then[base.INTENTS][kind] == _name(
            'snapshot' if kind == 'snapshot' else kind, node)
        # ... and the id right after it.
        assert _first_write_naming(recorded, base.id_field(kind)) == \
            intent + 1
    made = env.cloud.objects
    assert made['snapshot'][state['snapshot_id']]['metadata'] == {
        'dragon_temporary': 'true', 'dragon_checkpoint': RUN}
    assert made['volume'][state['volume_id']]['name'] == _name('volume', node)
    assert made['image'][state['image_id']]['name'] == _name('image', node)
    action.cleanup(env.ctx, node, state)


def test_image_snapshot_and_backup_record_their_names_first(env, recorded):
    sid = env.cloud.add_server(fakes.pieces_of(b'd' * 4096))
    server = fakes.node('server', sid)
    state = data.get('server', 'image_snapshot').capture(env.ctx, server)
    calls, first = recorded[0]
    assert 'createImage' not in calls
    assert first[base.INTENTS] == {'image': _name('snapshot', server)}
    assert recorded[1][1]['image_id'] == state['image_id']

    vid = env.cloud.add_volume(fakes.pieces_of(b'v' * 4096))
    volume = fakes.node('volume', vid)
    recorded.clear()
    state = data.get('volume', 'cinder_backup').capture(env.ctx, volume)
    calls, first = recorded[0]
    assert 'POST backup' not in calls
    assert first[base.INTENTS] == {
        'backup': 'dragon-backup-%s-%s' % (RUN, volume.key)}
    assert env.cloud.objects['backup'][state['backup_id']]['name'] == \
        first[base.INTENTS]['backup']


def test_a_kill_after_the_create_call_leaves_the_name_the_sweep_finds(
        env, recorded, kill_after):
    vid = env.cloud.add_volume(fakes.pieces_of(b'x' * 4096))
    node = fakes.node('volume', vid)
    action = data.get('volume', 'snapshot_data')
    state = action.capture(env.ctx, node)
    kill_after('volume')
    with pytest.raises(Killed):
        action.transfer(env.ctx, node, state)
    # What the row holds: the volume's name, not its id.
    row = recorded[-1][1]
    assert 'volume_id' not in row
    assert len(env.cloud.alive('volume')) == 1
    names = sweep.intended([row])
    assert names == {'snapshot': {_name('snapshot', node)},
                     'volume': {_name('volume', node)}}
    found = sweep.find(env.cloud, RUN, names, by_prefix=False, spare={vid})
    assert [(f.kind, f.name) for f in found] == [
        ('volume', _name('volume', node)),
        ('snapshot', _name('snapshot', node))]
    removed, errors = sweep.remove(env.cloud, env.conf, found, 'cp')
    assert errors == [] and removed == found
    # Cinder deletes asynchronously: the volume was waited for, so its
    # snapshot could go too.
    assert env.cloud.alive('volume') == env.cloud.alive('snapshot') == []
    assert vid in env.cloud.objects['volume']      # the member's own


def test_the_sweep_takes_only_what_carries_the_checkpoint_id(env):
    cloud = env.cloud
    mine = cloud.add_volume(fakes.pieces_of(b'a'))
    cloud.objects['volume'][mine]['name'] = 'dragon-tmp-%s-volume-x' % RUN
    member = cloud.add_volume(fakes.pieces_of(b'b'))
    cloud.objects['volume'][member]['name'] = 'dragon-tmp-%s-volume-y' % RUN
    other = cloud.add_volume(fakes.pieces_of(b'c'))
    cloud.objects['volume'][other]['name'] = 'dragon-tmp-cp-12-volume-x'
    plain = cloud.add_volume(fakes.pieces_of(b'd'))
    cloud.objects['volume'][plain]['name'] = 'dragon-tmp-volume-x'
    tagged = cloud.add_image(fakes.pieces_of(b'e'), status='active',
                             name='server snapshot', dragon_checkpoint=RUN)
    foreign = cloud.add_image(fakes.pieces_of(b'f'), status='active',
                              name='web', dragon_checkpoint='cp-12')
    kept = cloud.add_volume(fakes.pieces_of(b'g'))
    cloud.objects['volume'][kept]['name'] = 'dragon-backup-%s-x' % RUN
    found = sweep.find(cloud, RUN, {}, by_prefix=True,
                       project_id=fakes.PROJECT_ID, spare={member})
    assert {(f.kind, f.id) for f in found} == {('volume', mine),
                                               ('image', tagged)}
    assert [f.kind for f in found] == ['image', 'volume']
    with pytest.raises(ValueError):
        sweep.find(cloud, '', {}, by_prefix=True)
    assert foreign in cloud.objects['image']


def test_unrecorded_looks_only_for_names_without_their_id(env):
    cloud = env.cloud
    node = fakes.node('volume', 'v-9')
    lost = cloud.add_volume(fakes.pieces_of(b'a'))
    cloud.objects['volume'][lost]['name'] = _name('volume', node)
    sibling = cloud.add_volume(fakes.pieces_of(b'b'))
    cloud.objects['volume'][sibling]['name'] = _name('volume', fakes.node(
        'volume', 'v-10'))
    state = {base.INTENTS: {'snapshot': _name('snapshot', node),
                            'volume': _name('volume', node)},
             'snapshot_id': 'snapshot-77'}
    sweep.unrecorded(env.ctx, node, state)
    assert 'GET snapshots' not in cloud.calls      # its id is recorded
    assert lost not in cloud.objects['volume']
    assert sibling in cloud.objects['volume']      # another resource's
    assert any('never recorded removed' in m for _, m in env.events)
    calls = len(cloud.calls)
    sweep.unrecorded(env.ctx, node, {'volume_id': lost})
    assert len(cloud.calls) == calls               # nothing listed


def test_the_test_fault_fires_once_and_only_when_armed(monkeypatch,
                                                       tmp_path):
    kills = []
    monkeypatch.setattr(os, 'kill', lambda pid, sig: kills.append(sig))
    monkeypatch.delenv(base.FAULT_ENV, raising=False)
    base._test_fault('volume')
    marker = tmp_path / 'fired'
    monkeypatch.setenv(base.FAULT_ENV, 'volume:%s' % marker)
    base._test_fault('snapshot')
    assert kills == [] and not marker.exists()
    base._test_fault('volume')
    base._test_fault('volume')
    assert len(kills) == 1 and marker.exists()

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

"""The swap: restored, server stopped, volumes moved, started, awaiting commit."""

import contextlib
import datetime
import types

import pytest

from dragon.checkpoint import chunks as chunks_mod
from dragon.checkpoint import store
from dragon.common import timeutils
from dragon import exception
from dragon.recovery.in_place import lineage
from dragon.recovery.in_place import recreate
from dragon.recovery.in_place import run as run_mod
from dragon.recovery.in_place import swap as swap_mod
from dragon.recovery.in_place import window
from dragon.recovery import restore as restore_mod
from tests.unit.recovery.in_place import fake_cloud
from tests.unit.recovery.in_place import fakes
from tests.unit.recovery.in_place.test_run import _clients


class Recorder:
    """Every flush merged, in order; the per-resource calls counted."""

    def __init__(self):
        self.events, self.flushes, self.statuses = [], [], []

    def event(self, level, message, resource=None):
        self.events.append((level, message, resource))

    def flush(self, force=False, **values):
        self.flushes.append(values)

    def phase(self, name, total=None):
        pass

    def track(self, node, total):
        pass

    def status(self, key, status, reason=None):
        self.statuses.append((key, status))

    def set(self, key, **values):
        pass

    def add_bytes(self, key, n):
        pass

    def advance(self):
        pass

    @contextlib.contextmanager
    def batched(self):
        yield

    def final(self):
        merged = {}
        for values in self.flushes:
            merged.update(values)
        return merged


IN_USE = {'status': 'in-use', 'size': 1,
          'attachments': [{'server_id': 'srv-web', 'device': '/dev/vdb'}],
          'availability_zone': 'nova', 'volume_type': 'fast',
          'name': 'data'}


@pytest.fixture
def env(monkeypatch):
    manifest = fakes.manifest()
    manifest['started_at'] = '2026-12-01T10:00:00'
    manifest['data'] = {'volume_data': {'kind': 'volume', 'size': 1 << 30}}
    monkeypatch.setattr(store, 'read_manifest', lambda swift, c: manifest)
    monkeypatch.setattr(chunks_mod, 'project_store',
                        lambda *args, **kwargs: 'chunks')
    restored = []

    def restore(ctx, key, record, node=None):
        restored.append((key, ctx.recovery_id))
        return {'image_id': 'img-1'}
    monkeypatch.setattr(restore_mod, 'restore', restore)
    followed = []
    monkeypatch.setattr(window, 'follow_member',
                        lambda *args: followed.append(args))
    cloud = fake_cloud.install(monkeypatch, fake_cloud.Cloud(
        servers={'srv-web': 'ACTIVE'},
        volumes={'vol-data': {'status': 'in-use',
                              'attachments': [('srv-web', '/dev/vdb')]}}))
    conf = types.SimpleNamespace(recovery=types.SimpleNamespace(
        in_place_commit_window=60))
    return types.SimpleNamespace(manifest=manifest, cloud=cloud, conf=conf,
                                 restored=restored, followed=followed)


def _recovery(**fields):
    return types.SimpleNamespace(**{
        'id': 'rec-1', 'dry_run': False, 'recovery_point': 'dragon_p1_app_x',
        'target_region': 'RegionOne', 'resources': ['vol-data'],
        'policy_id': 'pol-1', 'shrink_volumes': False, **fields})


def test_the_volume_is_replaced_at_its_device_and_the_window_opens(env):
    recorder = Recorder()
    before = timeutils.utcnow()
    assert run_mod.run(env.conf, _recovery(), _clients(
        volumes={'vol-data': IN_USE}), recorder)
    final = recorder.final()
    assert final['status'] == 'awaiting_commit' and final['error'] is None
    window_left = final['commit_deadline'] - before
    assert datetime.timedelta(minutes=59) < window_left <= \
        datetime.timedelta(minutes=61)
    [swap] = final['replaced']
    assert swap == {'key': 'volume_data', 'name': 'data', 'kind': 'volume',
                    'old_volume_id': 'vol-data',
                    'new_volume_id': 'vol-new-1', 'image_id': None,
                    'server_id': 'srv-web', 'device': '/dev/vdb',
                    'server_status': 'ACTIVE', 'state': window.SWAPPED}
    cloud = env.cloud
    assert cloud.device_of('vol-new-1', 'srv-web') == '/dev/vdb'
    assert cloud.vols['vol-data']['attachments'] == []
    assert cloud.vols['vol-data']['metadata'] == {
        swap_mod.REPLACED_TAG: 'rec-1'}
    new = cloud.vols['vol-new-1']
    # The checkpoint's size, the old volume's zone and type, tagged.
    assert new['size'] == 1 and new['like']['volume_type'] == 'fast'
    assert new['metadata'] == {'dragon_restore': 'rec-1',
                               'dragon_restore_key': 'volume_data'}
    assert [c[0] for c in cloud.calls] == [
        'from_image', 'wait_available', 'stop', 'detach', 'attach', 'start']
    assert cloud.images_deleted == ['img-1']
    assert cloud.servers['srv-web'] == 'ACTIVE'
    assert env.followed == [('pol-1', 'vol-data', 'vol-new-1')]
    assert env.restored == [('volume_data', 'rec-1')]
    messages = [m for _level, m, _r in recorder.events]
    assert 'server srv-web stopped for the swap (was ACTIVE)' in messages
    assert any(m.startswith('swap done: 1 volume(s) replaced') for m in
               messages)


def test_a_failed_attach_puts_the_old_volume_back(env):
    env.cloud.fail_on = 'attach'
    calls = []
    real_attach = env.cloud.attach

    def attach(server_id, volume_id, device):
        calls.append(volume_id)
        if volume_id == 'vol-data':
            env.cloud.fail_on = None
        return real_attach(server_id, volume_id, device)
    env.cloud.attach = attach
    recorder = Recorder()
    assert not run_mod.run(env.conf, _recovery(), _clients(
        volumes={'vol-data': IN_USE}), recorder)
    final = recorder.final()
    assert final['status'] == 'error' and 'attach failed' in final['error']
    assert env.cloud.device_of('vol-data', 'srv-web') == '/dev/vdb'
    assert 'vol-new-1' not in env.cloud.vols
    assert env.cloud.vols['vol-data']['metadata'] == {}
    assert final['replaced'][0]['state'] == window.ROLLED_BACK
    assert env.cloud.servers['srv-web'] == 'ACTIVE'
    assert any('the original volumes are back in place' in m
               for _l, m, _r in recorder.events)


def test_a_failed_restore_touches_no_server(env, monkeypatch):
    def broken(ctx, key, record, node=None):
        raise exception.RestoreVerificationFailed(
            resource=key, checkpoint='c', reason='bad chunk')
    monkeypatch.setattr(restore_mod, 'restore', broken)
    recorder = Recorder()
    assert not run_mod.run(env.conf, _recovery(), _clients(
        volumes={'vol-data': IN_USE}), recorder)
    assert 'bad chunk' in recorder.final()['error']
    assert env.cloud.calls == []
    assert env.cloud.vols['vol-data']['attachments'] == [
        ('srv-web', '/dev/vdb')]


def test_the_engine_refuses_what_changed_since_the_api_looked(env):
    recorder = Recorder()
    grown = {'vol-data': {**IN_USE, 'size': 2}}
    assert not run_mod.run(env.conf, _recovery(), _clients(volumes=grown),
                           recorder)
    final = recorder.final()
    assert final['status'] == 'error' and 'shrink_volumes' in final['error']
    assert env.cloud.calls == [] and env.restored == []
    # With the user's consent it goes ahead, at the checkpoint's size.
    recorder = Recorder()
    assert run_mod.run(env.conf, _recovery(shrink_volumes=True),
                       _clients(volumes=grown), recorder)
    assert env.cloud.vols['vol-new-1']['size'] == 1


# -- servers rebuilt in place
SERVER_NOW = {'status': 'ACTIVE', 'flavor': {'original_name': 'm1.small'},
              'image': {'id': 'img-base'}}


def _with_web_image(env):
    env.manifest['data']['server_web'] = {'kind': 'image', 'size': 1 << 20}
    env.cloud.images['srv-web'] = 'img-base'


def test_a_server_is_saved_rebuilt_and_started_with_its_volume(env):
    _with_web_image(env)
    recorder = Recorder()
    # srv-web selected: it brings its attached data volume.
    assert run_mod.run(env.conf, _recovery(resources=['srv-web']), _clients(
        servers={'srv-web': SERVER_NOW}, volumes={'vol-data': IN_USE}),
        recorder)
    final = recorder.final()
    assert final['status'] == 'awaiting_commit', final.get('error')
    server = next(r for r in final['replaced'] if r['kind'] == 'server')
    assert server == {
        'key': 'server_web', 'name': 'web', 'kind': 'server',
        'server_id': 'srv-web', 'previous_image_id': 'img-base',
        'saved_image_id': 'img-saved-2', 'restored_image_id': 'img-1',
        'server_status': 'ACTIVE', 'state': window.SWAPPED}
    cloud = env.cloud
    # Stopped once, its disk saved (tagged), rebuilt, the volume swapped,
    # started once.
    assert [c[0] for c in cloud.calls] == [
        'from_image', 'wait_available', 'stop', 'snapshot', 'wait_image',
        'rebuild', 'detach', 'attach', 'start']
    snapshot = next(c for c in cloud.calls if c[0] == 'snapshot')
    assert snapshot[3] == {swap_mod.REPLACED_TAG: 'rec-1',
                           'dragon_restore_key': 'server_web'}
    assert cloud.images['srv-web'] == 'img-1'
    assert cloud.servers['srv-web'] == 'ACTIVE'
    messages = [m for _level, m, _r in recorder.events]
    assert ('server srv-web stopped for the rebuild and the swap (was '
            'ACTIVE)') in messages
    assert any(m.startswith('server srv-web rebuilt from image img-1')
               for m in messages)
    assert any(m.startswith('swap done: 1 volume(s) replaced, 1 server(s) '
                            'rebuilt') for m in messages)


def test_servers_stop_dependents_first_and_start_dependencies_first(env):
    env.manifest['data']['server_web'] = {'kind': 'image', 'size': 1}
    env.manifest['data']['server_db'] = {'kind': 'image', 'size': 1}
    env.manifest['graph']['nodes'] = [
        {**n, 'depends_on': [*n.get('depends_on', []), 'server_db']}
        if n['key'] == 'server_web' else n
        for n in env.manifest['graph']['nodes']]
    env.cloud.servers.update({'srv-web': 'ACTIVE', 'srv-db': 'ACTIVE'})
    env.cloud.images.update({'srv-web': 'img-w', 'srv-db': 'img-d'})
    recorder = Recorder()
    assert run_mod.run(env.conf, _recovery(resources=['srv-db', 'srv-web']),
                       _clients(servers={'srv-web': SERVER_NOW,
                                         'srv-db': SERVER_NOW},
                                volumes={'vol-data': IN_USE}), recorder)
    order = [(c[0], c[1]) for c in env.cloud.calls
             if c[0] in ('stop', 'rebuild', 'start')]
    assert order == [('stop', 'srv-web'), ('stop', 'srv-db'),
                     ('rebuild', 'srv-db'), ('rebuild', 'srv-web'),
                     ('start', 'srv-db'), ('start', 'srv-web')]


def test_a_failed_rebuild_puts_the_disk_and_volume_back(env):
    _with_web_image(env)
    env.cloud.fail_on = 'rebuild'
    recorder = Recorder()
    assert not run_mod.run(env.conf, _recovery(resources=['srv-web']),
                           _clients(servers={'srv-web': SERVER_NOW},
                                    volumes={'vol-data': IN_USE}), recorder)
    final = recorder.final()
    assert final['status'] == 'error' and 'rebuild failed' in final['error']
    cloud = env.cloud
    # Never rebuilt: its saved disk image and the restored one deleted.
    assert cloud.images['srv-web'] == 'img-base'
    assert {'img-1', 'img-saved-2'} <= set(cloud.images_deleted)
    assert cloud.device_of('vol-data', 'srv-web') == '/dev/vdb'
    assert cloud.servers['srv-web'] == 'ACTIVE'
    assert {r['state'] for r in final['replaced']} == {window.ROLLED_BACK}


# -- members gone from the region, recreated
def _gone_data(env):
    """vol-data deleted since the checkpoint, which saw it on srv-web."""
    del env.cloud.vols['vol-data']
    env.manifest['graph']['nodes'] = [
        {**n, 'properties': {**n['properties'], 'availability_zone': 'az2',
                             'attachments': [{'server_id': 'srv-web',
                                              'device': '/dev/vdc'}]}}
        if n['key'] == 'volume_data' else n
        for n in env.manifest['graph']['nodes']]


def test_a_gone_volume_is_recreated_at_its_recorded_device(env):
    _gone_data(env)
    recorder = Recorder()
    assert run_mod.run(env.conf, _recovery(), _clients(volumes={}), recorder)
    final = recorder.final()
    assert final['status'] == 'awaiting_commit', final.get('error')
    assert final['plan'][2]['action'] == 'recreate'
    [entry] = final['replaced']
    assert entry['old_volume_id'] is None and entry['recreates'] == 'vol-data'
    new = entry['new_volume_id']
    cloud = env.cloud
    assert cloud.device_of(new, 'srv-web') == '/dev/vdc'
    assert cloud.vols[new]['like']['availability_zone'] == 'az2'
    assert env.followed == [('pol-1', 'vol-data', new)]
    assert cloud.servers['srv-web'] == 'ACTIVE'
    # Rollback: detached and deleted; the server runs again.
    log_events = []
    window.put_back(cloud, final['replaced'], lambda r: None,
                    lambda *a: log_events.append(a), 'pol-1')
    assert new not in cloud.vols
    assert cloud.servers['srv-web'] == 'ACTIVE'
    assert env.followed[-1] == ('pol-1', new, 'vol-data')


def test_a_recreated_volume_is_kept_at_commit(env):
    _gone_data(env)
    recorder = Recorder()
    assert run_mod.run(env.conf, _recovery(), _clients(volumes={}), recorder)
    replaced = recorder.final()['replaced']
    window.settle(env.cloud, replaced, False, lambda r: None,
                  lambda *a: None)
    new = replaced[0]['new_volume_id']
    assert replaced[0]['state'] == window.COMMITTED
    assert env.cloud.vols[new]['metadata'] == {
        'dragon_restore_key': 'volume_data'}
    assert env.cloud.device_of(new, 'srv-web') == '/dev/vdc'


def test_a_gone_volume_whose_server_is_gone_is_recreated_unattached(env):
    _gone_data(env)
    env.cloud.servers.pop('srv-web')
    recorder = Recorder()
    assert run_mod.run(env.conf, _recovery(), _clients(volumes={}), recorder)
    [entry] = recorder.final()['replaced']
    assert entry['server_id'] is None
    assert env.cloud.vols[entry['new_volume_id']]['attachments'] == []
    assert any('recreated unattached' in m for _l, m, _r in recorder.events)


def test_a_resized_server_is_rebuilt_only_with_the_users_consent(env):
    _with_web_image(env)
    resized = {'srv-web': {**SERVER_NOW,
                           'flavor': {'original_name': 'm1.large'}}}
    recorder = Recorder()
    assert not run_mod.run(env.conf, _recovery(resources=['srv-web']),
                           _clients(servers=resized,
                                    volumes={'vol-data': IN_USE}), recorder)
    assert 'keep_current_flavor' in recorder.final()['error']
    assert env.cloud.calls == [] and env.restored == []
    recorder = Recorder()
    assert run_mod.run(env.conf, _recovery(resources=['srv-web'],
                                           keep_current_flavor=True),
                       _clients(servers=resized,
                                volumes={'vol-data': IN_USE}), recorder)
    assert env.cloud.images['srv-web'] == 'img-1'


@pytest.mark.parametrize('named', ['vol-data', 'vol-c'])
def test_a_volume_replaced_by_committed_restores_is_replaced_not_recreated(
        env, settled, named):
    # vol-data of the checkpoint became vol-b, then vol-c: two committed
    # in-place restores (the second from a newer checkpoint).
    settled.extend(types.SimpleNamespace(replaced=[{
        'key': 'volume_data', 'kind': 'volume', 'old_volume_id': old,
        'new_volume_id': new, 'state': window.COMMITTED}])
        for old, new in (('vol-data', 'vol-b'), ('vol-b', 'vol-c')))
    env.cloud.vols['vol-c'] = env.cloud.vols.pop('vol-data')
    recorder = Recorder()
    # The user may name the volume by either id.
    assert run_mod.run(env.conf, _recovery(resources=[named]), _clients(
        volumes={'vol-c': IN_USE}), recorder)
    final = recorder.final()
    assert final['status'] == 'awaiting_commit', final.get('error')
    [data] = [e for e in final['plan'] if e['key'] == 'volume_data']
    assert (data['action'], data['id'], data['current_id']) == (
        'replace', 'vol-data', 'vol-c')
    assert data['detail'].startswith('volume vol-data of the checkpoint is '
                                     'volume vol-c now')
    [swap] = final['replaced']
    assert swap['old_volume_id'] == 'vol-c' and 'recreates' not in swap
    assert env.cloud.device_of('vol-new-1', 'srv-web') == '/dev/vdb'
    assert env.cloud.vols['vol-c']['attachments'] == []
    assert env.followed == [('pol-1', 'vol-c', 'vol-new-1')]


# -- servers gone from the region, booted again
def _gone_web(env, monkeypatch):
    """srv-web deleted since the checkpoint; its data volume is left."""
    env.cloud.servers.pop('srv-web')
    env.cloud.vols['vol-data'].update(status='available', attachments=[])
    env.manifest['data']['server_web'] = {'kind': 'image', 'size': 1 << 20}
    env.manifest['graph']['nodes'] = [
        {**n, 'properties': {**n['properties'], 'image': {'id': 'img-b'}}}
        if n['key'] == 'server_web' else
        {**n, 'properties': {**n['properties'], 'attachments': [
            {'server_id': 'srv-web', 'device': '/dev/vdb'}]}}
        if n['key'] == 'volume_data' else n
        for n in env.manifest['graph']['nodes']]
    monkeypatch.setattr(recreate, 'missing', lambda *args: [])
    asked = []

    def request(clients, graph, node, image_id, recovery_id, event,
                boot_volume_id=None, key=None):
        # In place here: the checkpoint's own node, under its own key.
        assert key == node.key
        asked.append((node.key, image_id, recovery_id))
        return {'name': node.resource.name, 'image_id': image_id,
                'metadata': {'dragon_restore': recovery_id,
                             'dragon_restore_key': node.key}}
    monkeypatch.setattr(recreate, 'request', request)
    recorder = Recorder()
    ok = run_mod.run(env.conf, _recovery(resources=['srv-web']), _clients(
        servers={}, volumes={'vol-data': {**IN_USE, 'status': 'available',
                                          'attachments': []}}), recorder)
    return ok, recorder, asked


def test_a_gone_server_is_booted_again_with_its_volume(env, monkeypatch):
    ok, recorder, asked = _gone_web(env, monkeypatch)
    final = recorder.final()
    assert ok and final['status'] == 'awaiting_commit', final.get('error')
    fates = {e['key']: e['action'] for e in final['plan']}
    assert fates['server_web'] == 'recreate'
    assert fates['volume_data'] == 'replace'
    assert asked == [('server_web', 'img-1', 'rec-1')]
    made = next(r for r in final['replaced'] if r['kind'] == 'new_server')
    assert made == {'key': 'server_web', 'name': 'web', 'kind': 'new_server',
                    'recreates': 'srv-web', 'server_id': 'srv-new-2',
                    'restored_image_id': 'img-1', 'boot_volume_key': None,
                    'floating_ips': [], 'server_status': None,
                    'state': window.SWAPPED}
    cloud = env.cloud
    # Booted, then its volume (restored) attached where the checkpoint saw
    # it; nothing stopped: nothing ran on it before.
    assert [c[0] for c in cloud.calls] == [
        'from_image', 'wait_available', 'create_server', 'wait_active',
        'attach']
    assert cloud.device_of('vol-new-1', 'srv-new-2') == '/dev/vdb'
    assert cloud.vols['vol-data']['metadata'][swap_mod.REPLACED_TAG] == \
        'rec-1'
    assert cloud.metadata['srv-new-2']['dragon_restore'] == 'rec-1'
    # A policy naming either protects the new one.
    assert env.followed == [('pol-1', 'srv-web', 'srv-new-2'),
                            ('pol-1', 'vol-data', 'vol-new-1')]
    messages = [m for _level, m, _r in recorder.events]
    assert any(m.startswith('server srv-new-2 recreates server srv-web (gone '
                            'from the region) from image img-1')
               for m in messages)
    assert any('1 server(s) recreated' in m for m in messages)


def test_a_recreated_server_is_deleted_at_rollback(env, monkeypatch):
    _ok, recorder, _asked = _gone_web(env, monkeypatch)
    replaced = recorder.final()['replaced']
    cloud = env.cloud
    window.put_back(cloud, replaced, lambda r: None, lambda *a: None,
                    'pol-1')
    assert 'srv-new-2' not in cloud.servers
    # Its restored image and volume deleted; the old volume as it was:
    # there, detached, untagged; no server was stopped or started.
    assert 'img-1' in cloud.images_deleted and 'vol-new-1' not in cloud.vols
    assert cloud.vols['vol-data']['attachments'] == []
    assert swap_mod.REPLACED_TAG not in cloud.vols['vol-data']['metadata']
    assert not {'stop', 'start'} & {c[0] for c in cloud.calls}
    assert {r['state'] for r in replaced} == {window.ROLLED_BACK}
    assert ('pol-1', 'srv-new-2', 'srv-web') in env.followed


def test_a_recreated_server_is_kept_at_commit(env, monkeypatch):
    _ok, recorder, _asked = _gone_web(env, monkeypatch)
    replaced = recorder.final()['replaced']
    cloud = env.cloud
    window.settle(cloud, replaced, False, lambda r: None, lambda *a: None)
    assert cloud.servers['srv-new-2'] == 'ACTIVE'
    assert cloud.metadata['srv-new-2'] == {}
    assert ('img-1', swap_mod.RESTORE_TAG) in cloud.untagged
    assert 'vol-data' not in cloud.vols
    assert {r['state'] for r in replaced} == {window.COMMITTED}
    # Later in-place restores from this checkpoint follow it.
    assert lineage.replacements([types.SimpleNamespace(
        replaced=replaced)]) == {'vol-data': 'vol-new-1',
                                 'srv-web': 'srv-new-2'}


def test_a_failed_attach_deletes_the_recreated_server(env, monkeypatch):
    env.cloud.fail_on = 'attach'
    ok, recorder, _asked = _gone_web(env, monkeypatch)
    final = recorder.final()
    assert not ok and final['status'] == 'error'
    cloud = env.cloud
    assert 'srv-new-2' not in cloud.servers
    assert 'img-1' in cloud.images_deleted and 'vol-new-1' not in cloud.vols
    assert cloud.vols['vol-data']['attachments'] == []


def test_a_gone_volume_goes_on_its_server_recreated_earlier(env, settled):
    # srv-web was deleted and recreated as srv-web-2 by a committed
    # in-place restore; now its data volume is gone and restored alone.
    settled.append(types.SimpleNamespace(replaced=[{
        'key': 'server_web', 'kind': 'new_server', 'recreates': 'srv-web',
        'server_id': 'srv-web-2', 'state': window.COMMITTED}]))
    _gone_data(env)
    env.cloud.servers = {'srv-web-2': 'ACTIVE'}
    recorder = Recorder()
    assert run_mod.run(env.conf, _recovery(), _clients(
        servers={'srv-web-2': SERVER_NOW}, volumes={}), recorder)
    [entry] = recorder.final()['replaced']
    assert entry['server_id'] == 'srv-web-2'
    assert env.cloud.device_of(entry['new_volume_id'], 'srv-web-2') == \
        '/dev/vdc'

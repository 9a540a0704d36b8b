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

"""The engine's dry run: the plan on the row, nothing in the region touched."""

import contextlib
import types

from openstack import exceptions as sdk_exc
import pytest

from dragon.checkpoint import keyring
from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import store
from dragon.recovery.in_place import lookup as lookup_mod
from dragon.recovery.in_place import run as run_mod
from tests.unit.recovery.in_place import fakes


class Recorder:
    def __init__(self):
        self.events, self.flushes = [], []

    def event(self, level, message, resource=None):
        self.events.append((level, message, resource))

    def flush(self, force=False, **values):
        self.flushes.append(values)

    def phase(self, name, total=None):
        pass

    @contextlib.contextmanager
    def batched(self):
        yield

    def final(self):
        merged = {}
        for values in self.flushes:
            merged.update(values)
        return merged


class Compute:
    """Servers by id; any call that would change one fails the test."""

    def __init__(self, servers):
        self.servers = servers
        # The compute API's microversions (2.93 re-images boot volumes).
        self.microversions = ('2.1', '2.96')

    def get_endpoint_data(self):
        return types.SimpleNamespace(min_microversion=self.microversions[0],
                                     max_microversion=self.microversions[1])

    def get_server(self, server_id):
        if server_id not in self.servers:
            raise sdk_exc.NotFoundException('no server')
        return types.SimpleNamespace(**self.servers[server_id])

    def find_flavor(self, name, ignore_missing=True):
        return types.SimpleNamespace(id='f-1') if name == 'm1.small' else None

    def find_keypair(self, name, ignore_missing=True):
        return None


class Network:
    """No network, subnet or security group is left."""

    def _gone(self, resource_id):
        raise sdk_exc.NotFoundException('gone')

    get_network = get_subnet = get_security_group = _gone


class BlockStorage:
    def __init__(self, volumes):
        self.volumes = volumes

    def get_volume(self, volume_id):
        if volume_id == 'vol-broken':
            raise sdk_exc.HttpException('cinder is down', http_status=503)
        if volume_id not in self.volumes:
            raise sdk_exc.NotFoundException('no volume')
        return types.SimpleNamespace(**self.volumes[volume_id])


def _clients(servers=None, volumes=None):
    connection = types.SimpleNamespace(
        compute=Compute(servers if servers is not None else {
            'srv-web': {'status': 'ACTIVE',
                        'flavor': {'original_name': 'm1.small'}}}),
        block_storage=BlockStorage(volumes if volumes is not None else {
            'vol-data': {'status': 'in-use', 'size': 2}}),
        network=Network())
    return types.SimpleNamespace(connection=connection, project_id='p1',
                                 region_name='RegionOne',
                                 swift=lambda: 'swift-conn')


def _recovery(**fields):
    return types.SimpleNamespace(**{
        'id': 'rec-1', 'dry_run': True, 'recovery_point': 'dragon_p1_app_x',
        'target_region': 'RegionOne', 'resources': [], **fields})


@pytest.fixture
def manifest(monkeypatch):
    found = fakes.manifest()
    monkeypatch.setattr(store, 'read_manifest',
                        lambda swift, container: found)
    return found


def test_dry_run_stores_the_plan_and_says_each_fate(manifest):
    recorder = Recorder()
    assert run_mod.run(None, _recovery(), _clients(), recorder)
    final = recorder.final()
    assert final['status'] == 'succeeded' and final['error'] is None
    fates = {e['id']: e['action'] for e in final['plan']}
    # db is gone from the region: booted again on its networks.
    assert fates == {'srv-web': 'rebuild', 'srv-db': 'recreate',
                     'vol-data': 'replace', 'logs': 'refused'}
    by_resource = {r: m for _level, m, r in recorder.events if r}
    assert by_resource['volume_data'].startswith('replace: ')
    assert ('changed since the checkpoint: size 1 GiB at the checkpoint, '
            '2 GiB now') in by_resource['volume_data']
    assert recorder.events[-1][1] == (
        'dry run: 1 to replace, 1 to rebuild, 1 to recreate, 1 refused; '
        'nothing was '
        'changed')


def test_another_region_ends_in_error_without_a_plan(manifest):
    recorder = Recorder()
    assert not run_mod.run(None, _recovery(target_region='RegionTwo'),
                           _clients(), recorder)
    final = recorder.final()
    assert final['status'] == 'error' and 'plan' not in final
    assert "own region RegionOne, not RegionTwo" in final['error']


def test_another_projects_checkpoint_ends_in_error(manifest):
    manifest['project_id'] = 'p2'
    recorder = Recorder()
    assert not run_mod.run(None, _recovery(), _clients(), recorder)
    assert 'a checkpoint of this project' in recorder.final()['error']


def test_a_server_without_an_image_is_refused_before_anything_changes(
        manifest):
    recorder = Recorder()
    assert not run_mod.run(None, _recovery(dry_run=False), _clients(),
                           recorder)
    final = recorder.final()
    assert final['status'] == 'error' and 'plan' not in final
    assert 'the checkpoint holds no image of it to rebuild it from' in \
        final['error']
    # db, gone, is checked against the region too: its flavor is there.
    assert 'server db (srv-db) is gone from the region and the checkpoint ' \
        'holds no image of its disk' in final['error']
    assert 'flavor' not in final['error']


def test_a_failing_service_is_no_gone_member():
    lookup = lookup_mod.current(_clients(volumes={}))
    node = types.SimpleNamespace(resource=types.SimpleNamespace(
        type=fakes.VOLUME, id='vol-broken'))
    with pytest.raises(sdk_exc.HttpException):
        lookup(node)
    node.resource.id = 'vol-gone'
    assert lookup(node) is None


def test_the_workflow_hands_in_place_recoveries_to_the_dry_run(monkeypatch):
    from dragon.db import api as db_api
    from dragon.protection import recorder as rec
    from dragon.recovery import relaunch
    from dragon.recovery import workflow
    row = _recovery(mode='in_place', claim='c1', trust_id='t1')
    monkeypatch.setattr(db_api, 'recovery_get', lambda ctx, rid: row)
    monkeypatch.setattr(rec, 'RunRecorder', lambda *a, **k: 'recorder')
    monkeypatch.setattr(relaunch, 'trust_clients', lambda conf, r: 'clients')
    monkeypatch.setattr(relaunch.Recovery, 'run', pytest.fail)
    handed, notified = [], []
    monkeypatch.setattr(relaunch, 'notify', lambda send, conf, rid, r:
                        notified.append((send.__name__, rid)))
    monkeypatch.setattr(run_mod, 'run', lambda *args: handed.append(args)
                        or True)
    assert workflow.run('conf', 'rec-1')
    assert handed == [('conf', row, 'clients', 'recorder')]
    # Started now; its end is notified when its window closes.
    assert notified == [('recovery_start', 'rec-1')]


def test_an_encrypted_checkpoint_is_planned_from_its_opened_manifest(
        monkeypatch):
    # The clear envelope has no resource graph: the plan needs the sealed
    # manifest, opened with the key as read in the checkpoint's region.
    envelope = {'features': [manifest_mod.ENCRYPTED], 'sealed': 'x',
                'project_id': 'p1'}
    monkeypatch.setattr(store, 'read_manifest',
                        lambda swift, container: envelope)
    opened = []

    def open_envelope(conf, session, region, found, container):
        opened.append((session, region, found, container))
        return fakes.manifest(), 'domain'

    monkeypatch.setattr(keyring, 'open_envelope', open_envelope)
    clients = _clients()
    clients.base_session = 'session'
    recorder = Recorder()
    assert run_mod.run('conf', _recovery(), clients, recorder)
    assert opened == [('session', 'RegionOne', envelope, 'dragon_p1_app_x')]
    assert len(recorder.final()['plan']) == 4

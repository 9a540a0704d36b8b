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

"""Two sites, two Swift clusters: checkpoints replicated to the backup's own.

Needs the minicloud's per-region Swift topology
(``MINICLOUD_SWIFT_TOPOLOGY=per-region``): with one shared Swift there is
nothing to replicate (Dragon refuses such a target) and the primary's
Swift survives the primary's loss anyway.

One small workload (a volume of known bytes) is protected by a policy
replicating to RegionTwo.  Then: a target-side collection interrupts a
copy, which leaves an incomplete container that no one lists, and the
copy is tried again and completes; the engine copying another policy's
checkpoint is killed (``kill -9``) mid-copy, nothing half-copied is
listed, and the other engine finishes the copy; RegionTwo's Swift proxy
is stopped mid-copy and started again, and the copy's next attempt
finishes it without copying again what got there; RegionOne is stopped, its
Swift with it, and RegionTwo's Dragon, on an empty database, lists the
checkpoint from RegionTwo's Swift and recovers the volume with its bytes;
then prepares its failback (a reverse policy at RegionTwo, protected:
only the chunk changed there is uploaded), whose checkpoint is copied to
RegionOne once RegionOne is back; then runs the failback with
RegionTwo's engine killed (``kill -9``) once the recovery at RegionOne
is half-way (rolled back by the other engine), and again killed before
it (resumed by the other engine), and commits it.  The original volume
survives at RegionOne (on a stale server), so the failback recovers in
place: a volume with the new bytes takes its place on that server.
"""
import datetime
import os
import time
import uuid

from openstack import exceptions as sdk_exc
import pytest

from dragon.checkpoint import gc
from dragon.checkpoint import naming
from dragon.checkpoint import store
from dragon.client.exceptions import ClientError
from dragon.client.v1 import client as dragon_client
from dragon.cloud import clients as clients_mod
from dragon.conf import checkpoint as checkpoint_conf
from tests.functional import failback_steps
from tests.minicloud.layout import region_tag
from tests.minicloud.services import http_answers
from tests.minicloud.waiters import wait_for
from tests.minicloud.workload import data_bytes
from tests.minicloud.workload import GiB
from tests.minicloud.workload import sha256_padded
from tests.story import BACKUP
from tests.story import FINAL_CHECKPOINT
from tests.story import FINAL_RECOVERY
from tests.story import PRIMARY
from tests.story import session
from tests.story import volume_file_sha256
from tests.story import wait

# Dragon's chunk size at both sites (the minicloud keeps the default).
CHUNK = {opt.name: opt.default for opt in checkpoint_conf.opts}[
    'chunk_size_mib'] * 1024 * 1024

pytestmark = pytest.mark.site_loss

FINAL_REPLICATION = ('replicated', 'failed')


def _replication(dr, checkpoint_id):
    checkpoint = dr.checkpoints.get(checkpoint_id)
    return dict(checkpoint['replication'] or {'status': None})


def wait_replication(dr, checkpoint_id, timeout=300):
    return wait(lambda: _replication(dr, checkpoint_id), FINAL_REPLICATION,
                timeout)


class Site:
    """One volume of known bytes, its replicating policy, its checkpoints."""

    def __init__(self, cloud, data=None):
        self.layout = cloud.layout
        self.name = 'ft-repl-' + uuid.uuid4().hex[:6]
        self.data = data
        self.conn = cloud.connect('demo')
        self.dr = dragon_client.Client(session(cloud.layout),
                                       region_name=PRIMARY)
        self.clients = clients_mod.ServiceClients(session(cloud.layout),
                                                  PRIMARY)
        self.target = self.clients.in_region(BACKUP)
        self.policy = None
        self.volume_id = self.image_id = None
        self.checkpoints = []

    def setup(self, protect=True):
        image = self.conn.image.create_image(
            name=self.name, data=self.data or data_bytes(self.name),
            disk_format='raw',
            container_format='bare')
        self.image_id = image.id
        wait_for(lambda: self.conn.image.get_image(image.id), ('active',),
                 ('killed',), timeout=300)
        volume = self.conn.block_storage.create_volume(
            size=1, name=self.name, image_id=image.id)
        self.volume_id = volume.id
        wait_for(lambda: self.conn.block_storage.get_volume(volume.id),
                 ('available',), timeout=300)
        self.policy = self.dr.policies.create(
            self.name, members=[{'resource_type': 'volume',
                                 'resource_id': volume.id,
                                 'action': 'snapshot_data'}],
            replication={'target_region': BACKUP})
        if protect:
            self.first = self.protect()

    def protect(self, started=None):
        started = started or self.dr.checkpoints.protect(self.policy['id'])
        self.checkpoints.append(started['id'])
        checkpoint = wait(lambda: self.dr.checkpoints.get(started['id']),
                          FINAL_CHECKPOINT, 900)
        assert checkpoint['status'] == 'available', checkpoint['error']
        return checkpoint

    @property
    def expected_sha256(self):
        return sha256_padded(data_bytes(self.name), GiB)

    def teardown(self):
        for checkpoint_id in self.checkpoints:
            try:
                self.dr.checkpoints.delete(checkpoint_id)
            except Exception:
                pass
        for call in (lambda: self.dr.policies.delete(self.policy['id']),
                     lambda: self.conn.block_storage.delete_volume(
                         self.volume_id),
                     lambda: self.conn.image.delete_image(self.image_id)):
            try:
                call()
            except Exception:
                pass


@pytest.fixture(scope='module')
def site(cloud, dragon):
    dragon.ensure_up()
    state = Site(cloud)
    try:
        state.setup()
        yield state
    finally:
        state.teardown()


def test_a_target_without_its_own_swift_is_refused(site):
    for region, words in ((PRIMARY, 'region this Dragon protects'),
                          ('RegionNowhere', 'no object-store endpoint')):
        with pytest.raises(ClientError) as refused:
            site.dr.policies.create(
                'ft-repl-refused', replication={'target_region': region})
        assert refused.value.status == 400
        assert words in str(refused.value), str(refused.value)


def test_the_checkpoint_is_replicated_to_the_backup_swift(site):
    state = wait_replication(site.dr, site.first['id'])
    assert state['status'] == 'replicated', state
    assert state['target_region'] == BACKUP
    assert state['percent'] == 100 and state['bytes'] == state['bytes_total']
    container = site.first['container']
    # The copy is at RegionTwo's Swift, object for object (md5 each).
    source, target = site.clients.swift(), site.target.swift()
    _h, here = source.get_container(container, full_listing=True)
    _h, there = target.get_container(container, full_listing=True)
    assert {(o['name'], o['hash']) for o in here} == {
        (o['name'], o['hash']) for o in there}
    points = store.list_recovery_points(target, site.clients.project_id)
    assert container in [p['container'] for p in points]
    manifest = store.read_manifest(target, container)
    chunks = naming.chunk_container(site.clients.project_id)
    _h, stored = target.get_container(chunks, full_listing=True)
    names = {o['name'].rsplit('/', 1)[-1] for o in stored}
    assert manifest['data'] and names >= _chunk_names(manifest)
    assert site.policy['replication'] == {'target_region': BACKUP}


def test_a_drill_of_a_checkpoint_never_copied_reads_the_primarys_swift(
        site):
    """A policy that does not replicate, drilled into RegionTwo while
    RegionOne is up: RegionTwo's Swift does not hold the checkpoint, so the
    recovery reads RegionOne's (and says so) instead of failing.  Its own
    blank volume (a resource belongs to one data-protecting policy): all
    zero chunks, nothing uploads.
    """
    conn = site.conn
    volume = conn.block_storage.create_volume(size=1,
                                              name=site.name + '-local')
    policy = None
    try:
        wait_for(lambda: conn.block_storage.get_volume(volume.id),
                 ('available',), timeout=300)
        policy = site.dr.policies.create(site.name + '-local', members=[{
            'resource_type': 'volume', 'resource_id': volume.id,
            'action': 'snapshot_data'}])
        started = site.dr.checkpoints.protect(policy['id'])
        site.checkpoints.append(started['id'])
        checkpoint = wait(lambda: site.dr.checkpoints.get(started['id']),
                          FINAL_CHECKPOINT, 600)
        assert checkpoint['status'] == 'available', checkpoint['error']
        assert checkpoint['replication'] is None
        assert store.container_metadata(site.target.swift(),
                                        checkpoint['container']) is None
        drill = site.dr.recoveries.create(
            checkpoint['id'], target_region=BACKUP, mode='drill')
        drill = wait(lambda: site.dr.recoveries.get(drill['id']),
                     FINAL_RECOVERY, 600)
        messages = [e['message']
                    for e in site.dr.recoveries.events(drill['id'])]
        assert drill['status'] == 'succeeded', (drill['error'], messages)
        assert any('checkpoint read from the object store of %s' % PRIMARY
                   in m for m in messages), messages
        site.dr.recoveries.delete(drill['id'])
    finally:
        # Its checkpoint stays in site.checkpoints: the site's teardown
        # deletes it with the others.
        if policy is not None:
            site.dr.policies.delete(policy['id'])
        try:
            conn.block_storage.delete_volume(volume, ignore_missing=True)
        except Exception:
            pass


def _chunk_names(manifest):
    from dragon.checkpoint import manifest as manifest_mod
    return manifest_mod.chunk_names(manifest)


def test_an_interrupted_copy_is_never_listed_and_is_tried_again(site):
    """A collection running at the target stops the copy after its
    container is made: an incomplete container, not a recovery point.
    """
    target = site.target.swift()
    project = site.clients.project_id
    chunks = naming.chunk_container(project)
    target.post_container(chunks, headers={
        gc.COLLECTING: datetime.datetime.now(datetime.UTC).isoformat()})
    try:
        second = site.protect()
        state = wait_replication(site.dr, second['id'])
        assert state['status'] == 'failed', state
        assert 'garbage collection' in state['error']
        meta = store.container_metadata(target, second['container'])
        assert meta is not None and not meta.get(store.COMPLETE)
        listed = [p['container'] for p in
                  store.list_recovery_points(target, project)]
        assert second['container'] not in listed
    finally:
        target.post_container(chunks, headers={gc.COLLECTING: ''})
    # The engine tries again after [replication] retry_interval (30 s).
    state = wait(lambda: _replication(site.dr, second['id']),
                 ('replicated',), 180)
    assert state['attempts'] == 2, state
    listed = [p['container'] for p in
              store.list_recovery_points(target, project)]
    assert second['container'] in listed


def test_kill_9_mid_copy_is_never_listed_and_is_taken_over(
        cloud, two_engines):
    """The engine copying a checkpoint is killed; the other one finishes.

    Its own volume of fresh random bytes (96 MiB, so the copy is not over
    before the kill) and one copy worker per engine.
    """
    two_engines.stop_engines()
    for index in (1, 2):
        two_engines.start_engine(index, env={'OS_REPLICATION__WORKERS': '1'})
    big = Site(cloud, data=os.urandom(96 * 1024 * 1024))
    try:
        big.setup(protect=False)
        started = big.dr.checkpoints.protect(big.policy['id'])
        deadline = time.monotonic() + 600
        while True:
            checkpoint = big.dr.checkpoints.get(started['id'])
            state = checkpoint['replication'] or {}
            if state.get('status') == 'replicating':
                break
            assert checkpoint['status'] in ('queued', 'protecting',
                                            'available'), checkpoint['error']
            assert state.get('status') is None, state
            assert time.monotonic() < deadline
            time.sleep(0.1)
        victim = state['engine']
        two_engines.kill_engine(two_engines.engine_index(victim))
        target = big.target.swift()
        container = checkpoint['container']
        # Half copied, its engine dead: never a recovery point there.
        assert container not in [p['container'] for p in
                                 store.list_recovery_points(
                                     target, big.clients.project_id)]
        state = wait_replication(big.dr, started['id'], timeout=300)
        assert state['status'] == 'replicated', state
        assert state['engine'] != victim
        messages = [e['message'] for e in big.dr.checkpoints.events(
            started['id'])]
        assert any('(host %s) stopped; resumed by engine' % victim in m
                   for m in messages), messages
        assert container in [p['container'] for p in
                             store.list_recovery_points(
                                 target, big.clients.project_id)]
        big.checkpoints.append(started['id'])
    finally:
        big.teardown()


def test_target_swift_stopped_mid_copy_resumes_and_is_never_listed(
        cloud, dragon):
    """RegionTwo's Swift proxy is stopped while a copy runs, then started.

    The copy fails (its attempts at a dead proxy), its incomplete
    container at the target is no recovery point, and the engine's next
    attempt finishes it without copying again the chunks that got there
    before the stop. Its own 96 MiB of random bytes, one copy worker and
    a progress write per object, so the stop lands mid-copy.
    """
    minicloud = cloud.minicloud
    proxy_name = cloud.layout.swift_service('proxy', BACKUP)
    [proxy] = [s for s in minicloud.table.region(BACKUP)
               if s.name == proxy_name]
    dragon.stop_engines()
    dragon.start_engine(1, env={'OS_REPLICATION__WORKERS': '1',
                                'OS_REPLICATION__PROGRESS_INTERVAL': '0'})
    big = Site(cloud, data=os.urandom(96 * 1024 * 1024))
    try:
        big.setup(protect=False)
        started = big.dr.checkpoints.protect(big.policy['id'])
        big.checkpoints.append(started['id'])
        deadline = time.monotonic() + 600
        while True:
            checkpoint = big.dr.checkpoints.get(started['id'])
            state = _replication(big.dr, started['id'])
            if state['status'] == 'replicating' and state['bytes'] > 0:
                break
            assert state['status'] in (None, 'replicating'), (
                'the copy ended before the target could be stopped', state)
            assert checkpoint['status'] in FINAL_CHECKPOINT + (
                'queued', 'protecting'), checkpoint
            assert checkpoint['status'] != 'error', checkpoint['error']
            assert time.monotonic() < deadline
            time.sleep(0.05)
        minicloud.procs.stop([proxy_name])
        assert not http_answers(proxy.ready_url)
        copied_before = state['bytes']
        # The copy keeps trying the dead proxy, then fails (and says so).
        while state['status'] == 'replicating':
            copied_before = max(copied_before, state['bytes'])
            time.sleep(0.5)
            state = _replication(big.dr, started['id'])
        assert state['status'] == 'failed', state
        assert state['retry_at'] and state['attempts'] == 1, state
        minicloud.start([proxy])
        minicloud._wait_http([proxy], timeout=60)
        target = big.target.swift()
        project = big.clients.project_id
        container = checkpoint['container']
        meta = store.container_metadata(target, container)
        assert meta is not None and not meta.get(store.COMPLETE)
        assert container not in [p['container'] for p in
                                 store.list_recovery_points(target, project)]
        # The next attempt, [replication] retry_interval (30 s) later.
        state = wait(lambda: _replication(big.dr, started['id']),
                     ('replicated',), 300)
        assert state['attempts'] == 2, state
        assert 0 < copied_before <= state['bytes_total'] - (
            state['copied_bytes']), (copied_before, state)
        assert container in [p['container'] for p in
                             store.list_recovery_points(target, project)]
        _h, here = big.clients.swift().get_container(container,
                                                     full_listing=True)
        _h, there = target.get_container(container, full_listing=True)
        assert {(o['name'], o['hash']) for o in here} == {
            (o['name'], o['hash']) for o in there}
        print('target stopped after %d bytes; resumed copy moved %d of %d'
              % (copied_before, state['copied_bytes'], state['bytes_total']))
    finally:
        if not minicloud.procs.alive(proxy_name):
            minicloud.start([proxy])
        big.teardown()
        dragon.stop_engines()
        dragon.start_engine(1)


def test_recover_from_the_backup_swift_with_the_primary_gone(
        cloud, dragon, site, backup_dragon):
    newest = site.dr.checkpoints.get(site.checkpoints[-1])
    assert _replication(site.dr, newest['id'])['status'] == 'replicated'
    dr = dragon_client.Client(session(cloud.layout), region_name=BACKUP)
    cloud.minicloud.stop_site(PRIMARY)
    try:
        # RegionOne's own Swift went with it: the copy is all there is.
        lo = cloud.layout
        assert not http_answers(lo.swift_url(PRIMARY) + '/healthcheck')
        assert http_answers(lo.swift_url(BACKUP) + '/healthcheck')
        assert dr.checkpoints.list() == []
        points = dr.recovery_points.list(policy=site.policy['id'])
        assert newest['container'] in [p['container'] for p in points]
        recovery = dr.recoveries.create(recovery_point=newest['container'],
                                        target_region=BACKUP)
        recovery = wait(lambda: dr.recoveries.get(recovery['id']),
                        FINAL_RECOVERY, 900)
        assert recovery['status'] == 'succeeded', (
            recovery['error'], recovery['resource_status'])
        conn = cloud.connect('demo', region=BACKUP)
        resources = list(conn.orchestration.resources(recovery['stack_id']))
        volumes = [r.physical_resource_id for r in resources
                   if r.resource_type == 'OS::Cinder::Volume']
        assert len(volumes) == 1
        assert volume_file_sha256(cloud.layout, BACKUP, volumes[0]) == \
            site.expected_sha256
        _failback_prepare(cloud, dragon, backup_dragon, site, dr, recovery,
                          volumes[0])
    finally:
        cloud.minicloud.up()
        dragon.ensure_up()
        # The failback's commit deleted the failover; a failed run leaves
        # it (and the failback recovery): removed here.
        for row in dr.recoveries.list():
            try:
                dr.recoveries.delete(row['id'])
            except ClientError:
                pass
        wait(lambda: next(iter(dr.recoveries.list()), {'status': 'gone'}),
             ('gone', 'error'), 600)


def _failback_prepare(cloud, dragon, backup_dragon, site, dr, recovery,
                      volume_id):
    """Failback, first part, RegionOne still down: new bytes written at
    RegionTwo, the reverse policy protects the recovered volume and
    uploads only the chunk they changed (the others are the replicated
    checkpoint's, found in RegionTwo's chunk container); its copy to
    RegionOne waits for RegionOne, which then comes back.
    """
    path = (cloud.layout.data / region_tag(BACKUP) / 'cinder' / 'volumes' /
            ('volume-%s' % volume_id))
    with open(path, 'r+b') as f:      # 1 MiB of new data at 16 MiB
        f.seek(16 * 1024 * 1024)
        f.write(os.urandom(1024 * 1024))
    failback = dr.recoveries.failback_prepare(recovery['id'])
    policy = failback['policy']
    assert policy['name'] == site.name + '-failback'
    assert policy['replication'] == {'target_region': PRIMARY}
    assert [(m['resource_type'], m['resource_id'], m['action'])
            for m in policy['members']] == [
        ('volume', volume_id, 'snapshot_data')]
    assert policy['failback']['recovery_id'] == recovery['id']
    assert [(m['source_id'], m['resource_id'])
            for m in failback['members']] == [(site.volume_id, volume_id)]
    assert failback['left_out'] == [] and failback['schedules_copied'] == 0
    with pytest.raises(ClientError) as again:
        dr.recoveries.failback_prepare(recovery['id'])
    assert again.value.status == 409
    checkpoint = wait(lambda: dr.checkpoints.get(
        failback['checkpoint']['id']), FINAL_CHECKPOINT, 900)
    try:
        assert checkpoint['status'] == 'available', checkpoint['error']
        stats = checkpoint['stats']
        print('first reverse checkpoint: %d bytes uploaded, %d chunks '
              'reused, %d zero, of %d bytes of data' % (
                  stats['uploaded_bytes'], stats['reused_chunks'],
                  stats['zero_chunks'], stats['stored_bytes']))
        # The volume's first 8 MiB of data are chunks already here; only
        # the chunk with the new MiB (and its zeros) is uploaded.
        assert stats['reused_chunks'] >= 8 * 1024 * 1024 // CHUNK, stats
        assert 0 < stats['uploaded_bytes'] <= CHUNK, stats
        # Not at RegionOne while RegionOne is down.
        state = _replication(dr, checkpoint['id'])
        assert state['status'] in (None, 'replicating', 'failed'), state
        cloud.minicloud.up()
        # RegionOne's Dragon too: the failback suspends the original
        # policy there and makes it active again at the commit.
        dragon.ensure_up()
        state = wait(lambda: _replication(dr, checkpoint['id']),
                     ('replicated',), 600)
        assert state['target_region'] == PRIMARY
        home = site.clients.swift()
        assert checkpoint['container'] in [
            p['container'] for p in store.list_recovery_points(
                home, site.clients.project_id)]
        print('reverse checkpoint replicated to %s: %d bytes copied, %d '
              'attempts' % (PRIMARY, state['copied_bytes'],
                            state['attempts']))
        _failback_run(cloud, backup_dragon, site, dr, recovery, volume_id,
                      policy)
    finally:
        dr.checkpoints.delete(checkpoint['id'])
        wait(lambda: next((c for c in dr.checkpoints.list()
                           if c['id'] == checkpoint['id']),
                          {'status': 'gone'}), ('gone', 'error'), 600)
        dr.policies.delete(policy['id'])


def _stale_server(conn, volume_id):
    """The stale workload at RegionOne, back after the failover.

    A server using the original volume: the one Dragon must fence.
    """
    from tests.minicloud import resources
    image = conn.image.find_image(resources.IMAGE_NAME)
    flavor = conn.compute.find_flavor('m1.tiny')
    server = conn.compute.create_server(
        name='ft-repl-stale', image_id=image.id, flavor_id=flavor.id,
        networks='none')
    conn.compute.wait_for_server(server, status='ACTIVE', interval=0.5,
                                 wait=300)
    conn.compute.create_volume_attachment(server.id, volume_id=volume_id)
    wait_for(lambda: conn.block_storage.get_volume(volume_id), ('in-use',),
             timeout=300)
    return server.id


def _failback_run(cloud, backup_dragon, site, dr, failover, volume_id,
                  policy):
    """Failback, second part, RegionOne back: new bytes at RegionTwo, then
    ``failback run``, twice, each time with RegionTwo's engine running it
    killed (``kill -9``) and a second engine alive:

    * killed once the recovery at RegionOne began: the other engine rolls
      it back (nothing of it left at RegionOne, the stale server started
      again, the original policy active again);
    * run again, killed while it waits for its final checkpoint's copy
      (RegionOne's Swift proxy stopped meanwhile, so it cannot be past
      that): the other engine resumes it.  The original policy at
      RegionOne is suspended and the stale server there stopped before
      the recovery there, which has the new bytes; the commit leaves
      nothing of the failover at RegionTwo, keeps the stale server,
      stopped, and makes the original policy protect the recovered volume
      again.  The original volume survives at RegionOne: the recovery
      there is in place (no stack), a new volume with the new bytes at
      the stale server's device, the original deleted by the commit.
    """
    path = (cloud.layout.data / region_tag(BACKUP) / 'cinder' / 'volumes' /
            ('volume-%s' % volume_id))
    with open(path, 'r+b') as f:      # 1 MiB more, at 24 MiB
        f.seek(24 * 1024 * 1024)
        f.write(os.urandom(1024 * 1024))
    expected = volume_file_sha256(cloud.layout, BACKUP, volume_id)
    home = site.conn
    stale = _stale_server(home, site.volume_id)
    [device] = [a['device'] for a in home.block_storage.get_volume(
        site.volume_id).attachments]
    restored = None
    # Two engines at RegionTwo; a failed copy is tried again within 2 s
    # (not 30) once RegionOne's Swift answers again.
    backup_dragon.stop_engines()
    for index in (1, 2):
        backup_dragon.start_engine(
            index, env={'OS_REPLICATION__RETRY_INTERVAL': '2'})
    runs = []
    try:
        runs.append(_failback_killed_at_home(cloud, backup_dragon, site, dr,
                                             policy, stale))
        run = _failback_killed_before_home(cloud, backup_dragon, dr, policy)
        runs.append(run)
        messages = [e['message'] for e in dr.recoveries.events(run['id'])]
        assert run['status'] == 'awaiting_commit', (run['error'], messages)
        # Fenced (stopped, not deleted) before the recovery at home began.
        fenced = next(i for i, m in enumerate(messages)
                      if 'fenced: stale server %s stopped' % stale in m)
        recovering = next(i for i, m in enumerate(messages)
                          if m.startswith('step 5/6'))
        assert fenced < recovering, messages
        assert home.compute.get_server(stale).status == 'SHUTOFF'
        # Step 1 by the engine (not the request): the workload here is
        # one volume, on no server, so nothing to pause (the servers
        # quiesced: test_failback_mixed); its final checkpoint started.
        failback_steps.assert_quiesced(
            dr, cloud.connect('demo', region=BACKUP), policy['id'],
            run['id'], 'PAUSED', 0)
        record = dr.policies.get(policy['id'])['failback']['run']
        assert record['takeovers'] == 1, record
        assert [(f['server_id'], f['status_before'])
                for f in record['fenced']] == [(stale, 'ACTIVE')]
        # The original policy, in RegionOne's own Dragon, suspended by
        # RegionTwo's engine before the fencing: it does not protect the
        # stale workload meanwhile.
        assert record['home_policy'] == {
            'policy_id': site.policy['id'], 'status_before': 'active',
            'suspended': True, 'error': None}
        assert site.dr.policies.get(site.policy['id'])['status'] == \
            'suspended'
        # In place into the surviving volume, not a new stack: a new
        # volume with the new bytes at its device on the (stale) server,
        # the original kept, detached, until the commit.
        # Per resource: the one volume survives (replaced), nothing is
        # gone there to be made again.
        assert record['home_restore'] == {
            'mode': 'in_place', 'reason': None, 'servers': 0, 'volumes': 1,
            'new_servers': 0, 'new_volumes': 0}, record
        assert any(m.startswith('step 5/6') and 'in place into 0 surviving '
                   'server(s) and 1 volume(s)' in m for m in messages), \
            messages
        assert run['stack_id'] is None, run['stack_id']
        [swap] = run['replaced']
        assert (swap['old_volume_id'], swap['server_id'], swap['state']) == \
            (site.volume_id, stale, 'swapped'), swap
        restored = swap['new_volume_id']
        assert [(a['server_id'], a['device']) for a in home.block_storage
                .get_volume(restored).attachments] == [(stale, device)]
        assert home.block_storage.get_volume(site.volume_id).status == \
            'available'
        assert volume_file_sha256(cloud.layout, PRIMARY, restored) == \
            expected
        print('failback run (%s): downtime %.1f s, %d bytes uploaded at '
              '%s, %d bytes replicated to %s, RTO of the recovery at home '
              '%.1f s' % (
                  record['home_restore']['mode'],
                  record['downtime_seconds'],
                  record['data_moved']['uploaded_bytes'], BACKUP,
                  record['data_moved']['replicated_bytes'], PRIMARY,
                  run['rto_seconds']))
        done = dr.recoveries.commit(run['id'])
        done = wait(lambda: dr.recoveries.get(run['id']),
                    ('committed', 'awaiting_commit'), 900)
        assert done['status'] == 'committed', done['error']
        # Nothing of the failover is left at RegionTwo.
        with pytest.raises(ClientError) as gone:
            dr.recoveries.get(failover['id'])
        assert gone.value.status == 404
        there = cloud.connect('demo', region=BACKUP)
        stack = there.orchestration.find_stack(failover['stack_id'],
                                               ignore_missing=True)
        assert stack is None or stack.status == 'DELETE_COMPLETE', stack
        with pytest.raises(sdk_exc.NotFoundException):
            there.block_storage.get_volume(volume_id)
        # The workload runs at home: the fenced server holds the restored
        # volume and runs again, as it did before the failback; the
        # original volume it replaced is deleted, nothing of the run is
        # left tagged.
        assert home.compute.get_server(stale).status == 'ACTIVE'
        with pytest.raises(sdk_exc.NotFoundException):
            home.block_storage.get_volume(site.volume_id)
        volume = home.block_storage.get_volume(restored)
        assert [(a['server_id'], a['device'])
                for a in volume.attachments] == [(stale, device)]
        assert 'dragon_restore' not in (volume.metadata or {}), volume
        assert volume_file_sha256(cloud.layout, PRIMARY, restored) == \
            expected
        reverse = dr.policies.get(policy['id'])
        record = reverse['failback']['run']
        assert record['status'] == 'committed'
        # The reverse policy's members went with the failover: suspended.
        assert reverse['status'] == 'suspended'
        # The original policy protects again, the recovered volume now.
        assert record['home_policy']['error'] is None, record
        original = site.dr.policies.get(site.policy['id'])
        assert original['status'] == 'active'
        assert [(m['resource_type'], m['resource_id'], m['action'])
                for m in original['members']] == [
            ('volume', restored, 'snapshot_data')]
    finally:
        home.compute.delete_server(stale)
        home.compute.wait_for_delete(home.compute.get_server(stale),
                                     wait=300)
        if restored:
            wait_for(lambda: home.block_storage.get_volume(restored),
                     ('available', 'error'), timeout=300)
            home.block_storage.delete_volume(restored)
        for run in runs:
            # The rolled-back run's stack is gone already.
            stack = run.get('stack_id') and home.orchestration.find_stack(
                run['stack_id'], ignore_missing=True)
            if stack and stack.status != 'DELETE_COMPLETE':
                home.orchestration.delete_stack(stack)
                home.orchestration.wait_for_delete(stack, wait=600)


def _kill_running_engine(backup_dragon, dr, run_id):
    """``kill -9`` the RegionTwo engine running failback ``run_id``."""
    victim = dr.recoveries.get(run_id)['engine']
    assert victim, 'no engine holds failback %s' % run_id
    backup_dragon.kill_engine(backup_dragon.engine_index(victim))
    return victim


def _failback_killed_at_home(cloud, backup_dragon, site, dr, policy, stale):
    """The engine dies once the recovery at home began: rolled back.

    Killed once the run's record says ``step: recover`` (the recovery at
    home began) and its stack at RegionOne exists (Heat half-way through
    it) or, in place, its swap is recorded (``replaced``); the other
    engine removes the stack and the restored data (in place: puts the
    original volume back), starts the fenced stale server again and
    makes the original policy active again.  The run ends ``error``; the
    failback can be run again.
    """
    home = site.conn
    run = failback_steps.run(dr, policy['id'])
    deadline = time.monotonic() + 900
    while True:
        row = dr.recoveries.get(run['id'])
        assert row['status'] == 'recovering', (row['error'], row['status'])
        if (row['stack_id'] or row['replaced']) and dr.policies.get(
                policy['id'])['failback']['run'].get('step') == 'recover':
            break
        assert time.monotonic() < deadline, 'no stack at home yet'
        time.sleep(0.2)
    victim = _kill_running_engine(backup_dragon, dr, run['id'])
    made = dr.recoveries.get(run['id'])
    killed = time.monotonic()
    run = wait(lambda: dr.recoveries.get(run['id']),
               ('error', 'awaiting_commit'), 600)
    messages = [e['message'] for e in dr.recoveries.events(run['id'])]
    assert run['status'] == 'error', ('the recovery at home ended before '
                                      'the kill', messages)
    assert 'stopped and its recovery at %s had begun' % PRIMARY in \
        run['error'], run['error']
    assert 'rolled back by engine' in run['error'], (run['error'], messages)
    print('failback killed at home (engine %s): rolled back %.1f s after '
          'the kill' % (victim, time.monotonic() - killed))
    # Nothing of the run is left at RegionOne: its stack, caught
    # half-way, and what it restored.
    stack = made['stack_id'] and home.orchestration.find_stack(
        made['stack_id'], ignore_missing=True)
    assert not stack or stack.status == 'DELETE_COMPLETE', stack
    images = [r['image_id'] for r in made['restored'].values()
              if r.get('image_id')]
    # In place: the original volume is back on the stale server.
    assert [a['server_id'] for a in home.block_storage.get_volume(
        site.volume_id).attachments] == [stale]
    for image_id in images:
        assert home.image.find_image(image_id) is None, image_id
    left = [v.id for v in home.block_storage.volumes()
            if (v.metadata or {}).get('dragon_restore') == run['id']]
    assert left == [], left
    print('killed with stack %s, %d restored image(s) and %d swap(s) in '
          'place at %s: removed or put back' % (
              made['stack_id'], len(images), len(made['replaced']),
              PRIMARY))
    # The stale server runs again, the original policy is active again.
    assert home.compute.get_server(stale).status == 'ACTIVE'
    assert site.dr.policies.get(site.policy['id'])['status'] == 'active'
    record = dr.policies.get(policy['id'])['failback']['run']
    assert record['status'] == 'error', record
    # The servers the engine paused here (if any) run again.
    there = cloud.connect('demo', region=BACKUP)
    for entry in record['quiesced']:
        assert there.compute.get_server(entry['server_id']).status == \
            'ACTIVE', entry
    assert record['home_policy']['resumed'] is True, record
    backup_dragon.start_engine(backup_dragon.engine_index(victim),
                               env={'OS_REPLICATION__RETRY_INTERVAL': '2'})
    return run


def _failback_killed_before_home(cloud, backup_dragon, dr, policy):
    """The engine dies before the recovery at home began: resumed.

    RegionOne's Swift proxy is stopped before the run, so the run cannot
    get past waiting for its final checkpoint's copy there (step 3): the
    engine is killed there, the proxy started again, and the other
    engine resumes the run from the top (the servers paused here and the
    final checkpoint kept).

    :returns: the run, ``awaiting_commit`` (or as it ended).
    """
    minicloud = cloud.minicloud
    proxy_name = cloud.layout.swift_service('proxy', PRIMARY)
    [proxy] = [s for s in minicloud.table.region(PRIMARY)
               if s.name == proxy_name]
    minicloud.procs.stop([proxy_name])
    try:
        run = failback_steps.run(dr, policy['id'])
        deadline = time.monotonic() + 900
        while not any(e['message'].startswith('step 3/6') for e in
                      dr.recoveries.events(run['id'])):
            row = dr.recoveries.get(run['id'])
            assert row['status'] == 'recovering', (row['error'],
                                                   row['status'])
            assert time.monotonic() < deadline, 'never at step 3'
            time.sleep(0.2)
        victim = _kill_running_engine(backup_dragon, dr, run['id'])
    finally:
        if not minicloud.procs.alive(proxy_name):
            minicloud.start([proxy])
            minicloud._wait_http([proxy], timeout=60)
    killed = time.monotonic()
    run = wait(lambda: dr.recoveries.get(run['id']),
               ('awaiting_commit', 'error'), 1200)
    messages = [e['message'] for e in dr.recoveries.events(run['id'])]
    assert any('(host %s) stopped before the recovery at %s began; engine '
               % (victim, PRIMARY) in m and 'resumes it (takeover 1 of'
               in m for m in messages), messages
    assert run['engine'] != victim, (run['engine'], messages)
    print('failback killed before home (engine %s): resumed, awaiting '
          'commit %.1f s after the kill' % (victim,
                                            time.monotonic() - killed))
    return run

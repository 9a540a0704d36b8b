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

"""Data actions against the minicloud: real Nova, Cinder, Glance and Swift.

The chunk container is the project's naming (``dragon_chunks_<project>``)
plus a per-run suffix: other people's tests write the real per-project
container at the same time, and this module removes its container
afterwards, which it must never do to theirs.  A fresh container also makes
"the first transfer downloads, the second is an index hit" deterministic.
"""
import hashlib
import time
import uuid

from openstack import exceptions
from oslo_config import cfg
import pytest
from swiftclient import exceptions as swift_exc

from dragon.checkpoint import chunks
from dragon.checkpoint import naming
from dragon.cloud.clients import ServiceClients
from dragon import conf as dragon_conf
from dragon.protection import data
from dragon.protection.data import glance
from dragon.protection import graph
from tests.minicloud import resources
from tests.minicloud.waiters import wait_for
from tests.minicloud.waiters import wait_gone

REGION = 'RegionOne'
MiB = 1024 * 1024
GiB = 1024 * MiB
# Known bytes at a few offsets of an 8 MiB raw image; zeros elsewhere.
KNOWN = ((0, MiB), (3 * MiB, MiB // 2), (7 * MiB + 12345, 100000))
VOLUME_BAD = ('error', 'error_restoring', 'error_extending')


def _known_image_bytes():
    out = bytearray(8 * MiB)
    for n, (offset, length) in enumerate(KNOWN):
        out[offset:offset + length] = resources.image_bytes(
            length, seed=b'dragon-data-%d' % n)
    return bytes(out)


def _sha256_padded(data, size):
    digest = hashlib.sha256(data)
    zeros, left = bytes(MiB), size - len(data)
    while left:
        digest.update(zeros[:min(left, MiB)])
        left -= min(left, MiB)
    return digest.hexdigest()


@pytest.fixture(scope='module')
def clients(cloud):
    return ServiceClients.for_user(
        cloud.layout.keystone_url, 'demo', cloud.layout.password, 'demo',
        REGION)


@pytest.fixture(scope='module')
def store(clients):
    container = '%s_ft%s' % (naming.chunk_container(clients.project_id),
                             uuid.uuid4().hex[:8])
    chunk_store = chunks.ChunkStore(clients.swift, container,
                                    chunk_size=4 * MiB, workers=4)
    chunk_store.ensure_container()
    yield chunk_store
    swift = clients.swift()
    try:
        _headers, listing = swift.get_container(container, full_listing=True)
        for obj in listing:
            swift.delete_object(container, obj['name'])
        swift.delete_container(container)
    except swift_exc.ClientException as e:
        if e.http_status != 404:
            raise


@pytest.fixture
def ctx(clients, store):
    conf = cfg.ConfigOpts()
    dragon_conf.register_opts(conf)
    conf([], project='dragon', default_config_files=[],
         default_config_dirs=[])
    conf.set_override('poll_interval', 0.5, group='protection')
    progress, events, warnings = [], [], []
    context = data.DataContext(
        clients=clients, chunks=store, progress=progress.append,
        event=lambda level, message: events.append((level, message)),
        conf=conf, warn=lambda code, message: warnings.append(
            (code, message)))
    context.seen = progress       # the test reads them back
    context.events = events
    context.warnings = warnings
    return context


@pytest.fixture
def downloads(monkeypatch):
    """Counts image downloads (the real call still happens)."""
    counted = []
    real = glance.open_download

    def spy(clients, image_id):
        counted.append(image_id)
        return real(clients, image_id)
    monkeypatch.setattr(glance, 'open_download', spy)
    return counted


def _node(kind, obj):
    heat_type = {'server': 'OS::Nova::Server',
                 'volume': 'OS::Cinder::Volume'}[kind]
    return graph.Node(key='%s_%s' % (kind, obj.id[:8]),
                      resource=graph.Resource(heat_type, obj.id, obj.name),
                      member=True)


def _run(ctx, action, node):
    """capture → transfer → cleanup; the state, record and seconds."""
    started = time.monotonic()
    ctx.seen.clear()
    state = action.capture(ctx, node)
    try:
        record = action.transfer(ctx, node, state)
    finally:
        action.cleanup(ctx, node, state)
    return state, record, time.monotonic() - started


def _read_back_sha256(store, record):
    digest, size = hashlib.sha256(), 0
    for block in store.iter_stream(
            [chunks.ChunkRef.from_dict(c) for c in record['chunks']]):
        digest.update(block)
        size += len(block)
    return digest.hexdigest(), size


@pytest.fixture
def server(cloud, unique_name, private_network):
    conn, net, _subnet = private_network
    image = conn.image.find_image(resources.IMAGE_NAME)
    flavor = conn.compute.find_flavor('m1.tiny')
    created = conn.compute.create_server(
        name=unique_name, image_id=image.id, flavor_id=flavor.id,
        networks=[{'uuid': net.id}])
    try:
        yield conn.compute.wait_for_server(created, status='ACTIVE',
                                           interval=0.5, wait=180)
    finally:
        conn.compute.delete_server(created, ignore_missing=True)
        conn.compute.wait_for_delete(created, wait=120)


@pytest.mark.parametrize('region', [REGION])   # private_network reads it
def test_image_snapshot_stores_the_disk_and_a_second_one_is_free(
        ctx, store, server, downloads, region):
    action = data.get('server', 'image_snapshot')
    node = _node('server', server)
    expected = hashlib.sha256(resources.image_bytes()).hexdigest()
    assert action.estimate(ctx, node) == resources.IMAGE_SIZE

    state, first, first_seconds = _run(ctx, action, node)
    assert first['kind'] == 'image' and not first['index_hit']
    assert first['sha256'] is None
    assert first['size'] == resources.IMAGE_SIZE == sum(ctx.seen)
    assert _read_back_sha256(store, first) == (expected,
                                               resources.IMAGE_SIZE)
    assert first['image']['disk_format'] == 'raw'
    assert first['glance_hash']['algo'] == 'sha512'
    assert downloads == [state['image_id']]
    with pytest.raises(Exception):
        glance.get_image(ctx.clients, state['image_id'])   # removed

    state, second, seconds = _run(ctx, action, node)
    assert second['index_hit'] and second['uploaded_bytes'] == 0
    assert second['chunk_list_sha256'] == first['chunk_list_sha256']
    assert second['chunks'] == first['chunks']
    assert len(downloads) == 1                 # not downloaded again
    assert sum(ctx.seen) == resources.IMAGE_SIZE
    print('image_snapshot: first %d bytes uploaded in %.1f s, second %d '
          'bytes in %.1f s' % (first['uploaded_bytes'], first_seconds,
                               second['uploaded_bytes'], seconds))


@pytest.mark.parametrize('region', [REGION])
def test_image_copy_stores_the_base_image_once(ctx, store, server,
                                               downloads, region):
    action = data.get('server', 'image_copy')
    node = _node('server', server)
    _state, first, _seconds = _run(ctx, action, node)
    _state, second, _seconds = _run(ctx, action, node)
    expected = hashlib.sha256(resources.image_bytes()).hexdigest()
    assert first['chunk_list_sha256'] == second['chunk_list_sha256']
    assert _read_back_sha256(store, first) == (expected,
                                               resources.IMAGE_SIZE)
    assert second['index_hit'] and second['uploaded_bytes'] == 0
    assert len(downloads) <= 1    # 0 when image_snapshot indexed it first


@pytest.fixture
def volume(cloud, unique_name):
    """A 1 GiB volume: 8 MiB of known bytes at a few offsets, then zeros."""
    conn = cloud.connect('demo', region=REGION)
    content = _known_image_bytes()
    image = conn.image.create_image(
        name=unique_name + '-src', data=content, disk_format='raw',
        container_format='bare')
    vol = None
    try:
        wait_for(lambda: conn.image.get_image(image.id), ('active',),
                 ('killed', 'deleted'))
        vol = conn.block_storage.create_volume(
            size=1, name=unique_name, image_id=image.id)
        vol = wait_for(lambda: conn.block_storage.get_volume(vol.id),
                       ('available',), VOLUME_BAD, timeout=300)
        yield conn, vol, _sha256_padded(content, GiB)
    finally:
        if vol is not None:
            for backup in [b for b in conn.block_storage.backups()
                           if b.volume_id == vol.id]:
                conn.block_storage.delete_backup(backup, ignore_missing=True)
                wait_gone(lambda: conn.block_storage.get_backup(backup.id))
            conn.block_storage.delete_volume(vol, ignore_missing=True)
            wait_gone(lambda: conn.block_storage.get_volume(vol.id))
        conn.image.delete_image(image, ignore_missing=True)


def test_snapshot_data_uploads_only_non_zero_chunks_and_leaves_nothing(
        ctx, store, volume):
    conn, vol, expected = volume
    action = data.get('volume', 'snapshot_data')
    node = _node('volume', vol)
    assert action.estimate(ctx, node) == GiB
    state, record, seconds = _run(ctx, action, node)
    print('snapshot_data: %d of %d bytes uploaded, %d zero chunks, %.1f s' % (
        record['uploaded_bytes'], record['size'], record['zero_chunks'],
        seconds))
    for _level, message in ctx.events:
        print('  ' + message)
    assert record['kind'] == 'volume'
    assert record['size'] == GiB and record['sha256'] is None
    assert record['uploaded_bytes'] <= 8 * MiB
    assert record['zero_chunks'] == GiB // (4 * MiB) - 2
    assert sum(ctx.seen) == GiB
    assert _read_back_sha256(store, record) == (expected, GiB)
    # Every temporary is gone.
    bs = conn.block_storage
    for fetch, obj_id in ((bs.get_snapshot, state['snapshot_id']),
                          (bs.get_volume, state['volume_id']),
                          (conn.image.get_image, state['image_id'])):
        with pytest.raises(exceptions.NotFoundException):
            fetch(obj_id)
    assert not [s for s in bs.snapshots() if s.volume_id == vol.id]


def test_cinder_backup_is_available_and_then_incremental(ctx, volume):
    conn, vol, _expected = volume
    action = data.get('volume', 'cinder_backup')
    node = _node('volume', vol)
    _state, full, seconds = _run(ctx, action, node)
    backup = conn.block_storage.get_backup(full['backup']['id'])
    assert backup.status == 'available'
    assert full['kind'] == 'cinder_backup' and full['size'] == GiB
    assert not full['backup']['is_incremental']
    # demo is not an admin: Cinder's default policy refuses the export;
    # either way the checkpoint's warnings say what another site needs.
    codes = [code for code, _message in ctx.warnings]
    if not full['export_allowed']:
        assert codes == ['backup_not_exportable']
    else:
        assert codes == ['backup_import_admin_only']
    ctx.warnings.clear()
    _state, incremental, seconds2 = _run(ctx, action, node)
    assert incremental['backup']['is_incremental']
    print('cinder_backup: full %.1f s, incremental %.1f s, export allowed: '
          '%s' % (seconds, seconds2, full['export_allowed']))

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

"""Restoring data records into RegionTwo's Glance from chunks stored through RegionOne.

Nothing is protected here: the test stores known bytes in a real
``ChunkStore`` with demo's RegionOne clients, writes data records the way
the data actions do, and restores them with demo's RegionTwo clients (the
chunk store read through RegionTwo's catalog, as a recovery does when the
primary site is gone).

The store is the project's (``chunks.project_store``, so ``[checkpoint]``
settings apply) in a container with a per-run suffix: other people's
checkpoints share the real ``dragon_chunks_<project>`` container (the
4 MiB image's chunk is in it), and this test corrupts a chunk and deletes
its container afterwards, which it must never do to theirs.
"""
import hashlib
import io
import time
import uuid

from oslo_config import cfg
import pytest
from swiftclient import exceptions as swift_exc

from dragon.checkpoint import chunks
from dragon.checkpoint import naming
from dragon.cloud.clients import ServiceClients
from dragon import conf as dragon_conf
from dragon import exception
from dragon.protection.data import base
from dragon.protection.data import glance
from dragon.protection import graph
from dragon.recovery import restore
from tests.minicloud import resources
from tests.minicloud.waiters import wait_for
from tests.minicloud.waiters import wait_gone

SOURCE, TARGET = 'RegionOne', 'RegionTwo'
MiB = 1024 * 1024
GiB = 1024 * MiB
CHECKPOINT_TIME = '2026-11-23T10:15:00.000000Z'
VOLUME_BAD = ('error', 'error_restoring', 'error_extending')


def _conf():
    conf = cfg.ConfigOpts()
    dragon_conf.register_opts(conf)
    conf([], project='dragon', default_config_files=[],
         default_config_dirs=[])
    conf.set_override('poll_interval', 0.5, group='protection')
    conf.set_override('poll_interval', 0.5, group='recovery')
    return conf


class _Sparse:
    """``read(n)`` of a mostly-zero stream with known bytes at offsets.

    Nothing is kept: reads are cut from the known pieces and zeros, so a
    1 GiB stream costs no more memory than one chunk.
    """

    def __init__(self, size, pieces):
        self.size, self.pieces, self.pos = size, pieces, 0
        self.digest = hashlib.sha256()

    def read(self, n):
        n = min(n, self.size - self.pos)
        out = bytearray(n)
        for offset, data in self.pieces:
            start, end = max(offset, self.pos), min(offset + len(data),
                                                    self.pos + n)
            if start < end:
                out[start - self.pos:end - self.pos] = data[
                    start - offset:end - offset]
        self.pos += n
        self.digest.update(out)
        return bytes(out)


def _record(store, reader, kind, action, image, **extra):
    """A data record the way ``dragon.protection.data.stream`` writes one."""
    result = store.put_stream(reader)
    return base.record(
        action, kind, size=result.size,
        chunk_list_sha256=result.chunk_list_sha256,
        chunk_size=store.chunk_size,
        chunks=[c.to_dict() for c in result.chunks],
        uploaded_bytes=result.uploaded_bytes,
        reused_chunks=result.reused_chunks, zero_chunks=result.zero_chunks,
        image=image, index_hit=False, **extra)


def _raw(min_disk=0):
    return {'disk_format': 'raw', 'container_format': 'bare',
            'min_disk': min_disk, 'min_ram': 0, 'properties': {}}


def _known_pieces(size, tag):
    """Per-run known bytes at the start, the middle and near the end."""
    return [(offset, resources.image_bytes(MiB + 4321, seed=tag + b'%d' % n))
            for n, offset in enumerate((0, size // 2 + 777, size - 3 * MiB))]


@pytest.fixture(scope='module')
def source(cloud):
    return ServiceClients.for_user(
        cloud.layout.keystone_url, 'demo', cloud.layout.password, 'demo',
        SOURCE)


@pytest.fixture(scope='module')
def target(cloud):
    return ServiceClients.for_user(
        cloud.layout.keystone_url, 'demo', cloud.layout.password, 'demo',
        TARGET)


@pytest.fixture(scope='module')
def stores(source, target):
    """The project's chunk store as RegionOne writes and RegionTwo reads it."""
    conf = _conf()
    container = '%s_ft%s' % (naming.chunk_container(source.project_id),
                             uuid.uuid4().hex[:8])
    writer = chunks.project_store(source.swift, source.project_id, conf,
                                  container)
    reader = chunks.project_store(target.swift, target.project_id, conf,
                                  container)
    writer.ensure_container()
    yield writer, reader
    swift = source.swift()
    try:
        _headers, listing = swift.get_container(container, full_listing=True)
        for obj in listing:
            swift.delete_object(container, obj['name'])
        swift.delete_container(container)
    except swift_exc.ClientException as e:
        if e.http_status != 404:
            raise


@pytest.fixture(scope='module')
def records(stores):
    """The 4 MiB image and a 1 GiB mostly-zero volume, stored once."""
    writer, _reader = stores
    image_bytes = resources.image_bytes()
    image = _record(writer, io.BytesIO(image_bytes), base.IMAGE,
                    'image_copy', _raw(),
                    glance_hash={'algo': 'sha512', 'value': hashlib.sha512(
                        image_bytes).hexdigest()})
    assert image['chunk_list_sha256'] == chunks.chunk_list_sha256(
        image['chunks'])
    tag = uuid.uuid4().hex.encode()
    sparse = _Sparse(GiB, _known_pieces(GiB, tag))
    volume = _record(writer, sparse, base.VOLUME, 'snapshot_data', _raw(1),
                     volume={'size_gib': 1, 'volume_type': 'file'})
    assert volume['size'] == GiB
    return {'image': image, 'volume': volume,
            'sha256': {'image': hashlib.sha256(image_bytes).hexdigest(),
                       'volume': sparse.digest.hexdigest()}}


@pytest.fixture
def ctx(target, stores):
    _writer, reader = stores
    events, progress = [], []
    context = restore.RestoreContext(
        clients=target, chunks=reader, progress=progress.append,
        event=lambda level, message: events.append((level, message)),
        conf=_conf(), recovery_id='ft-' + uuid.uuid4().hex[:8],
        checkpoint_time=CHECKPOINT_TIME, checkpoint='ft-restore-checkpoint')
    context.seen, context.events = progress, events
    return context


def _downloaded_sha256(clients, image_id):
    digest, size = hashlib.sha256(), 0
    response = glance.open_download(clients, image_id)
    try:
        for block in response.iter_content(MiB):
            digest.update(block)
            size += len(block)
    finally:
        response.close()
    return digest.hexdigest(), size


def _images_of(clients, recovery_id):
    return clients.adapter('image').get(
        '/v2/images', params={restore.RESTORE_PROPERTY: recovery_id}
    ).json()['images']


def test_an_image_record_becomes_a_glance_image_in_the_target(
        ctx, records, target, source):
    record = records['image']
    restored = {}
    try:
        restored['server_web'] = restore.restore(ctx, 'server_web', record)
        image_id = restored['server_web']['image_id']
        image = glance.get_image(target, image_id)
        assert image['status'] == 'active'
        assert image['name'] == 'dragon-restore-server_web-20261123T101500Z'
        assert image['dragon_restore'] == ctx.recovery_id
        assert _downloaded_sha256(target, image_id) == (
            records['sha256']['image'], resources.IMAGE_SIZE)
        # A RegionTwo image: RegionOne's Glance has never seen it.
        with pytest.raises(Exception):
            glance.get_image(source, image_id)
        assert sum(ctx.seen) == resources.IMAGE_SIZE
    finally:
        restore.cleanup(ctx, restored)
    assert _images_of(target, ctx.recovery_id) == []


def test_a_1gib_volume_record_restores_and_makes_a_volume(
        ctx, records, target, cloud, unique_name):
    record = records['volume']
    conn = cloud.connect('demo', region=TARGET)
    restored, volume = {}, None
    try:
        started = time.monotonic()
        restored['volume_db'] = restore.restore(ctx, 'volume_db', record)
        seconds = time.monotonic() - started
        print('restore of a 1 GiB volume stream (%d zero chunks of %d): '
              '%.1f s, %.1f MB/s (%.1f MiB/s)' % (
                  record['zero_chunks'], len(record['chunks']), seconds,
                  GiB / seconds / 1e6, GiB / seconds / MiB))
        image_id = restored['volume_db']['image_id']
        image = glance.get_image(target, image_id)
        assert (image['disk_format'], image['container_format'],
                image['min_disk'], image['size']) == ('raw', 'bare', 1, GiB)
        assert sum(ctx.seen) == GiB
        assert _downloaded_sha256(target, image_id) == (
            records['sha256']['volume'], GiB)
        volume = conn.block_storage.create_volume(
            size=1, name=unique_name, image_id=image_id,
            volume_type='file')
        volume = wait_for(lambda: conn.block_storage.get_volume(volume.id),
                          ('available',), VOLUME_BAD, timeout=300)
        assert volume.size == 1
        assert volume.volume_image_metadata['image_id'] == image_id
    finally:
        if volume is not None:
            conn.block_storage.delete_volume(volume, ignore_missing=True)
            wait_gone(lambda: conn.block_storage.get_volume(volume.id))
        restore.cleanup(ctx, restored)
    assert _images_of(target, ctx.recovery_id) == []


def test_a_corrupted_chunk_fails_naming_the_resource_and_leaves_no_image(
        ctx, stores, target):
    writer, _reader = stores
    size = 64 * MiB
    tag = uuid.uuid4().hex.encode()
    record = _record(writer, _Sparse(size, _known_pieces(size, tag)),
                     base.VOLUME, 'snapshot_data', _raw(1),
                     volume={'size_gib': 1})
    # The chunk near the end: Glance has most of the image when it fails.
    ref = [c for c in record['chunks'] if c['sha256'] != chunks.ZERO][-1]
    name = writer.object_name(ref['sha256'])
    swift = writer._swift()
    headers, body = swift.get_object(writer.container, name)
    swift.put_object(writer.container, name, b'rotten' + body[6:],
                     headers={chunks.SHA256_HEADER: ref['sha256']})
    with pytest.raises(exception.RestoreVerificationFailed) as e:
        restore.restore(ctx, 'volume_db', record)
    message = str(e.value)
    print('corrupted chunk: %s' % message)
    assert message.startswith('volume_db: ')
    assert 'ft-restore-checkpoint' in message and ref['sha256'] in message
    assert _images_of(target, ctx.recovery_id) == []
    # Cleanup of something already gone is fine.
    restore.cleanup(ctx, {'volume_db': {'image_id': str(uuid.uuid4())}})


def _backup_record(backup_id, export_record=None):
    """A ``cinder_backup`` record as the data action writes it."""
    return base.record(
        'cinder_backup', base.CINDER_BACKUP, size=GiB,
        backup={'id': backup_id, 'container': 'volumebackups',
                'size_gib': 1},
        export_allowed=export_record is not None,
        export_record=export_record, volume={'size_gib': 1})


def test_cinder_backups_restore_where_known_and_import_is_refused_clearly(
        ctx, cloud, unique_name):
    """A backup RegionTwo's Cinder knows is restored to a new volume; one it
    does not know needs an import, which Cinder refuses to a member.
    """
    conn = cloud.connect('demo', region=TARGET)
    bs = conn.block_storage
    volume = backup = None
    restored = {}
    try:
        volume = bs.create_volume(size=1, name=unique_name,
                                  volume_type='file')
        wait_for(lambda: bs.get_volume(volume.id), ('available',),
                 VOLUME_BAD, timeout=300)
        backup = bs.create_backup(volume_id=volume.id, name=unique_name)
        wait_for(lambda: bs.get_backup(backup.id), ('available',),
                 timeout=600)
        restored['volume_db'] = restore.restore(
            ctx, 'volume_db', _backup_record(backup.id))
        made = bs.get_volume(restored['volume_db']['volume_id'])
        assert made.status == 'available' and made.size == 1
        assert made.name == 'dragon-restore-volume_db-20261123T101500Z'
        # Tagged in the create call, and still after Cinder's restore.
        assert made.metadata.get('dragon_restore') == ctx.recovery_id
        assert restored['volume_db']['backup_imported'] is False

        unknown = _backup_record(str(uuid.uuid4()), export_record={
            'backup_service': 'cinder.backup.drivers.swift.SwiftBackupDriver',
            'backup_url': 'eyJ9'})
        with pytest.raises(exception.RecoveryFailed) as e:
            restore.restore(ctx, 'volume_old', unknown)
        print('import refused: %s' % e.value)
        assert str(e.value).startswith('volume_old: Cinder in RegionTwo '
                                       'refused to import')
    finally:
        restore.cleanup(ctx, restored)
        if backup is not None:
            wait_for(lambda: bs.get_backup(backup.id),
                     ('available', 'error'), timeout=600)
            bs.delete_backup(backup, ignore_missing=True)
            wait_gone(lambda: bs.get_backup(backup.id))
        if volume is not None:
            bs.delete_volume(volume, ignore_missing=True)
            wait_gone(lambda: bs.get_volume(volume.id))
    for made in restored.values():
        with pytest.raises(Exception):
            bs.get_volume(made['volume_id'])


def test_a_replica_is_adopted_by_its_metadata_and_kept_by_cleanup(
        ctx, cloud, unique_name):
    conn = cloud.connect('demo', region=TARGET)
    bs = conn.block_storage
    source_id = str(uuid.uuid4())
    replica = bs.create_volume(size=1, name=unique_name, volume_type='file',
                               metadata={'dragon_replica_of': source_id})
    try:
        wait_for(lambda: bs.get_volume(replica.id), ('available',),
                 VOLUME_BAD, timeout=300)
        record = base.record('replicated', base.REPLICATED,
                             volume={'size_gib': 1})
        node = graph.Node(key='volume_db', resource=graph.Resource(
            'OS::Cinder::Volume', source_id, 'db'), member=True)
        restored = {'volume_db': restore.restore(ctx, 'volume_db', record,
                                                 node=node)}
        assert restored['volume_db'] == {'volume_id': replica.id,
                                         'adopted': True}
        restore.cleanup(ctx, restored)
        assert bs.get_volume(replica.id).status == 'available'
    finally:
        bs.delete_volume(replica, ignore_missing=True)
        wait_gone(lambda: bs.get_volume(replica.id))

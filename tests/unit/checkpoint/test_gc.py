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

"""Chunk gc: sweeps what no manifest references, never what a writer needs."""
import datetime
import io
import json
import os

import pytest

from dragon.checkpoint import chunks
from dragon.checkpoint import gc
from dragon.checkpoint import manifest
from dragon.checkpoint import naming
from dragon.checkpoint import store
from dragon import exception
from tests.unit.checkpoint.fake_swift import FakeAccount

GRACE = datetime.timedelta(hours=1)
STALE = datetime.timedelta(hours=6)     # [checkpoint] gc_stale_mark
NOW = datetime.datetime.now(datetime.UTC)


@pytest.fixture
def account():
    return FakeAccount()


def _chunk_store(account):
    cs = chunks.ChunkStore(account.connect, naming.chunk_container('proj'),
                           chunk_size=1024, workers=2)
    cs.ensure_container()
    return cs


def _checkpoint(account, data, when, cid, finish=True):
    stream = _chunk_store(account).put_stream(io.BytesIO(data))
    writer = store.CheckpointWriter(account.connect(), 'proj', 'pol', 'web')
    writer.create(when)
    if finish:
        fields = {key: 'x' for key in manifest.REQUIRED_KEYS}
        fields.update(checkpoint_id=cid, parameters={}, source_region='R1',
                      data={'server_a': {'size': stream.size, 'chunks': [
                          c.to_dict() for c in stream.chunks]}})
        writer.finish(manifest.build(**fields), '', [])
    return writer.container, stream


def _stored(account):
    objects = account.containers[naming.chunk_container('proj')]['objects']
    return {n.rsplit('/', 1)[-1] for n in objects if not n.startswith('index/')}


def test_deleting_a_checkpoint_and_collecting_keeps_what_the_other_needs(account):
    shared = os.urandom(2048)
    first, one = _checkpoint(account, shared + os.urandom(1024),
                             NOW - datetime.timedelta(hours=3), 'one')
    second, two = _checkpoint(account, shared + os.urandom(1024),
                              NOW - datetime.timedelta(hours=2), 'two')
    assert len(_stored(account)) == 4
    store.delete(account.connect(), first)
    result = gc.collect(account.connect(), 'proj', GRACE, STALE)
    assert (result.swept_chunks, result.kept_chunks) == (1, 3)
    assert _stored(account) == {c.sha256 for c in two.chunks}
    restored = b''.join(_chunk_store(account).iter_stream(two.chunks))
    assert restored[:2048] == shared
    # The collection mark is gone once it is done.
    assert gc.COLLECTING not in account.containers[
        naming.chunk_container('proj')]['meta']


def test_a_checkpoint_being_written_stops_the_sweep(account):
    old, _ = _checkpoint(account, os.urandom(1024),
                         NOW - datetime.timedelta(hours=3), 'old')
    store.delete(account.connect(), old)
    _checkpoint(account, os.urandom(1024), NOW - datetime.timedelta(minutes=5),
                'running', finish=False)
    result = gc.collect(account.connect(), 'proj', GRACE, STALE)
    assert 'being written' in result.skipped
    assert len(_stored(account)) == 2


def test_a_crashed_runs_container_is_removed_after_the_grace(account):
    crashed, _ = _checkpoint(account, os.urandom(1024),
                             NOW - datetime.timedelta(hours=2), 'x',
                             finish=False)
    result = gc.collect(account.connect(), 'proj', GRACE, STALE)
    assert result.removed_incomplete == [crashed]
    assert result.swept_chunks == 1 and _stored(account) == set()


def test_an_unreadable_manifest_stops_the_sweep(account):
    container, _ = _checkpoint(account, os.urandom(1024), NOW, 'new')
    objects = account.containers[container]['objects']
    body = json.loads(objects[store.MANIFEST][0])
    body['format_version'] = 99
    objects[store.MANIFEST] = (json.dumps(body).encode(), {})
    _chunk_store(account).put_stream(io.BytesIO(os.urandom(1024)))
    result = gc.collect(account.connect(), 'proj', GRACE, STALE)
    assert 'newer' in result.skipped and len(_stored(account)) == 2


def test_index_entries_naming_swept_chunks_are_swept(account):
    container, stream = _checkpoint(account, os.urandom(1024), NOW, 'a')
    swift = account.connect()
    chunk_container = naming.chunk_container('proj')
    entry = json.dumps({'chunks': [c.to_dict() for c in stream.chunks]})
    swift.put_object(chunk_container, 'index/image-sha512/aa.json',
                     entry.encode())
    assert gc.collect(swift, 'proj', GRACE, STALE).swept_index_entries == 0
    store.delete(swift, container)
    result = gc.collect(swift, 'proj', GRACE, STALE)
    assert (result.swept_index_entries, result.swept_chunks) == (1, 1)


def test_writers_are_refused_while_a_collection_runs(account):
    swift = account.connect()
    gc.check_not_collecting(swift, 'proj', STALE)      # no chunk container
    _chunk_store(account)
    gc.check_not_collecting(swift, 'proj', STALE)
    swift.post_container(naming.chunk_container('proj'),
                         {gc.COLLECTING: NOW.isoformat()})
    with pytest.raises(exception.ChunkGcRunning):
        gc.check_not_collecting(swift, 'proj', STALE)
    stale = (NOW - STALE * 2).isoformat()
    swift.post_container(naming.chunk_container('proj'), {gc.COLLECTING: stale})
    gc.check_not_collecting(swift, 'proj', STALE)


def test_the_stale_mark_is_the_operators(account, conf):
    assert gc.stale_mark(conf) == datetime.timedelta(hours=6)  # as before
    conf.set_override('gc_stale_mark', 600, group='checkpoint')
    swift = account.connect()
    _chunk_store(account)
    swift.post_container(naming.chunk_container('proj'), {
        gc.COLLECTING: (NOW - datetime.timedelta(minutes=20)).isoformat()})
    gc.check_not_collecting(swift, 'proj', gc.stale_mark(conf))
    with pytest.raises(exception.ChunkGcRunning):
        gc.check_not_collecting(swift, 'proj', STALE)
    with pytest.raises(ValueError):
        conf.set_override('gc_stale_mark', 599, group='checkpoint')


def test_a_project_without_chunks_is_skipped(account):
    assert gc.collect(account.connect(), 'proj', GRACE, STALE).skipped


def test_a_second_collector_steps_back(account):
    _checkpoint(account, os.urandom(1024), NOW - datetime.timedelta(hours=3),
                'a')
    swift = account.connect()
    swift.post_container(naming.chunk_container('proj'),
                         {gc.COLLECTING: NOW.isoformat()})
    result = gc.collect(swift, 'proj', GRACE, STALE)
    assert 'running' in result.skipped and len(_stored(account)) == 1

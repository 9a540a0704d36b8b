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

"""The copy of a checkpoint between two Swifts: order, skip-present, resume."""
import datetime
import hashlib

import pytest
from swiftclient import exceptions as swift_exc

from dragon.checkpoint import chunks as chunks_mod
from dragon.checkpoint import gc
from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import naming
from dragon.checkpoint import store
from dragon import exception
from dragon.replication import copier as copier_mod
from tests.unit.checkpoint import fake_swift

PROJECT = 'p1'
CHUNKS = naming.chunk_container(PROJECT)
WHEN = datetime.datetime(2026, 12, 4, 10, 0, 0)


class StreamingSwift(fake_swift.FakeSwift):
    """The fake, with get_object's ``resp_chunk_size`` (an iterator body)."""

    def get_object(self, container, name, resp_chunk_size=None):
        headers, body = super().get_object(container, name)
        headers = {**headers, 'etag': hashlib.md5(body).hexdigest(),
                   'content-type': 'application/octet-stream'}
        if resp_chunk_size is None:
            return headers, body
        return headers, iter([body[i:i + resp_chunk_size]
                              for i in range(0, len(body), resp_chunk_size)])


class Account(fake_swift.FakeAccount):
    fail_put = None           # an object name whose PUT fails once

    def connect(self):
        return _Connection(self)


class _Connection(StreamingSwift):
    def put_object(self, container, name, body, **kwargs):
        if self.account.fail_put == name:
            self.account.fail_put = None
            self.account.requests.append(('PUT-FAILED', container, name))
            raise swift_exc.ClientException('proxy gone', http_status=503)
        if hasattr(body, 'read'):
            # As swiftclient does with a length: read what it promises.
            length = kwargs.get('content_length')
            data = body.read(length)
            assert len(data) == length and body.read(1) == b''
            body = data
        super().put_object(container, name, body, **kwargs)


def _chunk(body):
    sha = hashlib.sha256(body).hexdigest()
    return sha, chunks_mod.ChunkRef(0, len(body), sha,
                                    md5=hashlib.md5(body).hexdigest(),
                                    stored_size=len(body)).to_dict()


def _checkpoint(account, bodies):
    """A complete checkpoint of chunks ``bodies``, written as the engine does."""
    swift = account.connect()
    swift.put_container(CHUNKS)
    refs = []
    for body in bodies:
        sha, ref = _chunk(body)
        swift.put_object(CHUNKS, chunks_mod.ChunkStore.object_name(sha), body,
                         headers={chunks_mod.SHA256_HEADER: sha})
        refs.append(ref)
    writer = store.CheckpointWriter(swift, PROJECT, 'pol-id', 'web')
    container = writer.create(WHEN)
    manifest = manifest_mod.build(
        checkpoint_id='cp1', project_id=PROJECT,
        policy={'id': 'pol-id', 'name': 'web'}, source_region='RegionOne',
        graph={}, data={'vol': {'size': sum(len(b) for b in bodies),
                                'chunks': refs}},
        parameters={}, chunk_container=CHUNKS, chunk_size=4,
        started_at='2026-12-04T10:00:00Z', finished_at='2026-12-04T10:01:00Z',
        dragon_version='test', stats={}, warnings=[])
    writer.finish(manifest, 'heat_template_version: 2018-08-31\n', [])
    return container


def _copier(source, target, container, **kwargs):
    return copier_mod.Copier(source.connect, target.connect, PROJECT,
                             container, workers=2, **kwargs)


def _puts(account):
    return [r for r in account.requests if r[0] in ('PUT', 'POST')]


@pytest.fixture
def source():
    return Account()


@pytest.fixture
def target():
    return Account()


def test_copies_chunks_then_objects_then_manifest_then_mark(source, target):
    container = _checkpoint(source, [b'aaaa', b'bbbb'])

    result = _copier(source, target, container).run()

    puts = _puts(target)
    names = [r[2] if len(r) > 2 else r[1] for r in puts]
    manifest_at = names.index(store.MANIFEST)
    chunk_puts = [i for i, r in enumerate(puts)
                  if r[0] == 'PUT' and len(r) > 2 and r[1] == CHUNKS]
    assert len(chunk_puts) == 2
    assert max(chunk_puts) < names.index(store.TEMPLATE) < manifest_at
    # The completion mark is the last write, after the manifest.
    assert puts[-1] == ('POST', container) and manifest_at == len(puts) - 2
    points = store.list_recovery_points(target.connect(), PROJECT)
    assert [p['container'] for p in points] == [container]
    assert points[0]['checkpoint_id'] == 'cp1'
    assert store.read_manifest(target.connect(), container)['data']
    # Bodies and the metadata Dragon relies on, as they are at the source.
    for name, (body, headers) in source.containers[CHUNKS]['objects'].items():
        assert target.containers[CHUNKS]['objects'][name] == (body, headers)
    assert result.copied_chunks == 2 and result.present_chunks == 0
    assert result.bytes_copied == result.bytes_total > 8


def test_no_recovery_point_at_the_target_until_the_mark(source, target):
    container = _checkpoint(source, [b'aaaa', b'bbbb'])
    seen = []

    def progress(done, total):
        # Called after every object, the manifest included.
        seen.append(store.list_recovery_points(target.connect(), PROJECT))

    copier_mod.Copier(source.connect, target.connect, PROJECT, container,
                      workers=1, progress=progress).run()

    assert len(seen) >= 5 and not any(seen)
    assert store.list_recovery_points(target.connect(), PROJECT)


def test_a_manifest_put_that_keeps_failing_leaves_no_recovery_point(
        source, target, monkeypatch):
    container = _checkpoint(source, [b'aaaa'])
    monkeypatch.setattr(copier_mod, 'ATTEMPTS', 1)
    target.fail_put = store.MANIFEST

    with pytest.raises(exception.CheckpointStoreError):
        _copier(source, target, container).run()

    assert store.list_recovery_points(target.connect(), PROJECT) == []
    # The container is there, incomplete: who and when, never the mark.
    meta = store.container_metadata(target.connect(), container)
    assert meta[store.POLICY_ID] == 'pol-id'
    assert not meta.get(store.COMPLETE)


def test_a_target_that_is_gone_fails_the_copy_at_once(
        source, target, monkeypatch):
    """Every PUT fails (its proxy stopped): the copy ends after the first
    object's attempts, not after trying each of the others too.
    """
    bodies = [bytes([i]) * 4 for i in range(40)]
    container = _checkpoint(source, bodies)
    tried = []

    def gone(self, container, name, body, **kwargs):
        tried.append(name)
        raise swift_exc.ClientException('connection refused')

    monkeypatch.setattr(_Connection, 'put_object', gone)

    with pytest.raises(exception.CheckpointStoreError):
        _copier(source, target, container).run()

    # Two workers, a window of four: at most a handful of objects tried
    # (each ATTEMPTS times), of the 40.
    assert len(set(tried)) <= 6, len(set(tried))
    assert len(tried) <= 6 * copier_mod.ATTEMPTS


def test_resume_copies_only_what_is_missing(source, target, monkeypatch):
    container = _checkpoint(source, [b'aaaa', b'bbbb', b'cccc'])
    monkeypatch.setattr(copier_mod, 'ATTEMPTS', 1)
    target.fail_put = store.MANIFEST
    with pytest.raises(exception.CheckpointStoreError):
        _copier(source, target, container).run()
    target.requests.clear()

    result = _copier(source, target, container).run()

    put_names = [r[2] for r in target.requests if r[0] == 'PUT' and len(r) > 2]
    assert put_names == [store.MANIFEST]
    assert result.copied_chunks == 0 and result.present_chunks == 3
    assert result.copied_objects == 1
    assert [p['container'] for p in store.list_recovery_points(
        target.connect(), PROJECT)] == [container]


def test_chunks_at_the_target_are_found_by_listing_not_head(source, target):
    container = _checkpoint(source, [b'aaaa', b'bbbb'])
    # An earlier checkpoint's copy brought chunk aaaa already.
    sha, _ref = _chunk(b'aaaa')
    name = chunks_mod.ChunkStore.object_name(sha)
    target.connect().put_container(CHUNKS)
    target.connect().put_object(CHUNKS, name, b'aaaa', headers={
        chunks_mod.SHA256_HEADER: sha})
    target.requests.clear()

    result = _copier(source, target, container).run()

    assert result.present_chunks == 1 and result.copied_chunks == 1
    assert not [r for r in target.requests if r[0] == 'HEAD' and
                len(r) > 2]
    assert ('PUT', CHUNKS, name) not in target.requests


def test_a_damaged_chunk_at_the_target_is_copied_again(source, target):
    container = _checkpoint(source, [b'aaaa'])
    sha, _ref = _chunk(b'aaaa')
    name = chunks_mod.ChunkStore.object_name(sha)
    target.connect().put_container(CHUNKS)
    target.connect().put_object(CHUNKS, name, b'XXXX')

    _copier(source, target, container).run()

    assert target.containers[CHUNKS]['objects'][name][0] == b'aaaa'


def test_a_transient_put_failure_is_retried(source, target):
    container = _checkpoint(source, [b'aaaa'])
    target.fail_put = store.TEMPLATE

    _copier(source, target, container).run()

    assert ('PUT-FAILED', container, store.TEMPLATE) in target.requests
    assert store.list_recovery_points(target.connect(), PROJECT)


def test_a_complete_copy_is_not_copied_again(source, target):
    container = _checkpoint(source, [b'aaaa'])
    _copier(source, target, container).run()
    target.requests.clear()

    result = _copier(source, target, container).run()

    assert _puts(target) == []
    assert result.bytes_present == result.bytes_total > 0


def test_an_incomplete_source_is_refused(source, target):
    container = _checkpoint(source, [b'aaaa'])
    source.connect().post_container(
        container, headers={'x-container-meta-dragon-complete': ''})

    with pytest.raises(exception.RecoveryPointNotFound):
        _copier(source, target, container).run()
    assert target.containers == {}


def test_a_collection_running_at_the_target_stops_the_copy(source, target):
    container = _checkpoint(source, [b'aaaa'])
    target.connect().put_container(CHUNKS, headers={
        gc.COLLECTING: datetime.datetime.now(datetime.UTC).isoformat()})

    with pytest.raises(exception.ChunkGcRunning):
        _copier(source, target, container,
                stale=datetime.timedelta(hours=1)).run()
    # The container it made first is there (the collector sees a writer),
    # and no chunk went in.
    assert container in target.containers
    assert target.containers[CHUNKS]['objects'] == {}


def test_progress_reaches_the_total(source, target):
    container = _checkpoint(source, [b'aaaa', b'bbbb'])
    seen = []

    _copier(source, target, container,
            progress=lambda done, total: seen.append((done, total))).run()

    assert seen[-1][0] == seen[-1][1] > 0
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)


class CountingThrottle:
    def __init__(self):
        self.taken = []

    def take(self, size):
        self.taken.append(size)
        return 0.0


def test_every_byte_sent_goes_through_the_throttle(source, target):
    container = _checkpoint(source, [b'aaaa', b'bbbb'])
    throttle = CountingThrottle()

    _copier(source, target, container, throttle=throttle).run()

    sent = sum(len(body) for c in target.containers.values()
               for body, _headers in c['objects'].values())
    assert sum(throttle.taken) == sent > 8

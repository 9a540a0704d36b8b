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

"""Verification of a checkpoint's chunks: by listing, and by reading them."""
import hashlib
import io
import os

import pytest

from dragon.checkpoint import chunks
from dragon.checkpoint import listing
from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import store as store_mod
from dragon.checkpoint import verify
from dragon import statuses
from tests.unit.checkpoint.fake_swift import FakeAccount

CONTAINER = 'dragon_p1_web_20261123T101500Z'


def _checkpoint(account, streams, compressor=None):
    """A complete checkpoint of ``streams`` (key → bytes) in ``account``."""
    store = chunks.ChunkStore(account.connect, 'chunks', chunk_size=1024,
                              workers=2, compressor=compressor,
                              decompressor=chunks._zstd_decompress)
    store.ensure_container()
    data = {}
    for key, payload in streams.items():
        result = store.put_stream(io.BytesIO(payload))
        data[key] = {'kind': 'volume', 'size': result.size,
                     'chunk_list_sha256': result.chunk_list_sha256,
                     'chunks': [c.to_dict() for c in result.chunks]}
    data['volume_backup'] = {'kind': 'cinder_backup', 'backup_id': 'b'}
    manifest = manifest_mod.build(
        checkpoint_id='c1', project_id='p1', policy={}, source_region='R',
        graph={}, data=data, parameters={}, chunk_container='chunks',
        started_at='t0', finished_at='t1', dragon_version='1')
    swift = account.connect()
    swift.put_container(CONTAINER)
    for name, body in ((store_mod.MANIFEST, manifest_mod.dumps(manifest)),
                       (store_mod.TEMPLATE, b'{}'),
                       (store_mod.PARAMETERS, b'{}')):
        swift.put_object(CONTAINER, name, body)
    return manifest


def _objects(account):
    return account.containers['chunks']['objects']


def _damage(account, sha, how):
    objects = _objects(account)
    name = chunks.ChunkStore.object_name(sha)
    body, headers = objects[name]
    if how == 'delete':
        del objects[name]
    elif how == 'flip':
        objects[name] = (bytes(b ^ 0x55 for b in body), headers)
    elif how == 'truncate':
        objects[name] = (body[:-1], headers)
    return name


def _verify(account, manifest, **kw):
    store = verify.reader_store(account.connect, manifest, workers=2)
    return verify.verify(store, manifest, container=CONTAINER, **kw)


def test_an_intact_checkpoint_verifies_in_two_listings():
    account = FakeAccount()
    manifest = _checkpoint(account, {'volume_a': os.urandom(40 * 1024),
                                     'volume_b': bytes(2048)})
    account.requests.clear()
    result = _verify(account, manifest)
    assert result.status == statuses.Verification.OK and result.problems == []
    assert result.checked == 40 and result.bytes_checked == 40 * 1024
    assert account.requests == [('GET', CONTAINER, ''), ('GET', 'chunks', '')]
    shown = result.to_dict()
    assert shown['status'] == 'ok' and shown['problem_count'] == 0
    assert shown['chunks_checked'] == 40 and not shown['read_data']


@pytest.mark.parametrize('how, problem', [
    ('delete', 'missing'), ('truncate', 'size 1023, 1024 recorded'),
    ('flip', 'md5 ')])
def test_the_listing_finds_missing_resized_and_rewritten_chunks(how,
                                                                problem):
    account = FakeAccount()
    manifest = _checkpoint(account, {'volume_a': os.urandom(4096)})
    victim = manifest['data']['volume_a']['chunks'][2]['sha256']
    _damage(account, victim, how)
    result = _verify(account, manifest)
    assert result.status == statuses.Verification.DAMAGED
    assert len(result.problems) == 1
    assert result.problems[0]['chunk'] == victim
    assert result.problems[0]['resources'] == ['volume_a']
    assert result.problems[0]['problem'].startswith(problem)


def test_reading_finds_a_chunk_whose_md5_was_rewritten_too():
    """Swift's ETag matches the new body: only reading tells the bytes."""
    account = FakeAccount()
    manifest = _checkpoint(account, {'volume_a': os.urandom(4096)})
    chunk = manifest['data']['volume_a']['chunks'][1]
    _damage(account, chunk['sha256'], 'flip')
    del chunk['md5'], chunk['stored_size']        # as an old manifest
    by_listing = _verify(account, manifest)
    assert by_listing.status == statuses.Verification.OK
    assert by_listing.legacy_chunks == 1
    by_reading = _verify(account, manifest, read_data=True)
    assert by_reading.status == statuses.Verification.DAMAGED
    assert by_reading.problems == [{'chunk': chunk['sha256'],
                                    'resources': ['volume_a'],
                                    'problem': 'corrupt'}]
    assert by_reading.checked == 4 and by_reading.bytes_checked == 3072


def test_reading_names_every_damaged_chunk_and_checks_compressed_ones():
    account = FakeAccount()
    text = b'all work and no play ' * 1000
    manifest = _checkpoint(account, {'volume_a': text[:8192],
                                     'server_b': os.urandom(2048)},
                           compressor=chunks._zstd_compress)
    refs = manifest['data']['volume_a']['chunks']
    assert {r['compression'] for r in refs} == {'zstd'}
    damaged = {refs[0]['sha256'], refs[3]['sha256'],
               manifest['data']['server_b']['chunks'][0]['sha256']}
    for sha in damaged:
        _damage(account, sha, 'flip')
    seen = []
    result = _verify(account, manifest, read_data=True, progress=seen.append)
    assert {p['chunk'] for p in result.problems} == damaged
    assert all(p['problem'].startswith('corrupt (md5')
               for p in result.problems)
    assert result.checked == len(manifest_mod.chunk_names(manifest))
    assert len(seen) == result.checked
    lines = [verify.describe(p) for p in result.problems]
    assert any(line.startswith('chunk ') and 'of server_b: corrupt' in line
               for line in lines)


def test_an_old_manifest_is_checked_by_presence_and_plain_size():
    account = FakeAccount()
    manifest = _checkpoint(account, {'volume_a': os.urandom(3072)})
    for chunk in manifest['data']['volume_a']['chunks']:
        del chunk['md5'], chunk['stored_size']
    first, second = manifest['data']['volume_a']['chunks'][:2]
    _damage(account, first['sha256'], 'truncate')
    _damage(account, second['sha256'], 'delete')
    result = _verify(account, manifest)
    assert result.legacy_chunks == 2
    assert sorted(p['problem'] for p in result.problems) == [
        'missing', 'size 1023, 1024 expected']


def test_a_chunk_list_that_does_not_hash_to_its_digest_is_a_problem():
    """Every chunk intact, two swapped in the list: only the digest tells."""
    account = FakeAccount()
    manifest = _checkpoint(account, {'volume_a': os.urandom(3072)})
    chunks_ = manifest['data']['volume_a']['chunks']
    first, second = chunks_[:2]
    chunks_[:2] = [dict(second, offset=0), dict(first, offset=1024)]
    for read_data in (False, True):
        result = _verify(account, manifest, read_data=read_data)
        assert [(p['problem'], p['resources']) for p in result.problems] == [
            ('chunk list does not hash to its recorded chunk_list_sha256 %s'
             % manifest['data']['volume_a']['chunk_list_sha256'],
             ['volume_a'])]


def test_a_manifest_older_than_the_chunk_list_digest_verifies():
    """Records with a whole-stream sha256 and no chunk_list_sha256."""
    account = FakeAccount()
    payload = os.urandom(3072)
    manifest = _checkpoint(account, {'volume_a': payload})
    record = manifest['data']['volume_a']
    del record['chunk_list_sha256']
    record['sha256'] = hashlib.sha256(payload).hexdigest()
    manifest['features'].remove('chunk-list-sha256')
    manifest = manifest_mod.loads(manifest_mod.dumps(manifest))
    for read_data in (False, True):
        assert _verify(account, manifest, read_data=read_data).problems == []
    # Damage (bits flipped, never a constant written) is still found.
    victim = record['chunks'][1]['sha256']
    objects = _objects(account)
    name = chunks.ChunkStore.object_name(victim)
    body, headers = objects[name]
    objects[name] = (bytes([body[0] ^ 0xff]) + body[1:], headers)
    result = _verify(account, manifest, read_data=True)
    assert [p['chunk'] for p in result.problems] == [victim]


def test_missing_template_and_a_broken_chunk_list_are_problems():
    account = FakeAccount()
    manifest = _checkpoint(account, {'volume_a': os.urandom(3072)})
    account.connect().delete_object(CONTAINER, store_mod.TEMPLATE)
    manifest['data']['volume_a']['size'] = 5000
    result = _verify(account, manifest)
    assert [p['problem'] for p in result.problems] == [
        'chunks hold 3072 bytes, 5000 recorded',
        'template.yaml is missing from %s' % CONTAINER]


def test_a_large_container_is_verified_with_heads():
    account = FakeAccount()
    manifest = _checkpoint(account, {'volume_a': os.urandom(4096)})
    store = verify.reader_store(account.connect, manifest, workers=2)
    store.listing = listing.ChunkListing(store._swift, 'chunks', max_pages=0)
    account.requests.clear()
    result = verify.verify(store, manifest)
    assert result.status == statuses.Verification.OK and result.checked == 4
    assert sum(r[0] == 'HEAD' for r in account.requests) == 4


def test_verify_container_reads_the_manifest_from_swift():
    account = FakeAccount()
    _checkpoint(account, {'volume_a': os.urandom(2048)})
    result = verify.verify_container(account.connect, CONTAINER,
                                     read_data=True)
    assert result.status == statuses.Verification.OK and result.checked == 2
    assert result.to_dict()['read_data'] is True

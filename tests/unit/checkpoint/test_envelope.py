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

"""Encrypted checkpoints: the project's data key, keyed chunks, sealed objects."""

import datetime
import io
import os

import pytest

from dragon.checkpoint import chunks
from dragon.checkpoint import crypto
from dragon.checkpoint import datakeys
from dragon.checkpoint import envelope
from dragon.checkpoint import gc
from dragon.checkpoint import keyring
from dragon.checkpoint import manifest
from dragon.checkpoint import naming
from dragon.checkpoint import store
from dragon.checkpoint import verify
from dragon import exception
from dragon.protection.data import index
from tests.unit.checkpoint.fake_swift import FakeAccount

KEY = os.urandom(32)
REF = 'http://kms-one/v1/secrets/0b9f0a4e-3c6f-4a8e-9d51-5f0c2a6b7e10'
REF_TWO = 'http://kms-two/v1/secrets/1c8e1b5f-4d7a-4b9f-8e62-6a1d3b7c8f21'
DATA = os.urandom(6 * 1024) + bytes(1024) + b'compress me ' * 200
NOW = datetime.datetime.now(datetime.UTC)


@pytest.fixture
def account():
    return FakeAccount()


def _domain(account, project='proj', key=KEY, ref=REF):
    return envelope.project_domain(account.connect(), project, key, ref)


def _store(account, domain, project='proj'):
    cs = chunks.ChunkStore(account.connect, naming.chunk_container(project),
                           chunk_size=1024, workers=2,
                           compressor=chunks._zstd_compress,
                           decompressor=chunks._zstd_decompress,
                           domain=domain)
    cs.ensure_container()
    return cs


def _checkpoint(account, domain, data=DATA, cid='cp-1'):
    stream = _store(account, domain).put_stream(io.BytesIO(data))
    writer = store.CheckpointWriter(account.connect(), 'proj', 'pol', 'web')
    writer.create(NOW)
    fields = {key: 'x' for key in manifest.REQUIRED_KEYS}
    fields.update(
        checkpoint_id=cid, project_id='proj', source_region='RegionOne',
        chunk_container=naming.chunk_container('proj'),
        policy={'id': 'pol', 'name': 'web'},
        parameters={'server_secret_db_image': {'default': 'img-1'}},
        data={'server_secret_db': {'size': stream.size, 'chunks': [
            c.to_dict() for c in stream.chunks]}})
    writer.finish(manifest.build(**fields), 'resources: {server_secret_db: '
                  '{}}\n', [{'message': 'server_secret_db captured'}],
                  domain, {'RegionOne': REF, 'RegionTwo': REF_TWO})
    return writer.container, stream


def test_a_project_keeps_one_data_key_per_customer_key(account):
    first, how = _domain(account)
    assert how == envelope.MADE
    again, how = _domain(account)
    assert how == envelope.FOUND and again.key_id == first.key_id
    meta = account.containers[naming.chunk_container('proj')]['meta']
    # Only the wrapped key is stored, under the reference that wraps it.
    assert meta['x-container-meta-dragon-dk-%s-ref' % first.key_id] == REF
    assert KEY.hex() not in str(meta)
    # Another customer key gets a data key of its own, beside the first.
    other, how = _domain(account, key=os.urandom(32))
    assert how == envelope.MADE and other.key_id != first.key_id
    assert len(datakeys.stored_keys(meta)) == 2
    assert _domain(account)[0].key_id == first.key_id


def test_two_projects_with_the_same_data_share_no_chunk_name(account):
    one = _store(account, _domain(account, 'p1')[0], 'p1')
    two = _store(account, _domain(account, 'p2')[0], 'p2')
    names = [{c.sha256 for c in cs.put_stream(io.BytesIO(DATA)).chunks}
             - {chunks.ZERO} for cs in (one, two)]
    assert names[0] and not names[0] & names[1]


def test_encrypted_chunks_dedup_and_read_back(account):
    domain, _made = _domain(account)
    cs = _store(account, domain)
    first = cs.put_stream(io.BytesIO(DATA))
    assert first.uploaded_bytes > 0
    # A new run (nothing proven yet) recognises every stored chunk.
    again = _store(account, domain).put_stream(io.BytesIO(DATA))
    assert again.uploaded_bytes == 0 and again.chunks == first.chunks
    assert b''.join(_store(account, domain).iter_stream(first.chunks)) == DATA
    assert {c.compression for c in first.chunks} >= {'none', 'zstd'}
    objects = account.containers[cs.container]['objects']
    for name, (body, headers) in objects.items():
        assert headers[chunks.KEY_ID_HEADER.lower()] == domain.key_id
        assert DATA[:64] not in body and b'compress me' not in body
    # Without the key, or with another one, a chunk is not served.
    for other in (None, _domain(FakeAccount(), key=os.urandom(32))[0]):
        reader = chunks.ChunkStore(account.connect, cs.container,
                                   decompressor=chunks._zstd_decompress,
                                   domain=other)
        with pytest.raises(chunks.ChecksumMismatch):
            reader.read_chunk(first.chunks[0])


def test_a_damaged_encrypted_chunk_is_stored_again(account):
    domain, _made = _domain(account)
    cs = _store(account, domain)
    first = cs.put_stream(io.BytesIO(DATA[:1024]))
    objects = account.containers[cs.container]['objects']
    name = cs.object_name(first.chunks[0].sha256)
    body, headers = objects[name]
    objects[name] = (body[:-1] + bytes([body[-1] ^ 1]), headers)
    again = _store(account, domain).put_stream(io.BytesIO(DATA[:1024]))
    assert again.repaired_chunks == 1 and objects[name][0] == body


def test_every_object_of_an_encrypted_checkpoint_is_sealed(account):
    domain, _made = _domain(account)
    container, stream = _checkpoint(account, domain)
    for name, (body, _h) in account.containers[container]['objects'].items():
        assert b'server_secret_db' not in body, name
        assert b'img-1' not in body, name
    [point] = store.list_recovery_points(account.connect(), 'proj')
    assert point['encrypted'] and point['key_ref'] == REF
    swift = account.connect()
    clear = store.read_manifest(swift, container)
    assert manifest.is_envelope(clear)
    assert clear['encryption']['key_refs']['RegionTwo'] == REF_TWO
    assert clear['size'] == stream.size
    with pytest.raises(exception.UnsupportedCheckpoint, match='encrypted'):
        store.read_template(swift, container)
    opened = store.read_manifest(swift, container, domain)
    assert set(opened['data']) == {'server_secret_db'}
    assert store.read_template(swift, container, domain)[1] == {
        'server_secret_db_image': {'default': 'img-1'}}
    assert store.read_events(swift, container, domain)[0]['message'] == \
        'server_secret_db captured'


def test_a_checkpoint_opens_with_the_same_secret_read_elsewhere(account):
    domain, _made = _domain(account)
    container, _stream = _checkpoint(account, domain)
    clear = store.read_manifest(account.connect(), container)
    assert envelope.key_ref_for(clear, 'RegionTwo') == REF_TWO
    # The backup region's reference names the same secret: it opens.
    opened = envelope.checkpoint_domain(KEY, clear, REF_TWO, container)
    assert opened.key_id == domain.key_id
    with pytest.raises(exception.CheckpointKeyMismatch, match=REF_TWO):
        envelope.checkpoint_domain(os.urandom(32), clear, REF_TWO, container)
    with pytest.raises(exception.CheckpointKeyMissing, match='RegionThree'):
        envelope.key_ref_for(clear, 'RegionThree', container)


def test_objects_of_two_checkpoints_cannot_be_swapped(account):
    domain, _made = _domain(account)
    one, _s = _checkpoint(account, domain, cid='cp-1')
    two = store.CheckpointWriter(account.connect(), 'proj', 'pol', 'web')
    two.create(NOW)
    objects = account.containers[one]['objects']
    account.connect().put_object(two.container, store.TEMPLATE,
                                 objects[store.TEMPLATE][0])
    account.connect().put_object(two.container, store.PARAMETERS,
                                 objects[store.PARAMETERS][0])
    with pytest.raises(exception.UnsupportedCheckpoint,
                       match='does not open'):
        store.read_template(account.connect(), two.container, domain)


def test_gc_and_a_listing_check_need_no_key(account):
    domain, _made = _domain(account)
    container, stream = _checkpoint(account, domain)
    chunk_container = naming.chunk_container('proj')
    account.connect().put_object(chunk_container, 'aa/bb/orphan', b'x')
    result = gc.collect(account.connect(), 'proj', datetime.timedelta(1),
                        datetime.timedelta(hours=6))
    assert result.swept_chunks == 1 and result.skipped is None
    clear = store.read_manifest(account.connect(), container)
    ok = verify.verify(verify.reader_store(account.connect, clear), clear,
                       container=container)
    assert ok.status == 'ok' and ok.checked == len(clear['chunks']) > 0
    # A damaged chunk shows in the listing check without the key.
    objects = account.containers[chunk_container]['objects']
    name = sorted(n for n in objects)[0]
    body, headers = objects[name]
    objects[name] = (body[:-1] + b'\x00', headers)
    damaged = verify.verify(verify.reader_store(account.connect, clear),
                            clear, container=container)
    assert damaged.status == 'damaged'
    with pytest.raises(exception.Invalid, match='needs its key'):
        verify.verify(verify.reader_store(account.connect, clear), clear,
                      read_data=True, container=container)
    # With the key, reading decrypts every chunk and finds the damage.
    opened = store.read_manifest(account.connect(), container, domain)
    read = verify.verify(
        verify.reader_store(account.connect, opened, domain=domain),
        opened, read_data=True, container=container)
    assert read.status == 'damaged' and len(read.problems) == 1


def test_the_image_index_of_an_encrypted_project_names_nothing(account):
    domain, _made = _domain(account)
    cs = _store(account, domain)
    images = index.ImageIndex(cs)
    result = cs.put_stream(io.BytesIO(DATA))
    images.store_entry('sha512', 'glance-hash-1', result)
    names = [n for n in account.containers[cs.container]['objects']
             if n.startswith(index.PREFIX)]
    assert names and 'glance-hash-1' not in names[0]
    body = account.containers[cs.container]['objects'][names[0]][0]
    assert b'glance-hash-1' not in body and b'chunks' not in body
    assert images.lookup('sha512', 'glance-hash-1', len(DATA))['size'] == \
        len(DATA)


def test_an_older_dragon_refuses_the_envelope(account, monkeypatch):
    domain, _made = _domain(account)
    container, _stream = _checkpoint(account, domain)
    monkeypatch.setattr(manifest, 'FEATURES',
                        manifest.FEATURES - {manifest.ENCRYPTED})
    with pytest.raises(exception.UnsupportedCheckpoint, match='encrypted'):
        store.read_manifest(account.connect(), container)


def test_a_clear_manifest_does_not_ask_for_encryption():
    fields = {key: 'x' for key in manifest.REQUIRED_KEYS}
    assert manifest.ENCRYPTED not in manifest.build(**fields)['features']


def test_the_wrapped_key_is_bound_to_the_project(account):
    domain, _made = _domain(account, 'p1')
    with pytest.raises(crypto.CryptoError):
        envelope.open_domain(KEY, 'p2', domain.wrap_ref, domain.wrapped)


def test_a_rotated_customer_key_rewraps_the_data_key(account):
    domain, _how = _domain(account)
    old, _s = _checkpoint(account, domain, cid='cp-old')
    new_key, new_ref = os.urandom(32), REF_TWO.replace('kms-two', 'kms-new')
    secrets = {REF: KEY}
    rotated, how = envelope.project_domain(
        account.connect(), 'proj', new_key, new_ref, read_key=secrets.get)
    # The same data key (dedup goes on), now wrapped by the new key only.
    assert how == envelope.REWRAPPED and rotated.key_id == domain.key_id
    meta = account.containers[naming.chunk_container('proj')]['meta']
    assert datakeys.stored_keys(meta) == {
        domain.key_id: (new_ref, rotated.wrapped)}
    assert _store(account, rotated).put_stream(
        io.BytesIO(DATA)).uploaded_bytes == 0
    # The old checkpoint's envelope is re-wrapped: the new key opens it.
    swift = account.connect()
    chunks_before = account.containers[naming.chunk_container('proj')][
        'objects'].copy()
    assert keyring.rewrap_checkpoints(swift, 'proj', 'pol', rotated, {
        'RegionOne': new_ref}) == 1
    assert account.containers[naming.chunk_container('proj')][
        'objects'] == chunks_before
    clear = store.read_manifest(swift, old)
    assert clear['encryption']['key_refs'] == {'RegionOne': new_ref}
    opened = envelope.checkpoint_domain(new_key, clear, new_ref, old)
    assert set(store.read_manifest(swift, old, opened)['data']) == {
        'server_secret_db'}
    [point] = store.list_recovery_points(swift, 'proj')
    assert point['key_ref'] == new_ref
    with pytest.raises(exception.CheckpointKeyMismatch):
        envelope.checkpoint_domain(KEY, clear, REF, old)
    # Written again: nothing left to re-wrap.
    assert keyring.rewrap_checkpoints(swift, 'proj', 'pol', rotated, {
        'RegionOne': new_ref}) == 0


def test_without_the_old_key_a_rotation_starts_a_new_data_key(account):
    domain, _how = _domain(account)
    rotated, how = envelope.project_domain(
        account.connect(), 'proj', os.urandom(32), REF_TWO,
        read_key=lambda ref: (_ for _ in ()).throw(
            exception.KeyNotFound(key_ref=ref, region='RegionOne')))
    assert how == envelope.MADE and rotated.key_id != domain.key_id


def _policy_domain(account, policy, key=KEY, ref=REF, read_key=None):
    return envelope.project_domain(account.connect(), 'proj', key, ref,
                                   read_key=read_key, policy_id=policy)


def test_a_policy_scoped_data_key_is_the_policys_alone(account):
    project, _how = _domain(account)
    first, how = _policy_domain(account, 'pol')
    assert how == envelope.MADE and first.scope == envelope.POLICY_SCOPE
    again, how = _policy_domain(account, 'pol')
    assert how == envelope.FOUND and again.key_id == first.key_id
    other, how = _policy_domain(account, 'pol-2')
    assert how == envelope.MADE
    assert len({project.key_id, first.key_id, other.key_id}) == 3
    # The project's key stays the project's: a policy's is not offered.
    assert _domain(account)[0].key_id == project.key_id
    container = account.containers[naming.chunk_container('proj')]
    assert set(datakeys.stored_keys(container['meta'])) == {project.key_id}
    # Stored as an object per key (metadata has room for a dozen only).
    assert set(container['objects']) == {
        'keys/pol/' + first.key_id, 'keys/pol-2/' + other.key_id}
    assert KEY.hex().encode() not in container['objects'][
        'keys/pol/' + first.key_id][0]


def test_policy_scoped_chunks_are_shared_with_no_other_policy(account):
    def names(domain):
        return {c.sha256 for c in _store(account, domain).put_stream(
            io.BytesIO(DATA)).chunks} - {chunks.ZERO}

    one = names(_policy_domain(account, 'pol')[0])
    two = names(_policy_domain(account, 'pol-2')[0])
    project = names(_domain(account)[0])
    assert one and not one & two and not one & project
    assert names(_domain(account)[0]) == project


def test_a_policy_scoped_key_is_bound_to_its_policy(account):
    domain, _how = _policy_domain(account, 'pol')
    with pytest.raises(crypto.CryptoError):
        envelope.open_domain(KEY, 'proj', domain.wrap_ref, domain.wrapped,
                             'pol-2')
    with pytest.raises(crypto.CryptoError):
        envelope.open_domain(KEY, 'proj', domain.wrap_ref, domain.wrapped)
    # A key copied to another policy's place is not taken there.
    objects = account.containers[naming.chunk_container('proj')]['objects']
    objects['keys/pol-2/' + domain.key_id] = objects[
        'keys/pol/' + domain.key_id]
    assert _policy_domain(account, 'pol-2')[0].key_id != domain.key_id


def test_a_policy_scoped_checkpoint_opens_and_its_scope_cannot_flip(account):
    domain, _how = _policy_domain(account, 'pol')
    container, _stream = _checkpoint(account, domain)
    clear = store.read_manifest(account.connect(), container)
    assert clear['encryption']['data_key_scope'] == envelope.POLICY_SCOPE
    opened = envelope.checkpoint_domain(KEY, clear, REF_TWO, container)
    assert opened.key_id == domain.key_id
    assert set(store.read_manifest(account.connect(), container,
                                   opened)['data']) == {'server_secret_db'}
    flipped = dict(clear, encryption=dict(
        clear['encryption'], data_key_scope=envelope.PROJECT_SCOPE))
    with pytest.raises(exception.CheckpointKeyMismatch):
        envelope.checkpoint_domain(KEY, flipped, REF, container)
    # Envelopes written before the scope existed are the project's.
    project, _how = _domain(account)
    older, _stream = _checkpoint(account, project, cid='cp-old')
    clear = store.read_manifest(account.connect(), older)
    del clear['encryption']['data_key_scope']
    assert envelope.checkpoint_domain(KEY, clear, REF, older).key_id == \
        project.key_id


def test_a_rotated_key_rewraps_a_policy_scoped_data_key(account):
    domain, _how = _policy_domain(account, 'pol')
    new_key, new_ref = os.urandom(32), REF_TWO
    rotated, how = _policy_domain(account, 'pol', new_key, new_ref,
                                  read_key={REF: KEY}.get)
    assert how == envelope.REWRAPPED and rotated.key_id == domain.key_id
    assert rotated.scope == envelope.POLICY_SCOPE
    again, how = _policy_domain(account, 'pol', new_key, new_ref)
    assert how == envelope.FOUND and again.key_id == domain.key_id


def test_gc_keeps_a_policys_data_keys(account):
    domain, _how = _policy_domain(account, 'pol')
    _checkpoint(account, domain)
    result = gc.collect(account.connect(), 'proj', datetime.timedelta(1),
                        datetime.timedelta(hours=6))
    assert result.skipped is None and result.swept_chunks == 0
    assert 'keys/pol/' + domain.key_id in account.containers[
        naming.chunk_container('proj')]['objects']


def test_the_scope_of_a_run_follows_the_policys_encryption():
    assert keyring.scoped_policy({'key_ref': REF}, 'pol') is None
    assert keyring.scoped_policy({'key_ref': REF, 'data_key_scope':
                                  'project'}, 'pol') is None
    assert keyring.scoped_policy({'key_ref': REF, 'data_key_scope':
                                  'policy'}, 'pol') == 'pol'
    with pytest.raises(ValueError):
        keyring.scoped_policy({'key_ref': REF, 'data_key_scope': 'policy'},
                              None)


def test_a_repointed_recovery_key_is_named_by_earlier_checkpoints(
        account, monkeypatch):
    """The backup site has only the envelopes: they must name its key."""
    domain, _how = _domain(account)
    container, _s = _checkpoint(account, domain)
    monkeypatch.setattr(keyring.keys, 'read_customer_key',
                        lambda session, region, ref, conf=None: KEY)
    moved = REF_TWO.replace('kms-two', 'kms-two-new')
    events = []
    swift = account.connect()
    again = keyring.protect_domain(
        None, 'trust', swift, 'RegionOne', 'proj',
        {'key_ref': REF, 'recovery_key_refs': {'RegionTwo': moved}},
        policy_id='pol', event=lambda level, text: events.append(text))
    assert again.key_id == domain.key_id      # the same data key: found
    clear = store.read_manifest(swift, container)
    assert clear['encryption']['key_refs'] == {'RegionOne': REF,
                                               'RegionTwo': moved}
    assert clear['encryption']['wrap_ref'] == REF
    assert events and events[0].startswith(
        'the key references of 1 earlier checkpoints')
    # Opens as before: only the clear references changed.
    opened = envelope.checkpoint_domain(KEY, clear, REF, container)
    assert set(store.read_manifest(swift, container, opened)['data']) == {
        'server_secret_db'}
    # Up to date now: the next protection rewrites nothing.
    writes = []
    real_rewrite = store.rewrite_envelope
    monkeypatch.setattr(store, 'rewrite_envelope',
                        lambda *a, **k: writes.append(a) or real_rewrite(
                            *a, **k))
    keyring.protect_domain(
        None, 'trust', swift, 'RegionOne', 'proj',
        {'key_ref': REF, 'recovery_key_refs': {'RegionTwo': moved}},
        policy_id='pol', event=lambda level, text: events.append(text))
    assert writes == [] and len(events) == 1


def test_unchanged_key_references_rewrite_nothing(account, monkeypatch):
    domain, _how = _domain(account)
    _checkpoint(account, domain)
    monkeypatch.setattr(keyring.keys, 'read_customer_key',
                        lambda session, region, ref, conf=None: KEY)
    monkeypatch.setattr(store, 'rewrite_envelope', pytest.fail)
    keyring.protect_domain(
        None, 'trust', account.connect(), 'RegionOne', 'proj',
        {'key_ref': REF, 'recovery_key_refs': {'RegionTwo': REF_TWO}},
        policy_id='pol')

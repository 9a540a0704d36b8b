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

"""Envelope primitives: what opens, and everything that must not."""
import hashlib

import pytest

from dragon.checkpoint import crypto

CUSTOMER = bytes(range(32))
OTHER = bytes(range(1, 33))
REF = 'http://kms/v1/secrets/1111'
PROJECT = 'p-one'


def _flip(blob, index):
    return blob[:index] + bytes([blob[index] ^ 0x01]) + blob[index + 1:]


@pytest.fixture
def data_key():
    return crypto.new_data_key()


@pytest.fixture
def keys(data_key):
    return crypto.SubKeys.derive(data_key)


def test_data_keys_are_random_256_bit():
    a, b = crypto.new_data_key(), crypto.new_data_key()
    assert len(a) == len(b) == 32
    assert a != b


def test_wrap_round_trip_and_hides_the_key(data_key):
    wrapped = crypto.wrap_data_key(CUSTOMER, data_key, REF, PROJECT)
    assert data_key not in wrapped
    assert wrapped[:1] == b'\x01'
    assert crypto.unwrap_data_key(CUSTOMER, wrapped, REF, PROJECT) == data_key


def test_wrapping_twice_differs(data_key):
    # A random nonce per wrap: equal data keys are not recognisable.
    assert (crypto.wrap_data_key(CUSTOMER, data_key, REF, PROJECT) !=
            crypto.wrap_data_key(CUSTOMER, data_key, REF, PROJECT))


@pytest.mark.parametrize('key,ref,project', [
    (OTHER, REF, PROJECT),                       # wrong customer key
    (CUSTOMER, 'http://kms/v1/secrets/2222', PROJECT),   # other key ref
    (CUSTOMER, REF, 'p-two'),                    # another project
])
def test_unwrap_refuses_wrong_key_or_binding(data_key, key, ref, project):
    wrapped = crypto.wrap_data_key(CUSTOMER, data_key, REF, PROJECT)
    with pytest.raises(crypto.CryptoError):
        crypto.unwrap_data_key(key, wrapped, ref, project)


def test_unwrap_refuses_any_tampered_byte(data_key):
    wrapped = crypto.wrap_data_key(CUSTOMER, data_key, REF, PROJECT)
    for index in range(1, len(wrapped)):   # byte 0 is the version: below
        with pytest.raises(crypto.CryptoError):
            crypto.unwrap_data_key(CUSTOMER, _flip(wrapped, index), REF,
                                   PROJECT)


def test_unknown_version_is_refused_as_such(data_key):
    wrapped = crypto.wrap_data_key(CUSTOMER, data_key, REF, PROJECT)
    with pytest.raises(crypto.UnsupportedFormat, match='0x02'):
        crypto.unwrap_data_key(CUSTOMER, b'\x02' + wrapped[1:], REF, PROJECT)


def test_truncated_or_empty_is_refused(data_key):
    wrapped = crypto.wrap_data_key(CUSTOMER, data_key, REF, PROJECT)
    for blob in (b'', wrapped[:20], wrapped[:-1]):
        with pytest.raises(crypto.CryptoError):
            crypto.unwrap_data_key(CUSTOMER, blob, REF, PROJECT)


@pytest.mark.parametrize('bad', [b'short', bytes(31), bytes(33), 'x' * 32])
def test_keys_must_be_aes_256(data_key, bad):
    with pytest.raises(ValueError, match='32 bytes'):
        crypto.wrap_data_key(bad, data_key, REF, PROJECT)
    with pytest.raises(ValueError, match='32 bytes'):
        crypto.SubKeys.derive(bad)


def test_sub_keys_differ_per_purpose_and_are_deterministic(data_key):
    keys = crypto.SubKeys.derive(data_key)
    assert len({keys.chunk_name, keys.chunk_body, keys.metadata,
                data_key}) == 4
    assert crypto.SubKeys.derive(data_key).chunk_body == keys.chunk_body
    assert 'hidden' in repr(keys)
    assert keys.chunk_body.hex() not in repr(keys)


def test_chunk_names_dedup_within_a_key_domain_only(keys):
    data = b'block' * 1000
    name = crypto.chunk_name(keys, data)
    assert name == crypto.chunk_name(keys, data)
    assert len(name) == 64
    assert name != hashlib.sha256(data).hexdigest()
    other = crypto.SubKeys.derive(crypto.new_data_key())
    assert crypto.chunk_name(other, data) != name
    assert crypto.chunk_name(keys, data + b'!') != name


def test_chunk_round_trip_and_binding(keys):
    body = b'\x00secret disk bytes' * 100
    name = crypto.chunk_name(keys, body)
    blob = crypto.seal_chunk(keys, name, body)
    assert b'secret disk bytes' not in blob
    assert crypto.open_chunk(keys, name, blob) == body
    # Swapping two chunks' objects is detected, not served as the other.
    other_name = crypto.chunk_name(keys, b'other')
    with pytest.raises(crypto.CryptoError):
        crypto.open_chunk(keys, other_name, blob)
    with pytest.raises(crypto.CryptoError):
        crypto.open_chunk(keys, name, _flip(blob, len(blob) // 2))
    other = crypto.SubKeys.derive(crypto.new_data_key())
    with pytest.raises(crypto.CryptoError):
        crypto.open_chunk(other, name, blob)


def test_purposes_do_not_cross(keys):
    # A chunk cannot be opened as metadata even under the same label text.
    blob = crypto.seal_chunk(keys, 'n1', b'data')
    with pytest.raises(crypto.CryptoError):
        crypto.open_metadata(keys, 'n1', blob)


def test_metadata_round_trip_and_label_binding(keys):
    doc = b'{"resources": {"web": {}}}'
    blob = crypto.seal_metadata(keys, 'cp1/template.yaml', doc)
    assert crypto.open_metadata(keys, 'cp1/template.yaml', blob) == doc
    with pytest.raises(crypto.CryptoError):
        crypto.open_metadata(keys, 'cp2/template.yaml', blob)
    with pytest.raises(crypto.UnsupportedFormat):
        crypto.open_metadata(keys, 'cp1/template.yaml', b'\x00' + blob[1:])


def test_chunk_sealing_is_deterministic_per_body(keys):
    body = b'disk block' * 500
    name = crypto.chunk_name(keys, body)
    # The same chunk seals to the same bytes: Swift's md5 recognises it.
    assert crypto.seal_chunk(keys, name, body) == crypto.seal_chunk(
        keys, name, body)
    assert len(crypto.seal_chunk(keys, name, body)) == \
        len(body) + crypto.OVERHEAD
    # Two compressed forms of one chunk never share a nonce.
    one = crypto.seal_chunk(keys, name, b'packed-1', 'zstd')
    two = crypto.seal_chunk(keys, name, b'packed-2', 'zstd')
    assert one[1:1 + crypto.NONCE_BYTES] != two[1:1 + crypto.NONCE_BYTES]
    # The compression is bound: a flipped clear header fails to open.
    with pytest.raises(crypto.CryptoError):
        crypto.open_chunk(keys, name, one, 'none')
    assert crypto.open_chunk(keys, name, one, 'zstd') == b'packed-1'


def test_key_ids_tell_data_keys_apart_and_reveal_nothing(keys, data_key):
    assert crypto.key_id(keys) == crypto.key_id(
        crypto.SubKeys.derive(data_key))
    assert len(crypto.key_id(keys)) == 2 * crypto.KEY_ID_BYTES
    other = crypto.SubKeys.derive(crypto.new_data_key())
    assert crypto.key_id(other) != crypto.key_id(keys)
    assert crypto.key_id(keys) not in data_key.hex()

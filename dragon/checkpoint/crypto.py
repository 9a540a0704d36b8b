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

"""Envelope encryption primitives of the checkpoint store (format "v1").

The customer's key (a Barbican secret) never encrypts data itself: it wraps
a random data key, and only the wrapped key is stored.  Every key that
touches data is derived from the data key with HKDF, one per purpose, so a
key used to name chunks can never decrypt one.  Each ciphertext carries the
format version and is bound, through AES-GCM's associated data, to where it
belongs (the key reference and project for the wrapped key, the chunk name
for a chunk), so a blob moved or replayed elsewhere fails to decrypt instead
of decrypting to the wrong thing.  See doc/source/admin/checkpoints.rst.
"""
import dataclasses
import hashlib
import hmac
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT_VERSION = 'v1'
KEY_BYTES = 32        # AES-256 everywhere
NONCE_BYTES = 12      # GCM's native nonce; random per encryption
# The first byte of every ciphertext names its format, so a later format
# can be told apart (and an older Dragon refuses it) without trying keys.
_VERSION_BYTE = {'v1': b'\x01'}
_VERSIONS = {v: k for k, v in _VERSION_BYTE.items()}
# HKDF "info" labels: one derived key per purpose.
_PURPOSES = ('chunk-name', 'chunk-body', 'chunk-nonce', 'metadata', 'key-id')
# Bytes of the HMAC that identifies a data key (its ``key_id``).
KEY_ID_BYTES = 8
# What sealing adds to a body: version byte, nonce, GCM tag.
OVERHEAD = 1 + NONCE_BYTES + 16


class CryptoError(Exception):
    """A ciphertext cannot be opened: wrong key, wrong binding, or tampered.

    One class on purpose: telling a caller *why* a tag did not verify would
    help an attacker and would not help an operator.
    """


class UnsupportedFormat(CryptoError):
    """A ciphertext of a format version this Dragon does not know."""


def new_data_key() -> bytes:
    """A fresh random 256-bit data key (from the OS CSPRNG)."""
    return os.urandom(KEY_BYTES)


def _check_key(key, what):
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise ValueError('%s must be %d bytes (AES-256)' % (what, KEY_BYTES))


def _aad(**fields) -> bytes:
    """Canonical associated data: sorted JSON, so both sides agree exactly."""
    return json.dumps(fields, sort_keys=True, separators=(',', ':')).encode()


def _seal(key, plaintext, aad, version=FORMAT_VERSION, nonce=None) -> bytes:
    nonce = nonce or os.urandom(NONCE_BYTES)
    head = _VERSION_BYTE[version]
    # The version byte is authenticated too: flipping it cannot downgrade.
    return head + nonce + AESGCM(key).encrypt(nonce, plaintext, head + aad)


def _open(key, blob, aad) -> bytes:
    if not blob:
        raise CryptoError('empty ciphertext')
    head = blob[:1]
    if head not in _VERSIONS:
        raise UnsupportedFormat(
            'ciphertext format byte 0x%02x is not one this Dragon reads '
            '(it reads %s)' % (head[0], ', '.join(sorted(_VERSION_BYTE))))
    if len(blob) < 1 + NONCE_BYTES + 16:
        raise CryptoError('ciphertext too short')
    nonce, body = blob[1:1 + NONCE_BYTES], blob[1 + NONCE_BYTES:]
    try:
        return AESGCM(key).decrypt(nonce, body, head + aad)
    except InvalidTag:
        raise CryptoError('ciphertext does not verify: wrong key, wrong '
                          'binding or tampered') from None


def _data_key_aad(key_ref: str, project_id: str,
                  policy_id: str | None) -> bytes:
    # A project's data key is bound as it always was; a policy's also
    # names the policy (so the binding of older wrapped keys is unchanged).
    fields = {'purpose': 'data-key', 'key_ref': key_ref,
              'project_id': project_id}
    if policy_id is not None:
        fields['policy_id'] = policy_id
    return _aad(**fields)


def wrap_data_key(customer_key: bytes, data_key: bytes, key_ref: str,
                  project_id: str, policy_id: str | None = None) -> bytes:
    """The data key encrypted with the customer's key, bound to its owner.

    :param key_ref: the key manager reference of ``customer_key``; binding
        it means a wrapped key copied next to another reference will not
        open, even with the right secret behind that other reference.
    :param project_id: the project the data key serves.
    :param policy_id: the policy, for a data key of one policy only: a
        wrapped key copied to another policy's place will not open.
    """
    _check_key(customer_key, 'customer key')
    _check_key(data_key, 'data key')
    return _seal(customer_key, data_key,
                 _data_key_aad(key_ref, project_id, policy_id))


def unwrap_data_key(customer_key: bytes, wrapped: bytes, key_ref: str,
                    project_id: str, policy_id: str | None = None) -> bytes:
    """The data key of :func:`wrap_data_key`.

    :raises CryptoError: wrong customer key, key reference, project or
        policy, or the wrapped key was altered.
    """
    _check_key(customer_key, 'customer key')
    data_key = _open(customer_key, wrapped,
                     _data_key_aad(key_ref, project_id, policy_id))
    _check_key(data_key, 'data key')
    return data_key


@dataclasses.dataclass(frozen=True, repr=False)
class SubKeys:
    """The keys derived from one data key, one per purpose.

    ``repr`` is disabled so a key never reaches a log line or a traceback.
    """

    chunk_name: bytes
    chunk_body: bytes
    chunk_nonce: bytes
    metadata: bytes
    key_id: bytes

    @classmethod
    def derive(cls, data_key: bytes) -> 'SubKeys':
        _check_key(data_key, 'data key')
        keys = {}
        for purpose in _PURPOSES:
            keys[purpose.replace('-', '_')] = HKDF(
                algorithm=hashes.SHA256(), length=KEY_BYTES,
                salt=b'dragon-checkpoint-' + FORMAT_VERSION.encode(),
                info=purpose.encode()).derive(data_key)
        return cls(**keys)

    def __repr__(self):
        return 'SubKeys(<hidden>)'


def chunk_name(keys: SubKeys, plaintext: bytes) -> str:
    """A chunk's name: HMAC-SHA256 of its plain bytes under the naming key.

    Equal data gives equal names inside one key domain (dedup holds), and a
    name says nothing about the data to whoever lacks the key, unlike the
    sha256 that names clear chunks.
    """
    return hmac.new(keys.chunk_name, plaintext, hashlib.sha256).hexdigest()


def key_id(keys: SubKeys) -> str:
    """A short public identifier of the data key behind ``keys``.

    An HMAC, so it tells two data keys apart (which checkpoints share a
    chunk namespace) without saying anything about either.
    """
    return hmac.new(keys.key_id, b'dragon-data-key', hashlib.sha256
                    ).hexdigest()[:2 * KEY_ID_BYTES]


def _chunk_aad(name: str, compression: str) -> bytes:
    return _aad(purpose='chunk', name=name, compression=compression)


def seal_chunk(keys: SubKeys, name: str, body: bytes,
               compression: str = 'none') -> bytes:
    """A chunk body encrypted and bound to its name, compression and format.

    Deterministic (a synthetic nonce, as in SIV): the same body under the
    same name seals to the same bytes, so a chunk already stored is
    recognised by the md5 Swift lists, exactly as a clear one, and dedup
    needs no read-back.  The nonce is an HMAC of everything that decides
    the sealed body: the name and compression and, when compressed, the
    compressed bytes (another zstd may compress the same chunk
    differently).  Uncompressed, the body *is* the chunk the name is an
    HMAC of, so the name alone decides it and the body is not hashed a
    second time.  Two different bodies thus never share a nonce; equal
    bodies share it and their ciphertexts, which reveals only what the
    equal names reveal already.
    """
    seed = _chunk_aad(name, compression)
    if compression != 'none':
        seed += b'\0' + hashlib.sha256(body).digest()
    nonce = hmac.new(keys.chunk_nonce, seed, hashlib.sha256
                     ).digest()[:NONCE_BYTES]
    return _seal(keys.chunk_body, body, _chunk_aad(name, compression),
                 nonce=nonce)


def open_chunk(keys: SubKeys, name: str, blob: bytes,
               compression: str = 'none') -> bytes:
    """:raises CryptoError: the blob is not chunk ``name`` under these keys."""
    return _open(keys.chunk_body, blob, _chunk_aad(name, compression))


def seal_metadata(keys: SubKeys, label: str, document: bytes) -> bytes:
    """A checkpoint document (manifest, template...) encrypted.

    Bound to its label (e.g. ``<checkpoint id>/template.yaml``) so two
    documents cannot be swapped.
    """
    return _seal(keys.metadata, document, _aad(purpose='metadata',
                                               label=label))


def open_metadata(keys: SubKeys, label: str, blob: bytes) -> bytes:
    return _open(keys.metadata, blob, _aad(purpose='metadata', label=label))

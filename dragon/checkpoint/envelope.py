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

"""A key domain: its wrapped data key, and what it seals in Swift.

A project's encrypted checkpoints share one random data key per customer
key (so chunks dedup across them), unless a policy asks for a data key of
its own (``data_key_scope: policy``): its checkpoints then share chunks
with no other policy.  Only the data key wrapped by the customer's key is
stored: in the chunk container (where the next protection finds it: the
project's in the container's metadata, a policy's as an object under
``keys/``) and in each checkpoint's clear manifest envelope (so a
checkpoint recovers with nothing but its own container and the chunks).
A :class:`Domain` holds the unwrapped keys of one run; it is never
stored, logged or passed to another process.

After a policy's data key rotation (``data_key_not_before``) no data key
made before it is taken (:mod:`dragon.checkpoint.datakeys` says which
stored key a run takes): the next protection makes a new data key, a new
chunk namespace.
"""

import datetime
from typing import Any, Callable

from swiftclient import exceptions as swift_exc

from dragon.checkpoint import crypto
from dragon.checkpoint import datakeys
from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import naming
from dragon import exception

# Whose data key a policy's checkpoints use (its ``data_key_scope``).
PROJECT_SCOPE, POLICY_SCOPE = 'project', 'policy'
SCOPES = (PROJECT_SCOPE, POLICY_SCOPE)


class Domain:
    """The keys of one data key, with the reference that wraps it.

    :param wrap_ref: the key reference the data key was wrapped under (the
        binding of the wrapped key); the key material may be read through
        another region's reference of the same secret.
    :param policy_id: the policy of a policy-scoped data key; ``None`` for
        the project's.
    :param made: when the data key was made (kept when it is re-wrapped).
    """

    def __init__(self, project_id: str, wrap_ref: str, wrapped: bytes,
                 data_key: bytes, policy_id: str | None = None,
                 made: datetime.datetime | None = None) -> None:
        self.project_id = project_id
        self.policy_id = policy_id
        self.wrap_ref = wrap_ref
        self.wrapped = wrapped
        self.made = made
        self.keys = crypto.SubKeys.derive(data_key)
        self.key_id = crypto.key_id(self.keys)

    def __repr__(self) -> str:
        return 'Domain(%s, key %s)' % (self.policy_id or self.project_id,
                                       self.key_id)

    @property
    def scope(self) -> str:
        return PROJECT_SCOPE if self.policy_id is None else POLICY_SCOPE

    # -- chunks
    def chunk_name(self, plaintext: bytes) -> str:
        return crypto.chunk_name(self.keys, plaintext)

    def seal_chunk(self, name: str, body: bytes, compression: str) -> bytes:
        return crypto.seal_chunk(self.keys, name, body, compression)

    def open_chunk(self, name: str, blob: bytes, compression: str) -> bytes:
        return crypto.open_chunk(self.keys, name, blob, compression)

    # -- documents (checkpoint objects, index entries)
    def seal(self, label: str, document: bytes) -> bytes:
        return crypto.seal_metadata(self.keys, label, document)

    def open(self, label: str, blob: bytes) -> bytes:
        return crypto.open_metadata(self.keys, label, blob)

    def name(self, text: str) -> str:
        """A keyed name for ``text`` (an index key), like a chunk's."""
        return crypto.chunk_name(self.keys, b'name:' + text.encode())

    def describe(self, key_refs: dict[str, str]) -> dict[str, Any]:
        """The clear ``encryption`` of a manifest envelope.

        :param key_refs: region → the customer key's reference there.
        """
        return {'format': crypto.FORMAT_VERSION, 'key_id': self.key_id,
                'data_key_scope': self.scope,
                'wrap_ref': self.wrap_ref,
                'wrapped_key': datakeys.b64(self.wrapped),
                'key_refs': dict(sorted(key_refs.items()))}


def open_domain(customer_key: bytes, project_id: str, wrap_ref: str,
                wrapped: bytes, policy_id: str | None = None,
                made: datetime.datetime | None = None) -> Domain:
    """The domain of a wrapped data key (of policy ``policy_id`` if given).

    :raises crypto.CryptoError: ``customer_key`` does not unwrap it.
    """
    data_key = crypto.unwrap_data_key(customer_key, wrapped, wrap_ref,
                                      project_id, policy_id)
    return Domain(project_id, wrap_ref, wrapped, data_key, policy_id, made)


def _first_unwrapping(customer_key: bytes, project_id: str,
                      keys: dict[str, datakeys.StoredKey],
                      policy_id: str | None = None,
                      not_before: datetime.datetime | None = None
                      ) -> Domain | None:
    for key_id in datakeys.usable(keys, not_before):
        ref, wrapped, made = keys[key_id]
        try:
            domain = open_domain(customer_key, project_id, ref, wrapped,
                                 policy_id, made)
        except crypto.CryptoError:
            continue
        if domain.key_id == key_id:
            return domain
    return None


# What ``project_domain`` did to find the data key: ``ROTATED`` is
# ``MADE`` because the policy's rotation left older data keys out.
FOUND, REWRAPPED, MADE, ROTATED = 'found', 'rewrapped', 'made', 'rotated'


def _store(swift: Any, container: str, domain: Domain
           ) -> dict[str, datakeys.StoredKey]:
    """Store ``domain``'s wrapped key (replacing its id's); the keys now."""
    return datakeys.store(swift, container, domain.key_id, domain.wrap_ref,
                          domain.wrapped, domain.made, domain.policy_id)


def _rewrapped(customer_key: bytes, key_ref: str, project_id: str,
               stored: dict[str, datakeys.StoredKey],
               read_key: Callable[[str], bytes],
               policy_id: str | None = None,
               not_before: datetime.datetime | None = None
               ) -> Domain | None:
    """A stored data key re-wrapped under the new customer key, if any.

    The customer rotated the policy's key: the key each stored data key
    is wrapped under is read again (its reference is stored beside it)
    and, if it still opens the data key, that data key is wrapped under
    the new one.  Chunks stay as they are (metadata only).
    """
    for key_id in datakeys.usable(stored, not_before):
        old_ref, wrapped, made = stored[key_id]
        if old_ref == key_ref:
            continue
        try:
            old_key = read_key(old_ref)
            data_key = crypto.unwrap_data_key(old_key, wrapped, old_ref,
                                              project_id, policy_id)
        except (exception.DragonException, crypto.CryptoError):
            continue        # the old key is gone: nothing to re-wrap
        domain = Domain(project_id, key_ref, crypto.wrap_data_key(
            customer_key, data_key, key_ref, project_id, policy_id),
            data_key, policy_id, made)
        if domain.key_id == key_id:
            return domain
    return None


def project_domain(swift: Any, project_id: str, customer_key: bytes,
                   key_ref: str,
                   read_key: Callable[[str], bytes] | None = None,
                   policy_id: str | None = None,
                   not_before: datetime.datetime | None = None,
                   now: datetime.datetime | None = None
                   ) -> tuple[Domain, str]:
    """The project's data key for ``customer_key``, made if there is none.

    A wrapped key in the chunk container that ``customer_key`` unwraps is
    reused (the newest: see :func:`datakeys.usable`), so chunks dedup across
    checkpoints.  Otherwise, given ``read_key``, a data key wrapped under
    an older customer key that can still be read is re-wrapped under
    ``key_ref`` (rotation: no chunk is rewritten).  Otherwise a new data
    key is wrapped under ``key_ref`` and stored there with the time it
    was made.

    :param read_key: reads the customer key behind a reference (the
        run's session, the protected region).
    :param policy_id: the data key of this policy alone (scope
        ``policy``): only its own keys are looked at, and a new one is
        bound to it.
    :param not_before: the policy's data key rotation: no key made before
        it is reused or re-wrapped.
    :param now: the time a new key is stored as made (tests).
    :returns: (the domain, ``FOUND``, ``REWRAPPED``, ``MADE`` or
        ``ROTATED``).
    :raises dragon.exception.CheckpointStoreError: Swift failed.
    """
    container = naming.chunk_container(project_id)
    try:
        swift.put_container(container)
    except swift_exc.ClientException as e:
        raise exception.CheckpointStoreError(
            operation='PUT', container=container,
            reason=e.http_status or e.msg)
    stored = datakeys.stored(swift, container, policy_id)
    found = _first_unwrapping(customer_key, project_id, stored, policy_id,
                              not_before)
    if found is not None:
        return found, FOUND
    if read_key is not None:
        rotated = _rewrapped(customer_key, key_ref, project_id, stored,
                             read_key, policy_id, not_before)
        if rotated is not None:
            _store(swift, container, rotated)
            return rotated, REWRAPPED
    data_key = crypto.new_data_key()
    wrapped = crypto.wrap_data_key(customer_key, data_key, key_ref,
                                   project_id, policy_id)
    made = now or datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    if not_before is not None:
        # Never "before" its own rotation, whatever the clocks of the API
        # (which stamped the rotation) and of this engine say.
        made = max(made, not_before)
    domain = Domain(project_id, key_ref, wrapped, data_key, policy_id, made)
    left_out = set(stored) - set(datakeys.usable(stored, not_before))
    stored = _store(swift, container, domain)
    datakeys.forget(swift, container, policy_id, {
        key_id for key_id in left_out
        if key_id in stored and stored[key_id].ref == key_ref})
    # Another run may have stored one meanwhile: the newest wins.
    return (_first_unwrapping(customer_key, project_id, stored, policy_id,
                              not_before)
            or domain), ROTATED if left_out else MADE


def checkpoint_domain(customer_key: bytes, envelope: dict[str, Any],
                      key_ref: str, container: str = '') -> Domain:
    """The domain of an encrypted checkpoint, from its manifest envelope.

    :param key_ref: where ``customer_key`` was read (for the message).
    :raises dragon.exception.CheckpointKeyMismatch: the key does not open
        it (not this checkpoint's customer key) or the envelope is damaged.
    """
    info = envelope['encryption']
    try:
        # A policy's data key is bound to the policy: a scope flipped in
        # the clear envelope makes it fail to open, not open as another.
        policy_id = (envelope['policy_id'] if info.get('data_key_scope') ==
                     POLICY_SCOPE else None)
        domain = open_domain(customer_key, envelope['project_id'],
                             info['wrap_ref'], datakeys.unb64(info['wrapped_key']),
                             policy_id)
    except (crypto.CryptoError, KeyError, ValueError):
        raise exception.CheckpointKeyMismatch(
            container=container, key_ref=key_ref,
            key_id=info.get('key_id')) from None
    return domain


def rewrapped_domain(found: dict[str, Any], old_key: bytes,
                     customer_key: bytes, key_ref: str) -> Domain:
    """The data key of envelope ``found`` wrapped under ``customer_key``.

    For a checkpoint of an older data key (before a data key rotation)
    when the policy's customer key is rotated: opened with the key it is
    wrapped under (``old_key``), so it recovers with the new key too.

    :raises crypto.CryptoError: ``old_key`` does not open it.
    """
    info = found['encryption']
    policy_id = (found['policy_id'] if info.get('data_key_scope') ==
                 POLICY_SCOPE else None)
    try:
        data_key = crypto.unwrap_data_key(
            old_key, datakeys.unb64(info['wrapped_key']), info['wrap_ref'],
            found['project_id'], policy_id)
    except (KeyError, ValueError):
        raise crypto.CryptoError('damaged envelope') from None
    domain = Domain(found['project_id'], key_ref, crypto.wrap_data_key(
        customer_key, data_key, key_ref, found['project_id'], policy_id),
        data_key, policy_id)
    if domain.key_id != info.get('key_id'):
        raise crypto.CryptoError('another data key')
    return domain


def key_ref_for(envelope: dict[str, Any], region: str,
                container: str = '') -> str:
    """The customer key's reference in ``region``, as the checkpoint names it.

    :raises dragon.exception.CheckpointKeyMissing:
    """
    refs = envelope['encryption'].get('key_refs') or {}
    if region not in refs:
        raise exception.CheckpointKeyMissing(
            container=container, region=region,
            regions=', '.join(sorted(refs)) or 'none')
    return refs[region]


def label(container: str, name: str) -> str:
    """What a checkpoint object is sealed to: its container and name.

    Two objects (or two checkpoints' objects) cannot be swapped unnoticed.
    """
    return '%s/%s' % (container, name)


def seal_manifest(manifest: dict[str, Any], domain: Domain,
                  key_refs: dict[str, str], container: str,
                  name: str) -> dict[str, Any]:
    """The clear envelope of ``manifest``, the manifest sealed inside.

    Clear: what lists and keeps the checkpoint (ids, region, times,
    sizes), the wrapped data key with the key reference of every region
    it may be read in, and the chunk index gc and a key-less verification
    use.  Sealed: the policy, resource graph, data records, parameters and
    warnings -- everything naming a resource.
    """
    sealed = domain.seal(label(container, name),
                         manifest_mod.dumps(manifest))
    stats = manifest.get('stats') or {}
    return {
        'format': manifest['format'],
        'format_version': manifest['format_version'],
        'features': sorted({*manifest['features'], manifest_mod.ENCRYPTED}),
        'checkpoint_id': manifest['checkpoint_id'],
        'project_id': manifest['project_id'],
        'policy_id': manifest['policy']['id'],
        'source_region': manifest['source_region'],
        'chunk_container': manifest['chunk_container'],
        'started_at': manifest['started_at'],
        'finished_at': manifest['finished_at'],
        'dragon_version': manifest['dragon_version'],
        'size': sum(r.get('size') or 0 for r in manifest['data'].values()),
        # Counts only (no resource in them): what takeover reconciles.
        'stats': {k: v for k, v in stats.items()
                  if isinstance(v, (int, float))},
        'encryption': domain.describe(key_refs),
        'chunks': manifest_mod.chunk_index(manifest),
        'sealed': datakeys.b64(sealed)}


def rewrap_envelope(found: dict[str, Any], domain: Domain,
                    key_refs: dict[str, str]) -> dict[str, Any] | None:
    """``found`` with its data key wrapped as ``domain``'s, or ``None``.

    ``None`` when it is another data key's, or wrapped so already.  Only
    the clear ``encryption`` changes: the sealed manifest, bound to the
    data key and not to the customer key, stays as it is.
    """
    info = found.get('encryption') or {}
    if info.get('key_id') != domain.key_id or (
            info.get('wrap_ref') == domain.wrap_ref and
            info.get('key_refs') == dict(sorted(key_refs.items()))):
        return None
    return {**found, 'encryption': domain.describe(key_refs)}


def open_manifest(envelope: dict[str, Any], domain: Domain, container: str,
                  name: str) -> dict[str, Any]:
    """The manifest sealed in ``envelope``, checked, with its ``encryption``.

    :raises dragon.exception.UnsupportedCheckpoint: it does not open, or
        its clear ids are not those sealed inside.
    """
    info = envelope['encryption']
    try:
        raw = domain.open(label(container, name), datakeys.unb64(envelope['sealed']))
    except (crypto.CryptoError, ValueError) as e:
        raise exception.UnsupportedCheckpoint(
            container=container,
            reason='the sealed manifest does not open with data key %s: %s'
                   % (info.get('key_id'), e))
    manifest = manifest_mod.loads(raw, container)
    for key in ('checkpoint_id', 'project_id', 'chunk_container'):
        if manifest[key] != envelope[key]:
            raise exception.UnsupportedCheckpoint(
                container=container,
                reason='the clear %s is not the sealed one' % key)
    manifest['encryption'] = info
    return manifest

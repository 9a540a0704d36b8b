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

"""The key domain of a run: the customer key read, the data key unwrapped.

The customer key is read from the region's key manager with the session
of the run (the policy owner's trust in the engine, the caller's token in
the API) and dropped once it has unwrapped the data key: it is never
stored.  A key that cannot be read fails the run with Dragon's error
naming the key reference and region (``dragon.cloud.keys``), before
anything is written.
"""

import datetime
from typing import Any, Callable

from oslo_config import cfg

from dragon.checkpoint import crypto
from dragon.checkpoint import datakeys
from dragon.checkpoint import envelope
from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import naming
from dragon.checkpoint import store
from dragon.cloud import keys
from dragon import exception


def key_refs(encryption: dict[str, Any], source_region: str
             ) -> dict[str, str]:
    """Region → the customer key's reference there, the source's included."""
    refs = dict(encryption.get('recovery_key_refs') or {})
    refs[source_region] = encryption['key_ref']
    return refs


def protect_domain(conf: cfg.ConfigOpts, session: Any, swift: Any,
                   region: str, project_id: str,
                   encryption: dict[str, Any] | None,
                   policy_id: str | None = None,
                   event: Callable[[str, str], None] | None = None
                   ) -> envelope.Domain | None:
    """The run's key domain; ``None`` when clear.

    The project's data key, or the policy's own with ``data_key_scope:
    policy`` (see :func:`scoped_policy`).  After a rotation of the
    policy's customer key the data key is re-wrapped under the new key
    (if the old one can still be read), and so are the policy's earlier
    checkpoints (their clear envelopes only): they all recover with the
    new key, and dedup goes on.  After a rotation of the policy's data
    key (``data_key_not_before``), no data key made before it is used: a
    new one is made, and the older checkpoints keep theirs.

    :param session: the run's keystoneauth session (the owner's trust).
    :param event: ``event(level, message)`` of the run.
    :raises: ``dragon.cloud.keys.read_customer_key``'s errors, naming the
        key reference; ``CheckpointStoreError``.
    """
    if not encryption:
        return None
    key_ref = encryption['key_ref']
    customer_key = keys.read_customer_key(session, region, key_ref, conf)

    def read_key(ref: str) -> bytes:
        return keys.read_customer_key(session, region, ref, conf)

    domain, how = envelope.project_domain(
        swift, project_id, customer_key, key_ref, read_key=read_key,
        policy_id=scoped_policy(encryption, policy_id),
        not_before=rotated_at(encryption))
    refs = key_refs(encryption, region)
    if how == envelope.ROTATED and event is not None:
        event('info', 'new data key %s made: the policy\'s data key was '
              'rotated at %s, no data key made before is used (every chunk '
              'is stored again; earlier checkpoints keep theirs)' % (
                  domain.key_id, encryption['data_key_not_before']))
    if how == envelope.REWRAPPED or (how == envelope.ROTATED and policy_id):
        # A new customer key: the policy's checkpoints of every data key
        # it used (those from before a data key rotation too) are
        # re-wrapped under it, so the old key can be destroyed.
        count = rewrap_checkpoints(swift, project_id, policy_id, domain,
                                   refs, (customer_key, read_key))
        if event is not None and how == envelope.REWRAPPED:
            event('info', 'data key %s re-wrapped by the new key %s (no '
                  'chunk rewritten); %d earlier checkpoints now open with '
                  'it' % (domain.key_id, key_ref, count))
        elif event is not None and count:
            event('info', '%d earlier checkpoints (older data keys) '
                  're-wrapped by the new key %s: they now open with it'
                  % (count, key_ref))
    elif how == envelope.FOUND and policy_id and _refs_changed(
            swift, project_id, policy_id, domain, refs):
        # A recovery region's key re-pointed (or added) on the policy: the
        # earlier checkpoints name it too, or the backup site, which has
        # only their envelopes, would look for the key where it was.
        count = rewrap_checkpoints(swift, project_id, policy_id, domain,
                                   refs)
        if event is not None:
            event('info', 'the key references of %d earlier checkpoints now '
                  'name the policy\'s (%s)' % (count, ', '.join(
                      '%s: %s' % item for item in sorted(refs.items()))))
    return domain


def rotated_at(encryption: dict[str, Any]) -> datetime.datetime | None:
    """When the policy's data key was last rotated; ``None``: never."""
    return datakeys.parse_time(encryption.get('data_key_not_before'))


def _refs_changed(swift: Any, project_id: str, policy_id: str,
                  domain: envelope.Domain, refs: dict[str, str]) -> bool:
    """Whether the policy's newest complete checkpoint of ``domain``'s
    data key names other key references than ``refs``.

    Only the newest is read (containers newest first, a HEAD each until
    the policy's): every protection brings all of them up to date, so the
    newest speaks for the rest, and an unchanged policy costs a few
    requests, not one per checkpoint.
    """
    containers = sorted(store.checkpoint_containers(swift, project_id),
                        key=lambda name: naming.parse(name).time,
                        reverse=True)
    for container in containers:
        meta = store.container_metadata(swift, container)
        if not meta or not meta.get(store.COMPLETE) or \
                meta.get(store.POLICY_ID) != policy_id:
            continue
        try:
            found = store.read_manifest(swift, container)
        except exception.DragonException:
            return False
        info = found.get('encryption') or {}
        return info.get('key_id') == domain.key_id and \
            info.get('key_refs') != dict(sorted(refs.items()))
    return False


def scoped_policy(encryption: dict[str, Any], policy_id: str | None
                  ) -> str | None:
    """The policy whose own data key a run uses; ``None``: the project's.

    :raises ValueError: scope ``policy`` without a policy id.
    """
    if encryption.get('data_key_scope') != envelope.POLICY_SCOPE:
        return None
    if not policy_id:
        raise ValueError('a policy-scoped data key needs the policy id')
    return policy_id


def rewrap_checkpoints(swift: Any, project_id: str, policy_id: str | None,
                       domain: envelope.Domain,
                       refs: dict[str, str],
                       older: tuple[bytes, Callable[[str], bytes]] | None
                       = None) -> int:
    """Re-wrap the policy's complete checkpoints of ``domain``'s data key.

    Each envelope is written again with the data key wrapped under the
    new customer key and the policy's current key references; nothing
    sealed changes.  A checkpoint that cannot be rewritten keeps opening
    with the old key.

    :param older: (the new customer key, a reader of old ones): the
        checkpoints of other data keys (from before a data key rotation)
        are re-wrapped under the new key too, when the key they are
        wrapped under can still be read.
    :returns: how many were rewritten.
    """
    reopened = _Reopener(domain, older)
    count = 0
    for container in store.checkpoint_containers(swift, project_id):
        meta = store.container_metadata(swift, container)
        if not meta or not meta.get(store.COMPLETE) or (
                policy_id and meta.get(store.POLICY_ID) != policy_id):
            continue
        try:
            found = store.read_manifest(swift, container)
        except exception.DragonException:
            continue
        if not manifest_mod.is_envelope(found):
            continue
        own = reopened(found)
        rewrapped = None if own is None else envelope.rewrap_envelope(
            found, own, refs)
        if rewrapped is None:
            continue
        store.rewrite_envelope(swift, container, rewrapped, own.wrap_ref)
        count += 1
    return count


class _Reopener:
    """The domain an envelope is re-wrapped as, under the new customer key.

    ``domain`` for its own data key's; for another's (given ``older``),
    that data key opened with the key it is wrapped under (each read
    once) and wrapped under the new one; ``None`` when it cannot be.
    """

    def __init__(self, domain: envelope.Domain,
                 older: tuple[bytes, Callable[[str], bytes]] | None) -> None:
        self.domain = domain
        self.older = older
        self.keys: dict[str, bytes | None] = {}
        self.domains: dict[str, envelope.Domain | None] = {
            domain.key_id: domain}

    def __call__(self, found: dict[str, Any]) -> envelope.Domain | None:
        info = found.get('encryption') or {}
        key_id, old_ref = info.get('key_id'), info.get('wrap_ref')
        if key_id in self.domains:
            return self.domains[key_id]
        if self.older is None or not old_ref or \
                old_ref == self.domain.wrap_ref:
            return None
        customer_key, read_key = self.older
        if old_ref not in self.keys:
            try:
                self.keys[old_ref] = read_key(old_ref)
            except exception.DragonException:
                self.keys[old_ref] = None   # gone: it stays under it
        old_key = self.keys[old_ref]
        try:
            self.domains[key_id] = None if old_key is None else \
                envelope.rewrapped_domain(found, old_key, customer_key,
                                          self.domain.wrap_ref)
        except crypto.CryptoError:
            self.domains[key_id] = None
        return self.domains[key_id]


def domain_id(manifest: dict[str, Any]) -> str | None:
    """The data key id of an (opened) manifest; ``None`` when clear."""
    return (manifest.get('encryption') or {}).get('key_id')


def open_checkpoint(conf: cfg.ConfigOpts, session: Callable[[], Any],
                    swift: Any, region: str, container: str
                    ) -> tuple[dict[str, Any], envelope.Domain | None]:
    """A checkpoint's manifest, opened with its key as read in ``region``.

    :param session: returns the keystoneauth session to read the key with;
        asked only for an encrypted checkpoint (a clear one needs none).
    :returns: (the manifest, the domain; ``None`` for a clear checkpoint).
    :raises: as :func:`open_envelope`.
    """
    found = store.read_manifest(swift, container)
    if not manifest_mod.is_envelope(found):
        return found, None
    return open_envelope(conf, session(), region, found, container)


def open_envelope(conf: cfg.ConfigOpts, session: Any, region: str,
                  found: dict[str, Any], container: str
                  ) -> tuple[dict[str, Any], envelope.Domain]:
    """The manifest sealed in an envelope, and the checkpoint's domain.

    The key reference is the one the envelope names for ``region`` (its
    policy's ``recovery_key_refs`` when it was taken, or its ``key_ref``
    for the protected region).

    :raises dragon.exception.CheckpointKeyMissing: no reference for region.
    :raises dragon.exception.CheckpointKeyMismatch: that key is another.
    :raises: ``read_customer_key``'s errors, naming the key reference.
    """
    key_ref = envelope.key_ref_for(found, region, container)
    customer_key = keys.read_customer_key(session, region, key_ref, conf)
    domain = envelope.checkpoint_domain(customer_key, found, key_ref,
                                        container)
    return envelope.open_manifest(found, domain, container,
                                  store.MANIFEST), domain

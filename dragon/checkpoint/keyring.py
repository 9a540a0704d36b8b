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

from typing import Any

from oslo_config import cfg

from dragon.checkpoint import envelope
from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import store
from dragon.cloud import keys
from dragon import exception
from dragon.protection.data import base as data_base
from dragon.protection.discovery import base as discovery_base

# Actions whose data another service stores, outside Dragon's encryption
# (cinder-backup writes its own objects), and what to use instead.  The
# action is named like the record kind it writes.
CLEAR_ACTIONS = {data_base.CINDER_BACKUP: discovery_base.SNAPSHOT_DATA}


def key_refs(encryption: dict[str, Any], source_region: str
             ) -> dict[str, str]:
    """Region → the customer key's reference there, the source's included."""
    refs = dict(encryption.get('recovery_key_refs') or {})
    refs[source_region] = encryption['key_ref']
    return refs


def protect_domain(conf: cfg.ConfigOpts, session: Any, swift: Any,
                   region: str, project_id: str,
                   encryption: dict[str, Any] | None
                   ) -> envelope.Domain | None:
    """The project's key domain for a protection; ``None`` when clear.

    :param session: the run's keystoneauth session (the owner's trust).
    :raises: ``dragon.cloud.keys.read_customer_key``'s errors, naming the
        key reference; ``CheckpointStoreError``.
    """
    if not encryption:
        return None
    key_ref = encryption['key_ref']
    customer_key = keys.read_customer_key(session, region, key_ref, conf)
    domain, _made = envelope.project_domain(swift, project_id, customer_key,
                                            key_ref)
    return domain


def domain_id(manifest: dict[str, Any]) -> str | None:
    """The data key id of an (opened) manifest; ``None`` when clear."""
    return (manifest.get('encryption') or {}).get('key_id')


def refuse_clear_actions(policy_id: str, nodes: Any) -> None:
    """Refuse, before any capture, a resource whose data would stay clear.

    :raises dragon.exception.EncryptedActionRefused:
    """
    for node in nodes:
        if node.action in CLEAR_ACTIONS:
            raise exception.EncryptedActionRefused(
                resource=node.key, id=policy_id, action=node.action,
                instead=CLEAR_ACTIONS[node.action])


def open_checkpoint(conf: cfg.ConfigOpts, session: Any, swift: Any,
                    region: str, container: str
                    ) -> tuple[dict[str, Any], envelope.Domain | None]:
    """A checkpoint's manifest, opened with its key as read in ``region``.

    :returns: (the manifest, the domain; ``None`` for a clear checkpoint).
    :raises: as :func:`open_envelope`.
    """
    found = store.read_manifest(swift, container)
    if not manifest_mod.is_envelope(found):
        return found, None
    return open_envelope(conf, session, region, found, container)


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

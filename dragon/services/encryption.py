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

"""The encryption of a policy: its keys checked, its DR readiness reported.

A policy names its customer key in the region Dragon protects
(``[engine] region_name``) and, per recovery region, the reference of the
same key in that region's key manager: Barbican does not replicate between
regions, so a checkpoint is recoverable at a backup site only if the key
can be read there.  Both are checked with the caller's token, so the
caller's own rights in each Barbican decide.

Dragon also registers each policy as a *consumer* of its secrets, so the
secret's owner sees in Barbican what depends on it.  The protected
region's registration is required like the read (a policy whose key
Dragon could not register is refused); a recovery region's is best
effort, since its key may not be stored yet.
"""

import datetime
from typing import Any

from oslo_config import cfg
from oslo_log import log as logging

from dragon.checkpoint import datakeys
from dragon.checkpoint import envelope as envelope_mod
from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import readiness as readiness_mod
from dragon.checkpoint import store
from dragon.cloud import caller
from dragon.cloud import keys
from dragon import conf as dragon_conf
from dragon.conf import barbican as barbican_conf
from dragon.db import api as db_api
from dragon import exception

LOG = logging.getLogger(__name__)


def _read(context: Any, region: str, key_ref: str,
          conf: cfg.ConfigOpts) -> bytes:
    return keys.read_customer_key(
        caller.session(context, barbican_conf.GROUP), region, key_ref, conf)


def _register(context: Any, region: str, key_ref: str, policy_id: str,
              conf: cfg.ConfigOpts) -> None:
    keys.register_consumer(caller.session(context, barbican_conf.GROUP),
                           region, key_ref, policy_id, conf)


def _remove(context: Any, region: str, key_ref: str, policy_id: str,
            conf: cfg.ConfigOpts) -> None:
    keys.remove_consumer(caller.session(context, barbican_conf.GROUP),
                         region, key_ref, policy_id, conf)


def scope(encryption: dict[str, Any] | None) -> str | None:
    """A stored encryption's data key scope; ``None`` without encryption.

    Policies stored before the option existed use the project's key.
    """
    if not encryption:
        return None
    return encryption.get('data_key_scope') or envelope_mod.PROJECT_SCOPE


def normalize(context: Any, value: dict[str, Any] | None,
              conf: cfg.ConfigOpts | None = None,
              current: dict[str, Any] | None = None
              ) -> dict[str, Any] | None:
    """The ``encryption`` to store for a validated request value.

    The customer key must be readable now in the protected region: a
    policy is not accepted with a key its protections could not use.
    Recovery regions' keys are not required yet (the customer may store
    them later); :func:`readiness` reports them.

    :param current: the policy's encryption before an update: a request
        without ``data_key_scope`` keeps its scope (a key rotation does
        not change whose data key it is), and its data key rotation time
        is kept unless ``rotate_data_key`` asks for a new one.

    :raises dragon.exception.Invalid: ``rotate_data_key`` for a policy
        without encryption (400)
    :raises dragon.exception.KeyRefInvalid: a reference malformed (400)
    :raises dragon.exception.KeyNotFound: (400)
    :raises dragon.exception.KeyForbidden: (403)
    :raises dragon.exception.KeyInvalid: (400)
    :raises dragon.exception.KeyManagerUnavailable: (503)
    """
    if value is None:
        return None
    conf = conf or dragon_conf.CONF
    key_ref = value['key_ref']
    recovery = dict(value.get('recovery_key_refs') or {})
    for ref in recovery.values():
        keys.secret_id(ref)   # well-formed now; readable is readiness's
    not_before = _data_key_not_before(value, current)
    _read(context, conf.engine.region_name, key_ref, conf)
    normalized = {'key_ref': key_ref, 'recovery_key_refs': recovery,
                  'data_key_scope': (value.get('data_key_scope') or
                                     scope(current) or
                                     envelope_mod.PROJECT_SCOPE)}
    if not_before:
        normalized['data_key_not_before'] = not_before
    return normalized


def _data_key_not_before(value: dict[str, Any],
                         current: dict[str, Any] | None) -> str | None:
    """The data key rotation time to store (``None``: never rotated).

    ``rotate_data_key`` sets it to now: the next protection uses no data
    key made before (see ``dragon.checkpoint.datakeys.usable``).  Only a
    policy that has encryption has a data key to rotate.

    :raises dragon.exception.Invalid: a rotation without encryption.
    """
    previous = (current or {}).get('data_key_not_before')
    if not value.get('rotate_data_key'):
        return previous
    if not current:
        raise exception.Invalid(
            reason='rotate_data_key: the policy had no encryption before '
                   'this request, so it has no data key to rotate')
    now = datetime.datetime.now(datetime.UTC)
    # Later than the previous rotation even if this clock is behind.
    older = datakeys.parse_time(previous)
    if older is not None:
        now = max(now.replace(tzinfo=None),
                  older + datetime.timedelta(microseconds=1))
    return datakeys.format_time(now)


def refuse_scope_change(context: Any, policy: Any,
                        encryption: dict[str, Any] | None) -> None:
    """Refuse a new data key scope for a policy that has checkpoints.

    Its checkpoints stay under the old scope's data key, which a rotation
    of the policy's key would no longer re-wrap (a rotation re-wraps the
    data key the policy's protections use): destroying the old key would
    then shred them.  Adding or removing encryption is not a change of
    scope.

    :raises dragon.exception.DataKeyScopeLocked: (409)
    """
    old, new = scope(policy.encryption), scope(encryption)
    if old is None or new is None or old == new:
        return
    count = db_api.checkpoint_count_by_policy(context, policy.id)
    if count:
        raise exception.DataKeyScopeLocked(id=policy.id, count=count,
                                           scope=old, new=new)


def _refs(encryption: dict[str, Any] | None,
          conf: cfg.ConfigOpts) -> set[tuple[str, str]]:
    """The (region, key reference) pairs of an encryption, source first."""
    if not encryption:
        return set()
    return {(conf.engine.region_name, encryption['key_ref'])} | set(
        encryption['recovery_key_refs'].items())


def register_consumers(context: Any, policy_id: str,
                       encryption: dict[str, Any] | None,
                       conf: cfg.ConfigOpts | None = None) -> None:
    """Register the policy as a consumer of its secret in each region.

    Called with the caller's token once the key was read (so registering
    only fails if Barbican fails in between).  A recovery region's
    failure is logged, not raised: its key may be stored later, and
    :func:`readiness` reports it unreadable meanwhile.

    :raises: as :func:`normalize`, for the protected region only.
    """
    if not encryption:
        return
    conf = conf or dragon_conf.CONF
    source = conf.engine.region_name
    _register(context, source, encryption['key_ref'], policy_id, conf)
    for region, ref in sorted(_refs(encryption, conf) - {
            (source, encryption['key_ref'])}):
        try:
            _register(context, region, ref, policy_id, conf)
        except exception.DragonException as e:
            LOG.warning("policy %s not registered as a consumer of its key "
                        "in region %s: %s", policy_id, region, e.message)


def remove_consumers(context: Any, policy_id: str,
                     encryption: dict[str, Any] | None,
                     keep: dict[str, Any] | None = None,
                     conf: cfg.ConfigOpts | None = None) -> None:
    """Remove the policy's consumer registrations but those ``keep`` names.

    Never raises: the key was removed or the policy deleted already, and
    a registration left behind only makes Barbican ask for ``force`` on
    a microversion 1.2 delete of the secret; each failure is logged with
    the region and reference so an operator can remove it.
    """
    conf = conf or dragon_conf.CONF
    gone = _refs(encryption, conf) - _refs(keep, conf)
    if not gone:
        return
    for region, ref in sorted(gone):
        try:
            _remove(context, region, ref, policy_id, conf)
        except exception.DragonException as e:
            LOG.warning("policy %s still registered as a consumer of key %s "
                        "in region %s: %s", policy_id, ref, region,
                        e.message)


def newest_envelope(context: Any, policy: Any
                    ) -> tuple[str, dict[str, Any]] | None:
    """The policy's newest encrypted checkpoint: (container, envelope).

    What :func:`readiness` unwraps each region's key against.  ``None``
    when the policy has no available checkpoint, its newest is clear, or
    Swift cannot be read now (the readiness then says it was not tried).
    """
    newest = db_api.checkpoint_newest_available(context, [policy.id]).get(
        policy.id)
    if newest is None or not newest.container:
        return None
    try:
        found = store.read_manifest(caller.swift_connection(context),
                                    newest.container)
    except exception.DragonException as e:
        LOG.info("readiness of policy %s: checkpoint %s not read: %s",
                 policy.id, newest.id, e.message)
        return None
    if not manifest_mod.is_envelope(found):
        return None
    return newest.container, found


def readiness(context: Any, encryption: dict[str, Any] | None,
              conf: cfg.ConfigOpts | None = None,
              newest: tuple[str, dict[str, Any]] | None = None
              ) -> tuple[dict[str, Any] | None, bool | None]:
    """Whether each region's key can be read now by the caller, and
    ``dr_ready`` (see :func:`dragon.checkpoint.readiness.readiness`).

    :param newest: (container, envelope) of the policy's newest encrypted
        checkpoint (:func:`newest_envelope`).
    """
    conf = conf or dragon_conf.CONF
    return readiness_mod.readiness(
        lambda region, ref: _read(context, region, ref, conf),
        conf.engine.region_name, encryption, newest)


def record(context: Any, policy: Any, regions: dict[str, Any] | None,
           dr_ready: bool | None) -> None:
    """Keep what a request found on the policy, for ``dragon-status``.

    Never fails the request: the readiness was computed and is returned
    either way; a database that refuses the write is logged.
    """
    if regions is None:
        return
    try:
        db_api.workload_policy_set_readiness(
            context, policy.id, readiness_mod.stored(
                regions, bool(dr_ready), readiness_mod.BY_REQUEST))
    except Exception as e:  # noqa: BLE001 - a cache of what was returned
        LOG.warning("readiness of policy %s not stored: %s", policy.id, e)

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

"""Whether each region could recover a policy's encrypted checkpoints now.

One computation for every caller: the API (``GET`` of a policy, with the
caller's token) and a protection (with the owner's trust, once its
checkpoint is complete).  What either found is stored on the policy
(:func:`stored`), which ``dragon-status`` reports: it has no credentials
to read a project's keys itself.
"""

import datetime
from typing import Any, Callable

from dragon.checkpoint import envelope as envelope_mod
from dragon import exception

SOURCE = 'source'
RECOVERY = 'recovery'
# Who measured a stored readiness.
BY_PROTECTION = 'protection'
BY_REQUEST = 'request'

# A key that cannot be read: the region is not ready, the check goes on.
KEY_ERRORS = (exception.KeyRefInvalid, exception.KeyNotFound,
              exception.KeyForbidden, exception.KeyInvalid,
              exception.KeyManagerUnavailable)

# ``read(region, key_ref)``: the customer key's bytes read in that region.
ReadKey = Callable[[str, str], bytes]


def _unwraps(read: ReadKey, region: str,
             newest: tuple[str, dict[str, Any]] | None,
             known: dict[str, bytes]) -> tuple[bool | None, str | None]:
    """Whether region could open the newest checkpoint, as a recovery would.

    A recovery there reads the key the checkpoint names for the region
    (the policy's reference when it was taken) and unwraps the data key
    with it.  A key that reads but is another secret (the customer stored
    a different key in the backup region's Barbican) would otherwise only
    show during the disaster.

    :param known: key reference -> the bytes already read in ``region``.
    """
    if newest is None:
        return None, None
    container, envelope = newest
    try:
        key_ref = envelope_mod.key_ref_for(envelope, region, container)
        key = known.get(key_ref)
        if key is None:
            key = read(region, key_ref)
        envelope_mod.checkpoint_domain(key, envelope, key_ref, container)
    except exception.CheckpointKeyMismatch:
        return False, (
            'key %s of %s does not unwrap the data key of the newest '
            'checkpoint %s (not the secret it was wrapped with): that '
            'checkpoint cannot be recovered there' % (key_ref, region,
                                                      container))
    except (exception.CheckpointKeyMissing, *KEY_ERRORS) as e:
        return False, 'the newest checkpoint %s cannot be opened in %s: %s' % (
            container, region, e.message)
    return True, None


def readiness(read: ReadKey, source_region: str,
              encryption: dict[str, Any] | None,
              newest: tuple[str, dict[str, Any]] | None = None
              ) -> tuple[dict[str, Any] | None, bool | None]:
    """Whether each region's key can be read now, and ``dr_ready``.

    :param newest: (container, envelope) of the policy's newest encrypted
        checkpoint: each region where the key reads also opens its data
        key, with the key that checkpoint names for the region, as a
        recovery there would.
    :returns: ``({region: {"role", "key_ref", "readable", "unwraps",
        "reason"}}, dr_ready)``; ``(None, None)`` for a policy without
        encryption.  ``unwraps`` is ``None`` when there was nothing to
        unwrap.  ``dr_ready`` holds when at least one recovery region is
        named and the key is readable in every one of them and unwraps
        the newest checkpoint's data key there.
    """
    if not encryption:
        return None, None
    regions = {source_region: (SOURCE, encryption['key_ref'])}
    # A recovery into the protected region itself counts as a recovery.
    regions.update((region, (RECOVERY, ref)) for region, ref in sorted(
        encryption['recovery_key_refs'].items()))
    result: dict[str, Any] = {}
    for region, (role, ref) in regions.items():
        try:
            key = read(region, ref)
        except KEY_ERRORS as e:
            result[region] = {'role': role, 'key_ref': ref,
                              'readable': False, 'unwraps': None,
                              'reason': e.message}
        else:
            unwraps, reason = _unwraps(read, region, newest, {ref: key})
            result[region] = {'role': role, 'key_ref': ref,
                              'readable': True, 'unwraps': unwraps,
                              'reason': reason}
    recovery = list(encryption['recovery_key_refs'])
    dr_ready = bool(recovery) and all(
        result[r]['readable'] and result[r]['unwraps'] is not False
        for r in recovery)
    return result, dr_ready


def stored(regions: dict[str, Any], dr_ready: bool, by: str,
           now: datetime.datetime | None = None) -> dict[str, Any]:
    """A readiness as the policy keeps it (``workload_policies.readiness``)."""
    now = now or datetime.datetime.now(datetime.UTC)
    return {'checked_at': now.strftime('%Y-%m-%dT%H:%M:%SZ'), 'by': by,
            'dr_ready': dr_ready, 'regions': regions}


def current(state: dict[str, Any] | None, encryption: dict[str, Any],
            source_region: str) -> bool:
    """Whether a stored readiness was measured for the keys named now.

    A policy whose keys changed since is not judged by the old ones.
    """
    if not state:
        return False
    named = {source_region: encryption['key_ref'],
             **encryption['recovery_key_refs']}
    measured = {region: s.get('key_ref')
                for region, s in (state.get('regions') or {}).items()}
    return measured == named

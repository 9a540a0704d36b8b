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

"""The wrapped data keys of a chunk container, and which one a run takes.

The project's are in the container's metadata, a policy's are objects
under ``keys/``; each is stored with the customer key reference that
wraps it and the time it was made, so that a policy's data key rotation
(``data_key_not_before``) can leave every older one out.  Only wrapped
keys are here: unwrapping them is :mod:`dragon.checkpoint.envelope`'s.
"""

import base64
import datetime
import json
from typing import Any, NamedTuple

from swiftclient import exceptions as swift_exc

from dragon.checkpoint import naming
from dragon import exception

# Chunk container metadata, per data key:
# ``X-Container-Meta-Dragon-Dk-<key id>-Ref``, ``...-Wrapped`` and
# ``...-Made`` (when it was made; none on keys stored before it existed).
_META = 'x-container-meta-dragon-dk-'
_REF, _WRAPPED, _MADE = '-ref', '-wrapped', '-made'
# A policy's data keys: ``keys/<policy id>/<key id>`` objects of the chunk
# container, each ``{"ref": ..., "wrapped": ...}``.  Not metadata: Swift
# keeps 4 KiB of it per container, a dozen keys, not one per policy.
KEYS_PREFIX = 'keys/'

_TIME_FORMAT = '%Y-%m-%dT%H:%M:%S.%fZ'


def format_time(when: datetime.datetime) -> str:
    """``when`` as stored with a data key or a rotation (UTC, to the µs)."""
    if when.tzinfo is not None:
        when = when.astimezone(datetime.UTC).replace(tzinfo=None)
    return when.strftime(_TIME_FORMAT)


def parse_time(text: str | None) -> datetime.datetime | None:
    """A time of :func:`format_time`; ``None`` when absent or malformed.

    A malformed time is treated as absent: for a data key, as made
    before any rotation (so a rotation never reuses it).
    """
    if not text:
        return None
    try:
        return datetime.datetime.strptime(text, _TIME_FORMAT)
    except (TypeError, ValueError):
        return None


class StoredKey(NamedTuple):
    """A wrapped data key as stored in the chunk container."""
    ref: str
    wrapped: bytes
    made: datetime.datetime | None = None   # None: older than any rotation


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode('ascii')


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode('ascii'), validate=True)


def stored_keys(headers: dict[str, str]) -> dict[str, tuple[str, bytes]]:
    """The wrapped data keys in chunk container headers: id → (ref, key)."""
    return {key_id: (found.ref, found.wrapped)
            for key_id, found in _header_keys(headers).items()}


def _header_keys(headers: dict[str, str]) -> dict[str, StoredKey]:
    """The wrapped data keys in chunk container headers, with their times."""
    found: dict[str, dict[str, str]] = {}
    for name, value in headers.items():
        name = name.lower()
        if not name.startswith(_META) or not value:
            continue
        rest = name[len(_META):]
        for suffix in (_REF, _WRAPPED, _MADE):
            if rest.endswith(suffix):
                found.setdefault(rest[:-len(suffix)], {})[suffix] = value
    keys = {}
    for key_id, pair in found.items():
        try:
            keys[key_id] = StoredKey(pair[_REF], unb64(pair[_WRAPPED]),
                                     parse_time(pair.get(_MADE)))
        except (KeyError, ValueError):
            continue        # half-written or foreign: not a usable key
    return keys


def _policy_keys_prefix(policy_id: str) -> str:
    return '%s%s/' % (KEYS_PREFIX, naming.sanitize(policy_id))


def _policy_keys(swift: Any, container: str, policy_id: str
                 ) -> dict[str, StoredKey]:
    """The wrapped data keys of a policy, by id."""
    keys = {}
    try:
        _h, objects = swift.get_container(
            container, prefix=_policy_keys_prefix(policy_id),
            full_listing=True)
        for obj in objects:
            _h, body = swift.get_object(container, obj['name'])
            try:
                entry = json.loads(body)
                keys[obj['name'].rpartition('/')[2]] = StoredKey(
                    entry['ref'], unb64(entry['wrapped']),
                    parse_time(entry.get('made')))
            except (ValueError, KeyError, TypeError, AttributeError):
                continue        # foreign or damaged: not a usable key
    except swift_exc.ClientException as e:
        raise exception.CheckpointStoreError(
            operation='GET', container=container,
            reason=e.http_status or e.msg)
    return keys


def usable(keys: dict[str, StoredKey],
           not_before: datetime.datetime | None = None) -> list[str]:
    """The ids of the stored data keys a protection may use, best first.

    The newest first, so the policies sharing the project's data key all
    settle on the newest one (the one a rotation made), and by id among
    equal times (keys stored before times existed: two runs that raced
    to create one settle on the same).  After a data key rotation
    (``not_before``), a key made before it, or stored without a time, is
    left out: it is neither reused nor re-wrapped.
    """
    ids = [key_id for key_id, found in keys.items()
           if not_before is None or (found.made is not None and
                                     found.made >= not_before)]
    oldest = datetime.datetime.min
    return sorted(sorted(ids), key=lambda key_id: keys[key_id].made or oldest,
                  reverse=True)


def stored(swift: Any, container: str, policy_id: str | None
            ) -> dict[str, StoredKey]:
    """The wrapped data keys of the domain's scope, by id."""
    if policy_id is not None:
        return _policy_keys(swift, container, policy_id)
    try:
        return _header_keys(swift.head_container(container))
    except swift_exc.ClientException as e:
        raise exception.CheckpointStoreError(
            operation='HEAD', container=container,
            reason=e.http_status or e.msg)


def store(swift: Any, container: str, key_id: str, ref: str,
          wrapped: bytes, made: datetime.datetime | None,
          policy_id: str | None = None) -> dict[str, StoredKey]:
    """Store a wrapped data key (replacing its id's); the keys now.

    :param policy_id: the policy of a policy-scoped key (an object under
        ``keys/``); ``None``: the project's (container metadata).
    :raises dragon.exception.CheckpointStoreError: Swift failed.
    """
    when = {} if made is None else {'made': format_time(made)}
    try:
        if policy_id is None:
            swift.post_container(container, headers={
                _META + key_id + _REF: ref,
                _META + key_id + _WRAPPED: b64(wrapped),
                **{_META + key_id + _MADE: when[k] for k in when}})
        else:
            swift.put_object(
                container, _policy_keys_prefix(policy_id) + key_id,
                json.dumps({'ref': ref, 'wrapped': b64(wrapped),
                            **when}).encode(),
                content_type='application/json')
    except swift_exc.ClientException as e:
        raise exception.CheckpointStoreError(
            operation='POST' if policy_id is None else 'PUT',
            container=container, reason=e.http_status or e.msg)
    return stored(swift, container, policy_id)


def forget(swift: Any, container: str, policy_id: str | None,
            key_ids: set[str]) -> None:
    """Remove data keys a rotation replaced from the chunk container.

    Only those wrapped under the same customer key as the new one: every
    run that can read that key now takes the newer data key (see
    :func:`usable`), so they would never be used again, and the
    container's 4 KiB of metadata would fill up a rotation at a time.
    Their checkpoints keep their own copy in their envelopes.  Best
    effort: a key left behind is only unused.
    """
    if not key_ids:
        return
    try:
        if policy_id is None:
            swift.post_container(container, headers={
                _META + key_id + suffix: '' for key_id in key_ids
                for suffix in (_REF, _WRAPPED, _MADE)})
        else:
            for key_id in sorted(key_ids):
                swift.delete_object(
                    container, _policy_keys_prefix(policy_id) + key_id)
    except swift_exc.ClientException:
        pass

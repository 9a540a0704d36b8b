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

"""The checkpoint manifest (``checkpoint.json``): what a backup site needs to recover.

It is written last, so its presence marks a complete checkpoint.  A format
version and feature flags let a Dragon refuse a checkpoint written by a
newer Dragon with features it does not know, instead of recovering it wrong.
"""

import json
from typing import Any

from dragon import exception

FORMAT = 'dragon-checkpoint'
FORMAT_VERSION = 1
# What a reader must understand to recover a checkpoint of this format.
# ``chunks-sha256``: data in fixed-size chunks named by their sha256;
# ``zero-chunks``: all-zero chunks are not stored; ``zstd``: chunks may be
# zstd-compressed; ``hot-parameters``: site-specific values are template
# parameters indexed in ``parameters``; ``chunk-md5``: chunk references
# carry ``stored_size`` and ``md5`` of the stored body (what Swift lists),
# so a checkpoint verifies from a container listing.  (Manifests without
# it stay readable: their chunks are checked by presence, and size when
# stored plain.  A Dragon without it refuses the new references, whose
# keys its ``ChunkRef`` did not accept.)  ``chunk-list-sha256``: a data
# record (and each object of a Swift container's record) is pinned by
# ``chunk_list_sha256``, the sha256 of its ordered chunk names and lengths
# (``dragon.checkpoint.chunks.chunk_list_sha256``), and its ``sha256`` of
# the whole stream is null: the bytes are hashed once, by their chunk
# names.  (Manifests without it carry the stream's ``sha256``, still
# checked on restore; a Dragon without it would find no sha256 to check.)
# ``encrypted``: the object is a clear envelope (``ENVELOPE_KEYS``) around
# the sealed manifest; chunk names are keyed (HMAC-SHA256) and chunk bodies
# and the checkpoint's other objects are sealed (``dragon.checkpoint.
# envelope``).  A Dragon without it refuses the envelope, which lacks the
# manifest's keys.
FEATURES = frozenset({'chunks-sha256', 'zero-chunks', 'zstd', 'hot-parameters',
                      'chunk-md5', 'chunk-list-sha256', 'encrypted'})
ENCRYPTED = 'encrypted'
# Optional keys a reader copes without (older manifests lack them):
# ``stats``; ``warnings`` (what the checkpoint does not carry, each
# ``{"resource", "what", "message"}``).
OPTIONAL_KEYS = ('stats', 'warnings')
REQUIRED_KEYS = ('checkpoint_id', 'project_id', 'policy', 'source_region',
                 'graph', 'data', 'parameters', 'chunk_container',
                 'started_at', 'finished_at', 'dragon_version')
# The clear envelope of an encrypted checkpoint: ids, times and what a
# key-less reader (gc, a listing verification) needs: the chunk index
# (keyed names, stored sizes and md5s; no offsets, no resources).
ENVELOPE_KEYS = ('checkpoint_id', 'project_id', 'policy_id', 'source_region',
                 'chunk_container', 'started_at', 'finished_at',
                 'dragon_version', 'encryption', 'chunks', 'sealed')


def is_envelope(manifest: dict[str, Any]) -> bool:
    """Whether ``manifest`` is the clear envelope of an encrypted one."""
    return ENCRYPTED in (manifest.get('features') or ()) and \
        'sealed' in manifest


def build(**fields: Any) -> dict[str, Any]:
    """The manifest of a finished checkpoint; every ``REQUIRED_KEYS`` is given.

    :raises ValueError: a required field is missing (a programming error).
    """
    missing = [key for key in REQUIRED_KEYS if key not in fields]
    if missing:
        raise ValueError('manifest lacks %s' % ', '.join(missing))
    # ``encrypted`` is the envelope's (``envelope.seal_manifest``): a clear
    # manifest does not ask its readers for it.
    return {'format': FORMAT, 'format_version': FORMAT_VERSION,
            'features': sorted(FEATURES - {ENCRYPTED}), **fields}


def dumps(manifest: dict[str, Any]) -> bytes:
    return json.dumps(manifest, sort_keys=True, default=str).encode()


def loads(raw: bytes | str, container: str = '') -> dict[str, Any]:
    """Parse and check a manifest read from Swift.

    :raises dragon.exception.UnsupportedCheckpoint: not a Dragon manifest,
        or one of a newer format or with features this Dragon lacks.
    """
    try:
        manifest = json.loads(raw)
    except (TypeError, ValueError) as e:
        raise exception.UnsupportedCheckpoint(
            container=container, reason='checkpoint.json is not JSON: %s' % e)
    if not isinstance(manifest, dict) or manifest.get('format') != FORMAT:
        raise exception.UnsupportedCheckpoint(
            container=container, reason='not a Dragon checkpoint manifest')
    version = manifest.get('format_version')
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise exception.UnsupportedCheckpoint(
            container=container,
            reason='format version %s is newer than this Dragon reads (%d)'
                   % (version, FORMAT_VERSION))
    unknown = set(manifest.get('features') or ()) - FEATURES
    if unknown:
        raise exception.UnsupportedCheckpoint(
            container=container,
            reason='features this Dragon does not know: %s'
                   % ', '.join(sorted(unknown)))
    required = ENVELOPE_KEYS if is_envelope(manifest) else REQUIRED_KEYS
    missing = [key for key in required if key not in manifest]
    if missing:
        raise exception.UnsupportedCheckpoint(
            container=container,
            reason='manifest lacks %s' % ', '.join(missing))
    return manifest


def chunk_index(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The envelope's clear chunk index of a full manifest.

    One entry per distinct stored chunk: its keyed name and how it is
    stored (size, md5, compression): enough to verify it from a listing
    and to collect garbage, nothing about where it sits in which stream.
    """
    fields = ('sha256', 'stored_size', 'md5', 'compression')
    return [{key: ref[key] for key in fields if key in ref}
            for _name, (ref, _users) in sorted(chunk_refs(manifest).items())]


def warnings(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The manifest's warnings; none for a manifest older than them."""
    return list(manifest.get('warnings') or ())


def chunk_refs(manifest: dict[str, Any]) -> dict[str, tuple[dict, list[str]]]:
    """Every stored chunk referenced: sha256 → (one reference, record keys).

    The reference (a ``ChunkRef`` dict) carries what the chunk's body
    should be; the keys name the data records (resources) using it (none
    known from an envelope, whose index names no resource).
    """
    refs: dict[str, tuple[dict, list[str]]] = {}
    if is_envelope(manifest):
        return {chunk['sha256']: (chunk, []) for chunk in manifest['chunks']}
    for key, record in sorted(manifest['data'].items()):
        for chunk in record.get('chunks') or ():
            if chunk['sha256'] == 'zero':
                continue
            ref, users = refs.setdefault(chunk['sha256'], (chunk, []))
            if not users or users[-1] != key:
                users.append(key)
    return refs


def chunk_names(manifest: dict[str, Any]) -> set[str]:
    """The names of every stored chunk the manifest (or envelope) references."""
    if is_envelope(manifest):
        return {chunk['sha256'] for chunk in manifest['chunks']}
    names = set()
    for record in manifest['data'].values():
        for chunk in record.get('chunks') or ():
            if chunk['sha256'] != 'zero':
                names.add(chunk['sha256'])
    return names

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

"""Is a checkpoint still recoverable: its chunks and objects checked against Swift.

Two depths:

* without reading (the default): one listing of the chunk container (a
  request per 10 000 chunks, see ``dragon.checkpoint.listing``) and one of
  the checkpoint's container.  Every chunk the manifest references must be
  listed with the size and md5 recorded when it was stored; a manifest
  written before Dragon recorded them (no feature ``chunk-md5``) is
  checked for presence, and for size where stored uncompressed.  A 1 GiB
  checkpoint takes a few requests: seconds.
* reading (``read_data``): every distinct chunk is downloaded, its md5
  compared with the record and its plain bytes (decompressed) hashed
  against its sha256 name, by the chunk store's own read code, on at most
  ``workers`` threads (memory: ``workers`` chunks).

Both check that each data record's chunk list covers its stream without
gap or overlap and hashes to the record's ``chunk_list_sha256`` (records
older than it carry none: their list is checked for layout only), and
that the template and parameters are there.

An encrypted checkpoint verifies without its key from the clear chunk
index of its manifest envelope (keyed names, stored sizes and md5s): the
listing check is the same, only the resources using a chunk and the
layout of the streams are unknown.  Reading needs the key: the store's
``domain`` decrypts each chunk and checks it against its keyed name.
"""

import concurrent.futures
import dataclasses
import datetime
from typing import Any, Callable

from swiftclient import exceptions as swift_exc

from dragon.checkpoint import chunks as chunk_mod
from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import store as store_mod
from dragon import exception
from dragon import statuses

# What a verification's status may be (``checkpoints.verification``).
STATUS = statuses.Verification
# Problems kept in a stored result; ``problem_count`` has them all.
KEPT_PROBLEMS = 100
# Objects of a checkpoint container a recovery needs besides the chunks.
REQUIRED_OBJECTS = (store_mod.MANIFEST, store_mod.TEMPLATE,
                    store_mod.PARAMETERS)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclasses.dataclass
class VerifyResult:
    """What one verification found."""

    read_data: bool
    started_at: datetime.datetime
    finished_at: datetime.datetime | None = None
    checked: int = 0
    bytes_checked: int = 0
    # Chunks whose references predate recorded md5s (checked by presence).
    legacy_chunks: int = 0
    problems: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    @property
    def status(self) -> str:
        return STATUS.DAMAGED if self.problems else STATUS.OK

    def problem(self, problem: str, chunk: str | None = None,
                resources: list[str] | tuple = ()) -> None:
        self.problems.append({'chunk': chunk, 'resources': list(resources),
                              'problem': problem})

    def to_dict(self, kept: int = KEPT_PROBLEMS) -> dict[str, Any]:
        """The stored and shown form (``checkpoints.verification``)."""
        return {'status': self.status, 'read_data': self.read_data,
                'started_at': _iso(self.started_at),
                'finished_at': _iso(self.finished_at),
                'chunks_checked': self.checked,
                'bytes_checked': self.bytes_checked,
                'legacy_chunks': self.legacy_chunks,
                'problems': self.problems[:kept],
                'problem_count': len(self.problems)}


def _iso(when: datetime.datetime | None) -> str | None:
    return when.strftime('%Y-%m-%dT%H:%M:%SZ') if when else None


def running(read_data: bool, verification_id: str) -> dict[str, Any]:
    """The stored form of a verification just requested."""
    return {'status': STATUS.RUNNING, 'id': verification_id,
            'read_data': read_data,
            'started_at': _iso(_now()), 'finished_at': None,
            'chunks_checked': 0, 'bytes_checked': 0, 'legacy_chunks': 0,
            'problems': [], 'problem_count': 0}


def failed(read_data: bool, started_at: str | None,
           reason: str) -> dict[str, Any]:
    """The stored form of a verification that could not finish."""
    return {'status': STATUS.ERROR, 'read_data': read_data,
            'started_at': started_at, 'finished_at': _iso(_now()),
            'chunks_checked': 0, 'bytes_checked': 0, 'legacy_chunks': 0,
            'problems': [], 'problem_count': 0, 'error': reason}


def reader_store(connection_factory: Callable[[], Any],
                 manifest: dict[str, Any],
                 workers: int = 4, domain: Any = None) -> chunk_mod.ChunkStore:
    """A chunk store that reads the chunks ``manifest`` references.

    :param domain: the key domain of an encrypted checkpoint, to read it.
    """
    return chunk_mod.ChunkStore(connection_factory,
                                manifest['chunk_container'], workers=workers,
                                decompressor=chunk_mod._zstd_decompress,
                                domain=domain)


def _check_layout(manifest: dict[str, Any], result: VerifyResult) -> None:
    """Each record's chunks cover its stream exactly, in order, as recorded."""
    # An envelope has no records: its streams' layout is sealed.
    for key, record in sorted((manifest.get('data') or {}).items()):
        chunks = record.get('chunks')
        if chunks is None:
            continue
        recorded = record.get('chunk_list_sha256')
        if recorded and chunk_mod.chunk_list_sha256(chunks) != recorded:
            result.problem('chunk list does not hash to its recorded '
                           'chunk_list_sha256 %s' % recorded, None, [key])
        offset = 0
        for chunk in chunks:
            if chunk['offset'] != offset:
                result.problem('chunk list has a gap or overlap at offset %d'
                               % offset, chunk.get('sha256'), [key])
                break
            offset += chunk['length']
        else:
            if record.get('size') is not None and offset != record['size']:
                result.problem('chunks hold %d bytes, %d recorded' % (
                    offset, record['size']), None, [key])


def _check_objects(swift: Any, container: str, result: VerifyResult) -> None:
    try:
        _h, objects = swift.get_container(container, full_listing=True)
    except swift_exc.ClientException as e:
        if e.http_status != 404:
            raise
        objects = []
    present = {o['name'] for o in objects}
    for name in REQUIRED_OBJECTS:
        if name not in present:
            result.problem('%s is missing from %s' % (name, container))


def _listed(found: Any, sha: str, ref: dict, users: list[str],
            result: VerifyResult) -> None:
    if found is None:
        result.problem('missing', sha, users)
        return
    result.bytes_checked += found.size
    if ref.get('md5') is None or ref.get('stored_size') is None:
        result.legacy_chunks += 1
        if ref.get('compression', 'none') == 'none' and \
                found.size != ref['length']:
            result.problem('size %d, %d expected' % (
                found.size, ref['length']), sha, users)
        return
    if found.size != ref['stored_size']:
        result.problem('size %d, %d recorded' % (
            found.size, ref['stored_size']), sha, users)
    elif found.md5 != ref['md5']:
        result.problem('md5 %s, %s recorded' % (found.md5, ref['md5']),
                       sha, users)


def _read(store: chunk_mod.ChunkStore, sha: str,
          ref: dict) -> tuple[str | None, int]:
    """(problem or ``None``, stored bytes read) of one chunk read whole."""
    chunk = chunk_mod.ChunkRef.from_dict(ref)
    try:
        plain, _compression, _md5 = store.fetch(chunk, with_md5=True)
    except chunk_mod.ChecksumMismatch as e:
        return str(e).replace('chunk %s at offset %d is ' % (
            sha, chunk.offset), ''), 0
    except swift_exc.ClientException as e:
        if e.http_status == 404:
            return 'missing', 0
        raise
    size = len(plain)
    del plain
    return None, size


def verify(store: chunk_mod.ChunkStore, manifest: dict[str, Any],
           read_data: bool = False, container: str | None = None,
           progress: Callable[[int], None] | None = None) -> VerifyResult:
    """Check that a checkpoint's data is in Swift as its manifest records.

    :param store: a chunk store of ``manifest['chunk_container']`` (see
        ``reader_store``); its connections reach the project's account.
    :param container: the checkpoint's container, to check that its
        template and parameters are there (skipped when ``None``).
    :param progress: called with each chunk's stored bytes once checked.
    :raises swiftclient.exceptions.ClientException: Swift failed (not a
        finding: the verification did not finish).
    :raises dragon.exception.Invalid: ``read_data`` of an encrypted
        checkpoint's envelope without its key.
    """
    if read_data and manifest_mod.is_envelope(manifest) and \
            store.domain is None:
        raise exception.Invalid(reason=(
            'reading the data of encrypted checkpoint %s needs its key: '
            'verify it through Dragon (openstack dr checkpoint verify '
            '--read-data), which reads the key with the owner\'s trust'
            % (container or manifest['checkpoint_id'])))
    result = VerifyResult(read_data=read_data, started_at=_now())
    _check_layout(manifest, result)
    if container:
        _check_objects(store._swift(), container, result)
    refs = manifest_mod.chunk_refs(manifest)
    if not read_data:
        names = sorted(refs)
        if store.listing.cached:
            found = [store.listing.get(sha) for sha in names]
        else:
            # Too many chunks to list: HEADs, on the store's threads.
            with concurrent.futures.ThreadPoolExecutor(
                    max(1, store.workers)) as pool:
                found = list(pool.map(store.listing.get, names))
        for sha, stored in zip(names, found):
            ref, users = refs[sha]
            _listed(stored, sha, ref, users, result)
            result.checked += 1
            if progress is not None:
                progress(1)
    else:
        with concurrent.futures.ThreadPoolExecutor(
                max(1, store.workers),
                thread_name_prefix='verify-read') as pool:
            names = sorted(refs)
            for sha, (problem, size) in zip(names, pool.map(
                    lambda name: _read(store, name, refs[name][0]), names)):
                result.checked += 1
                result.bytes_checked += size
                if problem is not None:
                    result.problem(problem, sha, refs[sha][1])
                if progress is not None:
                    progress(size)
    result.finished_at = _now()
    return result


def verify_container(connection_factory: Callable[[], Any], container: str,
                     read_data: bool = False,
                     workers: int = 4) -> VerifyResult:
    """Verify the complete checkpoint stored in ``container``, no database.

    :raises dragon.exception.RecoveryPointNotFound: no manifest there.
    :raises dragon.exception.UnsupportedCheckpoint:
    """
    swift = connection_factory()
    manifest = store_mod.read_manifest(swift, container)
    return verify(reader_store(connection_factory, manifest, workers),
                  manifest, read_data=read_data, container=container)


def describe(problem: dict[str, Any]) -> str:
    """One readable line of a problem."""
    where = ', '.join(problem.get('resources') or ()) or '-'
    chunk = problem.get('chunk')
    return '%s%s: %s' % ('chunk %s of ' % chunk if chunk else '', where,
                         problem['problem'])

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

"""Mark-and-sweep of a project's chunks: space comes back only when safe.

Deleting a checkpoint removes its container; the chunks it shared with other
checkpoints stay.  This pass marks every chunk a complete checkpoint's
manifest references and sweeps the rest.  It never races a writer:

* it first marks the chunk container "collecting", then looks for
  checkpoint containers without a manifest (a run still writing); a writer
  first creates its container, then checks the mark
  (``check_not_collecting``).  Each writes before it reads, so at least
  one of them sees the other and steps back;
* a manifest it cannot read (a newer format) stops the sweep: its chunks
  are unknown, so nothing may be deleted.

Index entries (``index/...``, written by the data actions to skip
re-reading unchanged images) are swept when a chunk they name is swept.
A policy's wrapped data keys (``keys/...``) are never swept: each is a
few hundred bytes, and the next protection of the policy needs it to
share chunks with the checkpoints before.
"""

import dataclasses
import datetime
import json
from typing import Any

from oslo_log import log as logging
from swiftclient import exceptions as swift_exc

from dragon.checkpoint import datakeys
from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import naming
from dragon.checkpoint import store
from dragon import exception

LOG = logging.getLogger(__name__)

COLLECTING = 'x-container-meta-dragon-gc-started'
INDEX_PREFIX = 'index/'


@dataclasses.dataclass
class GcResult:
    """What one pass over a project did (printed by ``dragon-manage``)."""

    project_id: str
    live_chunks: int = 0
    swept_chunks: int = 0
    swept_index_entries: int = 0
    kept_chunks: int = 0
    removed_incomplete: list[str] = dataclasses.field(default_factory=list)
    skipped: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _parse_mark(value: str | None) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def stale_mark(conf: Any) -> datetime.timedelta:
    """``[checkpoint] gc_stale_mark`` of ``conf``, read now.

    A collection mark older than this is left over from a crashed
    collector.
    """
    return datetime.timedelta(seconds=conf.checkpoint.gc_stale_mark)


def check_not_collecting(swift: Any, project_id: str,
                         stale: datetime.timedelta) -> None:
    """Raise if a collection of the project's chunks is running.

    Writers call it after creating their container: from then on a new
    collection sees them and skips the project.

    :param stale: a mark older than this is a crashed collector's leftover
        (``stale_mark(conf)``).

    :raises dragon.exception.ChunkGcRunning:
    """
    try:
        headers = swift.head_container(naming.chunk_container(project_id))
    except swift_exc.ClientException as e:
        if e.http_status == 404:
            return
        raise exception.CheckpointStoreError(
            operation='HEAD', container=naming.chunk_container(project_id),
            reason=e.http_status)
    since = _parse_mark(headers.get(COLLECTING))
    if since and _now() - since < stale:
        raise exception.ChunkGcRunning(project=project_id,
                                       since=since.isoformat())


def _mark(swift: Any, container: str, value: str) -> bool:
    try:
        swift.post_container(container, headers={COLLECTING: value})
        return True
    except swift_exc.ClientException as e:
        if e.http_status == 404:
            return False
        raise


def _live_chunks(swift: Any, project_id: str, grace: datetime.timedelta,
                 result: GcResult) -> set[str] | None:
    """Chunks of every complete checkpoint; ``None`` if sweeping is unsafe."""
    live: set[str] = set()
    for container in store.checkpoint_containers(swift, project_id):
        meta = store.container_metadata(swift, container)
        if meta is None:
            continue
        if meta.get(store.COMPLETE):
            try:
                live |= manifest_mod.chunk_names(
                    store.read_manifest(swift, container))
            except exception.DragonException as e:
                result.skipped = 'cannot read %s: %s' % (container, e)
                return None
        elif _now() - naming.parse(container).time > grace:
            store.delete(swift, container)
            result.removed_incomplete.append(container)
        else:
            result.skipped = '%s is being written' % container
            return None
    return live


def _index_is_live(swift: Any, container: str, name: str,
                   live: set[str]) -> bool:
    try:
        entry = json.loads(swift.get_object(container, name)[1])
        names = {c['sha256'] for c in entry.get('chunks') or ()}
    except (swift_exc.ClientException, ValueError, TypeError, KeyError):
        return False          # unreadable: sweeping it only costs a re-read
    return names - {'zero'} <= live


def _delete(swift: Any, container: str, name: str) -> None:
    try:
        swift.delete_object(container, name)
    except swift_exc.ClientException as e:
        if e.http_status != 404:      # gone already: what we wanted
            raise


def collect(swift: Any, project_id: str,
            incomplete_grace: datetime.timedelta,
            stale: datetime.timedelta) -> GcResult:
    """One mark-and-sweep pass over the chunks of ``project_id``.

    :param swift: a connection to the project's Swift account.
    :param incomplete_grace: age after which a container without manifest
        is a crashed run's leftover (removed) rather than a run in progress.
    :param stale: age after which another collector's mark is ignored.
    """
    result = GcResult(project_id)
    container = naming.chunk_container(project_id)
    try:
        check_not_collecting(swift, project_id, stale)
    except exception.ChunkGcRunning as e:
        result.skipped = e.message
        return result
    if not _mark(swift, container, _now().isoformat()):
        result.skipped = 'no chunk container'
        return result
    try:
        live = _live_chunks(swift, project_id, incomplete_grace, result)
        if live is None:
            LOG.info("chunk gc of project %s skipped: %s", project_id,
                     result.skipped)
            return result
        result.live_chunks = len(live)
        _h, objects = swift.get_container(container, full_listing=True)
        for obj in objects:
            name = obj['name']
            if name.startswith(datakeys.KEYS_PREFIX):
                continue
            if name.startswith(INDEX_PREFIX):
                if not _index_is_live(swift, container, name, live):
                    _delete(swift, container, name)
                    result.swept_index_entries += 1
            elif name.rsplit('/', 1)[-1] in live:
                result.kept_chunks += 1
            else:
                _delete(swift, container, name)
                result.swept_chunks += 1
        LOG.info("chunk gc of project %s: kept %d chunks, swept %d chunks "
                 "and %d index entries", project_id, result.kept_chunks,
                 result.swept_chunks, result.swept_index_entries)
        return result
    finally:
        _mark(swift, container, '')

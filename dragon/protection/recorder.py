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

"""What a protection run tells the world while it works: events and progress.

Events go to the database at once (they are few and an operator watching a
run wants them now) and are kept for ``events.json``; inside ``batched()``
(discovery and the template of a large policy, which may warn about each
of hundreds of resources within a second or two) they are written
together, in one database call, when the block ends.  Byte progress comes
from upload threads many times a second, and resource status changes come
three per resource (hundreds for a large template-only policy); each write
carries every resource, so they are written at most every
``FLUSH_SECONDS`` -- a change that falls between two writes is written by a
timer at the end of the interval, never later -- and a failure at once.
"""

import contextlib
import threading
import time
from typing import Any, Iterator

from oslo_log import log as logging

from dragon.common import progress as progress_mod
from dragon.common import timeutils
from dragon.db import run_kinds
from dragon import exception
from dragon.protection import warnings as warnings_mod
from dragon import statuses

LOG = logging.getLogger(__name__)

# The statuses of the run's resources.
RESOURCE = statuses.Resource

FLUSH_SECONDS = 1.0


class RunRecorder:
    """Events and per-resource progress of one run, thread-safe.

    :param context: an admin request context for the database.
    :param run_id: the checkpoint (or recovery) being run.
    :param kind: the kind of run: its table's update and event calls and
        the columns of progress and warnings.
    :param claim: the run's claim: every write carries it, so the writes
        of an engine whose run was taken over are refused
        (``RunTakenOver`` is raised to stop the run).
    """

    def __init__(self, context: Any, run_id: str,
                 kind: run_kinds.RunKind = run_kinds.CHECKPOINT,
                 claim: str | None = None) -> None:
        self._context = context
        self._kind = kind
        self.claim = claim
        self.run_id = run_id
        self._lock = threading.Lock()
        self._resources: dict[str, dict[str, Any]] = {}
        self._last_flush = 0.0
        self._dirty = False           # a change waits for the next write
        self._timer: threading.Timer | None = None
        # Snapshot and write under one lock: a timer's older snapshot can
        # never land after a newer one (e.g. the final status).
        self._write_lock = threading.Lock()
        self.events: list[dict[str, Any]] = []
        # Events waiting for the end of ``batched()``: (entry, its time).
        self._batch: list[tuple[dict[str, Any], Any]] | None = None
        self.warnings = warnings_mod.Collector(on_add=self._warned)
        # What the run does now, and the rate of its bytes while they flow.
        self._phase: dict[str, Any] | None = None
        self._pace = progress_mod.Pace()
        self._bytes_at: str | None = None

    # -- warnings: what the checkpoint does not carry
    def warn(self, resource: str | None, code: str, message: str) -> None:
        """A ``warnings.Warn``: listed on the row (next write) and an event."""
        self.warnings.warn(resource, code, message)

    def _warned(self, entry: dict[str, Any]) -> None:
        self.event('warning', entry['message'], entry['resource'])
        self.flush(soon=True)

    # -- events
    def event(self, level: str, message: str,
              resource: str | None = None) -> None:
        """Record one step of the run (``level``: info, warning, error)."""
        now = timeutils.utcnow()
        entry = {'time': now.isoformat(), 'level': level,
                 'resource': resource, 'message': message}
        with self._lock:
            self.events.append(entry)
            batch = self._batch
            if batch is not None:
                batch.append((entry, now))
        getattr(LOG, 'info' if level == 'info' else 'warning')(
            "%s %s: %s%s", self._kind.name, self.run_id,
            '%s: ' % resource if resource else '', message)
        if batch is not None:
            return
        try:
            self._kind.event_add(self._context, self.run_id, level,
                                 message, resource=resource)
        except Exception:
            # A lost event line must not fail the protection itself.
            LOG.exception("%s %s: event not stored", self._kind.name,
                          self.run_id)

    @contextlib.contextmanager
    def batched(self) -> Iterator[None]:
        """Hold the events of the block and store them in one call at its end.

        Also when the block fails: its events say why.  Not nested.
        """
        with self._lock:
            self._batch = []
        try:
            yield
        finally:
            with self._lock:
                batch, self._batch = self._batch or [], None
            if batch:
                try:
                    self._kind.events_add(self._context, self.run_id, [
                        dict(entry, time=when)
                        for entry, when in batch])
                except Exception:
                    LOG.exception("%s %s: %d events not stored",
                                  self._kind.name, self.run_id, len(batch))

    # -- the phase: what the run does now (progress.phase of the API)
    def phase(self, name: str, total: int | None = None) -> None:
        """A new phase, written at once; ``total``: the items it counts."""
        with self._lock:
            self._phase = progress_mod.phase(
                name, 0 if total is not None else None, total)
        self.flush(force=True)

    def advance(self) -> None:
        """One more item of the phase done (written within a second)."""
        with self._lock:
            if self._phase is not None and self._phase['done'] is not None:
                self._phase['done'] += 1
        self.flush(soon=True)

    def _phase_value(self) -> dict[str, Any] | None:
        with self._lock:
            if self._phase is None:
                return None
            return dict(self._phase, bytes_per_second=self._pace.rate(),
                        bytes_at=self._bytes_at)

    # -- per-resource status and bytes
    def track(self, node: Any, bytes_total: int, **extra: Any) -> None:
        """Start tracking a resource whose data the run moves."""
        with self._lock:
            self._resources[node.key] = {
                'key': node.key, 'type': node.resource.type,
                'id': node.resource.id, 'name': node.resource.name,
                'action': node.action, 'status': RESOURCE.PENDING,
                'reason': None,
                'bytes_done': 0, 'bytes_total': int(bytes_total or 0),
                **extra}

    def set(self, key: str, **values: Any) -> None:
        """Record more about a tracked resource (e.g. its id in the target)."""
        with self._lock:
            self._resources[key].update(values)

    def status(self, key: str, status: str, reason: str | None = None) -> None:
        """A resource's new status: written within ``FLUSH_SECONDS``, an
        error at once.
        """
        with self._lock:
            entry = self._resources[key]
            entry['status'] = status
            entry['reason'] = reason
            if status == RESOURCE.DONE:
                # The estimate may have been off: done means all of it.
                entry['bytes_total'] = max(entry['bytes_total'],
                                           entry['bytes_done'])
        self.flush(force=status == RESOURCE.ERROR, soon=True)

    def add_bytes(self, key: str, nbytes: int) -> None:
        with self._lock:
            self._resources[key]['bytes_done'] += nbytes
            self._pace.add(nbytes, time.monotonic())
            self._bytes_at = timeutils.utcnow().isoformat()
        self.flush()

    def resources(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._resources.values()]

    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.resources() if r['status'] == RESOURCE.ERROR]

    def totals(self) -> tuple[int, int]:
        return _byte_totals(self.resources())

    def _progress(self) -> dict[str, Any]:
        """The progress columns this recorder knows, for the next write.

        A recorder that tracks no resource and collected no warning -- one
        made to close a window or delete a run, after the run's own -- has
        none: writing its empty lists would wipe what the run recorded
        (each resource's status and bytes) from the row.
        """
        resources = self.resources()
        warned = self.warnings.items()
        progress: dict[str, Any] = {}
        if resources:
            done, total = _byte_totals(resources)
            progress = {self._kind.resources_field: resources,
                        'bytes_done': done, 'bytes_total': max(total, done)}
        if self._kind.warnings_field and (resources or warned):
            progress[self._kind.warnings_field] = warned
        return progress

    def flush(self, force: bool = False, soon: bool = False,
              **values: Any) -> None:
        """Write progress (and ``values``) to the run's row.

        Unless ``force`` or ``values``, at most once per ``FLUSH_SECONDS``;
        with ``soon`` a skipped write is made by a timer at the end of the
        interval (status changes), without it the next call makes it (bytes,
        which keep coming).
        """
        now = time.monotonic()
        with self._lock:
            wait = self._last_flush + FLUSH_SECONDS - now
            if not force and not values and wait > 0:
                self._dirty = True
                if soon and self._timer is None:
                    self._timer = threading.Timer(wait, self._deferred)
                    self._timer.daemon = True
                    self._timer.start()
                return
            self._last_flush = now
            self._dirty = False
        with self._write_lock:
            progress = self._progress()
            phase = self._phase_value()
            if phase is not None:
                progress['phase'] = phase
            values = {**progress, **values}
            try:
                self._kind.update(self._context, self.run_id, values,
                                  expected_claim=self.claim)
            except exception.RunTakenOver:
                raise           # another engine owns the run: stop
            except Exception:
                if values.keys() - progress.keys():
                    raise       # a status change must not be lost silently
                LOG.exception("%s %s: progress not stored",
                              self._kind.name, self.run_id)

    def _deferred(self) -> None:
        with self._lock:
            self._timer = None
            if not self._dirty:
                return      # written meanwhile
        try:
            self.flush(force=True)
        except exception.RunTakenOver as e:
            LOG.warning("%s", e)


def _byte_totals(resources: list[dict[str, Any]]) -> tuple[int, int]:
    """(bytes done, bytes to do) of the resources, summed."""
    return (sum(r['bytes_done'] for r in resources),
            sum(r['bytes_total'] for r in resources))

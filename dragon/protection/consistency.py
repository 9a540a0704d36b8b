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

"""Crash-consistent points in time: member servers paused around the captures.

With the policy option ``consistent``, every running member server is
paused while the captures (createImage, volume snapshots, backups) start,
so the disks and volumes of the workload are taken at one moment.  The
servers are unpaused as soon as the captures are taken (not after Nova's
upload or Dragon's transfer: those go on meanwhile) and whatever happened
in between: leaving a production server paused is worse than a failed
checkpoint, so a server that does not come back to ``ACTIVE`` fails the
run, named.
"""

import contextlib
import threading
import time
from typing import Any, Callable, Iterable, Iterator

from openstack import exceptions as sdk_exc

from dragon import exception
from dragon.protection.data import nova


def _status(compute: Any, server_id: str) -> str:
    return compute.get_server(server_id).status


# The events that say a run paused a server, and released it.
PAUSED_EVENT = 'paused for a consistent point in time'
UNPAUSED_EVENT = 'unpaused'


def left_paused(events: Iterable[tuple[str | None, str]]) -> list[str]:
    """Keys of the servers a run paused and did not unpause.

    :param events: ``(resource key, message)`` of the run, oldest first.
    """
    paused: dict[str, bool] = {}
    for key, message in events:
        if key and message == PAUSED_EVENT:
            paused[key] = True
        elif key and message == UNPAUSED_EVENT:
            paused[key] = False
    return [key for key, still in paused.items() if still]


def unpause_if_paused(compute: Any, server_id: str, poll: float,
                      timeout: float, busy_timeout: float) -> bool:
    """Unpause a server that is ``PAUSED``; whether it was.

    For a run whose engine died between its pause and its release: nothing
    else would ever unpause it.  A server no longer paused (the user
    acted) is left as it is.
    """
    if _status(compute, server_id) != 'PAUSED':
        return False
    _unpause(compute, server_id, poll, timeout, busy_timeout)
    return True


def _wait(compute: Any, server_id: str, wanted: str, poll: float,
          timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _status(compute, server_id) == wanted:
            return True
        time.sleep(poll)
    return False


def _unpause(compute: Any, server_id: str, poll: float, timeout: float,
             busy_timeout: float) -> None:
    """Unpause, retrying while Nova is still busy with the server (409).

    Nova refuses actions while a task runs on the server: ``timeout``
    seconds of refusals are retried, and besides them as long as the task
    is a snapshot still uploading (up to ``busy_timeout``).
    """
    start = time.monotonic()
    deadline = start + timeout
    uploading = False
    while True:
        try:
            compute.unpause_server(server_id)
            return
        except sdk_exc.ConflictException:
            now = time.monotonic()
            if now > deadline:
                if now - start > busy_timeout:
                    raise
                was_uploading = uploading
                uploading = getattr(compute.get_server(server_id),
                                    'task_state', None) in nova.SNAPSHOT_TASKS
                # One more try when the upload just ended.
                if not (uploading or was_uploading):
                    raise
            time.sleep(poll)


class Pause:
    """The ``ACTIVE`` servers among ``servers`` (graph nodes), paused.

    ``pause()`` pauses them, ``release()`` starts unpausing them in the
    background and ``wait()`` waits until they are back: the run goes on
    (transfers) while Nova still refuses the unpause during its upload.

    :param compute: the openstacksdk compute proxy of the run.
    :param timeout: seconds a server may take to pause, and to be
        ``ACTIVE`` again after the unpause (``[protection] pause_timeout``).
    :param busy_timeout: how long an unpause refused because a snapshot
        still uploads is retried (``[protection] image_active_timeout``).
    """

    def __init__(self, compute: Any, servers: list[Any],
                 event: Callable[..., None], poll: float = 1.0, *,
                 timeout: float, busy_timeout: float = 0.0) -> None:
        self.compute = compute
        self.servers = servers
        self.event = event
        self.poll = poll
        self.timeout = timeout
        self.busy_timeout = busy_timeout
        self.done: list[Any] = []
        self.left: list[str] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def pause(self) -> None:
        """Pause them all.

        :raises dragon.exception.DataActionFailed: a server did not pause
            (the ones already paused are unpaused, or named, first).
        """
        try:
            for node in self.servers:
                if _status(self.compute, node.resource.id) != 'ACTIVE':
                    self.event('info', 'not running: not paused', node.key)
                    continue
                self.compute.pause_server(node.resource.id)
                self.done.append(node)
            # Every request first, then the waits: Nova pauses them all
            # meanwhile, so a policy of many servers waits about once.
            for node in list(self.done):
                if not _wait(self.compute, node.resource.id, 'PAUSED',
                             self.poll, self.timeout):
                    raise exception.DataActionFailed(
                        resource=node.resource.name or node.resource.id,
                        reason='did not pause within %d s' % self.timeout)
                self.event('info', PAUSED_EVENT, node.key)
        except BaseException as e:
            self.release()
            self.wait(e)
            raise

    def release(self) -> None:
        """Start unpausing every paused server, one thread each."""
        for node in self.done:
            thread = threading.Thread(target=self._unpause, args=(node,),
                                      name='unpause-%s' % node.resource.id,
                                      daemon=True)
            thread.start()
            self._threads.append(thread)
        self.done = []

    def _unpause(self, node: Any) -> None:
        server_id = node.resource.id
        try:
            _unpause(self.compute, server_id, self.poll, self.timeout,
                     self.busy_timeout)
            if not _wait(self.compute, server_id, 'ACTIVE', self.poll,
                         self.timeout):
                raise exception.DataActionFailed(
                    resource=server_id,
                    reason='not ACTIVE %d s after unpause' % self.timeout)
            self.event('info', UNPAUSED_EVENT, node.key)
        except Exception as e:  # noqa: BLE001 - named, the run fails
            with self._lock:
                self.left.append('%s (%s)' % (node.resource.name or node.key,
                                              server_id))
            self.event('error', 'could not be unpaused: %s; unpause it by '
                       'hand (openstack server unpause %s)'
                       % (e, server_id), node.key)

    def wait(self, error: BaseException | None = None) -> None:
        """Wait for the unpauses ``release`` started.

        :param error: the run's failure, if any, named with the servers.
        :raises dragon.exception.ServersLeftPaused: a server did not come
            back to ``ACTIVE``.
        """
        for thread in self._threads:
            thread.join()
        self._threads = []
        if self.left:
            left, self.left = self.left, []
            # In the order the servers were given, whatever thread was first.
            order = {'%s (%s)' % (n.resource.name or n.key, n.resource.id): i
                     for i, n in enumerate(self.servers)}
            raise exception.ServersLeftPaused(
                servers=', '.join(sorted(left, key=order.get)),
                also='' if error is None else '; the run had failed '
                'too: %s' % exception.one_line(error)) from error


@contextlib.contextmanager
def paused(compute: Any, servers: list[Any],
           event: Callable[..., None], poll: float = 1.0,
           *, timeout: float, busy_timeout: float = 0.0) -> Iterator[None]:
    """Pause the ``ACTIVE`` servers among ``servers`` for the block.

    The block's end waits until they are unpaused (see ``Pause``).

    :raises dragon.exception.DataActionFailed: a server did not pause.
    :raises dragon.exception.ServersLeftPaused: a server did not come back
        to ``ACTIVE`` (the message adds the block's error if it raised).
    """
    pause = Pause(compute, servers, event, poll, timeout=timeout,
                  busy_timeout=busy_timeout)
    pause.pause()
    error = None
    try:
        yield
    except BaseException as e:
        error = e
        raise
    finally:
        pause.release()
        pause.wait(error)

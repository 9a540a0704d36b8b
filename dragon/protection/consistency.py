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
servers are unpaused afterwards whatever happened in between: leaving a
production server paused is worse than a failed checkpoint, so a server
that does not come back to ``ACTIVE`` fails the run, named.
"""

import contextlib
import time
from typing import Any, Callable, Iterator

from openstack import exceptions as sdk_exc


def _status(compute: Any, server_id: str) -> str:
    return compute.get_server(server_id).status


def _wait(compute: Any, server_id: str, wanted: str, poll: float,
          timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _status(compute, server_id) == wanted:
            return True
        time.sleep(poll)
    return False


def _unpause(compute: Any, server_id: str, poll: float,
             timeout: float) -> None:
    """Unpause, retrying while Nova is still busy with the server (409).

    Nova refuses actions while a task (e.g. a snapshot) runs on the server.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            compute.unpause_server(server_id)
            return
        except sdk_exc.ConflictException:
            if time.monotonic() > deadline:
                raise
            time.sleep(poll)


@contextlib.contextmanager
def paused(compute: Any, servers: list[Any],
           event: Callable[..., None], poll: float = 1.0,
           *, timeout: float) -> Iterator[None]:
    """Pause the ``ACTIVE`` servers among ``servers`` (graph nodes) for the block.

    :param compute: the openstacksdk compute proxy of the run.
    :param timeout: seconds a server may take to pause, and to be
        ``ACTIVE`` again after the unpause (``[protection] pause_timeout``).

    :raises dragon.exception.DataActionFailed: a server did not pause (the
        ones already paused are unpaused first).
    :raises dragon.exception.ServersLeftPaused: a server did not come back
        to ``ACTIVE`` (the message adds the block's error if it raised).
    """
    from dragon import exception
    done = []
    left = []
    error = None
    try:
        for node in servers:
            if _status(compute, node.resource.id) != 'ACTIVE':
                event('info', 'not running: not paused', node.key)
                continue
            compute.pause_server(node.resource.id)
            done.append(node)
            if not _wait(compute, node.resource.id, 'PAUSED', poll, timeout):
                raise exception.DataActionFailed(
                    resource=node.resource.name or node.resource.id,
                    reason='did not pause within %d s' % timeout)
            event('info', 'paused for a consistent point in time', node.key)
        yield
    except BaseException as e:
        error = e
        raise
    finally:
        for node in done:
            try:
                _unpause(compute, node.resource.id, poll, timeout)
                if not _wait(compute, node.resource.id, 'ACTIVE', poll,
                             timeout):
                    raise exception.DataActionFailed(
                        resource=node.resource.id,
                        reason='not ACTIVE %d s after unpause' % timeout)
                event('info', 'unpaused', node.key)
            except (sdk_exc.SDKException, exception.DataActionFailed) as e:
                left.append('%s (%s)' % (node.resource.name or node.key,
                                         node.resource.id))
                event('error', 'could not be unpaused: %s; unpause it by '
                      'hand (openstack server unpause %s)'
                      % (e, node.resource.id), node.key)
        if left:
            raise exception.ServersLeftPaused(
                servers=', '.join(left),
                also='' if error is None else '; the capture had failed '
                'too: %s' % exception.one_line(error)) from error

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

"""Nova calls the data actions make: read a server, snapshot its disk."""

from typing import Any

from openstack.compute.v2 import server as server_mod
from openstack import exceptions as sdk_exc

from dragon.protection.data import waiting

# Task states during which the disk snapshot is still being taken; once the
# server leaves them (image_uploading or no task) the point in time is fixed.
SNAPSHOT_PHASES = ('image_snapshot', 'image_snapshot_pending',
                   'image_pending_upload')


def get_server(clients: Any, server_id: str) -> server_mod.Server:
    try:
        return clients.connection.compute.get_server(server_id)
    except sdk_exc.NotFoundException:
        raise waiting.Gone(server_id)


def image_id(server: server_mod.Server) -> str | None:
    """The server's base image; ``None`` when it boots from a volume."""
    # Nova answers "image": "" for a server booted from a volume; the SDK
    # makes that an empty Image without an id.
    return getattr(server.image, 'id', None) or None


def flavor_disk_bytes(server: server_mod.Server) -> int:
    # Microversion >= 2.47 embeds the flavor, so no flavor GET is needed.
    return int(getattr(server.flavor, 'disk', 0) or 0) * 1024 ** 3


def create_image(clients: Any, server_id: str, name: str,
                 metadata: dict) -> str:
    """createImage; the new image's id (microversion >= 2.45 returns it).

    The resource's ``create_image``, not the proxy's
    ``create_server_image``: the proxy reads the new image back from Glance
    through the cloud layer, a call the capture does not need (it waits
    on the server's task state, then on the image).
    """
    compute = clients.connection.compute
    return server_mod.Server.existing(id=server_id).create_image(
        compute, name, metadata)


def wait_snapshot_taken(clients: Any, server_id: str, *, idle: bool,
                        timeout: float, interval: float,
                        resource: str) -> server_mod.Server:
    """Wait until the disk snapshot is taken (or, if ``idle``, uploaded too).

    Nova refuses ``unpause`` while the server has a task state, so for a
    server paused for consistency capture waits for the whole snapshot
    (``idle``): the workflow's unpause then succeeds at once.  A running
    server only needs its disk captured; Glance receives the rest while
    the next resources are captured.  (The SDK's ``wait_for_server``
    waits on the status only, never on the task state.)
    """
    if idle:
        done = lambda s: s.task_state is None  # noqa: E731
        wanted = 'no task (snapshot uploaded)'
    else:
        done = lambda s: s.task_state not in SNAPSHOT_PHASES  # noqa
        wanted = 'disk snapshot taken'
    return waiting.wait_until(
        lambda: get_server(clients, server_id), done,
        timeout=timeout, interval=interval, resource=resource,
        what='server', obj_id=server_id, wanted=wanted,
        describe=lambda s: 'in task state %s' % s.task_state)

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

from dragon import exception
from dragon.protection.data import glance
from dragon.protection.data import waiting

# Nova's task states of a snapshot (createImage) in progress; Nova refuses
# most server actions (unpause among them) while one is set.
SNAPSHOT_TASKS = ('image_snapshot', 'image_snapshot_pending',
                  'image_pending_upload', 'image_uploading')

# Glance statuses of a createImage image whose disk snapshot is taken:
# Nova uploads only what it has captured (``saving``), or a driver that
# snapshots in the store (RBD) registers the snapshot (``active``).  The
# task state is no such sign: libvirt sets ``image_uploading`` before a
# direct snapshot is taken.
SNAPSHOT_TAKEN = ('saving', 'active')


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


def wait_snapshot_taken(clients: Any, server_id: str, image_id: str, *,
                        timeout: float, interval: float,
                        resource: str) -> dict:
    """Wait until the disk snapshot of createImage's ``image_id`` is taken.

    Decided from the image this createImage made (``SNAPSHOT_TAKEN``),
    which holds on every driver however fast it is polled.  While the
    image is still ``queued`` the server is read too: Nova done with the
    server (no task state) and the image still ``queued`` means the
    snapshot failed without Glance hearing of it.

    :returns: the image as Glance last sent it.
    :raises dragon.exception.ResourceFailed: the image went to a failed
        status, was deleted (Nova deletes it when the snapshot fails), or
        Nova finished without uploading.
    :raises dragon.exception.ResourceTimeout: ``timeout`` seconds passed.
    """
    def fetch() -> dict:
        image = glance.get_image(clients, image_id)
        if image.get('status') != 'queued':
            return image
        if get_server(clients, server_id).task_state is not None:
            return image
        # Nova has no snapshot task left: read the image once more, it
        # may have become active between the two reads.
        image = glance.get_image(clients, image_id)
        if image.get('status') == 'queued':
            raise exception.ResourceFailed(
                resource=resource, what='snapshot image', id=image_id,
                status='queued', wanted='/'.join(SNAPSHOT_TAKEN),
                detail=': Nova ended the snapshot task of the server '
                'without uploading it')
        return image

    return waiting.wait_for(
        fetch, ok=SNAPSHOT_TAKEN, bad=glance.FAILED,
        timeout=timeout, interval=interval, resource=resource,
        what='snapshot image', obj_id=image_id)

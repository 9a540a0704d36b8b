"""Nova calls the data actions make: read a server, snapshot its disk."""

from typing import Any

from keystoneauth1 import exceptions as ks_exc

from dragon.protection.data import waiting

# Task states during which the disk snapshot is still being taken; once the
# server leaves them (image_uploading or no task) the point in time is fixed.
SNAPSHOT_PHASES = ('image_snapshot', 'image_snapshot_pending',
                   'image_pending_upload')
TASK_STATE = 'OS-EXT-STS:task_state'


def get_server(clients: Any, server_id: str) -> dict:
    try:
        return clients.adapter('compute').get(
            '/servers/%s' % server_id).json()['server']
    except ks_exc.NotFound:
        raise waiting.Gone(server_id)


def image_id(server: dict) -> str | None:
    """The server's base image; ``None`` when it boots from a volume."""
    image = server.get('image')
    return image.get('id') if isinstance(image, dict) else None


def flavor_disk_bytes(server: dict) -> int:
    # Microversion >= 2.47 embeds the flavor, so no flavor GET is needed.
    return int((server.get('flavor') or {}).get('disk') or 0) * 1024 ** 3


def create_image(clients: Any, server_id: str, name: str,
                 metadata: dict) -> str:
    """createImage; the new image's id (microversion >= 2.45 returns it)."""
    response = clients.adapter('compute').post(
        '/servers/%s/action' % server_id,
        json={'createImage': {'name': name, 'metadata': metadata}})
    return response.json()['image_id']


def wait_snapshot_taken(clients: Any, server_id: str, *, idle: bool,
                        timeout: float, interval: float,
                        resource: str) -> dict:
    """Wait until the disk snapshot is taken (or, if ``idle``, uploaded too).

    Nova refuses ``unpause`` while the server has a task state, so for a
    server paused for consistency capture waits for the whole snapshot
    (``idle``): the workflow's unpause then succeeds at once.  A running
    server only needs its disk captured; Glance receives the rest while
    the next resources are captured.
    """
    if idle:
        done = lambda s: s.get(TASK_STATE) is None  # noqa: E731
        wanted = 'no task (snapshot uploaded)'
    else:
        done = lambda s: s.get(TASK_STATE) not in SNAPSHOT_PHASES  # noqa
        wanted = 'disk snapshot taken'
    return waiting.wait_until(
        lambda: get_server(clients, server_id), done,
        timeout=timeout, interval=interval, resource=resource,
        what='server', obj_id=server_id, wanted=wanted,
        describe=lambda s: 'in task state %s' % s.get(TASK_STATE))

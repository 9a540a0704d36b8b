"""The Cinder calls of the data actions: snapshots, volumes, backups."""

from typing import Any

from keystoneauth1 import exceptions as ks_exc

from dragon import exception
from dragon.protection.data import waiting

VOLUME_BAD = ('error', 'error_restoring', 'error_extending',
              'error_managing')
SNAPSHOT_BAD = ('error',)
BACKUP_BAD = ('error',)
# Statuses in which Cinder accepts a delete (others answer 400).
_DELETABLE = {
    'volume': ('available', 'error', 'error_restoring', 'error_extending',
               'error_managing'),
    'snapshot': ('available', 'error'),
    'backup': ('available', 'error'),
}
_DELETE_FAILED = ('error_deleting',)


def _path(kind: str, obj_id: str) -> str:
    return '/%ss/%s' % (kind, obj_id)


def get(clients: Any, kind: str, obj_id: str) -> dict:
    """The ``kind`` (volume, snapshot, backup); ``waiting.Gone`` if absent."""
    try:
        return clients.adapter('block-storage').get(
            _path(kind, obj_id)).json()[kind]
    except ks_exc.NotFound:
        raise waiting.Gone(obj_id)


def create(clients: Any, kind: str, body: dict) -> dict:
    return clients.adapter('block-storage').post(
        '/%ss' % kind, json={kind: body}).json()[kind]


def action(clients: Any, volume_id: str, name: str, body: dict) -> dict:
    response = clients.adapter('block-storage').post(
        '/volumes/%s/action' % volume_id, json={name: body})
    return response.json() if response.content else {}


def upload_to_image(clients: Any, volume_id: str, image_name: str) -> str:
    """Upload the volume to a new raw/bare Glance image; its id."""
    result = action(clients, volume_id, 'os-volume_upload_image', {
        'image_name': image_name, 'disk_format': 'raw',
        'container_format': 'bare', 'force': True})
    return result['os-volume_upload_image']['image_id']


def wait_status(clients: Any, kind: str, obj_id: str, ok: tuple,
                bad: tuple, *, timeout: float, interval: float,
                resource: str) -> dict:
    return waiting.wait_for(
        lambda: get(clients, kind, obj_id), ok=ok, bad=bad, timeout=timeout,
        interval=interval, resource=resource, what=kind, obj_id=obj_id)


def delete_and_wait(clients: Any, kind: str, obj_id: str, *,
                    timeout: float, interval: float, resource: str) -> bool:
    """Delete the object once Cinder allows it and wait until it is gone.

    A volume still ``creating`` or ``uploading`` cannot be deleted, and a
    snapshot cannot be deleted while a volume made from it exists on some
    backends: waiting here is what lets the next cleanup step succeed.

    :returns: ``False`` when it was already gone.
    """
    def fetch() -> dict | None:
        try:
            return get(clients, kind, obj_id)
        except waiting.Gone:
            return None

    obj = waiting.wait_until(
        fetch, lambda o: o is None or o['status'] in _DELETABLE[kind],
        timeout=timeout, interval=interval, resource=resource, what=kind,
        obj_id=obj_id, wanted='deletable',
        describe=lambda o: o['status'] if o else 'gone')
    if obj is None:
        return False
    try:
        clients.adapter('block-storage').delete(_path(kind, obj_id))
    except ks_exc.NotFound:
        return False
    obj = waiting.wait_until(
        fetch, lambda o: o is None or o['status'] in _DELETE_FAILED,
        timeout=timeout, interval=interval, resource=resource, what=kind,
        obj_id=obj_id, wanted='deleted',
        describe=lambda o: o['status'] if o else 'gone')
    if obj is not None:
        raise exception.ResourceFailed(
            resource=resource, what=kind, id=obj_id, status=obj['status'],
            wanted='deleted', detail='')
    return True

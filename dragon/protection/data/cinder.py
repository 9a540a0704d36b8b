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

"""The Cinder calls of the data actions: snapshots, volumes, backups.

Through openstacksdk's block-storage proxy (microversion 3.60 pinned);
the objects are the SDK's resource models.  The waits stay Dragon's
(``waiting``: deadlines from ``[protection]``, the failure statuses and
reasons named) rather than the SDK's ``wait_for_status``, whose errors
do not name the resource being protected.
"""

from typing import Any

from openstack import exceptions as sdk_exc

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
KINDS = tuple(_DELETABLE)


def _call(clients: Any, verb: str, kind: str) -> Any:
    """The proxy's ``<verb>_<kind>`` method (``get_volume``, ...)."""
    if kind not in KINDS:
        raise ValueError('unknown Cinder object %r' % kind)
    return getattr(clients.connection.block_storage, '%s_%s' % (verb, kind))


def get(clients: Any, kind: str, obj_id: str) -> Any:
    """The ``kind`` (volume, snapshot, backup); ``waiting.Gone`` if absent."""
    try:
        return _call(clients, 'get', kind)(obj_id)
    except sdk_exc.NotFoundException:
        raise waiting.Gone(obj_id)


def create(clients: Any, kind: str, **attrs: Any) -> Any:
    """A new ``kind`` from the SDK model's attributes."""
    return _call(clients, 'create', kind)(**attrs)


def upload_to_image(clients: Any, volume_id: str, image_name: str) -> str:
    """Upload the volume to a new raw/bare Glance image; its id."""
    result = clients.connection.block_storage.upload_volume_to_image(
        volume_id, image_name, force=True, disk_format='raw',
        container_format='bare')
    return result['image_id']


def wait_status(clients: Any, kind: str, obj_id: str, ok: tuple,
                bad: tuple, *, timeout: float, interval: float,
                resource: str) -> Any:
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
    def fetch() -> Any:
        try:
            return get(clients, kind, obj_id)
        except waiting.Gone:
            return None

    obj = waiting.wait_until(
        fetch, lambda o: o is None or o.status in _DELETABLE[kind],
        timeout=timeout, interval=interval, resource=resource, what=kind,
        obj_id=obj_id, wanted='deletable',
        describe=lambda o: o.status if o else 'gone')
    if obj is None:
        return False
    try:
        _call(clients, 'delete', kind)(obj_id, ignore_missing=False)
    except sdk_exc.NotFoundException:
        return False
    obj = waiting.wait_until(
        fetch, lambda o: o is None or o.status in _DELETE_FAILED,
        timeout=timeout, interval=interval, resource=resource, what=kind,
        obj_id=obj_id, wanted='deleted',
        describe=lambda o: o.status if o else 'gone')
    if obj is not None:
        raise exception.ResourceFailed(
            resource=resource, what=kind, id=obj_id, status=obj.status,
            wanted='deleted', detail='')
    return True

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

"""The Glance calls of the data actions: read, wait for, download, delete.

Deleting goes through openstacksdk's image proxy.  Reading an image and
downloading its data stay keystoneauth calls (through the run's counted
adapter, ``[glance]`` options honoured), for reasons the functions give.
"""

from typing import Any

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc

from dragon.protection.data import waiting

# Image attributes that describe Glance's own bookkeeping, the source
# site or the snapshot's origin: useless (or wrong) when the image is
# recreated at the backup site.
_INTERNAL = frozenset((
    'id', 'name', 'status', 'size', 'virtual_size', 'checksum', 'owner',
    'visibility', 'protected', 'os_hidden', 'file', 'schema', 'self',
    'created_at', 'updated_at', 'direct_url', 'locations', 'stores', 'tags',
    'disk_format', 'container_format', 'min_disk', 'min_ram',
    # Nova's snapshot bookkeeping and ids valid only at the source site.
    'instance_uuid', 'user_id', 'image_type', 'image_location',
    'image_state', 'base_image_ref', 'owner_id', 'owner_project_name',
    'owner_user_name', 'boot_roles', 'block_device_mapping', 'bdm_v2',
    'root_device_name', 'kernel_id', 'ramdisk_id', 'clean_attempts',
    # Cinder's upload bookkeeping.
    'volume_id', 'volume_type_id',
))
_INTERNAL_PREFIXES = ('os_glance_', 'os_hash_', 'dragon_', 'signature_',
                      'img_signature')

FAILED = ('killed', 'deleted', 'deactivated')


def get_image(clients: Any, image_id: str) -> dict:
    """The image as Glance sends it; ``waiting.Gone`` when it does not exist.

    Not the SDK's ``get_image``: its ``Image`` model converts typed
    properties (``hw_qemu_guest_agent: "yes"`` becomes ``True``) and folds
    the others into ``properties``, while ``metadata`` must keep Glance's
    own strings to recreate them at the backup site.
    """
    try:
        return clients.adapter('image').get(
            '/v2/images/%s' % image_id).json()
    except ks_exc.NotFound:
        raise waiting.Gone(image_id)


def list_by_ids(clients: Any, image_ids: list[str]) -> dict[str, dict]:
    """id -> image, as Glance sends it, of those of ``image_ids`` it lists.

    One ``GET /v2/images?id=in:...`` (Glance's ``in`` operator on ``id``);
    an id it does not list is absent from the result (deleted, hidden
    with ``os_hidden``, or not visible to the project).
    """
    answer = clients.adapter('image').get(
        '/v2/images', params={'id': 'in:' + ','.join(image_ids),
                              'limit': len(image_ids)}).json()
    return {image['id']: image for image in answer.get('images') or ()}


def delete_image(clients: Any, image_id: str) -> bool:
    """Delete the image; ``False`` when it was already gone."""
    try:
        clients.connection.image.delete_image(image_id, ignore_missing=False)
    except sdk_exc.NotFoundException:
        return False
    return True


def wait_active(clients: Any, image_id: str, *, timeout: float,
                interval: float, resource: str) -> dict:
    """Wait for the image to be ``active``; fail on killed/deleted."""
    return waiting.wait_for(
        lambda: get_image(clients, image_id), ok=('active',), bad=FAILED,
        timeout=timeout, interval=interval, resource=resource, what='image',
        obj_id=image_id)


def open_download(clients: Any, image_id: str) -> Any:
    """The streaming response of the image's data (``stream=True``).

    The caller iterates it in bounded reads and must close it.  Not the
    SDK's ``download_image``: it reads the image record again before each
    download (a call ``stream`` does not need: it has the record and
    checks Glance's hash itself while storing the chunks).
    """
    return clients.adapter('image').get(
        '/v2/images/%s/file' % image_id, stream=True,
        headers={'Accept': 'application/octet-stream'})


def metadata(image: dict) -> dict:
    """What recovery needs to recreate the image: formats, minimums, props."""
    properties = {
        key: value for key, value in image.items()
        if key not in _INTERNAL and not key.startswith(_INTERNAL_PREFIXES)
        and value is not None}
    return {'disk_format': image.get('disk_format'),
            'container_format': image.get('container_format'),
            'min_disk': image.get('min_disk') or 0,
            'min_ram': image.get('min_ram') or 0,
            'properties': properties}

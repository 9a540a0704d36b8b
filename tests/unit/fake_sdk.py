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

"""Fake openstacksdk proxies over a fake cloud's REST routes.

The SDK's own resource classes build every request and read every answer
(their real ``fetch``/``create``/``delete``/``list`` and action methods run
with the fake proxy as the adapter they send through), so a test sees what
the SDK really sends and Dragon gets the SDK's real models.  Only the
network is fake: ``route(method, path, json=, params=)`` answers with an
object that has ``json()``, or raises a keystoneauth HTTP error, which
becomes the openstacksdk exception a real proxy would raise.
"""

from keystoneauth1 import adapter
from keystoneauth1 import discover
from keystoneauth1 import exceptions as ks_exc
from openstack.block_storage.v3 import availability_zone as bs_zone_mod
from openstack.block_storage.v3 import backup as backup_mod
from openstack.block_storage.v3 import snapshot as snapshot_mod
from openstack.block_storage.v3 import type as type_mod
from openstack.block_storage.v3 import volume as volume_mod
from openstack.compute.v2 import availability_zone as zone_mod
from openstack.compute.v2 import flavor as flavor_mod
from openstack.compute.v2 import keypair as keypair_mod
from openstack import exceptions as sdk_exc
from openstack.image.v2 import image as image_mod
from openstack.network.v2 import network as network_mod

# Where the fake services say they are, as in their links.
ENDPOINT = 'http://cloud.test/v3/project'

_SDK_ERRORS = {400: sdk_exc.BadRequestException,
               403: sdk_exc.ForbiddenException,
               404: sdk_exc.NotFoundException,
               409: sdk_exc.ConflictException}


class Proxy(adapter.Adapter):
    """What an SDK resource needs of the proxy (an adapter) it is given."""

    microversion = None
    microversions = None          # (min, max) the fake service supports

    def __init__(self, route):
        super().__init__(None, default_microversion=self.microversion)
        self._route = route

    def _get_connection(self):
        return None

    def get_endpoint_data(self):
        low, high = self.microversions or (None, None)
        return discover.EndpointData(min_microversion=low,
                                     max_microversion=high)

    def _send(self, method, url, **kwargs):
        if url.startswith(ENDPOINT):
            url = url[len(ENDPOINT):]      # a link the fake service made
        url = '/' + url.lstrip('/')
        try:
            response = self._route(method, url, **kwargs)
        except ks_exc.HttpError as e:
            error = _SDK_ERRORS.get(e.http_status, sdk_exc.HttpException)
            raise error(message=str(e), http_status=e.http_status) from e
        for name, value in (('status_code', 200), ('headers', {}),
                            ('links', {})):
            if not hasattr(response, name):
                setattr(response, name, value)
        if response.status_code >= 400:
            error = _SDK_ERRORS.get(response.status_code,
                                    sdk_exc.HttpException)
            raise error(message='HTTP %s' % response.status_code,
                        http_status=response.status_code)
        return response

    def get(self, url, params=None, **_kwargs):
        return self._send('GET', url, params=params or {})

    def post(self, url, json=None, **_kwargs):
        return self._send('POST', url, json=json)

    def delete(self, url, **_kwargs):
        return self._send('DELETE', url)

    def put(self, url, json=None, **_kwargs):
        return self._send('PUT', url, json=json)


def _get(resource, proxy, obj):
    return resource.new(id=obj).fetch(proxy)


def _delete(resource, proxy, obj, ignore_missing):
    try:
        resource.new(id=obj).delete(proxy)
    except sdk_exc.NotFoundException:
        if not ignore_missing:
            raise


class BlockStorage(Proxy):
    """``openstack.block_storage.v3._proxy.Proxy``'s calls Dragon makes."""

    microversion = '3.60'
    microversions = ((3, 0), (3, 60))

    def get_volume(self, volume):
        return _get(volume_mod.Volume, self, volume)

    def get_snapshot(self, snapshot):
        return _get(snapshot_mod.Snapshot, self, snapshot)

    def get_backup(self, backup):
        return _get(backup_mod.Backup, self, backup)

    def create_volume(self, **attrs):
        return volume_mod.Volume.new(**attrs).create(self)

    def create_snapshot(self, **attrs):
        return snapshot_mod.Snapshot.new(**attrs).create(self)

    def create_backup(self, **attrs):
        return backup_mod.Backup.new(**attrs).create(self)

    def delete_volume(self, volume, ignore_missing=True):
        _delete(volume_mod.Volume, self, volume, ignore_missing)

    def delete_snapshot(self, snapshot, ignore_missing=True):
        _delete(snapshot_mod.Snapshot, self, snapshot, ignore_missing)

    def delete_backup(self, backup, ignore_missing=True):
        _delete(backup_mod.Backup, self, backup, ignore_missing)

    def volumes(self, details=True):
        assert details
        return volume_mod.Volume.list(self, base_path='/volumes/detail')

    def snapshots(self, details=True):
        assert details
        return snapshot_mod.Snapshot.list(self,
                                          base_path='/snapshots/detail')

    def backups(self, details=True):
        assert details
        return backup_mod.Backup.list(self, base_path='/backups/detail')

    def upload_volume_to_image(self, volume, image_name, force=False,
                               disk_format=None, container_format=None):
        return volume_mod.Volume.new(id=volume).upload_to_image(
            self, image_name, force=force, disk_format=disk_format,
            container_format=container_format)

    def update_backup(self, backup, **attrs):
        resource = backup_mod.Backup.existing(id=backup)
        resource._update(**attrs)
        return resource.commit(self)

    def export_backup(self, backup):
        return backup_mod.Backup.new(id=backup).export_record(self)

    def types(self):
        return type_mod.Type.list(self)

    def get_type(self, type):
        return _get(type_mod.Type, self, type)

    def availability_zones(self):
        return bs_zone_mod.AvailabilityZone.list(self)

    def restore_backup(self, backup, volume_id=None, name=None):
        return backup_mod.Backup.new(id=backup).restore(
            self, volume_id=volume_id, name=name)


class Image(Proxy):
    """``openstack.image.v2._proxy.Proxy``'s calls Dragon makes.

    Its endpoint is Glance's ``/v2``: the route sees ``/v2/images/...``.
    """

    def _send(self, method, url, **kwargs):
        return super()._send(method, '/v2/' + url.lstrip('/'), **kwargs)

    def delete_image(self, image, ignore_missing=True):
        _delete(image_mod.Image, self, image, ignore_missing)

    def get_image(self, image):
        return _get(image_mod.Image, self, image)

    def images(self, **query):
        return image_mod.Image.list(self, **query)


class Compute(Proxy):
    """``openstack.compute.v2._proxy.Proxy``'s list calls Dragon makes."""

    microversion = '2.79'
    microversions = ((2, 1), (2, 79))

    def flavors(self, details=True):
        assert details
        return flavor_mod.Flavor.list(self, base_path='/flavors/detail')

    def availability_zones(self):
        return zone_mod.AvailabilityZone.list(self)

    def keypairs(self):
        return keypair_mod.Keypair.list(self)


class Network(Proxy):
    """``openstack.network.v2._proxy.Proxy``; its endpoint is ``/v2.0``."""

    def _send(self, method, url, **kwargs):
        return super()._send(method, '/v2.0/' + url.lstrip('/'), **kwargs)

    def networks(self, **query):
        return network_mod.Network.list(self, **query)

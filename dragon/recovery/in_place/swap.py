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

"""The cloud calls of an in-place swap: servers stopped, rebuilt and started, volumes moved.

Every step reads where things are before it acts and does nothing when
they are already there, so a rollback, a commit or an engine that takes
over can run the same steps again after a crash at any point.  Volumes
are found by id, never by name.  Tags (volume metadata):

- ``dragon_restore=<recovery id>`` on a new volume until the restore is
  committed (the recovery's cleanup finds it by that tag);
- ``dragon_replaced_by=<recovery id>`` on a volume taken out of its place,
  until it is put back (rollback) or deleted (commit), and on the image of
  a server's disk taken before it is rebuilt, until it is deleted
  (commit) or the server is rebuilt back from it (rollback).

Image properties are the same keys (``dragon_restore`` on the restored
image a server is rebuilt from, until the commit).  The copy of a boot
volume taken before it is re-imaged carries ``dragon_replaced_by`` and
``dragon_copy_of=<boot volume id>`` (``boot``).
"""

from typing import Any, Callable

from keystoneauth1 import discover
from openstack import exceptions as sdk_exc

from dragon import exception
from dragon.protection.data import cinder
from dragon.protection.data import glance
from dragon.protection.data import nova
from dragon.protection.data import waiting
from dragon.recovery.restore import context as ctx_mod

RESTORE_TAG = ctx_mod.RESTORE_PROPERTY
REPLACED_TAG = 'dragon_replaced_by'
# On the copy of a boot volume taken before it is re-imaged: which one.
COPY_TAG = 'dragon_copy_of'
ACTIVE, SHUTOFF = 'ACTIVE', 'SHUTOFF'
# The compute microversion whose rebuild of a volume-backed server has
# Cinder re-image its boot volume (earlier ones refuse a new image).
REIMAGE_MICROVERSION = '2.93'


def reimage_offered(compute: Any) -> bool:
    """compute (an openstacksdk proxy) offers REIMAGE_MICROVERSION.

    Not openstacksdk's supports_microversion: it also wants the proxy's
    default microversion (Dragon's, lower) to reach it.
    """
    data = compute.get_endpoint_data()
    return bool(data and data.min_microversion and data.max_microversion and
                discover.version_between(data.min_microversion,
                                         data.max_microversion,
                                         REIMAGE_MICROVERSION))


class Cloud:
    """One region's Nova and Cinder (and Neutron's floating IPs), with the waits of [recovery].

    :param clients: ServiceClients of the checkpoint's region, scoped to
        the recovery's project.
    """

    def __init__(self, clients: Any, conf: Any) -> None:
        self.clients = clients
        self.timeout = conf.recovery.swap_timeout
        self.interval = conf.recovery.poll_interval

    @property
    def compute(self) -> Any:
        return self.clients.connection.compute

    @property
    def volumes(self) -> Any:
        return self.clients.connection.block_storage

    # -- reads
    def volume(self, volume_id: str) -> Any | None:
        try:
            return self.volumes.get_volume(volume_id)
        except sdk_exc.NotFoundException:
            return None

    def device_of(self, volume_id: str, server_id: str) -> str | None:
        """The device volume_id is attached at on server_id, else None."""
        volume = self.volume(volume_id)
        for attachment in getattr(volume, 'attachments', None) or ():
            if attachment.get('server_id') == server_id:
                return attachment.get('device') or ''
        return None

    def addresses(self, server_id: str) -> str:
        """'net 10.0.0.5' per network of the server, for an event."""
        server = self.compute.get_server(server_id)
        return '; '.join('%s %s' % (net, ', '.join(
            a.get('addr') or '' for a in found)) for net, found in sorted(
                (getattr(server, 'addresses', None) or {}).items())) or \
            'no address yet'

    def server_status(self, server_id: str) -> str:
        return self.compute.get_server(server_id).status

    # -- waits
    def _wait_volume(self, volume_id: str, ok: tuple[str, ...],
                     resource: str) -> Any:
        def fetch() -> dict:
            volume = self.volume(volume_id)
            if volume is None:
                raise waiting.Gone(volume_id)
            return {'status': volume.status}
        return waiting.wait_for(
            fetch, ok=ok, bad=('error', 'error_deleting', 'error_restoring'),
            timeout=self.timeout, interval=self.interval, resource=resource,
            what='volume', obj_id=volume_id)

    def _wait_server(self, server_id: str, ok: str, resource: str) -> None:
        def fetch() -> dict:
            try:
                server = self.compute.get_server(server_id)
            except sdk_exc.NotFoundException:
                raise waiting.Gone(server_id)
            return {'status': server.status,
                    'fault': (getattr(server, 'fault', None) or {}).get(
                        'message')}
        waiting.wait_for(fetch, ok=(ok.lower(),), bad=('error',),
                         timeout=self.timeout, interval=self.interval,
                         resource=resource, what='server', obj_id=server_id)

    # -- servers
    def stop(self, server_id: str) -> str:
        """Stop an ACTIVE server and wait; returns the status it had."""
        status = self.server_status(server_id)
        if status == ACTIVE:
            self.compute.stop_server(server_id)
            self._wait_server(server_id, SHUTOFF, 'server %s' % server_id)
        return status

    def start(self, server_id: str) -> None:
        """Start a stopped server and wait until it is ACTIVE."""
        if self.server_status(server_id) == SHUTOFF:
            self.compute.start_server(server_id)
        self._wait_server(server_id, ACTIVE, 'server %s' % server_id)

    # -- servers booted again in place (recreate)
    def create_server(self, attrs: dict[str, Any]) -> str:
        """Nova's create (it answers at once); the new server's id."""
        return self.compute.create_server(**attrs).id

    def wait_active(self, server_id: str) -> None:
        self._wait_server(server_id, ACTIVE, 'server %s' % server_id)

    def delete_server(self, server_id: str) -> bool:
        """Delete the server and wait until it is gone; False if it was.

        Nova detaches its volumes and deletes the ports it made for it.
        """
        try:
            self.compute.delete_server(server_id)
        except sdk_exc.NotFoundException:
            return False

        def fetch() -> dict:
            try:
                server = self.compute.get_server(server_id)
            except sdk_exc.NotFoundException:
                return {'status': 'deleted'}
            return {'status': server.status}
        waiting.wait_for(fetch, ok=('deleted',), bad=('error',),
                         timeout=self.timeout, interval=self.interval,
                         resource='server %s' % server_id, what='server',
                         obj_id=server_id)
        return True

    def untag_server(self, server_id: str, keys: tuple[str, ...]) -> None:
        """Remove metadata keys of the server (nothing if it is gone)."""
        try:
            self.compute.delete_server_metadata(server_id, list(keys))
        except sdk_exc.NotFoundException:
            pass

    def tagged_servers(self, key: str, value: str) -> dict[str, dict]:
        """{id: metadata} of the project's servers whose metadata key is value."""
        return {s.id: dict(s.metadata or {})
                for s in self.compute.servers(details=True)
                if (s.metadata or {}).get(key) == value}

    def server_exists(self, server_id: str) -> bool:
        try:
            self.compute.get_server(server_id)
        except sdk_exc.NotFoundException:
            return False
        return True

    def server_image(self, server_id: str) -> str | None:
        """The image server_id runs from (None: it boots from a volume)."""
        return nova.image_id(self.compute.get_server(server_id))

    def snapshot(self, server_id: str, name: str,
                 properties: dict[str, str]) -> str:
        """createImage of the server's disk; its id (wait_image waits)."""
        return nova.create_image(self.clients, server_id, name, properties)

    def wait_image(self, server_id: str, image_id: str) -> None:
        """The server's snapshot image_id, uploaded and active."""
        resource = 'server %s' % server_id
        nova.wait_snapshot_taken(self.clients, server_id, image_id,
                                 timeout=self.timeout,
                                 interval=self.interval, resource=resource)
        glance.wait_active(self.clients, image_id, timeout=self.timeout,
                           interval=self.interval, resource=resource)

    def rebuild(self, server_id: str, image_id: str) -> None:
        """Rebuild server_id from image_id and wait until Nova is done.

        Nova keeps the server's ports, addresses, security groups, key
        pair, metadata and volume attachments, and a stopped server stays
        stopped.  Nothing is done when it already runs from image_id.
        """
        server = self.compute.get_server(server_id)
        if nova.image_id(server) != image_id or \
                server.status not in (ACTIVE, SHUTOFF):
            self.compute.rebuild_server(server_id, image_id)

        self._wait_rebuilt(
            server_id, lambda server: nova.image_id(server) == image_id)

    def _wait_rebuilt(self, server_id: str,
                      from_image: Callable[[Any], bool]) -> None:
        """Until the server is at rest (no task) and ``from_image(server)``.

        :raises dragon.exception.ResourceFailed: the server went to
            ``error`` (its fault says why) or was deleted.
        """
        def fetch() -> dict:
            try:
                server = self.compute.get_server(server_id)
            except sdk_exc.NotFoundException:
                raise waiting.Gone(server_id)
            done = (server.status in (ACTIVE, SHUTOFF) and
                    getattr(server, 'task_state', None) is None and
                    from_image(server))
            return {'status': 'rebuilt' if done else server.status,
                    'fault': (getattr(server, 'fault', None) or {}).get(
                        'message')}
        waiting.wait_for(fetch, ok=('rebuilt',), bad=('error',),
                         timeout=self.timeout, interval=self.interval,
                         resource='server %s' % server_id, what='server',
                         obj_id=server_id)

    # -- floating IPs of servers booted again (floating)
    @property
    def network(self) -> Any:
        return self.clients.connection.network

    def floating_ip(self, fip_id: str | None,
                    address: str | None = None) -> Any | None:
        """The project's floating IP fip_id, else the one at address.

        None: neither is the project's now (released, or another's).
        """
        if fip_id:
            try:
                return self.network.get_ip(fip_id)
            except sdk_exc.NotFoundException:
                pass
        if address:
            for found in self.network.ips(
                    floating_ip_address=address,
                    project_id=self.clients.project_id):
                return found
        return None

    def server_ports(self, server_id: str) -> list[Any]:
        """The server's ports (those Nova made for it)."""
        return list(self.network.ports(device_id=server_id))

    def associate(self, fip_id: str, port_id: str,
                  fixed_ip: str | None = None) -> None:
        attrs = {'port_id': port_id}
        if fixed_ip:
            attrs['fixed_ip_address'] = fixed_ip
        self.network.update_ip(fip_id, **attrs)

    def disassociate(self, fip_id: str) -> None:
        """The floating IP on no port, still allocated (nothing if gone)."""
        try:
            self.network.update_ip(fip_id, port_id=None)
        except sdk_exc.NotFoundException:
            pass

    # -- servers booted from a volume (boot)
    def boot_image(self, volume_id: str) -> str | None:
        """The image Cinder last wrote onto the volume (its image metadata)."""
        volume = self.volume(volume_id)
        if volume is None:
            return None
        return (getattr(volume, 'volume_image_metadata', None) or {}).get(
            'image_id')

    def _settled(self, server_id: str) -> Any:
        """The server once no task runs on it (a rebuild asked before)."""
        found = {}

        def fetch() -> dict:
            try:
                found['server'] = self.compute.get_server(server_id)
            except sdk_exc.NotFoundException:
                raise waiting.Gone(server_id)
            busy = getattr(found['server'], 'task_state', None)
            return {'status': busy or 'settled'}
        waiting.wait_for(fetch, ok=('settled',), bad=(),
                         timeout=self.timeout, interval=self.interval,
                         resource='server %s' % server_id, what='server',
                         obj_id=server_id)
        return found['server']

    def reimage(self, server_id: str, volume_id: str, image_id: str) -> None:
        """Rebuild a volume-backed server, its boot volume re-imaged from image_id.

        Nova's rebuild at microversion 2.93: Nova stops the server, Cinder
        writes the image onto the boot volume (same volume, same
        attachment), and the server comes back as it was (a stopped one
        stays stopped), keeping its ports, addresses, key pair, metadata
        and other volumes.  Nothing is asked when the volume already holds
        image_id (a rebuild running is waited for first).  Through the
        adapter: openstacksdk's rebuild_server takes no microversion.
        """
        self._settled(server_id)
        if self.boot_image(volume_id) != image_id:
            response = self.compute.post(
                '/servers/%s/action' % server_id,
                json={'rebuild': {'imageRef': image_id}},
                microversion=REIMAGE_MICROVERSION, raise_exc=False)
            if response.status_code >= 400:
                raise exception.RecoveryFailed(
                    resource='server %s' % server_id,
                    reason='Nova refused the rebuild re-imaging boot volume '
                    '%s (HTTP %d: %s)' % (volume_id, response.status_code,
                                          response.text[:300]))

        # Cinder's image metadata on the volume names what it last wrote.
        self._wait_rebuilt(
            server_id, lambda _server: self.boot_image(volume_id) == image_id)

    def clone(self, volume_id: str, name: str, tags: dict[str, str]) -> str:
        """A new volume copying volume_id (its zone and type); its id.

        Cinder clones an in-use volume too; the caller has stopped the
        server, so the copy is consistent.  wait_available waits for it.
        """
        return self.volumes.create_volume(
            source_volume_id=volume_id, name=name,
            size=self.volumes.get_volume(volume_id).size,
            metadata=dict(tags)).id

    def upload(self, volume_id: str, name: str) -> str:
        """Upload a detached volume to a new raw image; the image's id."""
        found = self.volumes.upload_volume_to_image(
            volume_id, name, disk_format='raw', container_format='bare')
        return found['image_id']

    def image_named(self, name: str) -> str | None:
        """The id of the project's image called name (None: there is none)."""
        for image in self.clients.connection.image.images(name=name):
            return image.id
        return None

    def wait_image_active(self, image_id: str, resource: str) -> None:
        glance.wait_active(self.clients, image_id, timeout=self.timeout,
                           interval=self.interval, resource=resource)

    def untag_boot_image(self, volume_id: str, keys: tuple[str, ...]) -> None:
        """Remove keys Cinder copied from an image into the volume's image metadata."""
        found = (getattr(self.volume(volume_id), 'volume_image_metadata',
                         None) or {})
        present = [k for k in keys if k in found]
        if present:
            self.volumes.delete_volume_image_metadata(volume_id, present)

    def tagged_copies(self, recovery_id: str) -> dict[str, str]:
        """{volume id: boot volume id} of the copies the recovery took."""
        return {v.id: (v.metadata or {})[COPY_TAG]
                for v in self.volumes.volumes(details=True)
                if (v.metadata or {}).get(REPLACED_TAG) == recovery_id and
                (v.metadata or {}).get(COPY_TAG)}

    def delete_image(self, image_id: str) -> bool:
        """False when it was already gone."""
        return glance.delete_image(self.clients, image_id)

    def untag_image(self, image_id: str, key: str) -> None:
        """Remove an image property (nothing if the image or it is gone).

        A JSON patch through the adapter: openstacksdk's update_image
        sets properties but does not remove one.
        """
        response = self.clients.adapter('image').patch(
            '/v2/images/%s' % image_id,
            json=[{'op': 'remove', 'path': '/%s' % key}],
            headers={'Content-Type':
                     'application/openstack-images-v2.1-json-patch'},
            raise_exc=False)
        # 404: the image is gone; 409: the property is (Glance answers
        # 409 for removing a property an image does not have).
        if response.status_code >= 400 and \
                response.status_code not in (404, 409):
            raise exception.RecoveryFailed(
                resource='image %s' % image_id,
                reason='Glance refused removing %s (HTTP %d)' % (
                    key, response.status_code))

    # -- volumes
    def detach(self, server_id: str, volume_id: str) -> None:
        """Take volume_id off server_id (nothing if it is not on it)."""
        if self.device_of(volume_id, server_id) is None:
            return
        self.compute.delete_volume_attachment(server_id, volume_id)
        self._wait_volume(volume_id, ('available',), 'volume %s' % volume_id)

    def attach(self, server_id: str, volume_id: str, device: str) -> str:
        """Put volume_id on server_id at device; the device Nova chose.

        :raises dragon.exception.RecoveryFailed: attached elsewhere.
        """
        found = self.device_of(volume_id, server_id)
        if found is None:
            attrs = {'volume_id': volume_id}
            if device:
                attrs['device'] = device
            self.compute.create_volume_attachment(server_id, **attrs)
            self._wait_volume(volume_id, ('in-use',),
                              'volume %s' % volume_id)
            found = self.device_of(volume_id, server_id)
        if found is None:
            raise exception.RecoveryFailed(
                resource='volume %s' % volume_id,
                reason='not attached to server %s after the attach' %
                server_id)
        return found

    def from_image(self, image_id: str, size_gib: int, name: str,
                   like: dict[str, Any], tags: dict[str, str]) -> str:
        """A new volume of image_id, in the old one's zone and type.

        :param like: the replaced volume's lookup (availability_zone,
            volume_type).
        :returns: its id, once it is available.
        """
        attrs = {'size': int(size_gib), 'image_id': image_id, 'name': name,
                 'metadata': dict(tags)}
        for key in ('availability_zone', 'volume_type'):
            if like.get(key):
                attrs[key] = like[key]
        volume_id = self.volumes.create_volume(**attrs).id
        return volume_id

    def wait_available(self, volume_id: str) -> None:
        self._wait_volume(volume_id, ('available',), 'volume %s' % volume_id)

    def tag(self, volume_id: str, key: str, value: str) -> None:
        self.volumes.set_volume_metadata(volume_id, **{key: value})

    def untag(self, volume_id: str, key: str) -> None:
        """Remove a tag (nothing if the volume or the tag is gone)."""
        volume = self.volume(volume_id)
        if volume is None or key not in (volume.metadata or {}):
            return
        self.volumes.delete_volume_metadata(volume_id, [key])

    def delete(self, volume_id: str) -> bool:
        """Delete a detached volume and wait; False when already gone."""
        return cinder.delete_and_wait(
            self.clients, 'volume', volume_id, timeout=self.timeout,
            interval=self.interval, resource='volume %s' % volume_id)

    def tagged(self, key: str, value: str) -> list[str]:
        """The project's volumes whose metadata key is value."""
        return [v.id for v in self.volumes.volumes(details=True)
                if (v.metadata or {}).get(key) == value]

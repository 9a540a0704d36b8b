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

"""swap.Cloud in memory: servers, volumes, attachments, tags, a call log."""

import types

from dragon import exception
from dragon.recovery.in_place import swap as swap_mod


class Cloud:
    """Same methods as swap.Cloud; ``fail_on`` makes one call raise."""

    def __init__(self, servers=None, volumes=None, images=None):
        self.servers = dict(servers or {'srv-web': 'ACTIVE'})
        # server id -> the image it runs from
        self.images = dict(images or {})
        self.untagged = []
        # id -> {"status", "attachments": [(server, device)], "metadata"}
        self.vols = {k: {'status': 'available', 'attachments': [],
                         'metadata': {}, **v}
                     for k, v in (volumes or {}).items()}
        self.calls = []
        self.images_deleted = []
        self.fail_on = None
        self.made = 0
        # server id -> metadata, create request (of servers made here)
        self.metadata = {}
        self.requests = {}
        # Boot volumes: image id -> the data it holds (a volume's "data"
        # is what its bytes are, by label).
        self.image_data = {}
        self.image_names = {}
        # Floating IPs by id (namespaces: id, floating_ip_address,
        # port_id) and the ports of servers made here.
        self.fips = {}
        self.ports = {}
        self.clients = types.SimpleNamespace(
            connection=types.SimpleNamespace(image=types.SimpleNamespace(
                delete_image=self._delete_image)))

    def _delete_image(self, image_id, ignore_missing=False):
        self.images_deleted.append(image_id)

    def _call(self, *what):
        self.calls.append(what)
        if self.fail_on and what[0] == self.fail_on:
            raise exception.RecoveryFailed(resource=what[1],
                                           reason='%s failed' % what[0])

    def volume(self, volume_id):
        vol = self.vols.get(volume_id)
        if vol is None:
            return None
        return types.SimpleNamespace(
            id=volume_id, status=vol['status'], metadata=vol['metadata'],
            attachments=[{'server_id': s, 'device': d}
                         for s, d in vol['attachments']])

    def device_of(self, volume_id, server_id):
        for server, device in (self.vols.get(volume_id) or {}).get(
                'attachments', ()):
            if server == server_id:
                return device
        return None

    def server_status(self, server_id):
        return self.servers[server_id]

    def server_exists(self, server_id):
        return server_id in self.servers

    def server_image(self, server_id):
        return self.images.get(server_id)

    def snapshot(self, server_id, name, properties):
        self._call('snapshot', server_id, name, dict(properties))
        self.made += 1
        return 'img-saved-%d' % self.made

    def wait_image(self, server_id, image_id):
        self._call('wait_image', server_id, image_id)

    def rebuild(self, server_id, image_id):
        if self.images.get(server_id) == image_id:
            return
        self._call('rebuild', server_id, image_id)
        self.images[server_id] = image_id

    def delete_image(self, image_id):
        if image_id in self.images_deleted:
            return False
        self._call('delete_image', image_id)
        self.images_deleted.append(image_id)
        return True

    def untag_image(self, image_id, key):
        self.untagged.append((image_id, key))

    def stop(self, server_id):
        self._call('stop', server_id)
        before = self.servers[server_id]
        self.servers[server_id] = 'SHUTOFF'
        return before

    def start(self, server_id):
        self._call('start', server_id)
        self.servers[server_id] = 'ACTIVE'

    def detach(self, server_id, volume_id):
        if self.device_of(volume_id, server_id) is None:
            return
        self._call('detach', server_id, volume_id)
        vol = self.vols[volume_id]
        vol['attachments'] = [a for a in vol['attachments']
                              if a[0] != server_id]
        vol['status'] = 'available'

    def attach(self, server_id, volume_id, device):
        found = self.device_of(volume_id, server_id)
        if found is not None:
            return found
        self._call('attach', server_id, volume_id, device)
        vol = self.vols[volume_id]
        vol['attachments'].append((server_id, device))
        vol['status'] = 'in-use'
        return device

    def from_image(self, image_id, size_gib, name, like, tags):
        self._call('from_image', image_id)
        self.made += 1
        volume_id = 'vol-new-%d' % self.made
        self.vols[volume_id] = {'status': 'available', 'attachments': [],
                                'metadata': dict(tags), 'size': size_gib,
                                'image': image_id, 'like': like}
        return volume_id

    def wait_available(self, volume_id):
        self._call('wait_available', volume_id)

    def tag(self, volume_id, key, value):
        self.vols[volume_id]['metadata'][key] = value

    def untag(self, volume_id, key):
        if volume_id in self.vols:
            self.vols[volume_id]['metadata'].pop(key, None)

    def delete(self, volume_id):
        if volume_id not in self.vols:
            return False
        self._call('delete', volume_id)
        del self.vols[volume_id]
        return True

    # -- servers booted again (recreate)
    def create_server(self, attrs):
        self._call('create_server', attrs['name'])
        self.made += 1
        server_id = 'srv-new-%d' % self.made
        self.servers[server_id] = 'ACTIVE'
        if attrs.get('image_id'):
            self.images[server_id] = attrs['image_id']
        # Booted from a volume: Nova attaches it.
        for mapping in attrs.get('block_device_mapping') or ():
            vol = self.vols[mapping['uuid']]
            vol['attachments'].append((server_id,
                                       mapping.get('device_name')))
            vol['status'] = 'in-use'
        self.metadata[server_id] = dict(attrs.get('metadata') or {})
        self.requests[server_id] = attrs
        # Nova makes a port on each network.
        for n, network in enumerate(attrs.get('networks') or ()):
            self.ports.setdefault(server_id, []).append(
                types.SimpleNamespace(
                    id='port-%s-%d' % (server_id, n),
                    network_id=network['uuid'],
                    fixed_ips=[{'ip_address': network.get('fixed_ip') or
                                '10.0.0.%d' % (100 + self.made)}]))
        return server_id

    def wait_active(self, server_id):
        self._call('wait_active', server_id)

    def delete_server(self, server_id):
        if server_id not in self.servers:
            return False
        self._call('delete_server', server_id)
        del self.servers[server_id]
        # Neutron disassociates the floating IPs of the ports it deletes.
        gone = {p.id for p in self.ports.pop(server_id, ())}
        for fip in self.fips.values():
            if fip.port_id in gone:
                fip.port_id = None
        # Nova detaches its volumes.
        for vol in self.vols.values():
            if any(s == server_id for s, _d in vol['attachments']):
                vol['attachments'] = [a for a in vol['attachments']
                                      if a[0] != server_id]
                vol['status'] = 'available'
        return True

    def untag_server(self, server_id, keys):
        self._call('untag_server', server_id)
        for key in keys:
            self.metadata.get(server_id, {}).pop(key, None)

    def tagged_servers(self, key, value):
        return {k: dict(m) for k, m in self.metadata.items()
                if k in self.servers and m.get(key) == value}

    # -- floating IPs (floating)
    def add_fip(self, fip_id, address, port_id=None):
        self.fips[fip_id] = types.SimpleNamespace(
            id=fip_id, floating_ip_address=address, port_id=port_id)

    def floating_ip(self, fip_id, address=None):
        if fip_id in self.fips:
            return self.fips[fip_id]
        return next((f for f in self.fips.values()
                     if address and f.floating_ip_address == address), None)

    def server_ports(self, server_id):
        return list(self.ports.get(server_id, ()))

    def associate(self, fip_id, port_id, fixed_ip=None):
        self._call('associate', fip_id, port_id)
        self.fips[fip_id].port_id = port_id

    def disassociate(self, fip_id):
        if fip_id in self.fips:
            self._call('disassociate', fip_id)
            self.fips[fip_id].port_id = None

    def addresses(self, server_id):
        return 'net-1 10.0.0.5'

    def tagged(self, key, value):
        return [k for k, v in self.vols.items()
                if v['metadata'].get(key) == value]

    # -- boot volumes re-imaged in place (boot)
    def boot_image(self, volume_id):
        return (self.vols.get(volume_id) or {}).get('boot_image')

    def reimage(self, server_id, volume_id, image_id):
        if self.boot_image(volume_id) == image_id:
            return
        self._call('reimage', server_id, volume_id, image_id)
        vol = self.vols[volume_id]
        vol['boot_image'] = image_id
        vol['data'] = self.image_data.get(image_id, image_id)

    def clone(self, volume_id, name, tags):
        self._call('clone', volume_id, name)
        self.made += 1
        copy_id = 'vol-copy-%d' % self.made
        self.vols[copy_id] = {'status': 'available', 'attachments': [],
                              'metadata': dict(tags),
                              'data': self.vols[volume_id].get('data')}
        return copy_id

    def upload(self, volume_id, name):
        self._call('upload', volume_id, name)
        self.made += 1
        image_id = 'img-up-%d' % self.made
        self.image_data[image_id] = self.vols[volume_id].get('data')
        self.image_names[name] = image_id
        return image_id

    def image_named(self, name):
        found = self.image_names.get(name)
        return None if found in self.images_deleted else found

    def wait_image_active(self, image_id, resource):
        self.calls.append(('wait_image_active', image_id))
        if self.fail_on == 'wait_image_active':
            raise exception.ResourceFailed(
                resource=resource, what='image', id=image_id,
                status='killed', wanted='active', detail='')

    def untag_boot_image(self, volume_id, keys):
        self._call('untag_boot_image', volume_id, tuple(keys))

    def tagged_copies(self, recovery_id):
        return {k: v['metadata'][swap_mod.COPY_TAG]
                for k, v in self.vols.items()
                if v['metadata'].get(swap_mod.REPLACED_TAG) == recovery_id
                and swap_mod.COPY_TAG in v['metadata']}


def install(monkeypatch, cloud):
    """Every swap.Cloud made from now on is ``cloud``."""
    monkeypatch.setattr(swap_mod, 'Cloud', lambda clients, conf: cloud)
    return cloud

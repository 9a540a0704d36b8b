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

"""A three-tier application on the minicloud: what Dragon protects in tests and the demo.

``web`` boots from the shared image, ``app`` boots from a volume, ``db``
boots from the image and has a data volume holding known bytes.  They sit on
a private network behind a router (gateway on ``public``) with a security
group; ``web`` has a key pair and a floating IP.  The expected sha256 of
every disk and volume is known in advance, so a test can check bytes that
come back from a checkpoint without reading the originals again.
"""
import dataclasses
import hashlib

from tests.minicloud import resources
from tests.minicloud.waiters import wait_for

GiB = 1024 ** 3
DATA_SIZE = 8 * 1024 * 1024


def public_key() -> str:
    """A fresh OpenSSH public key (the private half is thrown away)."""
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.hazmat.primitives import serialization
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH,
                            serialization.PublicFormat.OpenSSH).decode()


def data_bytes(name: str) -> bytes:
    """The known bytes at the start of the data volume of workload ``name``."""
    return resources.image_bytes(DATA_SIZE, seed=name.encode())


def sha256_padded(head: bytes, size: int) -> str:
    """sha256 of ``head`` followed by zeros up to ``size`` bytes."""
    digest = hashlib.sha256(head)
    zeros = bytes(1 << 20)
    remaining = size - len(head)
    while remaining > 0:
        digest.update(zeros[:min(remaining, len(zeros))])
        remaining -= len(zeros)
    return digest.hexdigest()


@dataclasses.dataclass
class Workload:
    """The ids of one deployed three-tier workload and its expected bytes."""

    name: str
    conn: object
    ids: dict = dataclasses.field(default_factory=dict)
    former_ids: dict = dataclasses.field(default_factory=dict)

    def replace(self, role, new_id):
        """Record that ``role`` is now ``new_id`` (an in-place commit).

        Checkpoints taken before still name the former id; see ids_as_of.
        """
        self.former_ids.setdefault(role, []).append(self.ids[role])
        self.ids[role] = new_id

    def ids_as_of(self, checkpoint):
        """The ids by role as ``checkpoint`` (an API record) names them."""
        named = {r['id'] for r in checkpoint['resources']}
        ids = dict(self.ids)
        for role, former in self.former_ids.items():
            if ids[role] not in named:
                ids[role] = next((i for i in reversed(former) if i in named),
                                 ids[role])
        return ids

    @property
    def servers(self):
        return {k: self.ids[k] for k in ('web', 'app', 'db')}

    @property
    def expected_sha256(self):
        """Expected sha256 of each data-carrying resource, by role."""
        image = hashlib.sha256(resources.image_bytes()).hexdigest()
        return {'web': image, 'db': image,
                'app_boot': sha256_padded(resources.image_bytes(), GiB),
                'data': sha256_padded(data_bytes(self.name), GiB)}

    def deploy(self, cidr='10.81.0.0/24'):
        """Create everything; on failure what was made is removed again."""
        try:
            self._deploy(cidr)
        except Exception:
            self.delete()
            raise
        return self

    def _deploy(self, cidr):
        c, n, ids = self.conn, self.name, self.ids
        net = c.network.create_network(name=n + '-net')
        ids['net'] = net.id
        subnet = c.network.create_subnet(
            network_id=net.id, name=n + '-subnet', ip_version=4, cidr=cidr,
            dns_nameservers=['10.0.0.53'])
        ids['subnet'] = subnet.id
        public = c.network.find_network(resources.PUBLIC_NET)
        router = c.network.create_router(
            name=n + '-router', external_gateway_info={'network_id': public.id})
        ids['router'] = router.id
        c.network.add_interface_to_router(router, subnet_id=subnet.id)
        ids['router_interface'] = subnet.id
        sg = c.network.create_security_group(name=n + '-sg')
        ids['sg'] = sg.id
        c.network.create_security_group_rule(
            security_group_id=sg.id, direction='ingress', protocol='tcp',
            port_range_min=22, port_range_max=22,
            remote_ip_prefix='0.0.0.0/0', ethertype='IPv4')
        keypair = c.compute.create_keypair(name=n + '-key',
                                           public_key=public_key())
        ids['keypair'] = keypair.name

        image = c.image.find_image(resources.IMAGE_NAME)
        data_image = c.image.create_image(
            name=n + '-data', data=data_bytes(n), disk_format='raw',
            container_format='bare')
        ids['data_image'] = data_image.id
        wait_for(lambda: c.image.get_image(data_image.id), ('active',),
                 ('killed',), timeout=300)
        bs = c.block_storage
        boot = bs.create_volume(size=1, name=n + '-app-boot',
                                image_id=image.id)
        ids['app_boot'] = boot.id
        data = bs.create_volume(size=1, name=n + '-data',
                                image_id=data_image.id)
        ids['data'] = data.id
        for volume_id in (boot.id, data.id):
            wait_for(lambda v=volume_id: bs.get_volume(v), ('available',),
                     timeout=300)

        flavor = c.compute.find_flavor('m1.tiny')
        common = {'flavor_id': flavor.id, 'networks': [{'uuid': net.id}],
                  'security_groups': [{'name': sg.name}]}
        web = c.compute.create_server(name=n + '-web', image_id=image.id,
                                      key_name=keypair.name,
                                      metadata={'tier': 'web'}, **common)
        ids['web'] = web.id
        app = c.compute.create_server(
            name=n + '-app', metadata={'tier': 'app'},
            block_device_mapping=[{
                'boot_index': 0, 'uuid': boot.id, 'source_type': 'volume',
                'destination_type': 'volume',
                'delete_on_termination': False}], **common)
        ids['app'] = app.id
        db = c.compute.create_server(name=n + '-db', image_id=image.id,
                                     metadata={'tier': 'db'}, **common)
        ids['db'] = db.id
        for server_id in (web.id, app.id, db.id):
            c.compute.wait_for_server(c.compute.get_server(server_id),
                                      status='ACTIVE', interval=0.5, wait=300)
        c.compute.create_volume_attachment(db.id, volume_id=data.id)
        wait_for(lambda: bs.get_volume(data.id), ('in-use',), timeout=300)
        port = next(iter(c.network.ports(device_id=web.id)))
        fip = c.network.create_ip(floating_network_id=public.id,
                                  port_id=port.id)
        ids['fip'] = fip.id

    def delete(self):
        """Remove everything the workload made (tolerates half-made ones).

        Every step is tried even when an earlier one failed; the first
        error is raised at the end, so one stuck resource does not leave
        all the others behind.
        """
        c, ids = self.conn, self.ids
        errors = []

        def attempt(step, *args, **kwargs):
            try:
                step(*args, **kwargs)
            except Exception as e:   # noqa: BLE001 - collected, raised below
                errors.append(e)

        if 'fip' in ids:
            attempt(c.network.delete_ip, ids['fip'], ignore_missing=True)
        for role in ('web', 'app', 'db'):
            if role in ids:
                attempt(c.compute.delete_server, ids[role],
                        ignore_missing=True)
        for role in ('web', 'app', 'db'):
            if role in ids:
                attempt(self._wait_server_gone, ids[role])
        for role in ('app_boot', 'data'):
            if role in ids:
                attempt(self._delete_volume, ids[role])
        if 'data_image' in ids:
            attempt(c.image.delete_image, ids['data_image'],
                    ignore_missing=True)
        if 'keypair' in ids:
            attempt(c.compute.delete_keypair, ids['keypair'],
                    ignore_missing=True)
        if 'router_interface' in ids:
            attempt(c.network.remove_interface_from_router, ids['router'],
                    subnet_id=ids['router_interface'])
        if 'router' in ids:
            attempt(c.network.delete_router, ids['router'],
                    ignore_missing=True)
        if 'net' in ids:
            attempt(self._delete_network, ids['net'])
        if 'sg' in ids:
            attempt(c.network.delete_security_group, ids['sg'],
                    ignore_missing=True)
        if errors:
            raise errors[0]

    def _wait_server_gone(self, server_id):
        server = self.conn.compute.find_server(server_id, ignore_missing=True)
        if server:
            self.conn.compute.wait_for_delete(server, wait=300)

    def _delete_volume(self, volume_id):
        bs = self.conn.block_storage
        if bs.find_volume(volume_id, ignore_missing=True) is None:
            return
        wait_for(lambda: bs.get_volume(volume_id), ('available', 'error'),
                 timeout=300)
        # cascade: snapshots left by an interrupted protection go too.
        bs.delete_volume(volume_id, cascade=True)

    def _delete_network(self, net_id):
        for port in self.conn.network.ports(network_id=net_id):
            if port.device_owner in ('', 'compute:nova', 'compute:None'):
                self.conn.network.delete_port(port, ignore_missing=True)
        self.conn.network.delete_network(net_id, ignore_missing=True)

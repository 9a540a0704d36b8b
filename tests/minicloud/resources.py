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

"""The shared resources every region starts with: image, flavors, types, networks."""
import hashlib

from tests.minicloud.catalog import admin_connection
from tests.minicloud.layout import REGIONS
from tests.minicloud.layout import TEST_USERS

IMAGE_NAME = 'minicloud-raw'
IMAGE_SIZE = 4 * 1024 * 1024
PUBLIC_NET = 'public'


def image_bytes(size=IMAGE_SIZE, seed=b'minicloud'):
    """Deterministic, incompressible bytes: tests can recompute them."""
    out, counter = bytearray(), 0
    while len(out) < size:
        out += hashlib.sha256(seed + counter.to_bytes(8, 'big')).digest()
        counter += 1
    return bytes(out[:size])


def create(lo, region):
    conn = admin_connection(lo, region)
    if not conn.image.find_image(IMAGE_NAME, ignore_missing=True):
        image = conn.image.create_image(
            name=IMAGE_NAME, data=image_bytes(), disk_format='raw',
            container_format='bare', visibility='public')
        conn.image.wait_for_status(image, 'active', failures=['killed'],
                                   interval=0.5, wait=120)
    for name, ram, disk in (('m1.tiny', 128, 1), ('m1.small', 256, 2)):
        if not conn.compute.find_flavor(name, ignore_missing=True):
            conn.compute.create_flavor(name=name, ram=ram, vcpus=1, disk=disk)
    if not conn.block_storage.find_type('file', ignore_missing=True):
        conn.block_storage.create_type(
            name='file', extra_specs={'volume_backend_name': 'file'})
    if not conn.network.find_network(PUBLIC_NET, ignore_missing=True):
        net = conn.network.create_network(
            name=PUBLIC_NET, is_router_external=True, is_shared=False,
            provider_network_type='flat', provider_physical_network='public')
        conn.network.create_subnet(
            network_id=net.id, name=PUBLIC_NET + '-subnet', ip_version=4,
            cidr='172.24.%d.0/24' % (REGIONS.index(region) + 4),
            enable_dhcp=False)
    lift_quotas(conn)


def lift_quotas(conn):
    """No quota limits for the test projects.

    Functional tests (and the helpers running them side by side while the
    code is written) create many volumes and servers; a default quota of 10
    volumes fails them for a reason that says nothing about Dragon.
    """
    for project_name in sorted({p for _u, p, _r in TEST_USERS}):
        project = conn.identity.find_project(project_name)
        conn.set_compute_quotas(project.id, instances=-1, cores=-1, ram=-1,
                                key_pairs=-1)
        conn.set_volume_quotas(project.id, volumes=-1, snapshots=-1,
                               gigabytes=-1, backups=-1, backup_gigabytes=-1)
        conn.set_network_quotas(project.id, network=-1, subnet=-1, port=-1,
                                router=-1, floatingip=-1, security_group=-1,
                                security_group_rule=-1)


def compute_and_volume_ready(lo, region) -> bool:
    """True once nova-compute has a hypervisor and cinder's services are up."""
    conn = admin_connection(lo, region)
    hypervisors = list(conn.compute.hypervisors())
    nova = {s.binary: s.state for s in conn.compute.services()}
    cinder = {s.binary: s.state for s in conn.block_storage.services()}
    return bool(hypervisors) and nova.get('nova-compute') == 'up' and all(
        cinder.get(b) == 'up' for b in ('cinder-volume', 'cinder-backup',
                                        'cinder-scheduler'))

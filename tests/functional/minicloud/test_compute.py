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

"""Nova with the disk-carrying fake driver, in both regions."""
import hashlib

import pytest

from tests.minicloud.layout import REGIONS
from tests.minicloud import resources
from tests.minicloud.waiters import image_sha256
from tests.minicloud.waiters import wait_for


@pytest.mark.parametrize('region', REGIONS)
def test_snapshot_of_a_server_carries_the_bytes_of_its_disk(
        cloud, region, unique_name, private_network):
    conn, net, _subnet = private_network
    image = conn.image.find_image(resources.IMAGE_NAME)
    flavor = conn.compute.find_flavor('m1.tiny')
    server = conn.compute.create_server(
        name=unique_name, image_id=image.id, flavor_id=flavor.id,
        networks=[{'uuid': net.id}])
    snapshot_id = None
    try:
        server = conn.compute.wait_for_server(server, status='ACTIVE',
                                              interval=0.5, wait=180)
        assert server.addresses, 'server got no address on its network'
        snapshot_id = conn.compute.create_server_image(
            server, name=unique_name + '-snap', wait=False).id
        snapshot = wait_for(lambda: conn.image.get_image(snapshot_id),
                            ok=('active',), bad=('killed', 'deleted'))
        assert snapshot.size == resources.IMAGE_SIZE
        digest, size = image_sha256(conn, snapshot_id)
        assert size == resources.IMAGE_SIZE
        assert digest == hashlib.sha256(resources.image_bytes()).hexdigest()
    finally:
        conn.compute.delete_server(server, ignore_missing=True)
        conn.compute.wait_for_delete(server, wait=120)
        if snapshot_id:
            conn.image.delete_image(snapshot_id, ignore_missing=True)


def test_regions_are_separate_sites(cloud):
    """Region B must not be region A behind a second catalog entry."""
    one = cloud.connect(region=REGIONS[0])
    two = cloud.connect(region=REGIONS[1])
    assert one.compute.get_endpoint() != two.compute.get_endpoint()
    image_one = one.image.find_image(resources.IMAGE_NAME)
    image_two = two.image.find_image(resources.IMAGE_NAME)
    assert image_one.id != image_two.id
    assert two.image.find_image(image_one.id, ignore_missing=True) is None
    assert ({h.name for h in one.compute.hypervisors()} &
            {h.name for h in two.compute.hypervisors()}) == set()

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

"""Cinder with the file-backed driver: every data path keeps the bytes."""
import hashlib

import pytest

from tests.minicloud.layout import REGIONS
from tests.minicloud import resources
from tests.minicloud.waiters import image_sha256
from tests.minicloud.waiters import wait_for

GiB = 1024 ** 3
VOLUME_BAD = ('error', 'error_restoring', 'error_backing-up',
              'error_extending')


def _expected_volume_digest():
    """The image's bytes followed by zeros up to 1 GiB."""
    digest = hashlib.sha256(resources.image_bytes())
    zeros = bytes(1 << 20)
    remaining = GiB - resources.IMAGE_SIZE
    while remaining:
        digest.update(zeros[:min(remaining, len(zeros))])
        remaining -= min(remaining, len(zeros))
    return digest.hexdigest()


# The primary region only: RegionTwo's Cinder runs the same driver and
# configuration, and its restore paths are exercised by every recovery test.
@pytest.mark.parametrize('region', REGIONS[:1])
def test_volume_bytes_survive_snapshot_backup_restore_and_upload(
        cloud, region, unique_name):
    conn = cloud.connect('demo', region=region)
    bs = conn.block_storage
    image = conn.image.find_image(resources.IMAGE_NAME)
    made = []   # (kind, id) newest last, deleted in reverse
    try:
        source = bs.create_volume(size=1, name=unique_name,
                                  image_id=image.id)
        made.append(('volume', source.id))
        source = wait_for(lambda: bs.get_volume(source.id), ('available',),
                          VOLUME_BAD)
        assert source.is_bootable

        snap = bs.create_snapshot(volume_id=source.id, name=unique_name)
        made.append(('snapshot', snap.id))
        wait_for(lambda: bs.get_snapshot(snap.id), ('available',))
        from_snap = bs.create_volume(size=1, snapshot_id=snap.id,
                                     name=unique_name + '-from-snap')
        made.append(('volume', from_snap.id))
        wait_for(lambda: bs.get_volume(from_snap.id), ('available',),
                 VOLUME_BAD)

        backup = bs.create_backup(volume_id=from_snap.id,
                                  name=unique_name)
        made.append(('backup', backup.id))
        wait_for(lambda: bs.get_backup(backup.id), ('available',),
                 timeout=300)
        restored_id = bs.restore_backup(
            backup.id, name=unique_name + '-restored').volume_id
        made.append(('volume', restored_id))
        wait_for(lambda: bs.get_volume(restored_id), ('available',),
                 VOLUME_BAD, timeout=300)

        upload = bs.upload_volume_to_image(
            restored_id, unique_name + '-image', force=True,
            disk_format='raw', container_format='bare')
        made.append(('image', upload['image_id']))
        wait_for(lambda: conn.image.get_image(upload['image_id']),
                 ('active',), ('killed', 'deleted'), timeout=300)
        wait_for(lambda: bs.get_volume(restored_id), ('available',),
                 VOLUME_BAD)
        digest, size = image_sha256(conn, upload['image_id'])
        assert size == GiB
        assert digest == _expected_volume_digest()
    finally:
        for kind, obj_id in reversed(made):
            if kind == 'image':
                conn.image.delete_image(obj_id, ignore_missing=True)
            elif kind == 'backup':
                bs.delete_backup(obj_id, ignore_missing=True)
            elif kind == 'snapshot':
                # A volume with a snapshot cannot be deleted: wait for it.
                snap = bs.find_snapshot(obj_id, ignore_missing=True)
                if snap:
                    bs.delete_snapshot(snap)
                    bs.wait_for_delete(snap, wait=120)
            else:
                bs.delete_volume(obj_id, ignore_missing=True)


@pytest.mark.parametrize('region', REGIONS)
def test_server_boots_from_a_volume(cloud, region, unique_name,
                                    private_network):
    conn, net, _subnet = private_network
    image = conn.image.find_image(resources.IMAGE_NAME)
    flavor = conn.compute.find_flavor('m1.tiny')
    server = conn.compute.create_server(
        name=unique_name, flavor_id=flavor.id, networks=[{'uuid': net.id}],
        block_device_mapping=[{
            'boot_index': 0, 'uuid': image.id, 'source_type': 'image',
            'destination_type': 'volume', 'volume_size': 1,
            'delete_on_termination': True}])
    try:
        server = conn.compute.wait_for_server(server, status='ACTIVE',
                                              interval=0.5, wait=180)
        attached = server.attached_volumes
        assert len(attached) == 1
        volume = conn.block_storage.get_volume(attached[0]['id'])
        assert volume.status == 'in-use' and volume.is_bootable
    finally:
        conn.compute.delete_server(server, ignore_missing=True)
        conn.compute.wait_for_delete(server, wait=120)

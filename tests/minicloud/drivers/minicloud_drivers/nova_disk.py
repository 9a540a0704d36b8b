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

"""Nova fake virt driver whose servers have a disk that carries real bytes.

Nova's stock ``FakeDriver`` uploads nothing on createImage, so a snapshot of
an image-backed server stays ``queued`` with no data.  Dragon protects servers
by snapshotting them, so its tests need snapshots with the instance's bytes:
this driver writes the Glance image into a per-instance disk file at spawn and
uploads that file at snapshot.  Boot-from-volume servers keep no local disk
(their root disk lives in Cinder), exactly as with a real hypervisor.
"""
import os
import shutil

from oslo_config import cfg
from oslo_log import log as logging

from nova.compute import task_states
from nova import exception
from nova.image import glance
from nova.virt import fake
from nova.virt import node

LOG = logging.getLogger(__name__)
CONF = cfg.CONF


class DiskFakeDriver(fake.FakeDriver):
    """FakeDriver plus a raw disk file per image-backed instance."""

    def __init__(self, virtapi, read_only=False):
        super().__init__(virtapi, read_only)
        self._image_api = glance.API()

    def init_host(self, host):
        super().init_host(host)
        # Persist a node identity in state_path, as real drivers do: the
        # stock fake driver keeps none, and nova-compute then refuses to
        # restart ("No local node identity found") after a site comes back.
        node.get_local_node_uuid()

    def get_nodenames_by_uuid(self, refresh=False):
        nodes = self.get_available_nodes()
        return {node.get_local_node_uuid(): nodes[0]}

    def get_available_resource(self, nodename):
        resources = super().get_available_resource(nodename)
        # The stock driver names its node by a per-process random UUID.
        resources['uuid'] = node.get_local_node_uuid()
        return resources

    def _disk_path(self, instance):
        return os.path.join(CONF.instances_path, instance.uuid, 'disk')

    @staticmethod
    def _boots_from_volume(block_device_info):
        mappings = (block_device_info or {}).get('block_device_mapping') or []
        return any(bdm.get('boot_index') == 0 or
                   bdm.get('mount_device') in ('/dev/vda', '/dev/sda')
                   for bdm in mappings)

    def spawn(self, context, instance, image_meta, injected_files,
              admin_password, allocations, network_info=None,
              block_device_info=None, power_on=True, accel_info=None):
        if instance.image_ref and not self._boots_from_volume(
                block_device_info):
            path = self._disk_path(instance)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            self._image_api.download(context, instance.image_ref,
                                     dest_path=path)
            LOG.info('wrote disk %s (%d bytes) from image %s', path,
                     os.path.getsize(path), instance.image_ref,
                     instance=instance)
        super().spawn(context, instance, image_meta, injected_files,
                      admin_password, allocations, network_info=network_info,
                      block_device_info=block_device_info, power_on=power_on,
                      accel_info=accel_info)

    def snapshot(self, context, instance, image_id, update_task_state):
        if instance.uuid not in self.instances:
            raise exception.InstanceNotRunning(instance_id=instance.uuid)
        update_task_state(task_state=task_states.IMAGE_PENDING_UPLOAD)
        path = self._disk_path(instance)
        if not os.path.exists(path):
            # Nothing local to upload (e.g. a server that booted from a
            # volume); behave like the stock driver.
            update_task_state(task_state=task_states.IMAGE_UPLOADING,
                              expected_state=task_states.IMAGE_PENDING_UPLOAD)
            return
        snapshot = self._image_api.get(context, image_id)
        metadata = {
            'name': snapshot['name'],
            'disk_format': 'raw',
            'container_format': 'bare',
            'properties': {'image_location': 'snapshot',
                           'image_state': 'available',
                           'owner_id': instance.project_id},
        }
        update_task_state(task_state=task_states.IMAGE_UPLOADING,
                          expected_state=task_states.IMAGE_PENDING_UPLOAD)
        with open(path, 'rb') as disk:
            self._image_api.update(context, image_id, metadata, data=disk,
                                   purge_props=False)
        LOG.info('uploaded snapshot %s from %s', image_id, path,
                 instance=instance)

    def destroy(self, context, instance, network_info, block_device_info=None,
                destroy_disks=True, destroy_secrets=True):
        super().destroy(context, instance, network_info,
                        block_device_info=block_device_info,
                        destroy_disks=destroy_disks,
                        destroy_secrets=destroy_secrets)
        if destroy_disks:
            shutil.rmtree(os.path.dirname(self._disk_path(instance)),
                          ignore_errors=True)

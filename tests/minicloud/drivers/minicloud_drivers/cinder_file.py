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

"""Cinder volume driver that keeps every volume and snapshot as a sparse file.

Cinder's stock fake driver stores no data, so nothing that copies bytes
(volume from image, upload to image, backup, restore, boot from volume) can
be tested with it.  Here a volume is a regular sparse file and connections use
os-brick's ``local`` connector, so Cinder's own generic code paths (qemu-img
convert, dd, the backup drivers) move real bytes.
"""
import os
import shutil

from oslo_config import cfg
from oslo_log import log as logging

from cinder.volume import driver

LOG = logging.getLogger(__name__)
GiB = 1024 ** 3

file_volume_opts = [
    cfg.StrOpt('file_volume_dir',
               help='Directory holding one sparse file per volume/snapshot.'),
]


class FileVolumeDriver(driver.VolumeDriver):
    """Volumes and snapshots are sparse files in ``file_volume_dir``."""

    VERSION = '1.0'

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.configuration.append_config_values(file_volume_opts)
        self.backend_name = (
            self.configuration.safe_get('volume_backend_name') or 'file')

    @property
    def _base(self):
        return self.configuration.file_volume_dir

    def _path(self, name):
        return os.path.join(self._base, name)

    def do_setup(self, context):
        os.makedirs(self._base, exist_ok=True)

    def check_for_setup_error(self):
        if not os.path.isdir(self._base):
            raise RuntimeError('file_volume_dir %s is missing' % self._base)

    def _unlink(self, name):
        try:
            os.unlink(self._path(name))
        except FileNotFoundError:
            pass

    def _copy(self, src, dst, size_gb):
        # copyfile keeps holes only with cp --sparse; the files are small in
        # tests, but keep them sparse so a 1 GiB volume costs no disk.
        with open(self._path(src), 'rb') as fin, \
                open(self._path(dst), 'wb') as fout:
            while True:
                block = fin.read(4 * 1024 * 1024)
                if not block:
                    break
                if block.count(0) == len(block):
                    fout.seek(len(block), os.SEEK_CUR)
                else:
                    fout.write(block)
            fout.truncate(int(size_gb) * GiB)

    def create_volume(self, volume):
        with open(self._path(volume.name), 'wb') as f:
            f.truncate(int(volume.size) * GiB)

    def delete_volume(self, volume):
        self._unlink(volume.name)

    def create_snapshot(self, snapshot):
        self._copy(snapshot.volume_name, snapshot.name, snapshot.volume_size)

    def delete_snapshot(self, snapshot):
        self._unlink(snapshot.name)

    def create_volume_from_snapshot(self, volume, snapshot):
        self._copy(snapshot.name, volume.name, volume.size)

    def create_cloned_volume(self, volume, src_vref):
        self._copy(src_vref.name, volume.name, volume.size)

    def extend_volume(self, volume, new_size):
        os.truncate(self._path(volume.name), int(new_size) * GiB)

    def copy_image_to_volume(self, context, volume, image_service, image_id,
                             disable_sparse=False):
        super().copy_image_to_volume(context, volume, image_service, image_id,
                                     disable_sparse=disable_sparse)
        # qemu-img convert onto a regular file shrinks it to the image's
        # size; a volume must keep its full size.
        os.truncate(self._path(volume.name), int(volume.size) * GiB)

    def local_path(self, volume):
        return self._path(volume.name)

    def ensure_export(self, context, volume):
        pass

    def create_export(self, context, volume, connector):
        pass

    def remove_export(self, context, volume):
        pass

    def create_export_snapshot(self, context, snapshot, connector):
        pass

    def remove_export_snapshot(self, context, snapshot):
        pass

    def initialize_connection(self, volume, connector):
        return {'driver_volume_type': 'local',
                'data': {'device_path': self._path(volume.name)}}

    def initialize_connection_snapshot(self, snapshot, connector, **kwargs):
        return {'driver_volume_type': 'local',
                'data': {'device_path': self._path(snapshot.name)}}

    def terminate_connection(self, volume, connector, **kwargs):
        # Writers that open the "device" with mode 'wb' (cinder-backup's
        # restore does) truncate the file; a block device keeps its size.
        path = self._path(volume.name)
        if os.path.exists(path) and (
                os.path.getsize(path) < int(volume.size) * GiB):
            os.truncate(path, int(volume.size) * GiB)

    def terminate_connection_snapshot(self, snapshot, connector, **kwargs):
        pass

    def _update_volume_stats(self):
        usage = shutil.disk_usage(self._base)
        self._stats = {
            'volume_backend_name': self.backend_name,
            'vendor_name': 'Dragon minicloud',
            'driver_version': self.VERSION,
            'storage_protocol': 'local',
            'pools': [{
                'pool_name': self.backend_name,
                'total_capacity_gb': usage.total // GiB,
                'free_capacity_gb': usage.free // GiB,
                'reserved_percentage': 0,
                'QoS_support': False,
                'thin_provisioning_support': True,
                'multiattach': True,
            }],
        }

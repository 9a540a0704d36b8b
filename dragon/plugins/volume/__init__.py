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

"""The ``volume`` resource type: a Cinder volume and its attachments.

``hot`` builds them; ``recovery`` resolves their parameters' kinds and
says what restored data fills (an image) and replaces (a volume).
"""

from typing import Any

from dragon.cloud import caller
from dragon.plugins.volume import hot
from dragon.plugins.volume import recovery
from dragon.protection.data import backup as data_backup
from dragon.protection.data import base as data_base
from dragon.protection.data import volume as data_volume
from dragon.protection.discovery import volume as discovery_volume
from dragon.protection import registry
from dragon.recovery.restore import images
from dragon.recovery.restore import volumes
from dragon.resource_types import base


def _label(key: str, node: Any) -> str:
    return data_base.label(node) if node is not None else key


def _restore_image(ctx: Any, key: str, record: dict, node: Any) -> dict:
    return images.restore_image(ctx, key, record, _label(key, node))


def _restore_backup(ctx: Any, key: str, record: dict, node: Any) -> dict:
    return volumes.restore_backup(ctx, key, record, _label(key, node))


def _adopt_replica(ctx: Any, key: str, record: dict, node: Any) -> dict:
    source_id = node.resource.id if node is not None else record.get(
        'source_volume_id')
    return volumes.adopt_replica(ctx, key, record, _label(key, node),
                                 source_id)


class Volume(base.ResourceType):
    """Cinder volumes (attachments come with the servers that use them)."""

    name = registry.VOLUME
    description = 'A Cinder volume of the project.'
    heat_type = 'OS::Cinder::Volume'
    actions = (
        base.Action(
            name='snapshot_data', default=True,
            description='Snapshot the volume and stream its data into '
                        'the checkpoint.',
            options_schema=base.options_schema({
                'keep_snapshot': {
                    'type': 'boolean', 'default': False,
                    'description': 'Keep the Cinder snapshot once its '
                                   'data is in the checkpoint.'},
            })),
        base.Action(
            name='cinder_backup',
            description='Back the volume up with cinder-backup and '
                        'record the backup\'s export in the checkpoint.',
            options_schema=base.options_schema({
                'incremental': {
                    'type': 'boolean', 'default': True,
                    'description': 'Make incremental backups after '
                                   'the first full one.'},
                'container': {
                    'type': 'string', 'minLength': 1, 'maxLength': 255,
                    'pattern': '^[A-Za-z0-9._-]+$',
                    'description': 'Backup container (cinder-backup\'s '
                                   'default if not set).'},
            })),
        base.Action(
            name='replicated',
            description='Take no data: the volume is replicated by the '
                        'storage; recovery adopts the replica.',
            options_schema=base.options_schema()),
    )
    data_actions = {
        'snapshot_data': data_volume.SnapshotData,
        'cinder_backup': data_backup.CinderBackup,
        'replicated': data_volume.Replicated,
        # Not a member action: attached volumes a server records only.
        registry.TEMPLATE_ONLY: data_volume.VolumeTemplateOnly,
    }
    discovery = discovery_volume.VolumeDiscovery
    record_kinds = (data_base.VOLUME, data_base.CINDER_BACKUP,
                    data_base.REPLICATED)

    def list_resources(self, context: Any) -> list[dict[str, Any]]:
        return caller.volume_list(context)

    def get_resource(self, context: Any,
                     resource_id: str) -> dict[str, Any] | None:
        return caller.volume_get(context, resource_id)

    def member_refusal(self, resource: dict[str, Any],
                       action: base.Action) -> str | None:
        # Every member action of a volume takes (or adopts) its data.
        if resource.get('encrypted'):
            return data_volume.encrypted_refusal(
                resource['id'], resource.get('volume_type'))
        return None

    def template_handlers(self) -> dict[str, base.TemplateHandler]:
        return dict(hot.HANDLERS)

    def restorers(self) -> dict[str, base.RestoreFunction]:
        return {data_base.VOLUME: _restore_image,
                data_base.CINDER_BACKUP: _restore_backup,
                data_base.REPLICATED: _adopt_replica}

    def mapping_kinds(self) -> dict[str, base.MappingFunction]:
        return {'volume_type': recovery.volume_type,
                'image': recovery.image(self.record_kinds),
                'availability_zone': recovery.availability_zone}

    def restored_parameter(self, kind: str, restored: dict) -> Any:
        return images.restored_parameter(kind, restored)

    def replacements(self, resources: dict[str, Any], restored: dict,
                     values: dict[str, Any],
                     index: dict[str, Any]) -> dict[str, Any]:
        return recovery.restored_volumes(resources, restored)

    def estimate_restore(self, record: dict) -> int:
        # An adopted replica moves nothing.
        if record.get('kind') == data_base.REPLICATED:
            return 0
        return int(record.get('size') or 0)

    def cleanup_restored(self, ctx: Any, key: str, made: dict) -> None:
        volumes.cleanup_volume(ctx, key, made)

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

"""The ``server`` resource type: a Nova server, its network, key pair, group.

Discovery (``dragon.protection.discovery.server``/``network``) follows a
server to its ports, networks, subnets, routers, security groups, floating
IPs, key pair, server group and volumes; the template gets all of them
(``hot``; the Neutron part, ``dragon.protection.hot.networking``, is the
server's: nothing else brings networks).  ``recovery`` resolves its
parameters' kinds and says what its restored images fill and which
existing key pairs replace their resources.
"""

from typing import Any

from dragon.cloud import caller
from dragon.plugins.server import hot
from dragon.plugins.server import recovery
from dragon.protection.data import base as data_base
from dragon.protection.data import server as data_server
from dragon.protection.discovery import server as discovery_server
from dragon.protection.hot import networking
from dragon.protection import registry
from dragon.recovery.restore import images
from dragon.resource_types import base

_ATTACHED = {registry.ATTACHED_VOLUMES: registry.ATTACHED_VOLUMES_SCHEMA}


def _restore_image(ctx: Any, key: str, record: dict, node: Any) -> dict:
    resource = data_base.label(node) if node is not None else key
    return images.restore_image(ctx, key, record, resource)


class Server(base.ResourceType):
    """Nova servers; the Neutron resources they use come along."""

    name = registry.SERVER
    description = 'A Nova server of the project.'
    heat_type = 'OS::Nova::Server'
    actions = (
        base.Action(
            name='image_snapshot', default=True,
            description='Snapshot the running disk with Nova createImage '
                        'and stream the image data into the checkpoint.',
            options_schema=base.options_schema({
                'keep_image': {
                    'type': 'boolean', 'default': False,
                    'description': 'Keep the Glance snapshot image once '
                                   'its data is in the checkpoint.'},
                'skip_unchanged': {
                    'type': 'boolean', 'default': True,
                    'description': 'Reuse the previous checkpoint\'s data '
                                   'of a server stopped since, unchanged '
                                   '(no instance action, same image and '
                                   'flavor), instead of a new snapshot.'},
                **_ATTACHED,
            })),
        base.Action(
            name='image_copy',
            description='Store the server\'s base image once '
                        '(deduplicated); the disk\'s changes are not kept.',
            options_schema=base.options_schema(_ATTACHED)),
        base.Action(
            name=registry.TEMPLATE_ONLY, exclusive=False,
            description='Record the server in the recovery template, '
                        'without any data of its own disk.',
            options_schema=base.options_schema(_ATTACHED)),
    )
    data_actions = {
        'image_snapshot': data_server.ImageSnapshot,
        'image_copy': data_server.ImageCopy,
        registry.TEMPLATE_ONLY: data_server.ServerTemplateOnly,
    }
    discovery = discovery_server.ServerDiscovery
    record_kinds = (data_base.IMAGE,)
    # A key pair's id is its name, which the target keeps on purpose.
    ids_are_names = frozenset({'OS::Nova::KeyPair'})

    def list_resources(self, context: Any) -> list[dict[str, Any]]:
        return caller.server_list(context)

    def get_resource(self, context: Any,
                     resource_id: str) -> dict[str, Any] | None:
        return caller.server_get(context, resource_id)

    def template_handlers(self) -> dict[str, base.TemplateHandler]:
        # The Neutron resources are the servers': no other type brings them.
        return {**hot.HANDLERS, **networking.HANDLERS}

    def restorers(self) -> dict[str, base.RestoreFunction]:
        return {data_base.IMAGE: _restore_image}

    def mapping_kinds(self) -> dict[str, base.MappingFunction]:
        return {'flavor': recovery.flavor,
                'image': recovery.image(self.record_kinds),
                'availability_zone': recovery.availability_zone,
                'key_name': recovery.key_name}

    def check_mappings(self, resolver: Any) -> None:
        recovery.check_flavor_mappings(resolver)

    def restored_parameter(self, kind: str, restored: dict) -> Any:
        return images.restored_parameter(kind, restored)

    def replacements(self, resources: dict[str, Any], restored: dict,
                     values: dict[str, Any],
                     index: dict[str, Any]) -> dict[str, Any]:
        return recovery.key_pair_replacements(resources, values, index)

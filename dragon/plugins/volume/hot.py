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

"""The HOT resources of the ``volume`` type: volumes and their attachments.

Volume types, availability zones and the image a volume is created from
(the image its data is restored into; empty: a blank volume) are
parameters recovery fills.
"""

from typing import Any

from dragon.protection import graph as graph_mod
from dragon.protection import template


def volume(builder: template.Builder,
           node: graph_mod.Node) -> dict[str, Any]:
    p = node.properties
    props: dict[str, Any] = {'size': p['size']}
    template.set_if(props, 'name', p.get('name'))
    template.set_if(props, 'description', p.get('description'))
    template.set_if(props, 'metadata', p.get('metadata'))
    if p.get('volume_type'):
        # Empty means the target's default type (and spares Heat's
        # type lookup, which some Cinder releases refuse to members).
        props['volume_type'] = builder.optional(
            node, 'volume_type', builder.param(
                node, 'volume_type', 'volume_type', p['volume_type'],
                'Volume type of volume %s (empty: the default type)'
                % node.resource.name))
    if p.get('availability_zone'):
        props['availability_zone'] = builder.param(
            node, 'availability_zone', 'availability_zone',
            p['availability_zone'],
            'Availability zone of volume %s' % node.resource.name)
    # Recovery creates the volume from the image it restored the
    # volume's data into; empty means a blank volume.
    props['image'] = builder.optional(node, 'image', builder.param(
        node, 'image', 'image', '',
        'Image to create volume %s from (empty: blank)'
        % node.resource.name))
    return props


def attachment(builder: template.Builder,
               node: graph_mod.Node) -> dict[str, Any]:
    props = {'instance_uuid': template.ref(node.properties['server']),
             'volume_id': template.ref(node.properties['volume'])}
    template.set_if(props, 'mountpoint', node.properties.get('mountpoint'))
    return props


HANDLERS: dict[str, Any] = {
    'OS::Cinder::Volume': volume,
    'OS::Cinder::VolumeAttachment': attachment,
}

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

"""The HOT resources of the ``server`` type: servers, key pairs, groups.

Flavors, images, key names and availability zones are parameters (the
site's own values, recovery maps them); ports, volumes, key pairs and
server groups are the servers' graph neighbours, referred to by
``get_resource``.
"""

from typing import Any

from dragon.protection import graph as graph_mod
from dragon.protection import template
from dragon.protection import warnings as warnings_mod


def server(builder: template.Builder,
           node: graph_mod.Node) -> dict[str, Any]:
    p = node.properties
    props: dict[str, Any] = {'name': p.get('name') or node.resource.name}
    props['flavor'] = builder.param(
        node, 'flavor', 'flavor', p['flavor'].get('original_name'),
        'Flavor of server %s (source: %s vCPU, %s MiB RAM, %s GiB disk)'
        % (node.resource.name, p['flavor'].get('vcpus'),
           p['flavor'].get('ram'), p['flavor'].get('disk')))
    boot = [d for d in p.get('block_devices') or ()
            if d.get('boot_index') == 0]
    if p.get('image'):
        props['image'] = builder.param(
            node, 'image', 'image', p['image']['id'],
            'Image of server %s (source: %s)' % (
                node.resource.name, p['image'].get('name') or
                p['image']['id']))
    elif boot:
        props['block_device_mapping_v2'] = [{
            'boot_index': 0, 'volume_id': template.ref(boot[0]['volume']),
            'delete_on_termination': False}]
    if p.get('key_pair'):
        props['key_name'] = template.ref(p['key_pair'])
    if p.get('ports'):
        props['networks'] = [{'port': template.ref(k)} for k in p['ports']]
    else:
        # A server without ports: Nova (>= 2.37) wants that said.
        props['networks'] = [{'allocate_network': 'none'}]
    props['user_data_format'] = 'RAW'
    template.set_if(props, 'user_data', p.get('user_data'))
    if p.get('user_data_base64') and not p.get('user_data'):
        builder.warn(node.key, warnings_mod.USER_DATA_NOT_TEXT,
                     'user data of server %s is not text: recorded in the '
                     'manifest (base64), not in the template, so the '
                     'recovered server gets none' % node.resource.name)
    template.set_if(props, 'metadata', p.get('metadata'))
    template.set_if(props, 'tags', p.get('tags'))
    if p.get('server_group'):
        props['scheduler_hints'] = {'group': template.ref(p['server_group'])}
    if p.get('config_drive'):
        props['config_drive'] = True
    if p.get('availability_zone'):
        props['availability_zone'] = builder.param(
            node, 'availability_zone', 'availability_zone',
            p['availability_zone'],
            'Availability zone of server %s' % node.resource.name)
    return props


def keypair(builder: template.Builder,
            node: graph_mod.Node) -> dict[str, Any]:
    # Only the public key: Dragon never has, nor stores, a private key.
    return {'name': builder.param(node, 'key_name', 'key_name',
                                  node.properties['name'],
                                  'Name of key pair %s' % node.resource.name),
            'public_key': node.properties['public_key']}


def server_group(builder: template.Builder,
                 node: graph_mod.Node) -> dict[str, Any]:
    props = {'name': node.properties.get('name') or node.resource.name}
    if node.properties.get('policy'):
        props['policies'] = [node.properties['policy']]
    # e.g. max_server_per_host of anti-affinity (Nova 2.64, Heat knows).
    template.set_if(props, 'rules', node.properties.get('rules'))
    return props


HANDLERS: dict[str, Any] = {
    'OS::Nova::Server': server,
    'OS::Nova::KeyPair': keypair,
    'OS::Nova::ServerGroup': server_group,
}

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

"""A small checkpoint graph for in-place tests: two servers, one data volume."""

from dragon.protection import graph as graph_mod

SERVER, VOLUME = 'OS::Nova::Server', 'OS::Cinder::Volume'
CONTAINER = 'OS::Swift::Container'


def graph() -> graph_mod.ResourceGraph:
    """web (m1.small) with volume data (1 GiB) attached; db; a container."""
    g = graph_mod.ResourceGraph()
    g.add(graph_mod.Node('net_a', graph_mod.Resource(
        'OS::Neutron::Net', 'net-1', 'a')))
    g.add(graph_mod.Node('port_web', graph_mod.Resource(
        'OS::Neutron::Port', 'port-1', 'web'), depends_on=('net_a',)))
    g.add(graph_mod.Node('server_web', graph_mod.Resource(
        SERVER, 'srv-web', 'web'), member=True, action='image_snapshot',
        properties={'flavor': {'original_name': 'm1.small'}},
        depends_on=('port_web',)))
    g.add(graph_mod.Node('server_db', graph_mod.Resource(
        SERVER, 'srv-db', 'db'), member=True, action='image_snapshot',
        properties={'flavor': {'original_name': 'm1.small'}}))
    g.add(graph_mod.Node('volume_data', graph_mod.Resource(
        VOLUME, 'vol-data', 'data'), member=True, action='snapshot_data',
        properties={'size': 1}))
    g.add(graph_mod.Node('attach_data', graph_mod.Resource(
        'OS::Cinder::VolumeAttachment', 'srv-web:vol-data', ''),
        properties={'server': 'server_web', 'volume': 'volume_data'},
        depends_on=('server_web', 'volume_data')))
    g.add(graph_mod.Node('bucket_logs', graph_mod.Resource(
        CONTAINER, 'logs', 'logs'), member=True, action='copy_objects'))
    return g


def boot_graph() -> graph_mod.ResourceGraph:
    """graph() with web booting from volume data (no image of its own)."""
    g = graph()
    web = g.get('server_web')
    g._nodes[web.key] = graph_mod.Node(
        web.key, web.resource, member=True, action=web.action,
        properties={**web.properties, 'block_devices': [
            {'volume': 'volume_data', 'boot_index': 0, 'device': '/dev/vda',
             'delete_on_termination': False}]},
        depends_on=web.depends_on + ('volume_data',))
    return g


def manifest(region: str = 'RegionOne', project: str = 'p1',
             boot: bool = False) -> dict:
    return {'graph': (boot_graph() if boot else graph()).to_dict(),
            'source_region': region,
            'project_id': project, 'data': {}}


def lookup_of(now: dict):
    """A plan.Lookup answering from {resource id: state}."""
    asked = []

    def lookup(node):
        asked.append(node.resource.id)
        return now.get(node.resource.id)
    lookup.asked = asked
    return lookup

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

"""The HOT template of a rich graph, compared with one captured earlier.

``golden/rich_graph.json`` holds servers with ports (fixed IPs, an IPv6
SLAAC address, allowed address pairs, port security off, a direct VNIC),
security groups (the project's default, a rule to another group, one to
an address group), volumes attached and one boot volume, a key pair, a
server group, a floating IP, a router with a gateway and extra routes,
a shared network that is mapped rather than recreated and a server with
no port.  ``rich_template.yaml`` and ``rich_index.json`` are what the
template builder made of it before the Nova, Cinder and Neutron handlers
moved into their plugins: the template, its parameter index and the
warnings must stay the same byte for byte.
"""

import json
import pathlib

from dragon.protection import graph as graph_mod
from dragon.protection import template

GOLDEN = pathlib.Path(__file__).parent / 'golden'


def _build():
    graph = graph_mod.ResourceGraph.from_dict(
        json.loads((GOLDEN / 'rich_graph.json').read_text()))
    warnings = []
    tmpl, index = template.build(
        graph, lambda key, code, message: warnings.append(
            [key, code, message]))
    return tmpl, index, warnings


def test_template_is_the_golden_one_byte_for_byte():
    tmpl, _, _ = _build()
    assert template.to_yaml(tmpl) == (
        GOLDEN / 'rich_template.yaml').read_text()


def test_parameter_index_and_warnings_are_the_golden_ones():
    _, index, warnings = _build()
    golden = json.loads((GOLDEN / 'rich_index.json').read_text())
    assert index == golden['parameters']
    assert warnings == golden['warnings']


def test_the_golden_graph_covers_every_heat_type_built_in():
    tmpl, _, _ = _build()
    types = {r['type'] for r in tmpl['resources'].values()}
    assert types == {
        'OS::Nova::Server', 'OS::Nova::KeyPair', 'OS::Nova::ServerGroup',
        'OS::Cinder::Volume', 'OS::Cinder::VolumeAttachment',
        'OS::Neutron::Net', 'OS::Neutron::Subnet', 'OS::Neutron::Router',
        'OS::Neutron::RouterInterface', 'OS::Neutron::Port',
        'OS::Neutron::SecurityGroup', 'OS::Neutron::SecurityGroupRule',
        'OS::Neutron::FloatingIP'}

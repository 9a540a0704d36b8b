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

"""Recovery of the rich golden graph: mappings resolved, template rewritten.

``run_all()`` gives every case's outcome; ``golden/rich_recovery.json``
holds what it gave before the Nova, Cinder and Neutron pieces moved into
their resource types' plugins (the test compares the two).
"""

import json
import pathlib

from dragon import exception
from dragon.protection import graph as graph_mod
from dragon.protection import template
from dragon.recovery import mappings
from dragon.recovery import rewrite
from tests.unit.recovery import fakes

HERE = pathlib.Path(__file__).parent
GRAPH = HERE.parent / 'protection' / 'golden' / 'rich_graph.json'
IMAGE = 'f0000000-0000-0000-0000-000000000001'

# A data record per member-like node: images, a backup restored as a
# volume, a replica adopted, a template-only volume.
KINDS = {'server_web_0_50000000': 'image',
         'server_web_1_50000000': 'image',
         'server_db_50000000': 'none',
         'server_edge_50000003': 'none',
         'server_lonely_50000004': 'image',
         'volume_db_root_70000000': 'volume',
         'volume_data_70000000': 'cinder_backup',
         'volume_scratch_70000003': 'none'}
RESTORED = {'server_web_0_50000000': {'image_id': 'img-web-0'},
            'server_web_1_50000000': {'image_id': 'img-web-1'},
            'server_lonely_50000004': {'image_id': 'img-lonely'},
            'volume_db_root_70000000': {'image_id': 'img-db-root'},
            'volume_data_70000000': {'volume_id': 'vol-data'}}
MAPPINGS = {
    'good': {'flavors': {'m1.tiny': 'm1.small'},
             'availability_zones': {'az2': 'nova'},
             'volume_types': {'file': 'fast'},
             'networks': {'a0000000-0000-0000-0000-000000000002':
                          'recreate'},
             'images': {IMAGE: 'cirros'},
             'name_prefix': 'dr-'},
    'by_name': {'availability_zones': {'az2': 'nova'},
                'images': {IMAGE: 'cirros'}},
    'missing': {'flavors': {'m1.huge': 'm1.small'},
                'images': {'cirros': 'nothing-like-it'}},
    'key_pair': {'availability_zones': {'az2': 'nova'},
                 'images': {IMAGE: 'cirros'}},
    'key_pair_mapped': {'availability_zones': {'az2': 'nova'},
                        'images': {IMAGE: 'cirros'},
                        'key_pairs': {'ops': 'ops'}},
}


def graph():
    return graph_mod.ResourceGraph.from_dict(json.loads(GRAPH.read_text()))


def manifest():
    g = graph()
    _tmpl, index = template.build(g)
    data = {key: {'action': 'x', 'kind': kind} for key, kind in KINDS.items()}
    return {'graph': g.to_dict(), 'data': data, 'parameters': index}


def _target(case):
    target = fakes.Target()
    if case.startswith('key_pair'):
        target.keypairs = [{'name': 'ops',
                            'public_key': 'ssh-ed25519 AAAA ops'}]
    return target


def resolve(case, keys=None, mode='failover'):
    try:
        return {'values': mappings.resolve(manifest(), _target(case),
                                           MAPPINGS[case], keys, mode)}
    except exception.MappingMissing as e:
        return {'missing': str(e)}


def recover(case, keys=None, mode='failover', restored=RESTORED):
    resolved = resolve(case, keys, mode)
    if 'values' not in resolved:
        return resolved
    m = manifest()
    tmpl, _ = template.build(graph())
    try:
        out, params = rewrite.rewrite(
            template.to_yaml(tmpl), m['parameters'], resolved['values'],
            restored, keys, mode, MAPPINGS[case].get('name_prefix', ''),
            graph=m['graph'])
    except (exception.RewriteFailed, exception.MappingMissing) as e:
        return {'values': resolved['values'], 'error': str(e)}
    return {'values': resolved['values'], 'parameters': params,
            'template': template.to_yaml(out)}


SELECTED = {'server_web_0_50000000', 'port_web_0_60000000',
            'network_private_a0000000', 'subnet_private_v4_b0000000',
            'subnet_private_v6_b0000002', 'security_group_web_d0000000',
            'security_group_default_d0000000', 'keypair_ops_a92c36e6',
            'server_group_spread_90000000', 'volume_data_70000000',
            'attachment_web_0_data_da05880f'}


def run_all():
    return {
        'resolve_missing': resolve('missing'),
        'failover_good': recover('good'),
        'failover_by_name': recover('by_name'),
        'failover_key_pair': recover('key_pair'),
        'failover_key_pair_mapped': recover('key_pair_mapped'),
        'drill_good': recover('good', mode='drill'),
        'selected_good': recover('good', keys=SELECTED),
        'volume_restored_onto_server': recover(
            'good', restored={'server_web_0_50000000': {
                'volume_id': 'v'}}),
    }

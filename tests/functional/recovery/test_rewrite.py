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

"""The recovery rewrite against the minicloud: RegionOne's workload as a RegionTwo stack.

The session's three-tier workload (``protected``) is discovered again as
the demo user; the generated template is resolved and rewritten for
RegionTwo with no explicit mapping (same-named flavors, zones, volume type
and external network are found by name) and with RegionTwo's shared image
standing in for every restored disk and volume.  As a drill, the stack must
come up with every server ACTIVE, no RegionOne id in its template, no
gateway nor floating IP, and be torn down cleanly; a mapping to a flavor
RegionTwo lacks must fail before anything is created.  The failover stack
of the same workload is made end to end by the site-loss test.
"""
import json
import time

import pytest

from dragon.cloud.clients import ServiceClients
from dragon import exception
from dragon.protection import discovery
from dragon.protection import template as template_mod
from dragon.recovery import mappings
from dragon.recovery import rewrite
from dragon.recovery import selection
from dragon.recovery import stack as stack_mod
from tests.minicloud import resources

R1, R2 = 'RegionOne', 'RegionTwo'
TIMEOUT = 600
# Seconds between two reads of a stack ([recovery] stack_poll_interval).
POLL = 2.0


def _clients(cloud, region):
    return ServiceClients.for_user(cloud.layout.keystone_url, 'demo',
                                   cloud.layout.password, 'demo', region)


def _checkpoint(clients, ids):
    """What a checkpoint would hold: graph, data kinds, template, index."""
    members = [{'resource_type': 'server', 'resource_id': ids[role],
                'resource_name': role, 'action': 'image_snapshot',
                'options': {}} for role in ('web', 'app', 'db')]
    members.append({'resource_type': 'volume', 'resource_id': ids['data'],
                    'resource_name': 'data', 'action': 'snapshot_data',
                    'options': {}})
    graph = discovery.discover(clients, members)
    tmpl, index = template_mod.build(graph)
    text = template_mod.to_yaml(tmpl)
    data = {}
    for node in graph.nodes():
        if node.action is None:
            continue
        if node.action == 'template_only':
            kind = 'none'
        elif node.resource.type == 'OS::Nova::Server':
            kind = 'image' if node.properties.get('image') else 'none'
        else:
            kind = 'volume'
        data[node.key] = {'action': node.action, 'kind': kind}
    manifest = {'graph': graph.to_dict(), 'data': data, 'parameters': index,
                'source_region': R1, 'policy': {'name': 'three tier'}}
    return graph, manifest, text


def _source_ids(graph, workload, conn1):
    ids = {v for k, v in workload.ids.items() if k != 'keypair'}
    for node in graph.nodes():
        if node.resource.type != 'OS::Nova::KeyPair':
            ids.update(p for p in node.resource.id.split(':') if len(p) >= 8)
    ids.add(conn1.image.find_image(resources.IMAGE_NAME).id)
    return ids


class Stacks:
    """Stacks this test made in RegionTwo; all deleted (and waited) at the end."""

    def __init__(self, clients):
        self.clients = clients
        self.ids = []

    def create(self, name, tmpl, params):
        stack_mod.validate(self.clients, tmpl)
        started = time.monotonic()
        stack_id = stack_mod.create(self.clients, name, tmpl, params,
                                    TIMEOUT)
        self.ids.append(stack_id)
        seen = []
        status = stack_mod.wait(self.clients, stack_id, TIMEOUT,
                                progress_cb=seen.append, interval=POLL)
        elapsed = time.monotonic() - started
        assert status == 'CREATE_COMPLETE'
        assert seen, 'no progress was reported'
        return stack_id, seen[-1], elapsed

    def delete(self, stack_id):
        started = time.monotonic()
        stack_mod.delete(self.clients, stack_id, TIMEOUT, interval=POLL)
        self.ids.remove(stack_id)
        return time.monotonic() - started

    def delete_all(self):
        errors = []
        for stack_id in list(self.ids):
            try:
                self.delete(stack_id)
            except Exception as e:  # noqa: BLE001 - keep cleaning up
                errors.append('%s: %s' % (stack_id, e))
        return errors


def _servers_active(conn2, resources_):
    servers = [r for r in resources_
               if r['resource_type'] == 'OS::Nova::Server']
    assert len(servers) == 3
    for r in servers:
        server = conn2.compute.get_server(r['physical_resource_id'])
        assert server.status == 'ACTIVE', (server.name, server.status)
    return servers


def test_rewrite_relaunches_the_workload_as_an_isolated_drill(
        cloud, protected, unique_name):
    conn1 = cloud.connect('demo', region=R1)
    conn2 = cloud.connect('demo', region=R2)
    workload = protected.workload
    clients2 = _clients(cloud, R2)
    stacks = Stacks(clients2)
    timings = {}
    try:
        graph, manifest, text = _checkpoint(_clients(cloud, R1),
                                            workload.ids)
        keys = selection.select(graph, None)
        image2 = conn2.image.find_image(resources.IMAGE_NAME,
                                        ignore_missing=False).id
        restored = {key: {'image_id': image2}
                    for key, record in manifest['data'].items()
                    if record['kind'] in ('image', 'volume')}
        # web, db and their disks, app's boot volume, the data volume.
        assert len(restored) == 4

        # A mapping to a flavor RegionTwo lacks fails before anything.
        before = {s.name for s in conn2.orchestration.stacks()}
        calls = dict(clients2.calls)
        with pytest.raises(exception.MappingMissing) as e:
            mappings.resolve(manifest, clients2,
                             {'flavors': {'m1.tiny': unique_name}}, keys)
        assert len(e.value.missing) == 3, e.value.missing
        assert all(unique_name in m for m in e.value.missing)
        # Only list calls: Heat was not even asked.
        assert clients2.calls['orchestration'] == calls.get('orchestration',
                                                            0)
        assert {s.name for s in conn2.orchestration.stacks()} == before

        # Drill: everything by name, isolated, prefixed, torn down without
        # a trace.  (The failover stack is the site-loss test's.)
        started = time.monotonic()
        prefix = 'drill-%s-' % unique_name[-8:]
        values = mappings.resolve(manifest, clients2,
                                  {'name_prefix': prefix}, keys,
                                  mode='drill')
        tmpl, params = rewrite.rewrite(text, manifest['parameters'], values,
                                       restored, keys, 'drill', prefix,
                                       graph=manifest['graph'])
        timings['resolve+rewrite'] = time.monotonic() - started
        text_out = json.dumps(tmpl)
        assert 'external_gateway_info' not in text_out
        assert 'OS::Neutron::FloatingIP' not in text_out
        name = stack_mod.stack_name(unique_name, '2026-11-23T15:00:00Z',
                                    'drill')
        stack_id, created, timings['drill create'] = stacks.create(
            name, tmpl, params)
        assert {r['resource_status'] for r in created} == {'CREATE_COMPLETE'}
        servers = _servers_active(conn2, created)
        assert all(conn2.compute.get_server(
            s['physical_resource_id']).name.startswith(prefix)
            for s in servers)
        stored = json.dumps(conn2.orchestration.get_stack_template(
            stack_id).to_dict())
        left = sorted(i for i in _source_ids(graph, workload, conn1)
                      if i in stored)
        assert left == []
        # Both volumes were made from the "restored" image and are in use
        # (the app's boot volume, the db's data volume).
        volumes = [conn2.block_storage.get_volume(r['physical_resource_id'])
                   for r in created
                   if r['resource_type'] == 'OS::Cinder::Volume']
        assert len(volumes) == 2
        for volume in volumes:
            assert volume.volume_image_metadata['image_id'] == image2
            assert volume.status == 'in-use', (volume.name, volume.status)
        # The recreated network keeps the source addresses.
        ports = [conn2.network.get_port(r['physical_resource_id'])
                 for r in created
                 if r['resource_type'] == 'OS::Neutron::Port']
        assert ports and all(
            p.fixed_ips[0]['ip_address'].startswith('10.82.0.')
            for p in ports)
        timings['drill delete'] = stacks.delete(stack_id)
        assert not [s for s in conn2.compute.servers()
                    if s.name.startswith(prefix)]
        assert not [n for n in conn2.network.networks()
                    if (n.name or '').startswith(prefix)]
        assert not [v for v in conn2.block_storage.volumes()
                    if (v.name or '').startswith(prefix)]
        assert conn2.compute.find_keypair(
            prefix + workload.name + '-key') is None
        print('timings (s):', {k: round(v, 1) for k, v in timings.items()})
    finally:
        errors = stacks.delete_all()
        assert not errors, errors

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

from keystoneauth1 import exceptions as ks_exc
from openstack.compute.v2 import server as sdk_server
from openstack import exceptions as sdk_exc
from openstack.network.v2 import port as sdk_port
import pytest

from dragon import exception
from dragon.protection.discovery import _api
from tests.unit.protection import fakes


def test_body_is_the_json_the_service_sent():
    raw = {'id': 'p1', 'binding:vnic_type': 'normal', 'fixed_ips': [],
           'admin_state_up': False}
    item = _api.body(sdk_port.Port.existing(**raw))
    # Not to_dict(): no key the service did not send (a Neutron without
    # port security has no port_security_enabled, not False), none renamed.
    assert item == raw
    server = _api.body(sdk_server.Server.existing(**{
        'id': 's1', 'flavor': {'original_name': 'm1', 'ephemeral': 0},
        'OS-EXT-AZ:availability_zone': 'nova'}))
    assert server == {'id': 's1',
                      'flavor': {'original_name': 'm1', 'ephemeral': 0},
                      'OS-EXT-AZ:availability_zone': 'nova'}
    assert 'OS-EXT-SRV-ATTR:user_data' not in server


def test_listing_reads_every_page():
    def pages():
        yield sdk_port.Port.existing(id='a')
        yield sdk_port.Port.existing(id='b')
    assert [i['id'] for i in _api.listing('network', pages,
                                          resource='ports')] == ['a', 'b']


def test_the_lean_listing_gives_what_the_sdk_models_give():
    """Same pages, same items: only the SDK models are not built."""
    world = fakes.World(servers=3)
    proxy = fakes.Proxy(world, 'compute')
    lean = _api.lean_listing('compute', proxy, sdk_server.Server,
                             path='/servers/detail', limit=2,
                             resource='servers')
    lean_pages = list(world.log)
    world.log.clear()
    models = _api.listing('compute', lambda: proxy.servers(
        details=True, limit=2), resource='servers')
    assert lean == models and len(lean) == 4
    # A full page's next link gives the next (the last one is empty),
    # as many calls as the SDK makes.
    assert [(e[1], e[2]['marker']) for e in lean_pages] == [
        ('servers', None), ('servers', lean[1]['id']),
        ('servers', lean[3]['id'])]
    assert lean_pages[0][2]['microversion'] == '2.79'
    assert len(world.log) == len(lean_pages)


def test_the_lean_listing_names_the_resource_when_refused():
    world = fakes.World(servers=1)
    world.failures[('compute', 'servers')] = 403
    with pytest.raises(exception.DiscoveryFailed) as caught:
        _api.lean_listing('compute', fakes.Proxy(world, 'compute'),
                          sdk_server.Server, path='/servers/detail',
                          resource='the project\'s servers')
    assert str(caught.value) == ('Cannot discover the project\'s servers: '
                                 'HTTP 403: denied by policy')


def test_long_filters_are_batched_and_empty_ones_skip_the_call():
    ids = ['id-%03d' % i for i in range(320)]
    calls = []

    def call(**query):
        calls.append(query)
        return []
    _api.filtered(call, 'id', ids, project_id='p')
    assert [len(q['id']) for q in calls] == [150, 150, 20]
    assert all(q['project_id'] == 'p' for q in calls)
    _api.filtered(call, 'id', ['b', 'a'],
                  join=lambda batch: 'in:' + ','.join(batch))
    assert calls[-1] == {'id': 'in:a,b'}
    assert _api.filtered(call, 'id', []) == []
    assert len(calls) == 4


@pytest.mark.parametrize('error, reason', [
    (ks_exc.ConnectFailure('refused'), 'network unreachable: refused'),
    (sdk_exc.HttpException(message='x', http_status=404, details='gone'),
     'HTTP 404: gone'),
    (sdk_exc.HttpException(message='x', http_status=503), 'HTTP 503'),
    (sdk_exc.ServiceDisabledException('no network in the catalog'),
     'network unreachable: no network in the catalog'),
    (ks_exc.EndpointNotFound('no endpoint'),
     'network unreachable: no endpoint'),
])
def test_failures_name_the_resource_and_the_reason(error, reason):
    def fails():
        yield sdk_port.Port.existing(id='a')
        raise error
    with pytest.raises(exception.DiscoveryFailed) as caught:
        _api.listing('network', fails, resource='ports of x')
    assert str(caught.value) == 'Cannot discover ports of x: %s' % reason


def test_address_group_rules_are_recorded_and_left_out():
    from dragon.protection import discovery
    from dragon.protection import template
    world = fakes.World(servers=1)
    world.neutron['security-groups'][0]['security_group_rules'].append(
        {'direction': 'ingress', 'ethertype': 'IPv4',
         'remote_address_group_id': 'ag-1'})
    world.nova['servers'][0]['tags'] = ['blue']
    graph = discovery.discover(fakes.Clients(world),
                               fakes.server_members(world))
    sg = graph.by_resource('OS::Neutron::SecurityGroup', fakes.SG_WEB)
    assert any(r['remote_address_group_id'] == 'ag-1'
               for r in sg.properties['rules'])
    tmpl, _ = template.build(graph)
    props = tmpl['resources'][sg.key]['properties']
    assert len(props['rules']) == 1
    assert 'address groups not recreated' in props['description']
    server = graph.by_resource('OS::Nova::Server', fakes.server_id(0))
    assert tmpl['resources'][server.key]['properties']['tags'] == ['blue']


def _through_models(service, proxy, model, *, resource, path=None,
                    **params):
    """What ``lean_listing`` stands for: the SDK's list call, its models."""
    kind = next(k for (p, k), (_, m) in fakes.LISTS.items()
                if p == proxy.name and m is model)
    if path and path.endswith('/detail'):
        params['details'] = True
    return _api.listing(service, lambda: getattr(proxy, kind)(**params),
                        resource=resource)


def _another_projects_port(world):
    port = next(p for p in world.neutron['ports']
                if p['device_id'] == fakes.server_id(1))
    port['project_id'] = 'admin'
    port['mac_address'] = 'fa:16:3e:00:00:99'
    world.nova['servers'][1]['addresses']['private'][0][
        'OS-EXT-IPS-MAC:mac_addr'] = 'fa:16:3e:00:00:99'


def _another_projects_floating_ip(world):
    world.neutron['floatingips'][0]['project_id'] = 'admin'


@pytest.mark.parametrize('change', [
    None, _another_projects_port, _another_projects_floating_ip])
def test_the_lean_lists_discover_what_the_sdk_models_do(monkeypatch,
                                                         change):
    """Same graph, template, warnings and calls as through the models."""
    from dragon.protection import discovery
    from dragon.protection import template

    def run():
        world = fakes.World(servers=3)
        world.nova['servers'][0]['OS-EXT-SRV-ATTR:user_data'] = \
            'I2Nsb3VkLWNvbmZpZwo='
        if change:
            change(world)
        warnings = []
        graph = discovery.discover(fakes.Clients(world),
                                   fakes.server_members(world),
                                   lambda *w: warnings.append(w))
        tmpl, params = template.build(graph, lambda *w: warnings.append(w))
        requests = sorted(repr((service, kind, {
            k: v for k, v in query.items()
            if k not in ('marker', 'microversion')}))
            for service, kind, query in world.log)
        lean = {kind: query['microversion'] for _, kind, query in world.log
                if 'microversion' in query}
        return (graph.to_dict(), tmpl, params, warnings, dict(world.calls),
                requests), lean

    lean, lean_kinds = run()
    # Nova's configured microversion, Cinder's negotiated (the SDK's 3.71
    # at most), none for Neutron.
    assert lean_kinds == {'servers': '2.79', 'volumes': '3.70',
                          **dict.fromkeys(('ports', 'ips', 'networks',
                                           'subnets', 'routers',
                                           'security_groups'))}
    monkeypatch.setattr(_api, 'lean_listing', _through_models)
    models, model_kinds = run()
    assert model_kinds == {}
    assert lean == models

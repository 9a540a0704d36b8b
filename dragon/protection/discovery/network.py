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

"""Discovery of a server's networking: ports → networks → subnets → routers,
security groups with rules, floating IPs.

One Neutron list per resource type for all the servers of a run, whatever
their number: the project's ports (read whole, in parallel with Nova's
lists) and floating IPs (read whole), then the networks, subnets, router
interfaces, routers and security groups they refer to, filtered by id
(``?id=a&id=b``, ``?network_id=...``), independent lists in parallel.
Networks the project does not own (external or shared ones) are not
recreated: they become template parameters.
"""

from typing import Any, Callable

from openstack.network.v2 import floating_ip as sdk_floating_ip
from openstack.network.v2 import network as sdk_network
from openstack.network.v2 import port as sdk_port
from openstack.network.v2 import router as sdk_router
from openstack.network.v2 import security_group as sdk_security_group
from openstack.network.v2 import subnet as sdk_subnet

from dragon import exception
from dragon.protection.discovery import _api
from dragon.protection.discovery import base
from dragon.protection import graph as graph_mod

PORT = 'OS::Neutron::Port'
NET = 'OS::Neutron::Net'
SUBNET = 'OS::Neutron::Subnet'
ROUTER = 'OS::Neutron::Router'
ROUTER_INTERFACE = 'OS::Neutron::RouterInterface'
SECURITY_GROUP = 'OS::Neutron::SecurityGroup'
FLOATING_IP = 'OS::Neutron::FloatingIP'

ROUTER_INTERFACE_OWNERS = ('network:router_interface',
                           'network:router_interface_distributed',
                           'network:ha_router_replicated_interface')


# The SDK's list call → its model: the path and collection key that
# ``_api.lean_listing`` reads, as the SDK would, without building a model
# per item (the ports and floating IPs grow with the servers).
MODELS = {'ports': sdk_port.Port, 'networks': sdk_network.Network,
          'subnets': sdk_subnet.Subnet, 'routers': sdk_router.Router,
          'security_groups': sdk_security_group.SecurityGroup,
          'ips': sdk_floating_ip.FloatingIP}


def _list(run: base.DiscoveryRun, kind: str, field: str, values: Any,
          what: str, **query: Any) -> list[dict[str, Any]]:
    """Neutron's ``kind`` (the SDK's list call) whose ``field`` is in ``values``."""
    proxy = run.proxy('network')
    return _api.filtered(
        lambda **q: _api.lean_listing('network', proxy, MODELS[kind],
                                      resource=what, **q),
        field, values, **query)


def _project_list(run: base.DiscoveryRun, kind: str,
                  what: str) -> list[dict[str, Any]]:
    """All of the project's ``kind`` (one call: Neutron does not page).

    Filtered by project: a trustee with an admin role sees every
    project's ports otherwise.
    """
    return _api.lean_listing('network', run.proxy('network'), MODELS[kind],
                             project_id=run.project_id, resource=what)


def start(run: base.DiscoveryRun) -> None:
    """Begin reading the project's ports on the pool.

    Read whole rather than filtered by server ids (and so are the
    floating IPs): one call whatever the number of servers, and no URL
    that grows with them.
    """
    run.start('ports', lambda: _project_list(run, 'ports',
                                             'the project\'s ports'))


def _nova_addresses(server: dict[str, Any], kind: str, key: str) -> set[str]:
    """What Nova's ``addresses`` of ``server`` say, ``kind`` IPs' ``key``."""
    found = set()
    for entries in (server.get('addresses') or {}).values():
        for entry in entries or ():
            if entry.get('OS-EXT-IPS:type', 'fixed') == kind and entry.get(key):
                found.add(entry[key])
    return found


def _missing(what: str, ids: set[str], found: list[dict[str, Any]]) -> None:
    lost = ids - {item['id'] for item in found}
    if lost:
        raise exception.DiscoveryFailed(
            resource='%s %s' % (what, ', '.join(sorted(lost))),
            reason='not visible to this project')


def _ordered(ports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Creation order is the order the NICs were attached in.
    return sorted(ports, key=lambda p: (p.get('created_at') or '', p['id']))


def ports_of(run: base.DiscoveryRun, servers: list[dict[str, Any]],
             ) -> dict[str, list[dict[str, Any]]]:
    """Each server's ports, in attachment order (server id → ports).

    From the project's ports; a server whose Nova addresses show a MAC
    none of them has (a port another project owns, attached by an
    administrator) has its ports read by device id, so no port is left
    out silently.
    """
    ports = run.once('ports', lambda: _project_list(
        run, 'ports', 'the project\'s ports'))
    by_server: dict[str, list[dict[str, Any]]] = {
        s['id']: [] for s in servers}
    for port in ports:
        if port.get('device_id') in by_server:
            by_server[port['device_id']].append(port)
    others = sorted(
        s['id'] for s in servers
        if _nova_addresses(s, 'fixed', 'OS-EXT-IPS-MAC:mac_addr') - {
            p.get('mac_address') for p in by_server[s['id']]})
    if others:
        known = {p['id'] for plist in by_server.values() for p in plist}
        for port in _list(run, 'ports', 'device_id', others,
                          'the ports of servers %s' % ', '.join(others)):
            if port['id'] not in known:
                by_server[port['device_id']].append(port)
    return {sid: _ordered(plist) for sid, plist in by_server.items()}


def _network_props(net: dict[str, Any], owned: bool) -> dict[str, Any]:
    return {'name': net.get('name') or '', 'owned': owned,
            'external': bool(net.get('router:external')),
            'shared': bool(net.get('shared')),
            'admin_state_up': net.get('admin_state_up', True),
            'port_security_enabled': net.get('port_security_enabled'),
            'mtu': net.get('mtu'), 'project_id': net.get('project_id'),
            'qos_policy_id': net.get('qos_policy_id')}


def _add_networks(run: base.DiscoveryRun, nets: list[dict[str, Any]]) -> None:
    for net in nets:
        owned = (not net.get('router:external') and
                 net.get('project_id') == run.project_id)
        run.node_for(NET, net['id'], net.get('name'),
                     'network' if owned else 'external_network'
                     if net.get('router:external') else 'shared_network',
                     properties=_network_props(net, owned))


def _net_key(run: base.DiscoveryRun, network_id: str) -> str:
    return run.graph.by_resource(NET, network_id).key


def _add_subnets(run: base.DiscoveryRun,
                 subnets: list[dict[str, Any]]) -> None:
    for sub in subnets:
        net_key = _net_key(run, sub['network_id'])
        run.node_for(SUBNET, sub['id'], sub.get('name'), 'subnet',
                     depends_on=(net_key,), properties={
                         'name': sub.get('name') or '',
                         'network': net_key,
                         'cidr': sub.get('cidr'),
                         'ip_version': sub.get('ip_version'),
                         'gateway_ip': sub.get('gateway_ip'),
                         'allocation_pools': list(
                             sub.get('allocation_pools') or ()),
                         'dns_nameservers': list(
                             sub.get('dns_nameservers') or ()),
                         'host_routes': list(sub.get('host_routes') or ()),
                         'enable_dhcp': sub.get('enable_dhcp', True),
                         'ipv6_ra_mode': sub.get('ipv6_ra_mode'),
                         'ipv6_address_mode': sub.get('ipv6_address_mode'),
                         'description': sub.get('description') or ''})


def _rule(rule: dict[str, Any], group_id: str,
          keys: dict[str, str]) -> dict[str, Any]:
    remote = rule.get('remote_group_id')
    return {'direction': rule.get('direction'),
            'ethertype': rule.get('ethertype'),
            'protocol': rule.get('protocol'),
            'port_range_min': rule.get('port_range_min'),
            'port_range_max': rule.get('port_range_max'),
            'remote_ip_prefix': rule.get('remote_ip_prefix'),
            'remote_group': (None if not remote else 'self'
                             if remote == group_id else keys[remote]),
            # Heat cannot make address groups: recorded, left out of the
            # template, and said so in the group's description there.
            'remote_address_group_id': rule.get('remote_address_group_id'),
            'description': rule.get('description') or ''}


def _add_security_groups(run: base.DiscoveryRun, ids: set[str]) -> None:
    """Groups and, transitively, the groups their rules refer to.

    A rule referring to another group is a reference, not a dependency of
    the group (two groups may refer to each other): the template emits
    such rules as separate resources.
    """
    groups: dict[str, dict[str, Any]] = {}
    wanted = set(ids)
    while wanted:
        found = run.once('security_groups:' + ','.join(sorted(wanted)),
                         _security_groups(run, wanted))
        _missing('security group', wanted, found)
        groups.update({g['id']: g for g in found})
        wanted = {r['remote_group_id'] for g in found
                  for r in g.get('security_group_rules') or ()
                  if r.get('remote_group_id')} - set(groups)
    keys = {}
    for group in groups.values():
        node = run.node_for(SECURITY_GROUP, group['id'], group.get('name'),
                            'security_group', properties={
                                'name': group.get('name') or '',
                                'description': group.get('description') or '',
                                'stateful': group.get('stateful', True)})
        keys[group['id']] = node.key
    for group in groups.values():
        node = run.graph.get(keys[group['id']])
        rules = [_rule(r, group['id'], keys)
                 for r in group.get('security_group_rules') or ()]
        node.properties['rules'] = sorted(
            rules, key=lambda r: sorted((k, str(v)) for k, v in r.items()))


def _security_groups(run: base.DiscoveryRun,
                     ids: set[str]) -> Callable[[], list[dict[str, Any]]]:
    wanted = set(ids)
    return lambda: _list(run, 'security_groups', 'id', wanted,
                         'security groups %s' % ', '.join(sorted(wanted)))


def _interfaces(run: base.DiscoveryRun,
                network_ids: set[str]) -> Callable[[], list[dict[str, Any]]]:
    return lambda: _list(
        run, 'ports', 'network_id', network_ids,
        'router interfaces on networks %s' % ', '.join(sorted(network_ids)),
        device_owner=list(ROUTER_INTERFACE_OWNERS))


def _subnets(run: base.DiscoveryRun,
             network_ids: set[str]) -> Callable[[], list[dict[str, Any]]]:
    return lambda: _list(
        run, 'subnets', 'network_id', network_ids,
        'subnets of networks %s' % ', '.join(sorted(network_ids)))


def _add_routers(run: base.DiscoveryRun, subnet_ids: set[str],
                 network_ids: set[str]) -> None:
    interfaces = run.once('router_interfaces', _interfaces(run, network_ids))
    interfaces = [p for p in interfaces
                  if p.get('device_owner') in ROUTER_INTERFACE_OWNERS]
    router_ids = {p['device_id'] for p in interfaces}
    routers = _list(run, 'routers', 'id', router_ids,
                    'routers %s' % ', '.join(sorted(router_ids)))
    _missing('router', router_ids, routers)
    gateways = {(r.get('external_gateway_info') or {}).get('network_id')
                for r in routers} - {None}
    _fetch_networks(run, gateways, 'external networks of routers')
    for router in routers:
        gateway = router.get('external_gateway_info') or {}
        deps = []
        ext_key = None
        if gateway.get('network_id'):
            ext_key = _net_key(run, gateway['network_id'])
            deps.append(ext_key)
        run.node_for(ROUTER, router['id'], router.get('name'), 'router',
                     depends_on=tuple(deps), properties={
                         'name': router.get('name') or '',
                         'description': router.get('description') or '',
                         'admin_state_up': router.get('admin_state_up', True),
                         'external_network': ext_key,
                         'enable_snat': gateway.get('enable_snat'),
                         'external_fixed_ips': list(
                             gateway.get('external_fixed_ips') or ()),
                         # Extra routes are recorded, not recreated.
                         'routes': list(router.get('routes') or ())})
    for port in _ordered(interfaces):
        router_key = run.graph.by_resource(ROUTER, port['device_id']).key
        for fixed in port.get('fixed_ips') or ():
            subnet = run.graph.by_resource(SUBNET, fixed.get('subnet_id'))
            if subnet is None or fixed['subnet_id'] not in subnet_ids:
                continue
            run.node_for(
                ROUTER_INTERFACE, '%s:%s' % (port['id'], fixed['subnet_id']),
                '%s-%s' % (run.graph.get(router_key).resource.name,
                           subnet.resource.name),
                'router_interface', depends_on=(router_key, subnet.key),
                properties={'router': router_key, 'subnet': subnet.key,
                            'port_id': port['id'],
                            'ip_address': fixed.get('ip_address')})


def _fetch_networks(run: base.DiscoveryRun, ids: set[str], what: str) -> None:
    ids = {i for i in ids if run.graph.by_resource(NET, i) is None}
    if ids:
        nets = _list(run, 'networks', 'id', ids,
                     '%s %s' % (what, ', '.join(sorted(ids))))
        _missing('network', ids, nets)
        _add_networks(run, nets)


def add_ports(run: base.DiscoveryRun, ports: list[dict[str, Any]],
              servers: list[dict[str, Any]],
              ) -> dict[str, graph_mod.Node]:
    """Add ``ports`` and everything they depend on; port id → node.

    :param servers: the ports' servers as Nova lists them: their names
        name the keys of unnamed ports, their addresses say which floating
        IPs to expect.
    """
    device_names = {s['id']: s.get('name') or '' for s in servers}
    if not ports:
        return {}
    # Read while the networks and their subnets are.
    run.start('floating_ips', lambda: _project_list(
        run, 'ips', 'the project\'s floating IPs'))
    group_ids = {g for p in ports for g in p.get('security_groups') or ()}
    if group_ids:
        run.start('security_groups:' + ','.join(sorted(group_ids)),
                  _security_groups(run, group_ids))
    _fetch_networks(run, {p['network_id'] for p in ports},
                    'networks of ports')
    owned = {p['network_id'] for p in ports
             if run.graph.by_resource(NET, p['network_id'])
             .properties['owned']}
    if owned:
        run.start('router_interfaces', _interfaces(run, owned))
        subnets = run.once('subnets', _subnets(run, owned))
    else:
        subnets = []
    _add_subnets(run, subnets)
    if owned:
        _add_routers(run, {s['id'] for s in subnets}, owned)
    if group_ids:
        _add_security_groups(run, group_ids)
    nodes = {}
    for port in ports:
        net = run.graph.by_resource(NET, port['network_id'])
        deps = [net.key]
        fixed_ips = []
        for fixed in port.get('fixed_ips') or ():
            subnet = run.graph.by_resource(SUBNET, fixed.get('subnet_id'))
            if subnet is not None:
                deps.append(subnet.key)
            fixed_ips.append({'subnet': subnet.key if subnet else None,
                              'subnet_id': fixed.get('subnet_id'),
                              'ip_address': fixed.get('ip_address')})
        groups = [run.graph.by_resource(SECURITY_GROUP, g).key
                  for g in port.get('security_groups') or ()]
        deps.extend(groups)
        label = port.get('name') or device_names.get(port.get('device_id'))
        nodes[port['id']] = run.node_for(
            PORT, port['id'], port.get('name'), 'port', label=label,
            depends_on=tuple(dict.fromkeys(deps)), properties={
                'name': port.get('name') or '',
                'description': port.get('description') or '',
                'network': net.key,
                'network_owned': net.properties['owned'],
                'fixed_ips': fixed_ips,
                'security_groups': groups,
                'mac_address': port.get('mac_address'),
                'admin_state_up': port.get('admin_state_up', True),
                'port_security_enabled': port.get('port_security_enabled'),
                'allowed_address_pairs': list(
                    port.get('allowed_address_pairs') or ()),
                'binding_vnic_type': port.get('binding:vnic_type'),
                'qos_policy_id': port.get('qos_policy_id'),
                'device_owner': port.get('device_owner')})
    _add_floating_ips(run, nodes, servers)
    return nodes


def _floating_ips_of(run: base.DiscoveryRun, ports: dict[str, graph_mod.Node],
                     servers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The floating IPs of ``ports``, from the project's floating IPs.

    A floating address Nova shows on a server that none of them has (one
    another project owns) has the ports' floating IPs read by port id.
    """
    fips = [f for f in run.once('floating_ips', lambda: _project_list(
        run, 'ips', 'the project\'s floating IPs'))
        if f.get('port_id') in ports]
    shown = set().union(*(_nova_addresses(s, 'floating', 'addr')
                          for s in servers))
    if shown - {f.get('floating_ip_address') for f in fips}:
        known = {f['id'] for f in fips}
        fips += [f for f in _list(
            run, 'ips', 'port_id', set(ports),
            'floating IPs of ports %s' % ', '.join(sorted(ports)))
            if f['id'] not in known]
    return fips


def _add_floating_ips(run: base.DiscoveryRun,
                      ports: dict[str, graph_mod.Node],
                      servers: list[dict[str, Any]]) -> None:
    fips = _floating_ips_of(run, ports, servers)
    _fetch_networks(run, {f['floating_network_id'] for f in fips},
                    'external networks of floating IPs')
    interfaces = [n for n in run.graph.nodes()
                  if n.resource.type == ROUTER_INTERFACE]
    for fip in fips:
        port = ports.get(fip.get('port_id'))
        if port is None:
            continue
        ext = run.graph.by_resource(NET, fip['floating_network_id'])
        deps = [port.key, ext.key]
        # A floating IP needs a router from the port's subnet to its network.
        subnets = {f['subnet'] for f in port.properties['fixed_ips']}
        deps.extend(i.key for i in interfaces
                    if i.properties['subnet'] in subnets)
        run.node_for(FLOATING_IP, fip['id'],
                     fip.get('floating_ip_address'), 'floating_ip',
                     depends_on=tuple(deps), properties={
                         'floating_ip_address': fip.get('floating_ip_address'),
                         'fixed_ip_address': fip.get('fixed_ip_address'),
                         'port': port.key, 'floating_network': ext.key,
                         'description': fip.get('description') or ''})

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

"""The Neutron resources of a checkpoint's template: servers' networking.

Networks, subnets, routers and their interfaces, ports, security groups
and floating IPs are no member type of their own: they come with the
servers that use them (the ``server`` plugin registers ``HANDLERS``).  A
network the project does not own is a parameter (recovery maps it), the
others are recreated with their subnets.
"""

from typing import Any

from dragon.protection import graph as graph_mod
from dragon.protection import template
from dragon.protection import warnings as warnings_mod

# Neutron reserves "default" for the group it makes in every project.
RESERVED_GROUP_NAME = 'default'
# IPv6 subnets whose addresses Neutron derives from the MAC address.
AUTO_ADDRESS_MODES = ('slaac', 'dhcpv6-stateless')
NORMAL_VNIC = 'normal'


def network_ref(builder: template.Builder, key: str) -> dict[str, str]:
    """``get_resource`` of a recreated network, else its parameter."""
    node = builder.graph.get(key)
    if node.properties.get('owned'):
        return template.ref(key)
    return {'get_param': '%s_network' % key}


def net(builder: template.Builder,
        node: graph_mod.Node) -> dict[str, Any] | None:
    p = node.properties
    if not p.get('owned'):
        kind = 'external_network' if p.get('external') else 'network'
        builder.param(node, 'network', kind, node.resource.id,
                      '%s network %s (not recreated)' % (
                          'External' if p.get('external') else 'Shared',
                          node.resource.name or node.resource.id))
        return None
    props: dict[str, Any] = {'name': p.get('name') or ''}
    if p.get('admin_state_up') is False:
        props['admin_state_up'] = False
    if p.get('port_security_enabled') is False:
        props['port_security_enabled'] = False
    if p.get('qos_policy_id'):
        builder.warn(node.key, warnings_mod.QOS_POLICY_NOT_RECREATED,
                     'QoS policy %s of network %s is not recreated' % (
                         p['qos_policy_id'], node.resource.name or
                         node.resource.id))
    return props


def subnet(builder: template.Builder,
           node: graph_mod.Node) -> dict[str, Any]:
    p = node.properties
    props: dict[str, Any] = {
        'network': template.ref(p['network']), 'cidr': p['cidr'],
        'ip_version': p['ip_version'],
        'enable_dhcp': bool(p.get('enable_dhcp')),
        # None means "no gateway" to Heat, as in the source.
        'gateway_ip': p.get('gateway_ip')}
    template.set_if(props, 'name', p.get('name'))
    template.set_if(props, 'allocation_pools', p.get('allocation_pools'))
    template.set_if(props, 'dns_nameservers', p.get('dns_nameservers'))
    template.set_if(props, 'host_routes', p.get('host_routes'))
    template.set_if(props, 'ipv6_ra_mode', p.get('ipv6_ra_mode'))
    template.set_if(props, 'ipv6_address_mode', p.get('ipv6_address_mode'))
    return props


def router(builder: template.Builder,
           node: graph_mod.Node) -> dict[str, Any]:
    p = node.properties
    props: dict[str, Any] = {'name': p.get('name') or ''}
    if p.get('admin_state_up') is False:
        props['admin_state_up'] = False
    if p.get('external_network'):
        # enable_snat and fixed gateway IPs are admin-only in Neutron;
        # gateway addresses belong to the (mapped) external network,
        # like floating IPs, so they are new at any other site.
        props['external_gateway_info'] = {
            'network': network_ref(builder, p['external_network'])}
        if p.get('enable_snat') is False:
            builder.warn(node.key, warnings_mod.ROUTER_SNAT_NOT_KEPT,
                         'router %s has SNAT disabled; the recovered router '
                         'has it enabled (setting it is admin-only in '
                         'Neutron)' % node.resource.name)
    if p.get('routes'):
        builder.warn(node.key, warnings_mod.ROUTER_ROUTES_NOT_RECREATED,
                     'extra routes of router %s are recorded in the '
                     'manifest but not recreated: %s' % (
                         node.resource.name, ', '.join(
                             '%s via %s' % (r.get('destination'),
                                            r.get('nexthop'))
                             for r in p['routes'])))
    return props


def router_interface(builder: template.Builder,
                     node: graph_mod.Node) -> dict[str, Any]:
    return {'router': template.ref(node.properties['router']),
            'subnet': template.ref(node.properties['subnet'])}


def port(builder: template.Builder,
         node: graph_mod.Node) -> dict[str, Any]:
    p = node.properties
    props: dict[str, Any] = {'network': network_ref(builder, p['network'])}
    template.set_if(props, 'name', p.get('name'))
    if p.get('network_owned'):
        # The network is recreated with its subnets: keep the addresses
        # (but for SLAAC subnets, where Neutron derives them itself)
        # and the MAC address (the network's owner may set it).
        props['fixed_ips'] = [_fixed_ip(builder, f)
                              for f in p.get('fixed_ips') or ()
                              if f.get('subnet')]
        template.set_if(props, 'mac_address', p.get('mac_address'))
    else:
        builder.warn(node.key, warnings_mod.PORT_ADDRESSES_NOT_KEPT,
                     'port %s is on network %s, which recovery maps rather '
                     'than recreates: it gets a new MAC address (source %s) '
                     'and new fixed IPs (source %s)' % (
                         node.resource.name or node.resource.id,
                         builder.graph.get(p['network']).resource.name or
                         builder.graph.get(p['network']).resource.id,
                         p.get('mac_address'), ', '.join(
                             f.get('ip_address') or '?'
                             for f in p.get('fixed_ips') or ()) or 'none'))
    if p.get('binding_vnic_type') not in (None, NORMAL_VNIC):
        props['binding:vnic_type'] = p['binding_vnic_type']
    if p.get('qos_policy_id'):
        builder.warn(node.key, warnings_mod.QOS_POLICY_NOT_RECREATED,
                     'QoS policy %s of port %s is not recreated' % (
                         p['qos_policy_id'],
                         node.resource.name or node.resource.id))
    if p.get('port_security_enabled') is False:
        props['port_security_enabled'] = False
    else:
        props['security_groups'] = [template.ref(k) for k in
                                    p.get('security_groups') or ()]
    template.set_if(props, 'allowed_address_pairs', [
        {k: v for k, v in pair.items() if v}
        for pair in p.get('allowed_address_pairs') or ()])
    if p.get('admin_state_up') is False:
        props['admin_state_up'] = False
    return props


def _fixed_ip(builder: template.Builder,
              fixed: dict[str, Any]) -> dict[str, Any]:
    subnet = builder.graph.get(fixed['subnet']).properties
    if subnet.get('ipv6_address_mode') in AUTO_ADDRESS_MODES:
        return {'subnet': template.ref(fixed['subnet'])}
    return {'subnet': template.ref(fixed['subnet']),
            'ip_address': fixed['ip_address']}


def security_group(builder: template.Builder,
                   node: graph_mod.Node) -> dict[str, Any]:
    p = node.properties
    name, description = p.get('name') or '', p.get('description') or ''
    if name == RESERVED_GROUP_NAME:
        name = reserved_group_name(node.resource.id)
        description = ('Copy of security group "default" (%s) of the '
                       'protected site, renamed because Neutron reserves '
                       '"default" for each project\'s own group. %s' % (
                           node.resource.id, description)).strip()
    rules = []
    skipped = 0
    for index, rule in enumerate(p.get('rules') or ()):
        if rule.get('remote_address_group_id'):
            skipped += 1
            continue
        heat_rule = {k: rule[k] for k in (
            'direction', 'ethertype', 'protocol', 'port_range_min',
            'port_range_max', 'remote_ip_prefix') if rule.get(k)
            is not None}
        if rule.get('remote_group') == 'self':
            # Heat's own group when no remote_group_id is given.
            heat_rule['remote_mode'] = 'remote_group_id'
        elif rule.get('remote_group'):
            # Another group: a separate resource, so two groups that
            # refer to each other do not form a cycle.
            heat_rule['security_group'] = template.ref(node.key)
            heat_rule['remote_group'] = template.ref(rule['remote_group'])
            template.set_if(heat_rule, 'description', rule.get('description'))
            builder.add_resource('%s_rule_%d' % (node.key, index), {
                'type': 'OS::Neutron::SecurityGroupRule',
                'properties': heat_rule})
            continue
        rules.append(heat_rule)
    if skipped:
        description = ('%s (%d rule(s) referring to address groups not '
                       'recreated)' % (description, skipped)).strip()
        builder.warn(node.key, warnings_mod.ADDRESS_GROUP_RULES_NOT_RECREATED,
                     '%d rule(s) of security group %s refer to address '
                     'groups and are not recreated (Heat cannot make '
                     'address groups)' % (skipped, node.resource.name or
                                          node.resource.id))
    return {'name': name, 'description': description, 'rules': rules}


def floating_ip(builder: template.Builder,
                node: graph_mod.Node) -> dict[str, Any]:
    p = node.properties
    props = {'floating_network': network_ref(builder, p['floating_network']),
             'port_id': template.ref(p['port'])}
    port = builder.graph.get(p['port'])
    if len(port.properties.get('fixed_ips') or ()) > 1:
        template.set_if(props, 'fixed_ip_address', p.get('fixed_ip_address'))
    return props


def reserved_group_name(group_id: str) -> str:
    """The name a copy of a project's ``default`` security group gets."""
    return 'default-%s' % group_id.replace('-', '')[:8]


HANDLERS: dict[str, Any] = {
    'OS::Neutron::Net': net,
    'OS::Neutron::Subnet': subnet,
    'OS::Neutron::Router': router,
    'OS::Neutron::RouterInterface': router_interface,
    'OS::Neutron::Port': port,
    'OS::Neutron::SecurityGroup': security_group,
    'OS::Neutron::FloatingIP': floating_ip,
}

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

"""The networks of a recovered stack: a drill isolated, networks recreated.

Networks are no member type: they come with the servers that use them
(``dragon.protection.hot.networking`` builds their resources).  A drill
removes floating IPs and router gateways; a network to recreate (every
one in a drill, those mapped to ``recreate`` in a failover) becomes a new
isolated network and subnet whose range holds the source ports' IPv4
addresses.  The functions work on the rewrite's state (``rw``:
``resources``, ``index``, ``values``, ``drill``, ``graph``, ``remove``,
``substitute_resources``).
"""

import ipaddress
from typing import Any

from dragon import exception
from dragon.recovery import intrinsics
from dragon.recovery import mappings

NETWORK_KINDS = ('network', 'external_network')
FLOATING_TYPES = ('OS::Neutron::FloatingIP',
                  'OS::Neutron::FloatingIPAssociation')
# CIDR of a recreated network whose source ports had no IPv4 address.
FALLBACK_CIDR = '10.0.0.0/24'


def isolate(rw: Any) -> None:
    """A drill's copy reaches nothing: no floating IP, no router gateway."""
    for name in list(rw.resources):
        resource = rw.resources[name]
        if resource['type'] in FLOATING_TYPES:
            rw.remove(name)
        elif resource['type'] == 'OS::Neutron::Router':
            resource.get('properties', {}).pop('external_gateway_info',
                                               None)
    rw.substitute_resources()


def _to_recreate(rw: Any) -> list[str]:
    used = intrinsics.refs(rw.resources, 'get_param')
    return [p for p, entry in rw.index.items()
            if entry.get('kind') in NETWORK_KINDS and p in used and
            (rw.drill or
             rw.values.get(p) == mappings.RECREATE)]


def recreate(rw: Any) -> dict[str, Any]:
    """A new isolated network and subnet per network to recreate."""
    new: dict[str, Any] = {}
    table: dict[str, Any] = {}
    for param in _to_recreate(rw):
        key = rw.index[param].get('node') or param
        for name, resource in rw.resources.items():
            props = resource.get('properties') or {}
            gateway = props.get('external_gateway_info')
            if param in intrinsics.refs(gateway, 'get_param') or (
                    resource['type'] in FLOATING_TYPES and
                    param in intrinsics.refs(props, 'get_param')):
                raise exception.RewriteFailed(
                    reason='network %s cannot be recreated: %s needs an '
                           'existing external network; map it to one' % (
                               key, name))
        subnet = '%s_subnet' % key
        new[key] = {'type': 'OS::Neutron::Net', 'properties': {
            'name': _network_name(rw, key)}}
        new[subnet] = {'type': 'OS::Neutron::Subnet', 'properties': {
            'network': {'get_resource': key}, 'ip_version': 4,
            'cidr': _cidr(rw, key), 'enable_dhcp': True,
            # Isolated: no router will ever use a gateway address.
            'gateway_ip': None}}
        table[param] = {'get_resource': key}
        rw.values.pop(param, None)
    for name in list(rw.resources):
        resource = intrinsics.substitute(rw.resources[name], 'get_param', table)
        for param, ref in table.items():
            if ref['get_resource'] in intrinsics.refs(resource, 'get_resource'):
                # Ports need the subnet to get an address.
                deps = resource.get('depends_on') or []
                deps = [deps] if isinstance(deps, str) else deps
                resource['depends_on'] = deps + [
                    '%s_subnet' % ref['get_resource']]
        rw.resources[name] = resource
    return new


def _network_name(rw: Any, key: str) -> str:
    if rw.graph is not None and key in rw.graph:
        node = rw.graph.get(key)
        return node.resource.name or key
    return key


def _cidr(rw: Any, key: str) -> str:
    """The smallest /24../16 holding the source ports' IPv4 addresses."""
    if rw.graph is None:
        return FALLBACK_CIDR
    addresses = []
    for node in rw.graph.nodes():
        if node.resource.type == 'OS::Neutron::Port' and \
                node.properties.get('network') == key:
            for fixed in node.properties.get('fixed_ips') or ():
                try:
                    ip = ipaddress.ip_address(fixed.get('ip_address'))
                except ValueError:
                    continue
                if ip.version == 4:
                    addresses.append(ip)
    for length in range(24, 15, -1):
        nets = {ipaddress.ip_network('%s/%d' % (a, length), strict=False)
                for a in addresses}
        if len(nets) == 1:
            return str(nets.pop())
    return FALLBACK_CIDR

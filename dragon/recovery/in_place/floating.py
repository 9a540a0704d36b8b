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

"""Floating IPs of a server recreated in place: associated again, never taken.

A server deleted from its region takes its ports with it, and Neutron
disassociates their floating IPs, which stay allocated to the project.
The checkpoint recorded each (``OS::Neutron::FloatingIP`` nodes: its id,
address, the port it was on and that port's fixed IP).  When the server
is booted again (``recreate``), each is associated with the new port on
the network the recorded port was on, if it is still the project's
(found by its id, else by its address) and on no port: one that is gone
or in use elsewhere is not taken, and a warning event says which address
was not restored and why.

The recovery's entry of the server lists each association
(``floating_ips``: ``{"id", "address", "port_id"}``), written before
Neutron is asked: a rollback (or an engine taking over) disassociates the
floating IPs still on the port they were put on, leaving them allocated
as they were, before the server is deleted; one an engine associated
without writing it down is freed by Neutron when the server's ports go.
A commit leaves them where they are.
"""

from typing import Any, Callable

from openstack import exceptions as sdk_exc

from dragon import exception
from dragon.protection import graph as graph_mod
from dragon.recovery.in_place import plan as plan_mod
from dragon.recovery.in_place import swap as swap_mod

Event = Callable[..., None]
Save = Callable[[], None]
# Neutron's answers to an association that leave the server without the
# floating IP, said in an event, not a failed restore: taken meanwhile
# (409), released meanwhile (404), its network no longer reachable from
# the port's subnet (400).
REFUSALS = (sdk_exc.ConflictException, sdk_exc.NotFoundException,
            sdk_exc.BadRequestException)


def _network_id(graph: graph_mod.ResourceGraph,
                port: graph_mod.Node) -> str | None:
    try:
        return graph.get(port.properties['network']).resource.id
    except KeyError:
        return None


def _fixed_ips(port: Any) -> list[str]:
    return [f.get('ip_address') for f in getattr(port, 'fixed_ips', None)
            or () if f.get('ip_address')]


def _new_port(graph: graph_mod.ResourceGraph, fip: graph_mod.Node,
              ports: list[Any]) -> tuple[Any | None, str | None]:
    """(port, fixed IP) of the new server the floating IP goes on.

    The port on the recorded port's network; the recorded fixed IP when
    the port has it (Neutron needs one named when a port has several).
    """
    try:
        recorded = graph.get(fip.properties['port'])
    except KeyError:
        return None, None
    network_id = _network_id(graph, recorded)
    candidates = [p for p in ports if p.network_id == network_id]
    if not candidates:
        return None, None
    wanted = fip.properties.get('fixed_ip_address')
    port = next((p for p in candidates if wanted in _fixed_ips(p)),
                candidates[0])
    addresses = _fixed_ips(port)
    if len(addresses) <= 1:
        return port, None
    return port, wanted if wanted in addresses else addresses[0]


def restore(cloud: swap_mod.Cloud, graph: graph_mod.ResourceGraph,
            node: graph_mod.Node, server_id: str,
            associated: list[dict[str, Any]], save: Save,
            event: Event) -> None:
    """Associate the server's recorded floating IPs with its new ports.

    :param associated: the entry's ``floating_ips``, appended to (and
        saved) before each association; run again, it goes on.
    """
    recorded = plan_mod.floating_ips(graph, node)
    if not recorded:
        return
    ports = cloud.server_ports(server_id)
    label = node.resource.name or node.resource.id
    for fip in recorded:
        address = fip.properties.get('floating_ip_address') or \
            fip.resource.name
        found = cloud.floating_ip(fip.resource.id, address)
        port, fixed_ip = _new_port(graph, fip, ports)
        why = None
        if found is None:
            why = 'it is no longer allocated to the project'
        elif port is None:
            why = ('the recreated server has no port on the network its '
                   'port was on')
        elif found.port_id == port.id:
            continue        # already there (this run, before a crash)
        elif found.port_id:
            why = 'it is in use by port %s now: it is not taken from it' % (
                found.port_id)
        if why is not None:
            event('warning', 'floating IP %s of server %s not restored: %s'
                  % (address, label, why), node.key)
            continue
        associated.append({'id': found.id, 'address': address,
                           'port_id': port.id})
        save()
        try:
            cloud.associate(found.id, port.id, fixed_ip)
        except REFUSALS as e:
            associated.pop()
            save()
            event('warning', 'floating IP %s of server %s not restored: '
                  'Neutron refused the association (%s)' % (
                      address, label, exception.one_line(e)), node.key)
            continue
        event('info', 'floating IP %s associated again with server %s '
              '(port %s)' % (address, server_id, port.id), node.key)


def put_back(cloud: swap_mod.Cloud, entry: dict[str, Any],
             event: Event) -> None:
    """Disassociate the entry's floating IPs still on the ports they were put on.

    They stay allocated to the project, as before the restore.
    """
    for associated in entry.get('floating_ips') or ():
        found = cloud.floating_ip(associated['id'])
        if found is None or found.port_id != associated['port_id']:
            continue
        cloud.disassociate(associated['id'])
        event('info', 'floating IP %s disassociated (still allocated to '
              'the project)' % associated['address'], entry['key'])

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

"""A server gone from its region, booted again in place from its checkpoint.

Direct Nova and Neutron calls, not a Heat stack: in place, everything
around the server exists already (its networks, subnets, security groups,
key pair, flavor) and must be used *as it is*, by id; a stack would own
(and on delete remove) what it made, and a rollback here must remove the
server and nothing else.  The server is booted with ``networks`` entries
(network id, and the recorded fixed IP when it is free on its subnet), so
Nova makes its ports and deletes them with it: a rollback, or an engine
that takes over from a dead one, deletes one server and leaves nothing
behind.  The server's metadata carries ``dragon_restore=<recovery id>``
and ``dragon_restore_key=<checkpoint key>`` from its create request on,
so a takeover finds a half-made server before its id was written; a
commit removes both (the calls are ``swap.Cloud``'s).  Networks are never
made in place: a network, subnet, security group, key pair or flavor the
checkpoint names that is gone refuses the restore (``missing``), with
what is missing.  Nova sets the server's security groups on each of its
ports (the union of the groups its ports had).  A server that booted from
a volume is booted from a new volume holding its boot volume's checkpoint
data (``boot_mapping``: boot index 0, its recorded device), made and
tagged like any volume recreated in place.
"""

from typing import Any, Callable

from openstack import exceptions as sdk_exc

from dragon.protection import graph as graph_mod
from dragon.recovery.in_place import plan as plan_mod
from dragon.recovery.restore import context as ctx_mod

TAGS = (ctx_mod.RESTORE_PROPERTY, ctx_mod.RESTORE_KEY_PROPERTY)

Event = Callable[[str, str], None]


def _node(graph: graph_mod.ResourceGraph,
          key: str | None) -> graph_mod.Node | None:
    try:
        return graph.get(key) if key else None
    except KeyError:
        return None


def _ports(graph: graph_mod.ResourceGraph,
           node: graph_mod.Node) -> list[graph_mod.Node]:
    return [p for p in (_node(graph, k) for k in
                        node.properties.get('ports') or ()) if p is not None]


def _resource_id(graph: graph_mod.ResourceGraph, key: str | None) -> Any:
    found = _node(graph, key)
    return found.resource.id if found is not None else None


def _exists(read: Callable[[], Any]) -> bool:
    try:
        return read() is not None
    except sdk_exc.NotFoundException:
        return False


def missing(clients: Any, graph: graph_mod.ResourceGraph,
            node: graph_mod.Node, label: str) -> list[str]:
    """What node needs in the region that is gone (empty: nothing).

    Its networks and subnets (by id), security groups, flavor (by name)
    and key pair; ``checks`` says what the checkpoint itself lacks.

    :param clients: any with ``connection`` (compute and network): the
        engine's ServiceClients or the API's caller connections.
    :raises openstack.exceptions.SDKException: a service failed.
    """
    props = node.properties
    found = []
    network = clients.connection.network
    compute = clients.connection.compute
    for port in _ports(graph, node):
        net_id = _resource_id(graph, port.properties.get('network'))
        if not net_id or not _exists(lambda: network.get_network(net_id)):
            found.append('%s is gone from the region and its network %s is '
                         'too: in-place restore never makes networks; '
                         'recover it with a failover' % (label, net_id))
            continue
        for fixed in port.properties.get('fixed_ips') or ():
            subnet_id = fixed.get('subnet_id')
            if subnet_id and not _exists(
                    lambda: network.get_subnet(subnet_id)):
                found.append('%s is gone from the region and its subnet %s '
                             'is too: in-place restore never makes '
                             'subnets' % (label, subnet_id))
        for key in port.properties.get('security_groups') or ():
            group_id = _resource_id(graph, key)
            if group_id and not _exists(
                    lambda: network.get_security_group(group_id)):
                found.append('%s: its security group %s is gone from the '
                             'region' % (label, group_id))
    flavor = (props.get('flavor') or {}).get('original_name')
    if not flavor or compute.find_flavor(flavor, ignore_missing=True) is None:
        found.append('%s: its flavor %s is gone from the region' % (
            label, flavor))
    key_name = _key_name(graph, node)
    if key_name and compute.find_keypair(key_name,
                                         ignore_missing=True) is None:
        found.append('%s: its key pair %s is gone (or not visible to this '
                     'user)' % (label, key_name))
    return found


def _key_name(graph: graph_mod.ResourceGraph,
              node: graph_mod.Node) -> str | None:
    keypair = _node(graph, node.properties.get('key_pair'))
    return keypair.properties.get('name') if keypair is not None else None


def _ip_free(network: Any, subnet_id: str | None, address: str) -> bool:
    filters = ['ip_address=%s' % address]
    if subnet_id:
        filters.append('subnet_id=%s' % subnet_id)
    return not list(network.ports(fixed_ips=filters))


def networks(clients: Any, graph: graph_mod.ResourceGraph,
             node: graph_mod.Node, event: Event) -> list[dict[str, str]]:
    """Nova's ``networks`` for the server: its networks, by id, in order.

    The recorded fixed IP is asked for when no port has it now; when one
    has, Neutron picks an address and the event says so.
    """
    network = clients.connection.network
    found = []
    for port in _ports(graph, node):
        entry = {'uuid': _resource_id(graph, port.properties.get('network'))}
        fixed = (port.properties.get('fixed_ips') or [{}])[0]
        address = fixed.get('ip_address')
        if address and _ip_free(network, fixed.get('subnet_id'), address):
            entry['fixed_ip'] = address
        elif address:
            event('warning', 'fixed IP %s of server %s is taken by another '
                  'port now: the recreated server gets another address on '
                  'network %s' % (address, node.resource.name or
                                  node.resource.id, entry['uuid']))
        found.append(entry)
    return found


def security_groups(graph: graph_mod.ResourceGraph,
                    node: graph_mod.Node) -> list[str]:
    """The ids of the groups of the server's ports (Nova sets all on each)."""
    ids: list[str] = []
    for port in _ports(graph, node):
        for key in port.properties.get('security_groups') or ():
            group_id = _resource_id(graph, key)
            if group_id and group_id not in ids:
                ids.append(group_id)
    return ids


def boot_mapping(node: graph_mod.Node,
                 volume_id: str) -> list[dict[str, Any]]:
    """Nova's block_device_mapping_v2 booting the server from volume_id.

    Boot index 0 at the checkpoint's device, and its
    ``delete_on_termination`` (the rollback deletes the volume either way).
    """
    recorded = plan_mod.boot_device(node) or {}
    mapping = {'boot_index': 0, 'uuid': volume_id, 'source_type': 'volume',
               'destination_type': 'volume',
               'delete_on_termination': bool(recorded.get(
                   'delete_on_termination'))}
    if recorded.get('device'):
        mapping['device_name'] = recorded['device']
    return [mapping]


def request(clients: Any, graph: graph_mod.ResourceGraph,
            node: graph_mod.Node, image_id: str | None, recovery_id: str,
            event: Event, boot_volume_id: str | None = None,
            key: str | None = None) -> dict[str, Any]:
    """The create request of the server (swap.Cloud.create_server's attrs).

    Its metadata is the checkpoint's and the two restore tags (TAGS).
    Booted from image_id, or with boot_volume_id (a new volume of its
    boot volume's checkpoint data) from that volume.

    :param key: the restore's key of the server (its ``replaced`` entry's,
        which a takeover finds it by), when node is another checkpoint's
        (a failback's server gone at home is booted where the checkpoint
        the failover recovered from had it: ``failback_places``).
    """
    props = node.properties
    compute = clients.connection.compute
    flavor = compute.find_flavor(props['flavor']['original_name'],
                                 ignore_missing=False)
    metadata = dict(props.get('metadata') or {})
    metadata.update({ctx_mod.RESTORE_PROPERTY: recovery_id,
                     ctx_mod.RESTORE_KEY_PROPERTY: key or node.key})
    attrs: dict[str, Any] = {
        'name': node.resource.name or props.get('name') or node.key,
        'flavor_id': flavor.id,
        'networks': networks(clients, graph, node, event),
        'metadata': metadata}
    if boot_volume_id:
        attrs['block_device_mapping'] = boot_mapping(node, boot_volume_id)
    else:
        attrs['image_id'] = image_id
    groups = security_groups(graph, node)
    if groups:
        attrs['security_groups'] = [{'name': g} for g in groups]
    key_name = _key_name(graph, node)
    if key_name:
        attrs['key_name'] = key_name
    if props.get('description'):
        attrs['description'] = props['description']
    return attrs

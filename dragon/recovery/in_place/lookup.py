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

"""What a checkpoint's member is now in its own region (plan.Lookup).

Read with the recovery's own clients (the project's trust), by the id the
checkpoint recorded: names are not unique and are never used.
"""

from typing import Any

from openstack import exceptions as sdk_exc

from dragon.protection import graph as graph_mod
from dragon.recovery.in_place import plan as plan_mod


def _server(clients: Any, server_id: str) -> dict[str, Any]:
    server = clients.connection.compute.get_server(server_id)
    flavor = getattr(server, 'flavor', None) or {}
    if not isinstance(flavor, dict):
        flavor = flavor.to_dict() if hasattr(flavor, 'to_dict') else {}
    # The image it runs from now (None: it boots from a volume): what a
    # rebuild replaces.
    image = getattr(server, 'image', None)
    return {'status': server.status,
            'flavor': flavor.get('original_name') or flavor.get('name'),
            'image_id': getattr(image, 'id', None) or (
                image.get('id') if isinstance(image, dict) else None)}


def _volume(clients: Any, volume_id: str) -> dict[str, Any]:
    volume = clients.connection.block_storage.get_volume(volume_id)
    # Where it is attached now: what an in-place swap puts the new
    # volume back into.
    attachments = [{'server_id': a.get('server_id'),
                    'device': a.get('device')}
                   for a in getattr(volume, 'attachments', None) or ()]
    return {'status': volume.status, 'size_gib': volume.size,
            'attachments': attachments,
            'availability_zone': getattr(volume, 'availability_zone', None),
            'volume_type': getattr(volume, 'volume_type', None),
            'name': getattr(volume, 'name', None)}


_READERS = {plan_mod.SERVER: _server, plan_mod.VOLUME: _volume}


def current(clients: Any,
            current_ids: dict[str, str] | None = None) -> plan_mod.Lookup:
    """A lookup of members in the clients' region; gone is None.

    :param current_ids: {checkpoint id: id now} (lineage.load): a
        replaced volume is read by the id it has now.
    :raises openstack.exceptions.SDKException: the service failed (other
        than not found): a plan must not call a member gone by mistake.
    """
    current_ids = current_ids or {}

    def lookup(node: graph_mod.Node) -> dict[str, Any] | None:
        reader = _READERS.get(node.resource.type)
        if reader is None:
            return None
        try:
            return reader(clients, current_ids.get(node.resource.id,
                                                   node.resource.id))
        except sdk_exc.NotFoundException:
            return None
    return lookup


def remembered(lookup: plan_mod.Lookup) -> plan_mod.Lookup:
    """lookup, asking once per node: the plan and its checks agree."""
    seen: dict[str, dict[str, Any] | None] = {}

    def once(node: graph_mod.Node) -> dict[str, Any] | None:
        if node.key not in seen:
            seen[node.key] = lookup(node)
        return seen[node.key]
    return once

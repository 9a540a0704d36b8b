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

"""Discovery of Cinder volumes: type, size, bootable, zone, attachments.

The project's volumes come from one list per run (pages of up to 1000),
shared with the server plugin (a server's boot and data volumes are
found in it).
"""

from typing import Any

from openstack.block_storage.v3 import volume as sdk_volume

from dragon import exception
from dragon.protection.discovery import _api
from dragon.protection.discovery import base
from dragon.protection import graph as graph_mod

TYPE = 'OS::Cinder::Volume'


def _fetch(run: base.DiscoveryRun) -> dict[str, dict[str, Any]]:
    # Lean, as the servers: the list grows with them.
    items = _api.lean_listing(
        'block-storage', run.proxy('block_storage'), sdk_volume.Volume,
        path='/volumes/detail', limit=_api.PAGE,
        resource='the project\'s volumes')
    return {v['id']: v for v in items}


def start(run: base.DiscoveryRun) -> None:
    """Begin reading the project's volumes on the run's pool."""
    run.start('volumes', lambda: _fetch(run))


def project_volumes(run: base.DiscoveryRun) -> dict[str, dict[str, Any]]:
    """Every volume of the project by id (one paged list per run)."""
    return run.once('volumes', lambda: _fetch(run))


def find(run: base.DiscoveryRun, volume_id: str,
         wanted_by: str) -> dict[str, Any]:
    """The volume ``volume_id``.

    :raises dragon.exception.DiscoveryFailed: not in the project.
    """
    volume = project_volumes(run).get(volume_id)
    if volume is None:
        raise exception.DiscoveryFailed(
            resource='volume %s (%s)' % (volume_id, wanted_by),
            reason='not found among the project\'s volumes')
    return volume


def _bool(value: Any) -> bool:
    return str(value).lower() == 'true' if not isinstance(value, bool) \
        else value


def properties(volume: dict[str, Any]) -> dict[str, Any]:
    """What the template and the data actions need of a volume."""
    image_meta = volume.get('volume_image_metadata') or {}
    return {
        'name': volume.get('name') or '',
        'description': volume.get('description') or '',
        'size': volume.get('size'),
        'volume_type': volume.get('volume_type'),
        'bootable': _bool(volume.get('bootable')),
        'availability_zone': volume.get('availability_zone'),
        'metadata': dict(volume.get('metadata') or {}),
        'image_metadata': dict(image_meta),
        'source_image_id': image_meta.get('image_id'),
        'multiattach': bool(volume.get('multiattach')),
        'encrypted': bool(volume.get('encrypted')),
        'status': volume.get('status'),
        'attachments': [
            {'server_id': a.get('server_id'),
             'attachment_id': a.get('attachment_id'),
             'device': a.get('device')}
            for a in volume.get('attachments') or ()],
    }


def add(run: base.DiscoveryRun, volume: dict[str, Any], *,
        member: dict[str, Any] | None = None, action: str | None = None,
        reason: str | None = None) -> graph_mod.Node:
    """The volume's node; a member row makes it a member with its action.

    A volume reached only through a server gets ``action`` with
    ``reason`` recorded in ``properties['implicit_action_reason']``; a
    node already present (a member, or reached before) is returned as is,
    but for a volume reached before as ``template_only`` that another
    server wants protected (a multi-attached volume): data wins.
    """
    existing = run.graph.by_resource(TYPE, volume['id'])
    if existing is not None:
        if (member is None and not existing.member and action and
                existing.action == base.TEMPLATE_ONLY and
                action != base.TEMPLATE_ONLY):
            existing.action = action
            existing.properties['implicit_action_reason'] = reason
        return existing
    props = properties(volume)
    if member is None and reason:
        props['implicit_action_reason'] = reason
    return run.node_for(
        TYPE, volume['id'], volume.get('name'), 'volume',
        member=member is not None,
        action=member.get('action') if member else action,
        options=dict(member.get('options') or {}) if member else {},
        properties=props)


class VolumeDiscovery(base.DiscoveryPlugin):
    """Volumes: everything is in the project's volume list."""

    resource_type = 'volume'
    order = 10

    def prefetch(self, run: base.DiscoveryRun,
                 members: list[dict[str, Any]]) -> None:
        if members:
            start(run)

    def discover(self, run: base.DiscoveryRun,
                 members: list[dict[str, Any]]) -> list[graph_mod.Node]:
        nodes = []
        for member in members:
            volume = find(run, member['resource_id'], 'a member of the policy')
            nodes.append(add(run, volume, member=member))
        return nodes

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

"""Discovery of Nova servers and everything they need to be relaunched.

Per run, whatever the number of servers (up to 1000 a page): one server
list and one server group list, started before any plugin runs; then, in
parallel, one key pair list (if a server has a key), one image list (if a
server boots from an image), one volume list (if a server has volumes)
and the Neutron lists of ``network``.  The embedded flavor (microversion
>= 2.47) carries vcpus/ram/disk, so no flavor call is made.
"""

import base64
import binascii
from typing import Any

from openstack.compute.v2 import server as sdk_server

from dragon.checkpoint import naming
from dragon import exception
from dragon.protection.discovery import _api
from dragon.protection.discovery import base
from dragon.protection.discovery import network
from dragon.protection.discovery import volume as volume_mod
from dragon.protection import graph as graph_mod
from dragon.protection import registry
from dragon.protection import warnings as warnings_mod

TYPE = 'OS::Nova::Server'
KEYPAIR = 'OS::Nova::KeyPair'
SERVER_GROUP = 'OS::Nova::ServerGroup'
ATTACHMENT = 'OS::Cinder::VolumeAttachment'


def _fetch_servers(run: base.DiscoveryRun) -> dict[str, dict[str, Any]]:
    # One page of up to 1000: nova-api asks Neutron for the ports of a
    # page's servers 150 ids a call, so the page size only needs Neutron
    # to take an 8 KiB request line (it used to be 50 here because the
    # minicloud's Neutron took 4 KiB).
    # The lean path: the list that grows with the policy, read as JSON.
    items = _api.lean_listing(
        'compute', run.proxy('compute'), sdk_server.Server,
        path='/servers/detail', limit=_api.PAGE,
        resource='the project\'s servers')
    return {s['id']: s for s in items}


def _servers(run: base.DiscoveryRun) -> dict[str, dict[str, Any]]:
    return run.once('servers', lambda: _fetch_servers(run))


def _fetch_keypairs(run: base.DiscoveryRun) -> dict[str, dict[str, Any]]:
    items = _api.listing(
        'compute', lambda: run.proxy('compute').keypairs(limit=_api.PAGE),
        resource='the user\'s key pairs')
    return {k['name']: k for k in items}


def _keypairs(run: base.DiscoveryRun) -> dict[str, dict[str, Any]]:
    return run.once('keypairs', lambda: _fetch_keypairs(run))


def _fetch_server_groups(run: base.DiscoveryRun,
                         ) -> dict[str, dict[str, Any]]:
    # No explicit page: Nova pages server groups by offset, and the SDK
    # then sends a marker Nova refuses (HTTP 400); unasked, Nova answers
    # up to its max_limit (1000) at once.
    items = _api.listing(
        'compute', lambda: run.proxy('compute').server_groups(),
        resource='the project\'s server groups')
    return {m: g for g in items for m in g.get('members') or ()}


def _server_groups(run: base.DiscoveryRun) -> dict[str, dict[str, Any]]:
    """Server id → its server group (a server is in at most one)."""
    return run.once('server_groups', lambda: _fetch_server_groups(run))


def _fetch_images(run: base.DiscoveryRun, ids: set[str]) -> dict[str, Any]:
    # Glance filters ids as ``id=in:a,b``.  Through the SDK's models: its
    # next page is a ``next`` key of the body, not a ``*_links`` list, and
    # there are only as many images as the servers boot from.
    what = 'images %s' % ', '.join(sorted(ids))
    items = _api.filtered(
        lambda **query: _api.listing(
            'image', lambda: run.proxy('image').images(**query),
            resource=what),
        'id', ids, join=lambda batch: 'in:' + ','.join(batch),
        limit=_api.PAGE)
    return {i['id']: i for i in items}


def _image_id(server: dict[str, Any]) -> str | None:
    image = server.get('image')
    return image.get('id') if isinstance(image, dict) else None


def _made_by_a_restore(image: dict[str, Any] | None) -> bool:
    """An image an in-place restore made (``dragon.recovery.restore``).

    Its name says so; its tags are gone once the restore is committed.
    """
    return bool(image) and (image.get('name') or '').startswith(
        naming.RESTORE_PREFIX + '-')


USER_DATA_ATTR = 'OS-EXT-SRV-ATTR:user_data'


def _user_data(server: dict[str, Any]) -> dict[str, Any]:
    key = USER_DATA_ATTR
    if key not in server:
        return {'user_data': None,
                'user_data_note': 'not visible: Nova shows user data to '
                                  'administrators only; the recovered '
                                  'server gets none'}
    raw = server.get(key)
    if not raw:
        return {'user_data': None, 'user_data_note': 'the server has none'}
    try:
        text = base64.b64decode(raw).decode('utf-8')
    except (binascii.Error, UnicodeDecodeError):
        return {'user_data': None, 'user_data_base64': raw,
                'user_data_note': 'not text; kept in base64 only'}
    return {'user_data': text, 'user_data_note': None}


def _flavor(server: dict[str, Any]) -> dict[str, Any]:
    flavor = server.get('flavor') or {}
    if 'original_name' not in flavor:
        raise exception.DiscoveryFailed(
            resource='flavor of server %s' % server['id'],
            reason='no embedded flavor (compute microversion 2.47 or '
                   'later is needed)')
    return {k: flavor.get(k) for k in ('original_name', 'vcpus', 'ram',
                                       'disk', 'ephemeral', 'swap',
                                       'extra_specs')}


def _attachments(server: dict[str, Any], run: base.DiscoveryRun,
                 ) -> list[dict[str, Any]]:
    """The server's volumes with device, sorted by device name."""
    found = []
    for attached in server.get('os-extended-volumes:volumes_attached') or ():
        vol = volume_mod.find(run, attached['id'],
                              'attached to server %s' % server['id'])
        for att in vol.get('attachments') or ():
            if att.get('server_id') == server['id']:
                found.append({'volume': vol, 'device': att.get('device'),
                              'attachment_id': att.get('attachment_id'),
                              'delete_on_termination': bool(
                                  attached.get('delete_on_termination'))})
                break
        else:
            raise exception.DiscoveryFailed(
                resource='volume %s of server %s' % (attached['id'],
                                                     server['id']),
                reason='Cinder shows no attachment to that server')
    return sorted(found, key=lambda a: (a['device'] or '', a['volume']['id']))


def _boot_volume(server: dict[str, Any],
                 attachments: list[dict[str, Any]]) -> tuple[Any, str]:
    """The attachment booted from (``None`` for image-backed) and why."""
    if _image_id(server):
        return None, 'image'
    root = server.get('OS-EXT-SRV-ATTR:root_device_name')
    for att in attachments:
        if root and att['device'] == root:
            return att, 'root_device_name'
    bootable = [a for a in attachments
                if volume_mod.properties(a['volume'])['bootable']]
    if bootable or attachments:
        # Nova gives the root disk the first device name (vda, sda).
        return (bootable or attachments)[0], 'first_device'
    raise exception.DiscoveryFailed(
        resource='boot disk of server %s' % server['id'],
        reason='the server has no image and no attached volume')


def _volume_action(member: dict[str, Any], server_key: str, is_boot: bool,
                   data: bool, attached: str) -> tuple[str, str]:
    """The action of a volume of the server that is not a member, and why.

    A boot volume carries data when the server's action does; a data
    volume gets the volume type's default action unless the member's
    ``attached_volumes`` option says ``template_only``.
    """
    if is_boot:
        if data:
            return base.SNAPSHOT_DATA, (
                'boot volume of server %s, whose action %s carries data'
                % (server_key, member.get('action')))
        return base.TEMPLATE_ONLY, (
            'boot volume of server %s, whose action %s carries no data, '
            'and not a member of the policy' % (server_key,
                                                member.get('action')))
    if attached == registry.TEMPLATE_ONLY:
        return base.TEMPLATE_ONLY, (
            'data volume of server %s, not a member of the policy, left '
            'out by the server\'s option %s: template_only' % (
                server_key, registry.ATTACHED_VOLUMES))
    default = registry.get(registry.VOLUME).default_action.name
    return default, (
        'data volume of server %s, not a member of the policy: the volume '
        'type\'s default action' % server_key)


class ServerDiscovery(base.DiscoveryPlugin):
    """Servers: flavor, image or boot volume, key, group, networking."""

    resource_type = 'server'
    order = 20

    def prefetch(self, run: base.DiscoveryRun,
                 members: list[dict[str, Any]]) -> None:
        if members:
            run.start('servers', lambda: _fetch_servers(run))
            run.start('server_groups', lambda: _fetch_server_groups(run))
            network.start(run)

    def discover(self, run: base.DiscoveryRun,
                 members: list[dict[str, Any]]) -> list[graph_mod.Node]:
        servers = _servers(run)
        chosen = []
        for member in members:
            server = servers.get(member['resource_id'])
            if server is None:
                raise exception.DiscoveryFailed(
                    resource='server %s (%s)' % (
                        member['resource_id'],
                        member.get('resource_name') or 'no name'),
                    reason='not found among the project\'s servers')
            chosen.append((member, server))
        if not chosen:
            return []
        # What the servers need, read in parallel with each other and
        # with the Neutron lists below.
        if any(s.get('key_name') for _, s in chosen):
            run.start('keypairs', lambda: _fetch_keypairs(run))
        image_ids = {i for _, s in chosen if (i := _image_id(s))}
        run.start('images', lambda: _fetch_images(run, image_ids))
        if any(s.get('os-extended-volumes:volumes_attached')
               for _, s in chosen):
            volume_mod.start(run)
        ports = network.ports_of(run, [s for _, s in chosen])
        groups = _server_groups(run)
        keys = (_keypairs(run) if any(s.get('key_name') for _, s in chosen)
                else {})
        images = run.once('images', lambda: _fetch_images(run, image_ids))
        port_nodes = network.add_ports(
            run, [p for plist in ports.values() for p in plist],
            [s for _, s in chosen])
        nodes = [self._add(run, member, server, groups, keys, images,
                           [port_nodes[p['id']] for p in ports[server['id']]])
                 for member, server in chosen]
        for node in run.graph.nodes():
            if (node.resource.type == volume_mod.TYPE and not node.member
                    and node.action == base.TEMPLATE_ONLY):
                run.warn(node.key, warnings_mod.VOLUME_NOT_PROTECTED,
                         'volume %s is recreated empty at recovery (%s)' % (
                             node.resource.name or node.resource.id,
                             node.properties.get('implicit_action_reason')))
        return nodes

    def _add(self, run: base.DiscoveryRun, member: dict[str, Any],
             server: dict[str, Any], groups: dict[str, Any],
             keys: dict[str, Any], images: dict[str, Any],
             ports: list[graph_mod.Node]) -> graph_mod.Node:
        deps = [p.key for p in ports]
        server_key = run.graph.unique_key('server', server.get('name'),
                                          server['id'])
        props: dict[str, Any] = {
            'name': server.get('name') or '',
            'description': server.get('description'),
            'status': server.get('status'),
            'flavor': _flavor(server),
            'metadata': dict(server.get('metadata') or {}),
            'tags': list(server.get('tags') or ()),
            'config_drive': str(server.get('config_drive')).lower() in (
                'true', '1', 'yes'),
            'availability_zone': server.get('OS-EXT-AZ:availability_zone'),
            'ports': [p.key for p in ports],
        }
        props.update(_user_data(server))
        if USER_DATA_ATTR not in server:
            run.warn(server_key, warnings_mod.USER_DATA_NOT_READABLE,
                     'user data of server %s not recorded: Nova shows it '
                     'to administrators only, so the recovered server gets '
                     'none' % (server.get('name') or server['id']))
        key_name = server.get('key_name')
        props['key_pair'] = None
        if key_name:
            keypair = keys.get(key_name)
            if keypair is None:
                raise exception.DiscoveryFailed(
                    resource='key pair %s of server %s' % (key_name,
                                                           server['id']),
                    reason='not visible to this user (Nova key pairs '
                           'belong to the user who created them)')
            node = run.node_for(KEYPAIR, key_name, key_name, 'keypair',
                                properties={
                                    'name': key_name,
                                    'public_key': keypair.get('public_key'),
                                    'type': keypair.get('type', 'ssh'),
                                    'fingerprint': keypair.get('fingerprint')})
            props['key_pair'] = node.key
            deps.append(node.key)
        group = groups.get(server['id'])
        props['server_group'] = None
        if group:
            node = run.node_for(SERVER_GROUP, group['id'], group.get('name'),
                                'server_group', properties={
                                    'name': group.get('name') or '',
                                    'policy': group.get('policy') or (
                                        group.get('policies') or [None])[0],
                                    'rules': dict(group.get('rules') or {})})
            props['server_group'] = node.key
            deps.append(node.key)
        image_id = _image_id(server)
        image = images.get(image_id) if image_id else None
        props['image'] = None if not image_id else {
            'id': image_id, 'visible': image is not None,
            'name': (image or {}).get('name'),
            'disk_format': (image or {}).get('disk_format'),
            'container_format': (image or {}).get('container_format'),
            'min_disk': (image or {}).get('min_disk'),
            'min_ram': (image or {}).get('min_ram')}
        attachments = _attachments(server, run)
        boot, props['boot_source'] = _boot_volume(server, attachments)
        data = member.get('action') in base.DATA_SERVER_ACTIONS
        if not data and _made_by_a_restore(image):
            run.warn(server_key, warnings_mod.IMAGE_ONLY_IN_THIS_REGION,
                     'server %s boots from image %s, made in this region '
                     'by an in-place restore: a recovery elsewhere needs '
                     'it mapped (images); protect the server with '
                     'image_snapshot to carry its disk' % (
                         server.get('name') or server['id'],
                         image['name']))
        attached = (member.get('options') or {}).get(
            registry.ATTACHED_VOLUMES, registry.PROTECT)
        props['block_devices'] = []
        for att in attachments:
            is_boot = att is boot
            action, reason = _volume_action(member, server_key, is_boot,
                                            data, attached)
            vol = volume_mod.add(run, att['volume'], action=action,
                                 reason=reason)
            props['block_devices'].append({
                'volume': vol.key, 'volume_id': vol.resource.id,
                'device': att['device'], 'boot_index': 0 if is_boot else None,
                'delete_on_termination': att['delete_on_termination']})
            if is_boot:
                deps.append(vol.key)
        node = run.graph.add(graph_mod.Node(
            key=server_key,
            resource=graph_mod.Resource(TYPE, server['id'],
                                        server.get('name') or ''),
            member=True, action=member.get('action'),
            options=dict(member.get('options') or {}),
            properties=props, depends_on=tuple(dict.fromkeys(deps))))
        for att, device in zip(attachments, props['block_devices']):
            if att is boot:
                continue
            run.node_for(
                ATTACHMENT, att['attachment_id'] or '%s:%s' % (
                    server['id'], device['volume_id']),
                '%s-%s' % (server.get('name') or '',
                           att['volume'].get('name') or ''),
                'attachment', depends_on=(node.key, device['volume']),
                properties={'server': node.key, 'volume': device['volume'],
                            'mountpoint': att['device']})
        return node

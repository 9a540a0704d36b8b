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

"""An in-place restore of volumes and servers: restore, swap, then wait for commit.

Each volume to replace gets a new volume holding its checkpoint data
(restored by ``dragon.recovery.restore`` as a failover would: an image
made into a volume of the checkpoint's size in the old volume's zone and
type, or a cinder-backup restored); each server to rebuild gets its
checkpoint image uploaded into the region.  Only when all of them are
ready are servers touched: every server with a volume to swap or a
rebuild is stopped (dependents first), then, in dependency order, a
server to rebuild has its disk saved as an image (tagged
``dragon_replaced_by``: what a rollback rebuilds it from) and is rebuilt
from its checkpoint image, and each old volume is detached (and tagged
``dragon_replaced_by``) and the new one attached at the old device; the
servers are then started again in dependency order, those that were
running.  A boot volume is not swapped: its copy is kept and its server
rebuilt by Nova with Cinder writing the checkpoint's bytes onto it
(``boot``), before the server's other volumes are swapped.  A server
gone from the region is booted again first
(``recreate``: from its checkpoint image, on the networks it had; one
that booted from a volume from a new volume of its boot volume's
checkpoint data, made as a gone volume is), its recorded floating IPs are
associated again (``floating``), and its volumes of the restore are
attached to it while it runs (nothing ran on it before).  The recovery
then waits ``awaiting_commit`` until its ``commit_deadline``.  Any failure puts everything back
(``window.put_back``) and ends in error: nothing the user had is lost.
"""

import copy
import datetime
from typing import Any

from oslo_config import cfg

from dragon.checkpoint import chunks as chunks_mod
from dragon.common import progress
from dragon.common import timeutils
from dragon import exception
from dragon.protection import graph as graph_mod
from dragon.protection import recorder as rec
from dragon.recovery.in_place import boot
from dragon.recovery.in_place import floating
from dragon.recovery.in_place import plan as plan_mod
from dragon.recovery.in_place import recreate
from dragon.recovery.in_place import swap as swap_mod
from dragon.recovery.in_place import window
from dragon.recovery import restore as restore_mod
from dragon.recovery.restore import context as ctx_mod
from dragon import statuses

STATUS = statuses.Recovery
RESOURCE = statuses.Resource


def _now_id(entry: dict[str, Any]) -> str:
    """The member's id now: a volume replaced since has another."""
    return entry.get('current_id') or entry['id']


class Restore:
    """The swap of one in-place recovery; ``run`` raises on failure."""

    def __init__(self, conf: cfg.ConfigOpts, recovery: Any, clients: Any,
                 recorder: rec.RunRecorder, manifest: dict[str, Any],
                 domain: Any, lookup: plan_mod.Lookup) -> None:
        self.conf = conf
        self.recovery = recovery
        self.clients = clients
        self.recorder = recorder
        self.manifest = manifest
        self.domain = domain
        self.lookup = lookup
        self.graph = graph_mod.ResourceGraph.from_dict(manifest['graph'])
        self.cloud = swap_mod.Cloud(clients, conf)
        self.replaced: list[dict[str, Any]] = []

    def save(self, replaced: list[dict[str, Any]]) -> None:
        self.recorder.flush(force=True, replaced=copy.deepcopy(replaced))

    def event(self, level: str, message: str,
              resource: str | None = None) -> None:
        self.recorder.event(level, message, resource)

    def run(self, plan: list[dict[str, Any]]) -> None:
        """Restore and swap (rebuild) every member plan restores, or put all back."""
        # A server booted from a volume is restored through its boot
        # volume's entry: it has no data of its own.
        entries = [e for e in plan if e['action'] in (
            plan_mod.REPLACE, plan_mod.REBUILD, plan_mod.RECREATE) and not (
                e['action'] == plan_mod.REBUILD and plan_mod.boots_from_volume(
                    self.graph.get(e['key'])))]
        boots = plan_mod.boot_volumes(self.graph)
        # {checkpoint server id: its id now} and the servers booted again.
        self.server_ids = {e['id']: _now_id(e) for e in plan
                           if e['type'] == plan_mod.SERVER}
        self.remade = {_now_id(e) for e in entries
                       if e['type'] == plan_mod.SERVER and
                       e['action'] == plan_mod.RECREATE}
        by_key = {e['key']: e for e in plan}
        for entry in entries:
            node = self.graph.get(entry['key'])
            # A server booted from a volume may have no record: its data
            # is its boot volume's.
            record = self.manifest['data'].get(entry['key']) or {}
            self.recorder.track(node, restore_mod.estimate(record))
            now = self.lookup(node) or {}
            if entry['action'] == plan_mod.REBUILD:
                self.replaced.append({
                    'key': entry['key'], 'name': entry.get('name'),
                    'kind': window.SERVER, 'server_id': _now_id(entry),
                    'previous_image_id': now.get('image_id'),
                    'saved_image_id': None, 'restored_image_id': None,
                    'server_status': None, 'state': window.RESTORING})
                continue
            if entry['action'] == plan_mod.RECREATE and \
                    entry['type'] == plan_mod.SERVER:
                device = plan_mod.boot_device(node)
                self.replaced.append({
                    'key': entry['key'], 'name': entry.get('name'),
                    'kind': window.NEW_SERVER, 'recreates': _now_id(entry),
                    'server_id': None, 'restored_image_id': None,
                    'boot_volume_key': device and device['volume'],
                    'floating_ips': [],
                    'server_status': None, 'state': window.RESTORING})
                continue
            server = by_key.get(boots.get(entry['key']))
            if entry['action'] == plan_mod.RECREATE and server and \
                    server['action'] == plan_mod.RECREATE:
                self.replaced.append(self._boot_volume(entry, server))
                continue
            if entry['action'] == plan_mod.RECREATE:
                self.replaced.append(self._recreating(entry, node))
                continue
            if entry['key'] in boots:
                attached = (now.get('attachments') or [{}])[0]
                self.replaced.append(boot.entry(
                    entry['key'], entry.get('name'), _now_id(entry),
                    attached.get('server_id'), attached.get('device'),
                    window.RESTORING))
                continue
            # A volume of a server booted again goes on the new one.
            attached = (now.get('attachments') or [
                self._recorded(node, self.remade)])[0]
            self.replaced.append({
                'key': entry['key'], 'name': entry.get('name'),
                'kind': window.VOLUME,
                'old_volume_id': _now_id(entry), 'new_volume_id': None,
                'image_id': None, 'server_id': attached.get('server_id'),
                'device': attached.get('device'), 'server_status': None,
                'state': window.RESTORING})
        self.save(self.replaced)
        try:
            self.recorder.phase(progress.RESTORING, len(entries))
            store = chunks_mod.project_store(
                self.clients.swift, self.manifest['project_id'], self.conf,
                domain=self.domain)
            for replacement in self.replaced:
                if replacement.get('boot_volume_key'):
                    self._booted_from_volume(replacement)
                elif replacement['kind'] in (window.SERVER, window.NEW_SERVER,
                                             window.BOOT_VOLUME):
                    self._restore_image(store, replacement)
                else:
                    self._restore(store, replacement)
            self.recorder.phase(progress.LAUNCHING)
            self._swap_all()
        except exception.RunTakenOver:
            raise       # the engine that took it over puts things back
        except BaseException as e:
            self._undo(e)
            raise
        self.open_window()

    def swapped(self) -> str:
        """'1 volume(s) replaced, 2 server(s) rebuilt', for the events."""
        count = {k: sum(r['kind'] == k for r in self.replaced)
                 for k in window.KINDS}
        made = (', %d server(s) recreated' % count[window.NEW_SERVER]
                if count[window.NEW_SERVER] else '') + (
            ', %d boot volume(s) re-imaged (their copies kept)' %
            count[window.BOOT_VOLUME] if count[window.BOOT_VOLUME] else '')
        return '%d volume(s) replaced, %d server(s) rebuilt%s' % (
            count[window.VOLUME], count[window.SERVER], made)

    def open_window(self) -> None:
        """awaiting_commit until ``[recovery] in_place_commit_window`` ends."""
        minutes = self.conf.recovery.in_place_commit_window
        deadline = timeutils.utcnow() + datetime.timedelta(minutes=minutes)
        self.event('info', 'swap done: %s; the replaced volumes and the '
                   'servers\' former disks (images) are kept until the '
                   'recovery is committed or rolled back (window ends %sZ)'
                   % (self.swapped(), deadline.isoformat(timespec='seconds')))
        self.recorder.flush(force=True, status=STATUS.AWAITING_COMMIT,
                            commit_deadline=deadline, error=None)

    def _recreating(self, entry: dict[str, Any],
                    node: graph_mod.Node) -> dict[str, Any]:
        """The replacement of a volume gone from the region.

        Attached where the checkpoint saw it, when that server exists.
        """
        recorded = self._recorded(node)
        server_id = recorded.get('server_id')
        if server_id and server_id not in self.remade and \
                not self.cloud.server_exists(server_id):
            self.event('warning', 'volume %s is recreated unattached: its '
                       'server %s is gone too' % (_now_id(entry), server_id),
                       entry['key'])
            server_id = None
        return {'key': entry['key'], 'name': entry.get('name'),
                'kind': window.VOLUME, 'old_volume_id': None,
                'recreates': _now_id(entry), 'new_volume_id': None,
                'image_id': None, 'server_id': server_id,
                'device': recorded.get('device') if server_id else None,
                'server_status': None, 'state': window.RESTORING}

    def _boot_volume(self, entry: dict[str, Any],
                     server: dict[str, Any]) -> dict[str, Any]:
        """The new boot volume of a server gone from the region.

        A volume of the checkpoint's data, made as a gone volume is
        (``recreates``: the boot volume's id, which may still be in the
        region: it is left as it is), that the recreated server boots from
        at the recorded device (``boot``).
        """
        node = self.graph.get(server['key'])
        return {'key': entry['key'], 'name': entry.get('name'),
                'kind': window.VOLUME, 'old_volume_id': None,
                'recreates': _now_id(entry), 'new_volume_id': None,
                'image_id': None, 'server_id': _now_id(server),
                'device': (plan_mod.boot_device(node) or {}).get('device'),
                'boot': True, 'server_status': None,
                'state': window.RESTORING}

    def _booted_from_volume(self, replacement: dict[str, Any]) -> None:
        """A server booted from a volume: no data of its own to restore."""
        key = replacement['key']
        replacement['state'] = window.READY
        self.save(self.replaced)
        self.recorder.status(key, RESOURCE.RESTORED)
        self.recorder.advance()

    def _recorded(self, node: graph_mod.Node,
                  only: set[str] | None = None) -> dict[str, Any]:
        """The checkpoint's attachment of the volume, its server's id now.

        :param only: the server ids to say (another: an empty record).
        """
        recorded = dict((node.properties.get('attachments') or [{}])[0])
        if recorded.get('server_id'):
            recorded['server_id'] = self.server_ids.get(
                recorded['server_id'], recorded['server_id'])
        if only is not None and recorded.get('server_id') not in only:
            return {}
        return recorded

    def _context(self, store: Any, key: str) -> Any:
        return restore_mod.RestoreContext(
            clients=self.clients, chunks=store,
            progress=lambda n: self.recorder.add_bytes(key, n),
            event=lambda level, msg: self.event(level, msg, key),
            conf=self.conf, recovery_id=self.recovery.id,
            checkpoint_time=self.manifest['started_at'],
            checkpoint=self.recovery.recovery_point)

    def _restore_image(self, store: Any,
                       replacement: dict[str, Any]) -> None:
        """The server's checkpoint image, uploaded and active."""
        key = replacement['key']
        self.recorder.status(key, RESOURCE.TRANSFERRING)
        result = restore_mod.restore(
            self._context(store, key), key, self.manifest['data'][key],
            node=self.graph.get(key))
        replacement['restored_image_id'] = result['image_id']
        if replacement['kind'] == window.BOOT_VOLUME:
            # Deleted once Cinder has written it onto the volume.
            replacement['image_id'] = result['image_id']
        replacement['state'] = window.READY
        self.save(self.replaced)
        server = replacement['server_id'] or replacement['recreates']
        if replacement['server_id']:
            self.recorder.set(key, target_id=replacement.get('volume_id') or
                              server)
        self.recorder.status(key, RESOURCE.RESTORED)
        self.recorder.advance()
        self.event('info', 'image %s holds the checkpoint\'s %s' % (
            result['image_id'], 'data of boot volume %s' %
            replacement['volume_id'] if replacement.get('volume_id') else
            'disk of server %s' % server), key)

    def _restore(self, store: Any, replacement: dict[str, Any]) -> None:
        """A new volume holding the checkpoint's data, available."""
        key = replacement['key']
        node = self.graph.get(key)
        record = self.manifest['data'][key]
        self.recorder.status(key, RESOURCE.TRANSFERRING)
        ctx = self._context(store, key)
        result = restore_mod.restore(ctx, key, record, node=node)
        tags = {ctx_mod.RESTORE_PROPERTY: self.recovery.id,
                ctx_mod.RESTORE_KEY_PROPERTY: key}
        if result.get('image_id'):
            replacement['image_id'] = result['image_id']
            self.save(self.replaced)
            # A volume gone from the region is made like the checkpoint's.
            now = self.lookup(node) or {
                k: node.properties.get(k)
                for k in ('availability_zone', 'volume_type')}
            size = node.properties.get('size') or now.get('size_gib') or 1
            replacement['new_volume_id'] = self.cloud.from_image(
                result['image_id'], size, node.resource.name or ctx.name(key),
                now, tags)
            self.save(self.replaced)
            self.cloud.wait_available(replacement['new_volume_id'])
            window.drop_image(self.cloud, replacement, self.event)
        else:
            # A cinder-backup restore made (and tagged) the volume itself.
            replacement['new_volume_id'] = result['volume_id']
            self.cloud.tag(result['volume_id'],
                           ctx_mod.RESTORE_KEY_PROPERTY, key)
        replacement['state'] = window.READY
        self.save(self.replaced)
        self.recorder.set(key, target_id=replacement['new_volume_id'])
        self.recorder.status(key, RESOURCE.RESTORED)
        self.recorder.advance()
        self.event('info', 'volume %s holds the checkpoint\'s data of '
                   'volume %s' % (replacement['new_volume_id'],
                                  replacement['old_volume_id'] or
                                  replacement['recreates']), key)

    def _server_order(self, server_ids: set[str]) -> list[str]:
        """server_ids, dependencies first (the checkpoint's graph order)."""
        # By the id each has now (a checkpoint's id may name another).
        ordered = [self.server_ids.get(n.resource.id, n.resource.id)
                   for n in self.graph.nodes()
                   if n.resource.type == plan_mod.SERVER]
        ordered = [s for s in dict.fromkeys(ordered) if s in server_ids]
        return ordered + sorted(server_ids - set(ordered))

    def _swap_all(self) -> None:
        for replacement in self.replaced:
            if replacement['kind'] == window.NEW_SERVER:
                self._boot(replacement)
        made = {r['server_id'] for r in self.replaced
                if r['kind'] == window.NEW_SERVER}
        servers: dict[str | None, list[dict[str, Any]]] = {}
        for replacement in self.replaced:
            if replacement['kind'] == window.NEW_SERVER:
                continue
            if replacement['server_id'] in made:
                # Attached while the new server runs: nothing ran on it.
                self._swap(replacement)
                continue
            servers.setdefault(replacement['server_id'], []).append(
                replacement)
        order = self._server_order({s for s in servers if s})
        before: dict[str, str] = {}
        # Dependents stop first and start last: a server never runs
        # against one of its dependencies being changed.
        for server_id in reversed(order):
            before[server_id] = self.cloud.stop(server_id)
            for replacement in servers[server_id]:
                replacement['server_status'] = before[server_id]
            self.save(self.replaced)
            kinds = {r['kind'] for r in servers[server_id]}
            self.event('info', 'server %s stopped for the %s (was %s)' % (
                server_id, ' and the '.join(
                    w for k, w in ((window.SERVER, 'rebuild'),
                                   (window.BOOT_VOLUME, 'boot volume '
                                    'restore'),
                                   (window.VOLUME, 'swap')) if k in kinds),
                before[server_id]))
        for server_id in order + ([None] if None in servers else []):
            # The server's disk first: Nova's rebuild reattaches its
            # volumes, the swaps then move the data volumes.
            for replacement in sorted(servers[server_id],
                                      key=lambda r: r['kind'] not in (
                                          window.SERVER, window.BOOT_VOLUME)):
                if replacement['kind'] == window.SERVER:
                    self._rebuild(replacement)
                elif replacement['kind'] == window.BOOT_VOLUME:
                    self._reimage(replacement)
                else:
                    self._swap(replacement)
        for server_id in order:
            if before[server_id] == swap_mod.ACTIVE:
                self.cloud.start(server_id)
                self.event('info', 'server %s started' % server_id)

    def place(self, key: str) -> tuple[graph_mod.ResourceGraph,
                                       graph_mod.Node]:
        """Where gone server ``key`` is booted again: the graph and node
        its networks, security groups, key pair and flavor are read from.

        The checkpoint's own here; a failback's are those the failover
        recovered it from (``failback_in_place.HomeRestore``).
        """
        return self.graph, self.graph.get(key)

    def _boot(self, replacement: dict[str, Any]) -> None:
        """Boot the gone server again on its networks; its volumes follow.

        From its restored image, or from the new volume of its boot
        volume's data; then its floating IPs are associated again.
        """
        key, gone = replacement['key'], replacement['recreates']
        # Where it is booted, and whose floating IPs it gets back: the
        # checkpoint's own, or a failback's home (place).
        graph, node = self.place(key)
        boot_volume = next(
            (r['new_volume_id'] for r in self.replaced
             if r['kind'] == window.VOLUME and r.get('boot') and
             r['key'] == replacement.get('boot_volume_key')), None)
        if not replacement.get('server_id'):
            replacement['server_id'] = self.cloud.create_server(
                recreate.request(
                    self.clients, graph, node,
                    replacement['restored_image_id'], self.recovery.id,
                    lambda level, msg: self.event(level, msg, key),
                    boot_volume_id=boot_volume, key=key))
            self.save(self.replaced)
        new = replacement['server_id']
        self.cloud.wait_active(new)
        for volume in self.replaced:
            if volume['kind'] == window.VOLUME and \
                    volume.get('server_id') == gone:
                volume['server_id'] = new
        self.save(self.replaced)
        self.event('info', 'server %s recreates server %s (gone from the '
                   'region) from %s, on the networks it had: %s' % (
                       new, gone, 'volume %s (its boot volume\'s checkpoint '
                       'data)' % boot_volume if boot_volume else
                       'image %s' % replacement['restored_image_id'],
                       self.cloud.addresses(new)), key)
        replacement.setdefault('floating_ips', [])
        floating.restore(self.cloud, graph, node, new,
                         replacement['floating_ips'],
                         lambda: self.save(self.replaced), self.event)
        replacement['state'] = window.SWAPPED
        self.save(self.replaced)
        # A server that is a member of the policy: it protects the new one.
        window.follow_member(self.recovery.policy_id, gone, new)
        self.recorder.set(key, target_id=new)
        self.recorder.status(key, RESOURCE.DONE)

    def _rebuild(self, replacement: dict[str, Any]) -> None:
        """Save the server's disk as an image, rebuild from the checkpoint's."""
        key, server_id = replacement['key'], replacement['server_id']
        if not replacement.get('saved_image_id'):
            name = 'dragon-before-%s-%s' % (
                self.recovery.id, replacement.get('name') or server_id)
            # The key too: an engine killed before the id below is saved
            # leaves an image the takeover finds by these properties.
            replacement['saved_image_id'] = self.cloud.snapshot(
                server_id, name[:255],
                {swap_mod.REPLACED_TAG: self.recovery.id,
                 ctx_mod.RESTORE_KEY_PROPERTY: key})
            self.save(self.replaced)
        saved = replacement['saved_image_id']
        self.cloud.wait_image(server_id, saved)
        self.event('info', 'server %s: its disk is kept as image %s until '
                   'the recovery is committed' % (server_id, saved), key)
        self.cloud.rebuild(server_id, replacement['restored_image_id'])
        replacement['state'] = window.SWAPPED
        self.save(self.replaced)
        self.recorder.status(key, RESOURCE.DONE)
        self.event('info', 'server %s rebuilt from image %s (its checkpoint '
                   'disk), keeping its ports, addresses, security groups, '
                   'key pair and metadata' % (
                       server_id, replacement['restored_image_id']), key)

    def _reimage(self, replacement: dict[str, Any]) -> None:
        """Keep a copy of the boot volume, rebuild its server re-imaging it."""
        boot.swap(self.cloud, replacement, self.recovery.id,
                  lambda: self.save(self.replaced),
                  self.event)
        replacement['state'] = window.SWAPPED
        self.save(self.replaced)
        self.recorder.status(replacement['key'], RESOURCE.DONE)

    def _swap(self, replacement: dict[str, Any]) -> None:
        key, server_id = replacement['key'], replacement['server_id']
        old, new = replacement['old_volume_id'], replacement['new_volume_id']
        if old is None:
            self._attach_recreated(replacement)
            return
        self.cloud.tag(old, swap_mod.REPLACED_TAG, self.recovery.id)
        if server_id:
            self.cloud.detach(server_id, old)
            device = self.cloud.attach(server_id, new, replacement['device'])
            if replacement['device'] and device != replacement['device']:
                self.event('warning', 'Nova attached volume %s at %s, not at '
                           '%s' % (new, device, replacement['device']), key)
            where = 'on server %s at %s' % (server_id, device)
        else:
            where = 'unattached, as the replaced one was'
        replacement['state'] = window.SWAPPED
        self.save(self.replaced)
        window.follow_member(self.recovery.policy_id, old, new)
        self.recorder.status(key, RESOURCE.DONE)
        self.event('info', 'volume %s replaces volume %s %s; volume %s is '
                   'kept, detached' % (new, old, where, old), key)

    def _attach_recreated(self, replacement: dict[str, Any]) -> None:
        key, server_id = replacement['key'], replacement['server_id']
        new, gone = replacement['new_volume_id'], replacement['recreates']
        where = 'unattached'
        if server_id:
            # A boot volume is attached already: the server booted from it.
            device = self.cloud.attach(server_id, new, replacement['device'])
            where = 'on server %s at %s' % (server_id, device)
        replacement['state'] = window.SWAPPED
        self.save(self.replaced)
        window.follow_member(self.recovery.policy_id, gone, new)
        self.recorder.status(key, RESOURCE.DONE)
        if replacement.get('boot'):
            self.event('info', 'volume %s, holding the checkpoint\'s data '
                       'of boot volume %s, is the boot volume of the '
                       'recreated server (%s); volume %s, if it is still '
                       'there, is left as it is' % (new, gone, where, gone),
                       key)
            return
        self.event('info', 'volume %s recreates volume %s (gone from the '
                   'region) %s' % (new, gone, where), key)

    def _undo(self, error: BaseException) -> None:
        """Put everything back after a failure; say what could not be."""
        self.event('error', 'in-place restore failed (%s): putting the '
                   'original volumes and disks back'
                   % exception.one_line(error))
        try:
            window.put_back(self.cloud, self.replaced, self.save, self.event,
                            self.recovery.policy_id, self.recovery.id)
        except Exception as e:  # noqa: BLE001 - the first error is raised
            self.event('error', 'putting back failed: %s; the recovery '
                       'lists what is where (replaced); delete the '
                       'recovery to try again' % exception.one_line(e))
            return
        self.event('info', 'the original volumes are back in place')

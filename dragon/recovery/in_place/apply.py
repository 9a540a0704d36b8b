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

"""An in-place restore of volumes: restore, swap, then wait for commit.

Each volume to replace gets a new volume holding its checkpoint data
(restored by ``dragon.recovery.restore`` as a failover would: an image
made into a volume of the checkpoint's size in the old volume's zone and
type, or a cinder-backup restored).  Only when every new volume is ready
are servers touched: each server with a volume to swap is stopped, the
old volume detached (and tagged ``dragon_replaced_by``), the new one
attached at the old device, and the server started again if it was
running.  The recovery then waits ``awaiting_commit`` until its
``commit_deadline``.  Any failure puts everything back (``window.put_back``)
and ends in error: nothing the user had is lost.
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
from dragon.recovery.in_place import plan as plan_mod
from dragon.recovery.in_place import swap as swap_mod
from dragon.recovery.in_place import window
from dragon.recovery import restore as restore_mod
from dragon.recovery.restore import context as ctx_mod
from dragon import statuses

STATUS = statuses.Recovery
RESOURCE = statuses.Resource


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
        """Restore and swap every volume plan replaces, or put all back."""
        entries = [e for e in plan if e['action'] == plan_mod.REPLACE]
        for entry in entries:
            node = self.graph.get(entry['key'])
            record = self.manifest['data'][entry['key']]
            self.recorder.track(node, restore_mod.estimate(record))
            now = self.lookup(node) or {}
            attached = (now.get('attachments') or [{}])[0]
            self.replaced.append({
                'key': entry['key'], 'name': entry.get('name'),
                'old_volume_id': entry['id'], 'new_volume_id': None,
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
                self._restore(store, replacement)
            self.recorder.phase(progress.LAUNCHING)
            self._swap_all()
        except exception.RunTakenOver:
            raise       # the engine that took it over puts things back
        except BaseException as e:
            self._undo(e)
            raise
        minutes = self.conf.recovery.in_place_commit_window
        deadline = timeutils.utcnow() + datetime.timedelta(minutes=minutes)
        self.event('info', 'swap done: %d volume(s) replaced; the replaced '
                   'volumes are kept until the recovery is committed or '
                   'rolled back (window ends %sZ)' % (
                       len(self.replaced), deadline.isoformat(
                           timespec='seconds')))
        self.recorder.flush(force=True, status=STATUS.AWAITING_COMMIT,
                            commit_deadline=deadline, error=None)

    def _restore(self, store: Any, replacement: dict[str, Any]) -> None:
        """A new volume holding the checkpoint's data, available."""
        key = replacement['key']
        node = self.graph.get(key)
        record = self.manifest['data'][key]
        self.recorder.status(key, RESOURCE.TRANSFERRING)
        ctx = restore_mod.RestoreContext(
            clients=self.clients, chunks=store,
            progress=lambda n: self.recorder.add_bytes(key, n),
            event=lambda level, msg: self.event(level, msg, key),
            conf=self.conf, recovery_id=self.recovery.id,
            checkpoint_time=self.manifest['started_at'],
            checkpoint=self.recovery.recovery_point)
        result = restore_mod.restore(ctx, key, record, node=node)
        tags = {ctx_mod.RESTORE_PROPERTY: self.recovery.id,
                ctx_mod.RESTORE_KEY_PROPERTY: key}
        if result.get('image_id'):
            replacement['image_id'] = result['image_id']
            self.save(self.replaced)
            now = self.lookup(node) or {}
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
                                  replacement['old_volume_id']), key)

    def _swap_all(self) -> None:
        servers: dict[str | None, list[dict[str, Any]]] = {}
        for replacement in self.replaced:
            servers.setdefault(replacement['server_id'], []).append(
                replacement)
        for server_id, on_server in servers.items():
            before = self.cloud.stop(server_id) if server_id else None
            for replacement in on_server:
                replacement['server_status'] = before
            self.save(self.replaced)
            if server_id:
                self.event('info', 'server %s stopped for the swap (was %s)'
                           % (server_id, before))
            for replacement in on_server:
                self._swap(replacement)
            if before == swap_mod.ACTIVE:
                self.cloud.start(server_id)
                self.event('info', 'server %s started' % server_id)

    def _swap(self, replacement: dict[str, Any]) -> None:
        key, server_id = replacement['key'], replacement['server_id']
        old, new = replacement['old_volume_id'], replacement['new_volume_id']
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

    def _undo(self, error: BaseException) -> None:
        """Put everything back after a failure; say what could not be."""
        self.event('error', 'in-place restore failed (%s): putting the '
                   'original volumes back' % exception.one_line(error))
        try:
            window.put_back(self.cloud, self.replaced, self.save, self.event,
                            self.recovery.policy_id)
        except Exception as e:  # noqa: BLE001 - the first error is raised
            self.event('error', 'putting back failed: %s; the recovery '
                       'lists what is where (replaced); delete the '
                       'recovery to try again' % exception.one_line(e))
            return
        self.event('info', 'the original volumes are back in place')

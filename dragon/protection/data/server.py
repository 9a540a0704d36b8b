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

"""Server data actions: snapshot the disk, copy the base image, or none."""

from typing import Any

from dragon import exception
from dragon.protection.data import base
from dragon.protection.data import glance
from dragon.protection.data import nova
from dragon.protection.data import reuse
from dragon.protection.data import stream
from dragon.protection.data import waiting

BOOT_FROM_VOLUME = ('the server boots from a volume and has no disk of its '
                    'own; its boot volume carries the data')


def _server(ctx: base.DataContext, node: Any) -> dict:
    try:
        return nova.get_server(ctx.clients, node.resource.id)
    except waiting.Gone:
        raise exception.DataActionFailed(
            resource=base.label(node), reason='the server no longer exists')


def _base_image_size(ctx: base.DataContext, image_id: str) -> int | None:
    try:
        return glance.get_image(ctx.clients, image_id).get('size')
    except waiting.Gone:
        return None


class _ServerImage(base.DataAction):
    resource_type = 'server'

    def _none(self, reason: str) -> dict:
        return base.record(self.action, base.NONE, reason=reason)


class ImageSnapshot(_ServerImage):
    """The server's disk now: createImage, stream, delete the image."""

    action = 'image_snapshot'

    def estimate(self, ctx: base.DataContext, node: Any) -> int:
        # A snapshot is usually about as large as the image the server was
        # built from (its allocated data), far below the flavor's disk.
        server = _server(ctx, node)
        base_image = nova.image_id(server)
        if base_image is None:
            return 0
        return (_base_image_size(ctx, base_image) or
                nova.flavor_disk_bytes(server))

    def capture(self, ctx: base.DataContext, node: Any) -> dict:
        server = _server(ctx, node)
        if nova.image_id(server) is None:
            return {'kind': base.NONE, 'reason': BOOT_FROM_VOLUME}
        facts = reuse.server_facts(server)
        if reuse.enabled(ctx, node):
            if server.status == reuse.SHUTOFF:
                # Only a server stopped at this checkpoint may reuse its
                # data next time: a running one's createImage is not
                # delayed by the list of its instance actions.
                facts = reuse.current_facts(ctx, server)
            decision = reuse.decide(ctx, server, facts, ctx.previous)
            if decision.reuse:
                ctx.event('info', 'data of checkpoint %s reused, no new '
                          'snapshot: %s' % (ctx.previous.checkpoint_id,
                                            decision.reason))
                # Only names: the state is on the run's row.
                return {'reused_from': ctx.previous.checkpoint_id,
                        'server': facts}
            if ctx.previous is not None:
                ctx.event('info', 'snapshot taken, data of checkpoint %s '
                          'not reused: %s' % (ctx.previous.checkpoint_id,
                                              decision.reason))
        conf = ctx.protection
        state = {'base_image_id': nova.image_id(server), 'server': facts}
        # Nova creates the Glance image: the kind recorded is 'image'.
        image_id = nova.create_image(
            ctx.clients, node.resource.id,
            base.intend(ctx, state, 'image',
                        base.temporary_name(ctx, node, 'snapshot')),
            base.temporary_metadata(ctx))
        base.created(ctx, state, 'image', image_id)
        try:
            # Only until the disk is captured, paused server or not: the
            # workflow resumes a paused one as soon as Nova lets it.
            nova.wait_snapshot_taken(
                ctx.clients, node.resource.id, image_id,
                timeout=conf.server_snapshot_timeout,
                interval=conf.poll_interval, resource=base.label(node))
        except Exception:
            # No state reaches the caller: remove the image here.
            with base.failing_as(node, 'removing snapshot %s' % image_id):
                glance.delete_image(ctx.clients, image_id)
            raise
        return state

    def prepare(self, ctx: base.DataContext, node: Any,
                state: dict) -> None:
        """Nova's upload of the snapshot: until its image is active."""
        if state.get('kind') == base.NONE or state.get('reused_from'):
            return
        ctx.image_active(state['image_id'], base.label(node))

    def transfer(self, ctx: base.DataContext, node: Any,
                 state: dict) -> dict:
        if state.get('kind') == base.NONE:
            return self._none(state['reason'])
        if state.get('reused_from'):
            result = reuse.reused_record(ctx.previous, state['server'])
            ctx.progress(result.get('size') or 0)
            return result
        image = ctx.image_active(state['image_id'], base.label(node))
        fields = stream.store_image(ctx, node, image)
        state['done'] = True
        return base.record(self.action, base.IMAGE,
                           snapshot_image_id=state['image_id'],
                           source_image_id=state.get('base_image_id'),
                           server=state.get('server'), **fields)

    def cleanup(self, ctx: base.DataContext, node: Any, state: dict) -> None:
        image_id = state.get('image_id')
        if not image_id:
            return
        if state.get('done') and base.option(ctx, node, 'keep_image', False):
            ctx.event('info', 'snapshot image %s kept (keep_image)' % image_id)
            return
        with base.failing_as(node, 'removing snapshot image %s' % image_id):
            glance.delete_image(ctx.clients, image_id)


class ImageCopy(_ServerImage):
    """The server's base image, stored once per project (index by content)."""

    action = 'image_copy'

    def estimate(self, ctx: base.DataContext, node: Any) -> int:
        base_image = nova.image_id(_server(ctx, node))
        if base_image is None:
            return 0
        return _base_image_size(ctx, base_image) or 0

    def capture(self, ctx: base.DataContext, node: Any) -> dict:
        base_image = nova.image_id(_server(ctx, node))
        if base_image is None:
            return {'kind': base.NONE, 'reason': BOOT_FROM_VOLUME}
        return {'base_image_id': base_image}

    def transfer(self, ctx: base.DataContext, node: Any,
                 state: dict) -> dict:
        if state.get('kind') == base.NONE:
            return self._none(state['reason'])
        image_id = state['base_image_id']
        try:
            image = glance.get_image(ctx.clients, image_id)
        except waiting.Gone:
            raise exception.DataActionFailed(
                resource=base.label(node),
                reason='base image %s no longer exists' % image_id)
        if image.get('status') != 'active':
            raise exception.DataActionFailed(
                resource=base.label(node),
                reason='base image %s is %s, not active' % (
                    image_id, image.get('status')))
        fields = stream.store_image(ctx, node, image)
        return base.record(self.action, base.IMAGE, source_image_id=image_id,
                           **fields)

    def cleanup(self, ctx: base.DataContext, node: Any, state: dict) -> None:
        return None   # nothing temporary: the base image is the user's


class ServerTemplateOnly(base.NoData):
    resource_type = 'server'

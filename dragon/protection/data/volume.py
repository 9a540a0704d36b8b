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

"""Volume data actions: snapshot data, replicated, none."""

import time
from typing import Any

from dragon import exception
from dragon.protection.data import base
from dragon.protection.data import cinder
from dragon.protection.data import glance
from dragon.protection.data import stream
from dragon.protection.data import waiting

GiB = 1024 ** 3


def get_volume(ctx: base.DataContext, node: Any) -> Any:
    try:
        return cinder.get(ctx.clients, 'volume', node.resource.id)
    except waiting.Gone:
        raise exception.DataActionFailed(
            resource=base.label(node), reason='the volume no longer exists')


def encrypted_refusal(volume_id: str, volume_type: str | None) -> str:
    """Why the data of a volume Cinder encrypts is not taken.

    Cinder keeps the volume's LUKS key in its own region's key manager and
    offers no way to create a volume with a given key elsewhere, so data
    taken here would be recovered as unreadable ciphertext.  Refusing is
    the honest answer until the key can travel with the data.
    """
    return ('volume %s is encrypted by Cinder (volume type %s): its key '
            'stays in this region\'s key manager and cannot be carried to '
            'the recovery region, so its data would be recovered '
            'unreadable. Leave it out of the policy (a protected server '
            'that uses it still records it, recreated empty) or use a '
            'volume type without encryption' % (volume_id,
                                                 volume_type or 'unknown'))


def get_unencrypted_volume(ctx: base.DataContext, node: Any) -> Any:
    """The volume whose data an action takes, refused if Cinder encrypts it.

    Checked again at protect time: a volume retyped to an encrypted type
    after it became a member must fail its checkpoint, not fill it with
    data no one can read.

    :raises dragon.exception.DataActionFailed:
    """
    volume = get_volume(ctx, node)
    if volume.is_encrypted:
        raise exception.DataActionFailed(
            resource=base.label(node),
            reason=encrypted_refusal(volume.id, volume.volume_type))
    return volume


def facts(volume: Any) -> dict:
    """What recovery needs to recreate the volume itself.

    :param volume: openstacksdk's ``Volume``.
    """
    return {'size_gib': volume.size,
            'volume_type': volume.volume_type,
            'bootable': bool(volume.is_bootable),
            'availability_zone': volume.availability_zone,
            'multiattach': bool(volume.is_multiattach),
            'encrypted': bool(volume.is_encrypted),
            'replication_status': volume.replication_status,
            'volume_image_metadata': volume.volume_image_metadata or {}}


class SnapshotData(base.DataAction):
    """snapshot → temporary volume → Glance upload → stream → remove all."""

    resource_type = 'volume'
    action = 'snapshot_data'

    def estimate(self, ctx: base.DataContext, node: Any) -> int:
        return int(get_volume(ctx, node).size) * GiB

    def capture(self, ctx: base.DataContext, node: Any) -> dict:
        volume = get_unencrypted_volume(ctx, node)
        conf = ctx.protection
        state = {'volume_size': volume.size, 'volume': facts(volume)}
        snapshot = cinder.create(
            ctx.clients, 'snapshot', volume_id=node.resource.id,
            name=base.intend(ctx, state, 'snapshot',
                             base.temporary_name(ctx, node, 'snapshot')),
            is_forced=volume.status == 'in-use',
            metadata=base.temporary_metadata(ctx))
        base.created(ctx, state, 'snapshot', snapshot.id)
        try:
            cinder.wait_status(
                ctx.clients, 'snapshot', snapshot.id, ('available',),
                cinder.SNAPSHOT_BAD, timeout=conf.volume_timeout,
                interval=conf.poll_interval, resource=base.label(node))
        except Exception:
            # The state never reaches the caller: remove the snapshot here.
            self._cleanup_all(ctx, node, state)
            raise
        return state

    def prepare(self, ctx: base.DataContext, node: Any,
                state: dict) -> None:
        """A volume from the snapshot, uploaded by Cinder to an image."""
        conf = ctx.protection
        resource = base.label(node)
        started = time.monotonic()
        volume = cinder.create(
            ctx.clients, 'volume', snapshot_id=state['snapshot_id'],
            size=state['volume_size'],
            name=base.intend(ctx, state, 'volume',
                             base.temporary_name(ctx, node, 'volume')),
            metadata=base.temporary_metadata(ctx))
        base.created(ctx, state, 'volume', volume.id)
        cinder.wait_status(
            ctx.clients, 'volume', volume.id, ('available',),
            cinder.VOLUME_BAD, timeout=conf.volume_timeout,
            interval=conf.poll_interval, resource=resource)
        ctx.event('info', '%s: temporary volume %s from snapshot %s ready '
                          'in %.1f s' % (resource, volume.id,
                                         state['snapshot_id'],
                                         time.monotonic() - started))
        started = time.monotonic()
        # Cinder makes the image: its name is all that marks it as ours.
        image_id = cinder.upload_to_image(
            ctx.clients, volume.id, base.intend(
                ctx, state, 'image', base.temporary_name(ctx, node, 'image')))
        base.created(ctx, state, 'image', image_id)
        ctx.image_active(state['image_id'], resource)
        ctx.event('info', '%s: uploaded to temporary image %s in %.1f s' % (
            resource, state['image_id'], time.monotonic() - started))

    def transfer(self, ctx: base.DataContext, node: Any,
                 state: dict) -> dict:
        if not state.get('image_id'):
            self.prepare(ctx, node, state)
        # Active already (prepare): one read of the image.
        image = ctx.image_active(state['image_id'], base.label(node))
        fields = stream.store_image(ctx, node, image)
        state['done'] = True
        return base.record(self.action, base.VOLUME, volume=state['volume'],
                           **fields)

    def cleanup(self, ctx: base.DataContext, node: Any, state: dict) -> None:
        self._cleanup_all(ctx, node, state)

    def _cleanup_all(self, ctx: base.DataContext, node: Any,
                     state: dict) -> None:
        """Image, then temporary volume, then snapshot; each one tried.

        The volume must be gone before its snapshot can go (some backends
        keep clones linked to the snapshot), and it cannot go while still
        ``uploading``: ``delete_and_wait`` waits for both.
        """
        conf = ctx.protection
        keep_snapshot = (state.get('done') and
                         base.option(ctx, node, 'keep_snapshot', False))
        steps = [('image', state.get('image_id')),
                 ('volume', state.get('volume_id')),
                 ('snapshot', None if keep_snapshot
                  else state.get('snapshot_id'))]
        first_error = None
        for kind, obj_id in steps:
            if not obj_id:
                continue
            try:
                with base.failing_as(node, 'removing temporary %s %s' % (
                        kind, obj_id)):
                    if kind == 'image':
                        glance.delete_image(ctx.clients, obj_id)
                    else:
                        cinder.delete_and_wait(
                            ctx.clients, kind, obj_id,
                            timeout=conf.delete_timeout,
                            interval=conf.poll_interval,
                            resource=base.label(node))
            except exception.DataActionFailed as e:
                ctx.event('error', str(e))
                first_error = first_error or e
        if keep_snapshot:
            ctx.event('info', 'snapshot %s kept (keep_snapshot)' %
                      state['snapshot_id'])
        if first_error is not None:
            raise first_error


class Replicated(base.DataAction):
    """No data: the storage replicates the volume; record what to adopt."""

    resource_type = 'volume'
    action = 'replicated'

    def capture(self, ctx: base.DataContext, node: Any) -> dict:
        volume = get_unencrypted_volume(ctx, node)
        replication = volume.replication_status
        if replication != 'enabled':
            ctx.event('warning', '%s: replication_status is %s, not '
                                 'enabled' % (base.label(node), replication))
        return {'volume': facts(volume)}

    def transfer(self, ctx: base.DataContext, node: Any,
                 state: dict) -> dict:
        return base.record(self.action, base.REPLICATED,
                           volume=state['volume'])

    def cleanup(self, ctx: base.DataContext, node: Any, state: dict) -> None:
        return None


class VolumeTemplateOnly(base.NoData):
    resource_type = 'volume'

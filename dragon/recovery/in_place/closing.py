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

"""The engine closing an in-place restore: commit, rollback, expiry, crash, delete.

Every state is in the database (the recovery's ``status``,
``window_action`` and ``replaced``), so any engine can do each of these,
and the one that takes over from a dead engine does it again from the
start: the steps (``window``) skip what is already done.

- ``committing`` (``window_action`` commit or keep): the restored volumes
  become the workload's; the replaced ones are deleted (commit) or kept
  (keep: the window expired).  Ends ``committed`` or ``expired``.
- ``rolling_back``: the replaced volumes go back in place, the restored
  ones are deleted.  Ends ``rolled_back``.
- A close that fails goes back to ``awaiting_commit`` with the reason, so
  the user (or the expiry, a few minutes later) can try again; nothing
  was lost.
- ``recovering`` whose engine died: everything is put back and the
  recovery ends ``error``.
"""

import copy
import datetime
from typing import Any, Callable

from oslo_config import cfg
from oslo_log import log as logging

from dragon.common import timeutils
from dragon import exception
from dragon.protection import recorder as rec
from dragon.recovery.in_place import boot
from dragon.recovery.in_place import swap as swap_mod
from dragon.recovery.in_place import window
from dragon.recovery.restore import context as ctx_mod
from dragon.recovery.restore import images as images_mod
from dragon import statuses

LOG = logging.getLogger(__name__)

STATUS = statuses.Recovery
# An expiry that could not close the window tries again after this.
RETRY_AFTER = datetime.timedelta(minutes=5)
_ENDS = {window.COMMIT: STATUS.COMMITTED, window.KEEP: STATUS.EXPIRED,
         window.ROLLBACK: STATUS.ROLLED_BACK}


def saver(recorder: rec.RunRecorder) -> window.Save:
    """A window.Save writing ``replaced`` to the recorder's run."""
    return lambda replaced: recorder.flush(
        force=True, replaced=copy.deepcopy(replaced))


def finish(conf: cfg.ConfigOpts, recovery: Any, clients: Any,
           recorder: rec.RunRecorder) -> bool:
    """Close the window as recovery.window_action says; never raises.

    :returns: whether it closed (else it is awaiting_commit again).
    """
    action = recovery.window_action or (
        window.ROLLBACK if recovery.status == STATUS.ROLLING_BACK
        else window.COMMIT)
    cloud = swap_mod.Cloud(clients, conf)
    replaced = copy.deepcopy(recovery.replaced or [])
    event = recorder.event

    def work() -> tuple[str, str]:
        if action == window.ROLLBACK:
            window.put_back(cloud, replaced, saver(recorder), event,
                            recovery.policy_id, recovery.id)
            message = ('rolled back: the replaced volumes are back in place, '
                       'the rebuilt servers rebuilt from their saved disks '
                       '(boot volumes re-imaged from their copies), and the '
                       'restored volumes and images deleted')
        else:
            window.settle(cloud, replaced, action == window.KEEP,
                          saver(recorder), event)
            message = ('committed: the replaced volumes, the servers\' '
                       'saved disk images and the copies of boot volumes '
                       'are deleted'
                       if action == window.COMMIT else
                       'the commit window ended: the restored volumes and '
                       'images stay in place and the replaced volumes, '
                       'saved disk images and copies of boot volumes are '
                       'kept (%s=%s); delete them '
                       'when no longer needed' % (
                           swap_mod.REPLACED_TAG, recovery.id))
        return message, _ENDS[action]

    return close(recovery, recorder, action, work)


def close(recovery: Any, recorder: rec.RunRecorder, action: str,
          work: Callable[[], tuple[str, str]]) -> bool:
    """Run a window's closing ``work``; never raises but a takeover.

    ``work`` returns (message, final status). What fails opens the window
    again with the reason (finish_failed), whichever run closes it: an
    in-place restore or a failback.

    :returns: whether it closed.
    """
    try:
        message, end = work()
    except exception.RunTakenOver:
        raise
    except Exception as e:  # noqa: BLE001 - back to the window, with why
        if not isinstance(e, exception.DragonException):
            LOG.error("recovery %s: %s failed", recovery.id, action,
                      exc_info=e)
        return finish_failed(recovery, recorder, e)
    recorder.event('info', message)
    recorder.flush(force=True, status=end, error=None,
                   finished_at=timeutils.utcnow())
    return True


def finish_failed(recovery: Any, recorder: rec.RunRecorder,
                  error: BaseException) -> bool:
    """The window could not be closed: open it again, with the reason."""
    reason = '%s failed: %s' % (recovery.window_action or 'closing the '
                                'window', exception.one_line(error))
    recorder.event('error', '%s; the recovery awaits a commit or rollback '
                   'again' % reason)
    values: dict[str, Any] = {'status': STATUS.AWAITING_COMMIT,
                              'error': reason, 'window_action': None}
    if recovery.commit_deadline is None or \
            recovery.commit_deadline <= timeutils.utcnow():
        values['commit_deadline'] = timeutils.utcnow() + RETRY_AFTER
    recorder.flush(force=True, **values)
    return False


def _adopt_untracked(cloud: swap_mod.Cloud, recovery_id: str,
                     replaced: list[dict[str, Any]], event: Any) -> None:
    """Volumes made for the recovery whose id never reached the row.

    An engine killed between Cinder's answer and the next write leaves a
    volume tagged with the recovery (and its key); it is put on its entry
    (so put_back deletes it) or deleted.  Restored images are found by
    their tag in the same way, servers' saved disks by theirs, copies of
    boot volumes by theirs (``boot``), and servers booted again by their
    metadata.
    """
    by_key = {r['key']: r for r in replaced}
    known = {r.get('new_volume_id') for r in replaced}
    for volume_id in cloud.tagged(swap_mod.RESTORE_TAG, recovery_id):
        if volume_id in known:
            continue
        volume = cloud.volume(volume_id)
        key = ((volume.metadata or {}).get(ctx_mod.RESTORE_KEY_PROPERTY)
               if volume is not None else None)
        entry = by_key.get(key)
        if entry is not None and not entry.get('new_volume_id'):
            entry['new_volume_id'] = volume_id
        elif volume is not None and not volume.attachments:
            cloud.delete(volume_id)
            event('info', 'untracked restored volume %s deleted' % volume_id)
    for image_id in images_mod.tagged_images(cloud.clients, recovery_id):
        if all(image_id not in (r.get('image_id'), r.get(
                'restored_image_id')) for r in replaced):
            window.drop_image(cloud, {'key': None, 'image_id': image_id},
                              event)
    _adopt_saved_disks(cloud, recovery_id, replaced, event)
    boot.adopt(cloud, recovery_id, replaced, event)
    _adopt_new_servers(cloud, recovery_id, replaced, event)


def _adopt_new_servers(cloud: swap_mod.Cloud, recovery_id: str,
                       replaced: list[dict[str, Any]], event: Any) -> None:
    """Servers booted for the recovery whose id never reached the row.

    An engine killed between Nova's answer to the create and the next
    write leaves a server whose metadata names the recovery (and its
    key): it is put on its entry (so put_back deletes it) or deleted.
    """
    made = [r for r in replaced if window.kind_of(r) == window.NEW_SERVER]
    known = {r.get('server_id') for r in made}
    for server_id, metadata in cloud.tagged_servers(
            ctx_mod.RESTORE_PROPERTY, recovery_id).items():
        if server_id in known:
            continue
        key = metadata.get(ctx_mod.RESTORE_KEY_PROPERTY)
        entry = next((r for r in made if r['key'] == key and
                      not r.get('server_id')), None)
        if entry is not None:
            entry['server_id'] = server_id
            event('info', 'server %s, booted by the engine that stopped, '
                  'found by its metadata' % server_id, key)
        elif cloud.delete_server(server_id):
            event('info', 'untracked recreated server %s deleted'
                  % server_id)


def _adopt_saved_disks(cloud: swap_mod.Cloud, recovery_id: str,
                       replaced: list[dict[str, Any]], event: Any) -> None:
    """Images of servers' disks whose id never reached the row.

    An engine killed between Nova's createImage and the next write leaves
    an image tagged ``dragon_replaced_by`` that no entry names; the server
    was not rebuilt yet (that comes after the write).  It is put on its
    server's entry (found by the key property, or by the server Nova
    wrote in ``instance_uuid``), so put_back deletes it as any saved disk
    the server does not run from; one no entry can take is deleted unless
    a server runs from it.
    """
    servers = [r for r in replaced if window.kind_of(r) == window.SERVER]
    known = {r.get('saved_image_id') for r in servers}
    for image in images_mod.images_with(cloud.clients, swap_mod.REPLACED_TAG,
                                        recovery_id):
        if image['id'] in known:
            continue
        entry = next((r for r in servers if r['key'] == image.get(
            ctx_mod.RESTORE_KEY_PROPERTY)), None) or next(
            (r for r in servers
             if r['server_id'] == image.get('instance_uuid')), None)
        if entry is not None and not entry.get('saved_image_id'):
            entry['saved_image_id'] = image['id']
            event('info', 'image %s of server %s\'s disk, saved by the '
                  'engine that stopped, found by its tag' % (
                      image['id'], entry['server_id']), entry['key'])
        elif not _runs_from(cloud, image) and \
                cloud.delete_image(image['id']):
            event('info', 'untracked image %s of a server\'s disk deleted'
                  % image['id'])


def _runs_from(cloud: swap_mod.Cloud, image: dict[str, Any]) -> bool:
    """A server (the one it was taken of) runs from the image."""
    server_id = image.get('instance_uuid')
    return bool(server_id) and cloud.server_exists(server_id) and \
        cloud.server_image(server_id) == image['id']


def put_everything_back(conf: cfg.ConfigOpts, recovery: Any, clients: Any,
                        recorder: rec.RunRecorder) -> None:
    """Undo a half-done (or failed) in-place restore completely.

    :raises dragon.exception.DragonException: a step failed; the row
        says what is where, and running it again goes on.
    """
    cloud = swap_mod.Cloud(clients, conf)
    replaced = copy.deepcopy(recovery.replaced or [])
    _adopt_untracked(cloud, recovery.id, replaced, recorder.event)
    window.put_back(cloud, replaced, saver(recorder), recorder.event,
                    recovery.policy_id, recovery.id)


def take_over(conf: cfg.ConfigOpts, recovery: Any, clients: Any,
              recorder: rec.RunRecorder, dead_host: str) -> None:
    """What the engine that took over an in-place run does; never raises."""
    if recovery.status in (STATUS.COMMITTING, STATUS.ROLLING_BACK):
        recorder.event('warning', 'the engine closing the window (host %s) '
                       'stopped; closed again by this engine' % dead_host)
        finish(conf, recovery, clients, recorder)
        return
    reason = ('the engine running it (host %s) stopped mid-restore' %
              dead_host)
    recorder.event('warning', '%s; the original volumes are put back'
                   % reason)
    try:
        put_everything_back(conf, recovery, clients, recorder)
        message = '%s; the original volumes are back in place' % reason
    except exception.RunTakenOver:
        raise
    except Exception as e:  # noqa: BLE001 - say what is left
        message = ('%s; putting back incomplete (%s): delete the recovery '
                   'to try again' % (reason, exception.one_line(e)))
    recorder.event('error', message)
    recorder.flush(force=True, status=STATUS.ERROR, error=message,
                   finished_at=timeutils.utcnow())

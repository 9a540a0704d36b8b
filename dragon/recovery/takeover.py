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

"""A recovery whose engine died: what it had made removed, or its window kept.

A half-done relaunch (a failover or a drill) cannot be resumed safely
from the middle (Heat may be halfway through a stack): the engine that
took it over removes everything it had made and ends it ``error``
(``roll_back``, ``remove_made``, which a failback's rollback uses too).
An in-place restore is never swept so: the workload's own volumes are put
back and only what the recovery made is deleted (``take_over_in_place``).
``dragon.recovery.workflow.roll_back`` picks which by the mode.
"""

from typing import Any

from oslo_config import cfg

from dragon.common import timeutils
from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon import exception
from dragon.notifications import notifier
from dragon.protection import recorder as rec
from dragon.recovery.in_place import closing as in_place_closing
from dragon.recovery import modes
from dragon.recovery import relaunch
from dragon.recovery.restore import images as images_mod
from dragon.recovery.restore import volumes as volumes_mod
from dragon.recovery import stack as stack_mod
from dragon import statuses

STATUS = statuses.Recovery


def roll_back(conf: cfg.ConfigOpts, recovery: Any, recorder: rec.RunRecorder,
              dead_host: str, host: str = '') -> bool:
    """Remove everything a relaunch whose engine died had made; mark it error.

    The engine that took it over removes the stack (found by name if its
    id was never recorded), every restored image and volume recorded on
    the row, and any image or volume still tagged ``dragon_restore=<id>``
    (one being uploaded or restored into at the crash), then records why.

    :returns: whether everything was removed.
    """
    reason = ('the engine running it (host %s) stopped mid-recovery' %
              dead_host)
    recorder.event('warning', '%s; engine %s removes what it had created'
                   % (reason, host or '?'))
    clean = True
    try:
        remove_made(conf, recovery, relaunch.trust_clients(conf, recovery),
                    recorder, host)
        message = '%s; everything it had created was removed' % reason
    except exception.RunTakenOver:
        raise
    except Exception as e:  # noqa: BLE001 - report what is left
        clean = False
        message = ('%s; cleanup incomplete (%s): delete the recovery to '
                   'retry' % (reason, exception.one_line(e)))
    recorder.event('error', message)
    if recovery.mode == modes.DRILL:
        relaunch.record_drill(recovery, None, STATUS.ERROR)
    recorder.flush(force=True, status=STATUS.ERROR, error=message,
                   finished_at=timeutils.utcnow(), torn_down=clean)
    relaunch.notify(notifier.recovery_error, conf, recovery.id, recovery)
    return clean


def remove_made(conf: cfg.ConfigOpts, recovery: Any, clients: Any,
                recorder: rec.RunRecorder, host: str = '') -> None:
    """Everything a recovery cut short made: its stack (by name if its id
    was never recorded), the restored images and volumes on the row and
    those still tagged with it.

    :raises: what a deletion raised.
    """
    run_ = relaunch.Recovery.from_row(conf, recovery, clients, recorder, host)
    run_.stack_id = run_.stack_id or _stack_by_name(clients,
                                                    recovery.stack_name)
    for image_id in images_mod.tagged_images(clients, recovery.id):
        if all(r.get('image_id') != image_id
               for r in run_.restored.values()):
            run_.restored['untracked-%s' % image_id] = {
                'image_id': image_id}
    # A volume a backup is restored into is tagged when it is created,
    # before its id can be on the row (restore.volumes).
    for volume_id in volumes_mod.tagged_volumes(run_._restore_context()):
        if all(r.get('volume_id') != volume_id
               for r in run_.restored.values()):
            run_.restored['untracked-%s' % volume_id] = {
                'volume_id': volume_id}
    run_.teardown()


def take_over_in_place(conf: cfg.ConfigOpts, recovery: Any,
                       recorder: rec.RunRecorder, dead_host: str) -> bool:
    """An in-place restore whose engine died, handed to
    ``in_place.closing.take_over``; notified as it ends.

    :returns: whether it did not end ``error``.
    """
    try:
        clients = relaunch.trust_clients(conf, recovery)
    except Exception as e:  # noqa: BLE001 - tried again next sweep
        recorder.event('warning', 'taking over: %s' % exception.one_line(e))
        raise
    in_place_closing.take_over(conf, recovery, clients, recorder, dead_host)
    current = db_api.recovery_get(dragon_context.get_admin_context(),
                                  recovery.id)
    relaunch.notify(notifier.recovery_error if current.status == STATUS.ERROR
                    else notifier.recovery_end, conf, recovery.id, recovery)
    return current.status != STATUS.ERROR


def _stack_by_name(clients: Any, name: str | None) -> str | None:
    if not name:
        return None
    stack = stack_mod.get(clients, name)
    return stack.get('id') if stack else None

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

"""The engine's entry points of a recovery, each handing it on by its mode.

``dragon.engine.manager`` calls ``run``, ``finish`` and ``delete`` by name
on this module (``RECOVERY_WORKFLOW_MODULE``), ``dragon.engine.takeover``
calls ``roll_back``.  Each loads the row, makes the target region's
clients of the recovery's trust and hands the work on: a failover or a
drill is relaunched as a new stack (``relaunch``), an in-place restore
goes to ``in_place``, a failback to ``failback`` (its recovery at home a
relaunch too, or in place: ``failback_in_place``), and the takeover of
one whose engine died to ``takeover`` (or ``failback_takeover``).
"""

from typing import Any, Callable

from oslo_config import cfg

from dragon.common import timeutils
from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon.db import run_kinds
from dragon import exception
from dragon.notifications import notifier
from dragon.protection import recorder as rec
from dragon.recovery import failback as failback_mod
from dragon.recovery import failback_in_place
from dragon.recovery import failback_takeover
from dragon.recovery.in_place import closing as in_place_closing
from dragon.recovery.in_place import run as in_place_run
from dragon.recovery import modes
from dragon.recovery import relaunch
from dragon.recovery import takeover
from dragon import statuses

STATUS = statuses.Recovery


def run(conf: cfg.ConfigOpts, recovery_id: str, host: str = '',
        admit: Callable[[str], None] | None = None) -> bool:
    """Run recovery ``recovery_id`` (already claimed by ``host``).

    :param admit: asks the engines to admit a queued checkpoint now (a
        failback's final checkpoint).
    """
    context = dragon_context.get_admin_context()
    recovery = db_api.recovery_get(context, recovery_id)
    recorder = rec.RunRecorder(context, recovery_id, run_kinds.RECOVERY,
                               claim=recovery.claim)
    try:
        clients = relaunch.trust_clients(conf, recovery)
    except Exception as e:  # noqa: BLE001 - the row must leave 'recovering'
        recorder.event('error', 'recovery cannot start: %s' % exception.one_line(e))
        recorder.flush(force=True, status=STATUS.ERROR,
                       error=exception.one_line(e),
                       finished_at=timeutils.utcnow())
        relaunch.notify(notifier.recovery_error, conf, recovery_id, recovery)
        return False
    if recovery.mode not in modes.WINDOWED:
        return relaunch.Recovery(conf, recovery, clients, recorder,
                                 host).run()
    # A run with a commit window: started now, ended (create.end) when the
    # window closes (``finish``), or failed before it opened.
    relaunch.notify(notifier.recovery_start, conf, recovery_id, recovery)
    if recovery.mode == modes.IN_PLACE:
        opened = in_place_run.run(conf, recovery, clients, recorder)
    else:
        opened = failback_mod.run(conf, recovery, clients, recorder, host,
                                  relaunch.Recovery, admit)
    if not opened:
        relaunch.notify(notifier.recovery_error, conf, recovery_id,
                        recovery)
    return opened


def finish(conf: cfg.ConfigOpts, recovery_id: str, host: str = '') -> bool:
    """Close the window of an in-place restore or a failback (committing,
    rolling_back).
    """
    context = dragon_context.get_admin_context()
    recovery = db_api.recovery_get(context, recovery_id)
    recorder = rec.RunRecorder(context, recovery_id, run_kinds.RECOVERY,
                               claim=recovery.claim)
    try:
        clients = relaunch.trust_clients(conf, recovery)
    except Exception as e:  # noqa: BLE001 - the row must leave its status
        return in_place_closing.finish_failed(recovery, recorder, e)
    if recovery.mode == modes.FAILBACK:
        done = failback_mod.finish(conf, recovery, clients, recorder,
                                   relaunch.Recovery)
    else:
        done = in_place_closing.finish(conf, recovery, clients, recorder)
    relaunch.notify(notifier.recovery_end if done else notifier.recovery_error,
                    conf, recovery_id, recovery)
    return done


def delete(conf: cfg.ConfigOpts, recovery_id: str, host: str = '') -> None:
    """Tear down what a recovery made (its stack, restored data), then the row.

    An in-place restore made nothing that is not the workload's own once
    its window is closed; one that failed half-way has what it swapped put
    back first (never deleting a volume the workload had).
    """
    context = dragon_context.get_admin_context()
    recovery = db_api.recovery_get(context, recovery_id)
    recorder = rec.RunRecorder(context, recovery_id, run_kinds.RECOVERY)
    if recovery.mode == modes.FAILBACK and recovery.status == STATUS.COMMITTED:
        # Its stack is the workload at home now: only the row goes.
        db_api.recovery_delete(context, recovery_id)
        return
    if recovery.mode == modes.IN_PLACE or failback_in_place.chosen(
            recovery):
        # A failback that went in place swapped the workload at home.
        def remove() -> None:
            in_place_closing.put_everything_back(
                conf, recovery, relaunch.trust_clients(conf, recovery),
                recorder)
    else:
        # The clients are made outside the try: a trust that cannot be
        # used is the engine's failure (EngineManager._run), not a teardown's.
        remove = relaunch.Recovery.from_row(
            conf, recovery, relaunch.trust_clients(conf, recovery), recorder,
            host).teardown
    try:
        remove()
    except Exception as e:  # noqa: BLE001
        recorder.event('error', 'delete failed: %s' % exception.one_line(e))
        recorder.flush(force=True, status=STATUS.ERROR,
                       error=exception.one_line(e))
        return
    db_api.recovery_delete(context, recovery_id)


def roll_back(conf: cfg.ConfigOpts, recovery_id: str, claim: str,
              dead_host: str, host: str = '',
              recast: Callable[[str], None] | None = None) -> bool:
    """Take over a recovery whose engine died (``claim``: this engine's).

    A relaunch is rolled back (``takeover.roll_back``), an in-place
    restore's window taken over, a failback resumed or rolled back
    (``failback_takeover``), a failback's close done again.

    :returns: whether it was taken over completely.
    """
    context = dragon_context.get_admin_context()
    recovery = db_api.recovery_get(context, recovery_id)
    recorder = rec.RunRecorder(context, recovery_id, run_kinds.RECOVERY,
                               claim=claim)
    if recovery.mode == modes.IN_PLACE:
        # Never the sweep of a relaunch: in place, the workload's own
        # volumes are put back, and only what this recovery made is deleted.
        return takeover.take_over_in_place(conf, recovery, recorder,
                                           dead_host)
    if recovery.mode == modes.FAILBACK and recovery.status in (
            STATUS.COMMITTING, STATUS.ROLLING_BACK):
        # Never the sweep of a relaunch: committing, the stack at home is
        # the workload. The close is done again; its steps skip what is done.
        recorder.event('warning', 'the engine closing the failback (host '
                       '%s) stopped; closed again by this engine'
                       % dead_host)
        return failback_mod.finish(conf, recovery,
                                   relaunch.trust_clients(conf, recovery),
                                   recorder, relaunch.Recovery)
    if recovery.mode == modes.FAILBACK:
        # Resumed before its recovery at home began, else rolled back
        # with both sites as before the run.
        def remove_made(clients: Any) -> None:
            if failback_in_place.chosen(recovery):
                # Never the sweep of a relaunch: the workload's own
                # servers and volumes were swapped, they are put back.
                failback_in_place.put_back(conf, recovery, clients,
                                           recorder)
            else:
                takeover.remove_made(conf, recovery, clients, recorder,
                                     host)
        return failback_takeover.take_over(
            conf, recovery, claim, recorder, dead_host, host, remove_made,
            lambda: relaunch.trust_clients(conf, recovery), recast)
    return takeover.roll_back(conf, recovery, recorder, dead_host, host)

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

"""Step 1 of a failback run: the workload here quiesced, its final checkpoint started.

Done by the engine (``failback.run``) with the recovery's trust, not in
the ``failback run`` request: pausing or stopping several servers and
waiting for them takes minutes, longer than a proxy keeps a request.
Every server is asked first, then all are waited for together, within
``[recovery] failback_quiesce_timeout``. What is quiesced is saved on the
reverse policy's ``failback.run.quiesced`` before any server is asked,
so that a failure, a rollback or an engine taking the run over finds it.

Done again by a takeover without harm: a server already paused or
stopped keeps the entry (and so the status before) of the first attempt,
and the final checkpoint, once its id is recorded, is never started a
second time.
"""

import time
from typing import Any, Callable, Iterable
import uuid

from openstack import exceptions as sdk_exc
from oslo_config import cfg
from oslo_log import log as logging

from dragon.common import timeutils
from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon import exception
from dragon.recovery import failback_fence
from dragon import statuses

LOG = logging.getLogger(__name__)

# How the workload at the backup site is quiesced for the final checkpoint.
PAUSE, STOP = 'pause', 'stop'
QUIESCE = (PAUSE, STOP)
ACTIVE, PAUSED, SHUTOFF, ERROR = 'ACTIVE', 'PAUSED', 'SHUTOFF', 'ERROR'
# The status each way leaves a server in.
QUIESCED = {PAUSE: PAUSED, STOP: SHUTOFF}
# What a server may be for a run to start: running, or quiesced already.
QUIESCABLE = (ACTIVE, PAUSED, SHUTOFF)
# A quiesced server's status, as the events say it.
DONE = {PAUSED: 'paused', SHUTOFF: 'stopped'}
STEP = 'step 1/6'

Event = Callable[..., None]
Save = Callable[..., Any]
# Asks the engines to admit a queued checkpoint now (the engine's
# ``EngineManager.ask_admission``: dragon.recovery does not cast itself).
Admit = Callable[[str], None]


def servers(connection: Any, members: Iterable[Any]) -> list[str]:
    """The servers of the workload here, each once.

    The server members, and the servers member volumes are attached to
    (a volume gone is skipped: it has no server to quiesce).

    :param connection: the backup site's openstacksdk connection.
    :param members: the reverse policy's members (``resource_type``,
        ``resource_id``).
    """
    found = []
    for member in members:
        if member.resource_type in failback_fence.SERVER_TYPES:
            found.append(member.resource_id)
        elif member.resource_type in failback_fence.VOLUME_TYPES:
            try:
                volume = connection.block_storage.get_volume(
                    member.resource_id)
            except sdk_exc.NotFoundException:
                continue
            found.extend(a.get('server_id') for a in volume.attachments or ()
                         if a.get('server_id'))
    return list(dict.fromkeys(found))


def server_statuses(compute: Any, server_ids: Iterable[str]
                    ) -> dict[str, str | None]:
    """Each server's status now; ``None`` for one that is gone."""
    found: dict[str, str] = {}
    for server_id in server_ids:
        try:
            found[server_id] = compute.get_server(server_id).status
        except sdk_exc.NotFoundException:
            found[server_id] = None
    return found


def refusal(found: dict[str, str | None]) -> str | None:
    """Why the servers cannot be quiesced (one not running nor quiesced)."""
    for server_id, status in found.items():
        if status not in QUIESCABLE:
            return ('server %s is %s: it can be neither paused nor stopped'
                    % (server_id, status or 'gone'))
    return None


def _quiesce(conf: cfg.ConfigOpts, connection: Any, members: Iterable[Any],
             how: str, known: list[dict[str, Any]], save: Save,
             event: Event) -> None:
    """Ask every running server to pause (or stop), then wait for all.

    :param known: ``failback.run.quiesced`` of an earlier attempt (kept).
    :param save: merges values into ``failback.run``: ``quiesced``, the
        servers quiesced by the run with the status each had before.
    :raises dragon.exception.FailbackRunFailed: a server cannot be
        quiesced, or not all got there in time.
    """
    compute = connection.compute
    want = QUIESCED[how]
    found = server_statuses(compute, servers(connection, members))
    why = refusal(found)
    if why:
        raise exception.FailbackRunFailed(step='quiesce', reason=why)
    entries = {e['server_id']: e for e in known}
    asked = [i for i, status in found.items() if status == ACTIVE]
    for server_id in asked:
        entries.setdefault(server_id, {'server_id': server_id,
                                       'status_before': ACTIVE})
    quiesced = list(entries.values())
    # Saved before any server is asked: whoever ends the run releases them.
    save(quiesced=quiesced)
    verb = 'pausing' if how == PAUSE else 'stopping'
    if not found:
        event('info', '%s: no server of the workload here to quiesce' % STEP)
    else:
        event('info', '%s: quiescing %d server(s) here: %s %d%s' % (
            STEP, len(found), verb, len(asked),
            ' (%d already paused or stopped)' % (len(found) - len(asked))
            if len(found) > len(asked) else ''))
    for server_id in asked:
        if how == PAUSE:
            compute.pause_server(server_id)
        else:
            compute.stop_server(server_id)
    timeout = conf.recovery.failback_quiesce_timeout
    deadline = time.monotonic() + timeout
    pending = list(asked)
    while pending:
        for server_id in list(pending):
            status = server_statuses(compute, [server_id])[server_id]
            if status in DONE:
                # Either way it writes no more (stopped meanwhile by
                # someone else, say).
                pending.remove(server_id)
                event('info', 'server %s here %s' % (server_id,
                                                     DONE[status]))
            elif status in (None, ERROR):
                # No use waiting for the timeout.
                raise exception.FailbackRunFailed(
                    step='quiesce', reason='server %s went %s while being '
                    '%s' % (server_id, status or 'gone', DONE[want]))
        if not pending:
            break
        if time.monotonic() > deadline:
            raise exception.FailbackRunFailed(
                step='quiesce', reason='server(s) %s not %s after %d s' % (
                    ', '.join(pending), want, timeout))
        time.sleep(conf.recovery.failback_poll_interval)


def _start_checkpoint(recovery: Any, policy: Any,
                      started: dict[str, Any], save: Save, event: Event,
                      admit: Admit | None) -> str:
    """The reverse policy's final checkpoint, with the recovery's trust.

    Its id is recorded before its row is made, so a takeover makes that
    row (never a second checkpoint) if the engine died in between. The
    checkpoint borrows the trust: its end leaves it to the recovery
    (``db_api.trust_lent``).

    :returns: the checkpoint's id.
    :raises dragon.exception.ProtectionInProgress: another checkpoint of
        the reverse policy is queued or protecting.
    """
    admin = dragon_context.get_admin_context()
    checkpoint_id = started.get('checkpoint_id')
    if checkpoint_id:
        try:
            checkpoint = db_api.checkpoint_get(admin, checkpoint_id)
        except exception.CheckpointNotFound:
            checkpoint = None
        if checkpoint is not None:
            event('info', 'final checkpoint %s started before (%s)' % (
                checkpoint_id, checkpoint.status))
            if checkpoint.status == statuses.Checkpoint.QUEUED:
                _ask_admission(admit, checkpoint_id, event)
            return checkpoint_id
    else:
        checkpoint_id = str(uuid.uuid4())
        save(checkpoint_id=checkpoint_id)
    try:
        db_api.checkpoint_create(admin, {
            'id': checkpoint_id,
            'project_id': policy.project_id,
            'user_id': recovery.user_id,
            'policy_id': policy.id,
            'policy_name': policy.name,
            'trust_id': recovery.trust_id,
        })
    except Exception:
        # The run ends here: it names no checkpoint that does not exist.
        save(checkpoint_id=None)
        raise
    db_api.checkpoint_event_add(
        admin, checkpoint_id, 'info', 'final checkpoint of the failback '
        'run of policy %s (recovery %s), with its trust' % (policy.name,
                                                            recovery.id))
    event('info', 'final checkpoint %s of policy %s started'
          % (checkpoint_id, policy.name))
    _ask_admission(admit, checkpoint_id, event)
    return checkpoint_id


def prepare(conf: cfg.ConfigOpts, recovery: Any, policy: Any,
            started: dict[str, Any], here: Any, save: Save, event: Event,
            admit: Admit | None = None) -> str:
    """Step 1: quiesce, then start the final checkpoint.

    A run that recorded its final checkpoint quiesced everything before
    it: resumed, it is not quiesced again.

    :param started: the run's record (``failback.run``).
    :param here: the backup site's clients of the recovery's trust.
    :param save: merges values into ``failback.run``.
    :param admit: asks the engines to admit the final checkpoint now
        (without it, their next admission round does).
    :returns: the final checkpoint's id.
    :raises: what quiescing or starting the checkpoint raised, after the
        servers quiesced (by this attempt or an earlier one) were
        released.
    """
    how = started.get('quiesce') or PAUSE
    saved = {'quiesced': list(started.get('quiesced') or [])}

    def keep(**values: Any) -> Any:
        saved.update(values)
        return save(**values)
    if not started.get('quiesced_at'):
        # The downtime counts from here: the workload stops serving.
        save(quiesced_at=timeutils.utcnow().isoformat() + 'Z')
    try:
        if started.get('checkpoint_id'):
            event('info', '%s: the %d server(s) here were quiesced before '
                  '(%s)' % (STEP, len(saved['quiesced']), how))
        else:
            _quiesce(conf, here.connection, policy.members, how,
                     saved['quiesced'], keep, event)
        return _start_checkpoint(recovery, policy, started, save, event,
                                 admit)
    except exception.RunTakenOver:
        raise
    except Exception:
        # Those of an earlier attempt too: the run ends here.
        release(here.connection.compute, saved['quiesced'], event)
        raise


def _ask_admission(admit: Admit | None, checkpoint_id: str,
                   event: Event) -> None:
    """Ask the engines to admit the queued final checkpoint now.

    Best effort: one nobody was told of waits ``queued`` for the
    engines' next admission round (``[scheduler] poll_interval``).
    """
    if admit is None:
        return
    try:
        admit(checkpoint_id)
    except Exception as e:  # noqa: BLE001 - admitted by the next round
        LOG.warning("final checkpoint %s not cast: %s", checkpoint_id,
                    type(e).__name__)
        event('warning', 'final checkpoint %s: the engines were not told '
              '(%s); it waits queued for their next admission round'
              % (checkpoint_id, type(e).__name__))


def release(compute: Any, quiesced: list[dict[str, Any]],
            event: Event) -> None:
    """The servers quiesced at the backup site running again.

    A paused one is unpaused; a stopped one is started only if it was
    running before the run. Best effort per server: one that is gone is
    skipped.

    :param compute: the backup site's Nova (an openstacksdk compute
        proxy: ``ServiceClients.connection.compute``).
    """
    for entry in quiesced:
        server_id = entry['server_id']
        try:
            status = compute.get_server(server_id).status
            if status == PAUSED:
                compute.unpause_server(server_id)
            elif status == SHUTOFF and \
                    entry.get('status_before') == ACTIVE:
                compute.start_server(server_id)
            else:
                continue
        except sdk_exc.NotFoundException:
            continue
        event('info', 'server %s at the backup site running again'
              % server_id)

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

"""The engine's side of ``failback run``: home again, then commit or rollback.

A failback run is a recovery (mode ``failback``) of the backup site's
Dragon into the home region (the reverse policy's ``source_region``).
The API checked the request and handed it over at once; this run then

#. **quiesces** the workload here (``failback_quiesce``: its servers
   paused or stopped, as asked, all asked first and then waited for
   together, recorded on ``failback.run.quiesced``) and starts the
   reverse policy's final checkpoint with the recovery's trust
   (``failback.run.checkpoint_id``); a failure here releases the
   servers quiesced and ends the run;
#. waits for that checkpoint to be ``available``;
#. waits for its copy to the home region's Swift to be ``replicated``
   (``[recovery] failback_replication_timeout``: a home Swift that does
   not answer fails the run, with the copy's own error);
#. **fences** the stale workload at home (``failback_fence``): the
   servers among the original members (their ``source_id``) and those
   their volumes are attached to are stopped, never deleted, and
   recorded on the reverse policy's ``failback.run.fenced`` with the
   status each had;
#. recovers the checkpoint at home, reading the home Swift's copy:
   **in place**, per resource, when some of the workload survives there
   (``failback_in_place``: surviving servers rebuilt from the final
   images and started, volumes swapped, servers and volumes gone there
   made again where they stood), otherwise, or when in place cannot be
   done for a member, as a **new stack** (``relaunch.Recovery``); the
   choice and why are an event and ``failback.run.home_restore``;
#. waits in ``awaiting_commit`` (no deadline: only the user closes it).

Commit deletes the failover's stack here (the temporary copy of the
workload), in place also the replaced volumes and the servers' former
disk images at home, and, only if the run was asked to
(``delete_stale``), the fenced servers at home that were not rebuilt.
Rollback deletes the new stack at home (in place: puts the volumes and
disks back and deletes the servers and volumes made again), starts the
fenced servers that were ``ACTIVE`` and releases the quiesced ones here.
Every step is an event of the recovery; the figures (downtime, bytes
moved) are on ``failback.run``.
"""

import time
from typing import Any, Callable

from oslo_config import cfg
from oslo_log import log as logging

from dragon.common import progress
from dragon.common import timeutils
from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon.db import run_kinds
from dragon import exception
from dragon.protection import recorder as rec
from dragon.recovery import failback_claim
from dragon.recovery import failback_fence
from dragon.recovery import failback_home
from dragon.recovery import failback_in_place
from dragon.recovery import failback_quiesce
from dragon.recovery.in_place import swap as swap_mod
from dragon.recovery import relaunch
from dragon import statuses

LOG = logging.getLogger(__name__)

STATUS = statuses.Recovery
CHECKPOINT = statuses.Checkpoint
FAILBACK = 'failback'
REPLICATED, FAILED = 'replicated', 'failed'
# The run's record on the reverse policy (failback.run.status).
RUNNING, AWAITING, COMMITTED, ROLLED_BACK, ERROR = (
    failback_claim.RUNNING, STATUS.AWAITING_COMMIT, STATUS.COMMITTED,
    STATUS.ROLLED_BACK, STATUS.ERROR)
ENDED = (COMMITTED, ROLLED_BACK, ERROR)
# failback.run.step once the recovery at home began (step 5).
RECOVER_STEP = 'recover'
SERVER_TYPES = failback_fence.SERVER_TYPES
VOLUME_TYPES = failback_fence.VOLUME_TYPES


def _admin() -> Any:
    return dragon_context.get_admin_context()


def policy_of(recovery: Any) -> Any:
    """The reverse policy of a failback run (``recovery.policy_id``)."""
    return db_api.workload_policy_get(_admin(), recovery.policy_id)


def save_run(policy_id: str, **values: Any) -> dict[str, Any]:
    """Merge values into the reverse policy's ``failback.run`` (row locked)."""
    return db_api.workload_policy_merge_failback_run(
        _admin(), policy_id, values)


def claim_run(policy_id: str, **values: Any) -> dict[str, Any]:
    """Start a run's record, if ``failback_claim.may_start`` (checked
    under the row lock).

    :raises dragon.exception.FailbackRunInProgress:
    """
    return db_api.workload_policy_merge_failback_run(
        _admin(), policy_id,
        dict(values, claimed_at=timeutils.utcnow().isoformat() + 'Z'),
        may_claim=failback_claim.may_start)


def _wait(fetch: Callable[[], Any], done: Callable[[Any], bool],
          timeout: float, interval: float) -> Any:
    """fetch() until done(value) or timeout; the last value either way."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if done(value) or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def wait_checkpoint(conf: cfg.ConfigOpts, checkpoint_id: str,
                    recorder: rec.RunRecorder) -> Any:
    """Step 2: the final checkpoint, ``available``.

    :raises dragon.exception.FailbackRunFailed: it failed or took too long.
    """
    recorder.event('info', 'step 2/6: waiting for the final checkpoint %s'
                   % checkpoint_id)
    checkpoint = _wait(
        lambda: db_api.checkpoint_get(_admin(), checkpoint_id),
        lambda c: c.status not in CHECKPOINT.ACTIVE,
        conf.recovery.failback_checkpoint_timeout,
        conf.recovery.failback_poll_interval)
    if checkpoint.status != CHECKPOINT.AVAILABLE:
        raise exception.FailbackRunFailed(
            step='final checkpoint', reason='checkpoint %s is %s%s' % (
                checkpoint_id, checkpoint.status,
                ': %s' % checkpoint.error if checkpoint.error else
                ' after %d s' % conf.recovery.failback_checkpoint_timeout))
    stats = checkpoint.stats or {}
    recorder.event('info', 'final checkpoint %s available: %d bytes '
                   'uploaded' % (checkpoint.container,
                                 stats.get('uploaded_bytes') or 0))
    return checkpoint


def wait_replicated(conf: cfg.ConfigOpts, checkpoint: Any, home: str,
                    recorder: rec.RunRecorder) -> dict[str, Any]:
    """Step 3: the final checkpoint's copy at home, ``replicated``.

    :raises dragon.exception.FailbackRunFailed: not replicated within
        ``[recovery] failback_replication_timeout`` (the copy's error).
    """
    timeout = conf.recovery.failback_replication_timeout
    recorder.event('info', 'step 3/6: waiting (at most %d s) for the copy '
                   'of %s to %s\'s Swift' % (timeout, checkpoint.container,
                                              home))
    seen: set[Any] = set()

    def fetch() -> dict[str, Any]:
        state = dict(db_api.checkpoint_get(
            _admin(), checkpoint.id).replication or {})
        if state.get('status') == FAILED and \
                state.get('attempts') not in seen:
            seen.add(state.get('attempts'))
            recorder.event('warning', 'copy to %s failed (attempt %s): %s; '
                           'tried again at %s' % (
                               home, state.get('attempts'),
                               state.get('error'), state.get('retry_at')))
        return state
    state = _wait(fetch, lambda s: s.get('status') == REPLICATED, timeout,
                  conf.recovery.failback_poll_interval)
    if state.get('status') != REPLICATED:
        raise exception.FailbackRunFailed(
            step='replication', reason='the copy of %s to %s\'s Swift is '
            '%s after %d s%s; nothing was changed at %s' % (
                checkpoint.container, home, state.get('status') or
                'not started', timeout,
                ' (%s)' % state['error'] if state.get('error') else '',
                home))
    recorder.event('info', 'final checkpoint replicated to %s: %d bytes '
                   'copied' % (home, state.get('copied_bytes') or 0))
    return state


def run(conf: cfg.ConfigOpts, recovery: Any, clients: Any,
        recorder: rec.RunRecorder, host: str,
        recovery_class: Any,
        admit: failback_quiesce.Admit | None = None) -> bool:
    """Steps 1 to 6; never raises.

    :param clients: the home region's (the recovery's target region);
        the backup site's are ``clients.in_region([engine] region_name)``.
    :param recovery_class: ``relaunch.Recovery`` (step 5 as a new stack;
        in place: ``failback_in_place``).
    :param admit: asks the engines to admit the final checkpoint now.
    :returns: whether it reached ``awaiting_commit``.
    """
    policy = policy_of(recovery)
    record = dict(policy.failback or {})
    started = dict(record.get('run') or {})
    home = recovery.target_region
    # A run another engine resumes (takeover) started when it first did:
    # its RTO counts from then.
    recorder.flush(force=True, started_at=getattr(
        recovery, 'started_at', None) or timeutils.utcnow())
    recorder.phase(progress.PREPARING)
    try:
        checkpoint_id = failback_quiesce.prepare(
            conf, recovery, policy, started,
            clients.in_region(conf.engine.region_name),
            lambda **values: save_run(policy.id, **values), recorder.event,
            admit)
        recorder.flush(force=True, checkpoint_id=checkpoint_id)
        recovery.checkpoint_id = checkpoint_id
        # What step 1 saved (quiesced_at: the downtime counts from it).
        started = dict((policy_of(recovery).failback or {}).get('run')
                       or {})
        checkpoint = wait_checkpoint(conf, checkpoint_id, recorder)
        recorder.flush(force=True, recovery_point=checkpoint.container)
        recovery.recovery_point = checkpoint.container
        state = wait_replicated(conf, checkpoint, home, recorder)
        recorder.event('info', 'step 4/6: fencing the stale workload at %s'
                       % home)
        if not started.get('home_policy'):
            # Not again after a takeover: it would find its own suspension.
            save_run(policy.id, home_policy=failback_home.suspend(
                clients, record, home, recorder.event))
        cloud = swap_mod.Cloud(clients, conf)
        known = list(started.get('fenced') or [])

        def save(fenced: list[dict[str, Any]]) -> None:
            done = {e['server_id'] for e in fenced}
            save_run(policy.id, fenced=fenced + [
                e for e in known if e['server_id'] not in done])
        fenced = failback_fence.fence(
            cloud, record.get('members') or [], recorder.event, known, save)
        save_run(policy.id, fenced=fenced,
                 data_moved={'uploaded_bytes': (checkpoint.stats or {}).get(
                     'uploaded_bytes') or 0,
                     'replicated_bytes': state.get('copied_bytes') or 0})
    except exception.RunTakenOver:
        raise
    except Exception as e:  # noqa: BLE001 - every failure ends the run
        return _failed(recovery, recorder, e, policy.id)
    choice = failback_in_place.choose(conf, recovery, clients, record)
    # Before the step is saved: the plan on the row tells the commit, the
    # rollback and a takeover that the run went in place (none: a new
    # stack, also after an attempt resumed from the top chose otherwise).
    recorder.flush(force=True, plan=choice.plan or None)
    # From here an engine that dies leaves Heat (or the swap) half-way:
    # the run is rolled back by its successor, not resumed
    # (failback_takeover).
    save_run(policy.id, step=RECOVER_STEP, home_restore=choice.record())
    recorder.event('info', 'step 5/6: recovering %s at %s %s' % (
        checkpoint.container, home, choice.describe()))
    if choice.in_place:
        recovered = failback_in_place.recover(conf, recovery, clients,
                                              recorder, choice)
    else:
        recovered = recovery_class(conf, recovery, clients, recorder,
                                   host).run()
    if not recovered:
        save_run(policy.id, status=ERROR, error='the recovery at %s failed '
                 '(see recovery %s); the stale servers stay fenced'
                 % (home, recovery.id))
        return False
    downtime = failback_claim.seconds_since(started.get('quiesced_at'))
    # Kept here: the commit may be done again after the row's resources
    # were rewritten by a failed attempt.
    moved = failback_home.moved_members(record, db_api.recovery_get(
        _admin(), recovery.id).resource_status or [])
    save_run(policy.id, status=AWAITING, downtime_seconds=downtime,
             moved=moved)
    recorder.event('info', 'step 6/6: the workload runs at %s (downtime '
                   '%.1f s since the quiesce); commit or roll back' % (
                       home, downtime or 0.0))
    return True


def _failed(recovery: Any, recorder: rec.RunRecorder, error: BaseException,
            policy_id: str) -> bool:
    reason = exception.one_line(error)
    if not isinstance(error, exception.DragonException):
        LOG.error("failback %s failed", recovery.id, exc_info=error)
    recorder.event('error', 'failback failed: %s' % reason)
    recorder.flush(force=True, status=STATUS.ERROR, error=reason,
                   finished_at=timeutils.utcnow())
    save_run(policy_id, status=ERROR, error=reason)
    return False


def finish(conf: cfg.ConfigOpts, recovery: Any, clients: Any,
           recorder: rec.RunRecorder, recovery_class: Any) -> bool:
    """Commit or roll back a failback awaiting commit; never raises.

    :param clients: the home region's; the backup site's are
        ``clients.in_region([engine] region_name)``.
    """
    from dragon.recovery.in_place import closing
    from dragon.recovery.in_place import window
    policy = policy_of(recovery)
    record = dict(policy.failback or {})
    started = dict(record.get('run') or {})
    action = recovery.window_action or window.COMMIT
    here = clients.in_region(conf.engine.region_name)
    cloud = swap_mod.Cloud(clients, conf)
    end = STATUS.ROLLED_BACK if action == window.ROLLBACK \
        else STATUS.COMMITTED
    in_place = failback_in_place.chosen(recovery)

    def work() -> tuple[str, str]:
        if action == window.ROLLBACK:
            def remove_stack() -> None:
                if in_place:
                    failback_in_place.put_back(conf, recovery, clients,
                                               recorder)
                    return
                undo = recovery_class(conf, recovery, clients, recorder)
                undo.stack_id = recovery.stack_id
                undo.restored = dict(recovery.restored or {})
                undo.teardown()
            home_policy = undo_run(conf, recovery, clients, started,
                                   recorder, remove_stack)
            message = ('rolled back: %s, the fenced servers are as they '
                       'were and the workload runs here again%s' % (
                           ('the volumes and disks swapped at %s are put '
                            'back, the servers and volumes made there '
                            'deleted' if in_place else 'the stack at %s is '
                            'deleted') % recovery.target_region,
                           _home_note(home_policy)))
        else:
            how = 'as a new stack'
            if in_place:
                # Before the failover goes: a commit that fails here
                # leaves both sites as they were, and is done again.
                how = failback_in_place.commit(conf, recovery, clients,
                                               recorder)
            _remove_failover(conf, record, here, recorder)
            # Servers restored into in place are the workload, not stale:
            # fenced ones run again as they did before the run.
            kept = failback_in_place.kept_servers(recovery)
            for entry in started.get('fenced') or ():
                if entry['server_id'] in kept and \
                        entry.get('status_before') == swap_mod.ACTIVE:
                    cloud.start(entry['server_id'])
                    recorder.event('info', 'server %s at %s holds the '
                                   'restored data and runs again' % (
                                       entry['server_id'],
                                       recovery.target_region))
            stale = [e['server_id'] for e in started.get('fenced') or ()
                     if e.get('status') != 'gone' and
                     e['server_id'] not in kept]
            if started.get('delete_stale'):
                for server_id in stale:
                    cloud.compute.delete_server(server_id)
                    recorder.event('info', 'stale server %s at %s deleted '
                                   '(delete_stale)' % (
                                       server_id, recovery.target_region))
                stale_note = 'deleted'
            else:
                stale_note = ('kept, stopped: %s; delete them when no longer '
                              'needed' % (', '.join(stale) or 'none'))
            moved = started.get('moved')
            if moved is None:
                moved = failback_home.moved_members(
                    record, recovery.resource_status or [])
            home_policy = failback_home.resume(
                clients, _home_state(started, record),
                recovery.target_region, recorder.event, moved)
            save_run(policy.id, home_policy=home_policy)
            _suspend_reverse(policy, recovery.target_region, recorder)
            message = ('committed: the workload runs at %s %s; the '
                       'failover stack here is deleted; stale servers %s%s'
                       % (recovery.target_region, how, stale_note,
                          _home_note(home_policy)))
        return message, end

    if not closing.close(recovery, recorder, action, work):
        return False
    save_run(policy.id, status=end,
             closed_at=timeutils.utcnow().isoformat() + 'Z')
    return True


def _suspend_reverse(policy: Any, home: str,
                     recorder: rec.RunRecorder) -> None:
    """A committed failback's reverse policy protects nothing any more.

    Its members were the failover's resources here, deleted by the
    commit: suspended, its schedules (if any were enabled) never tick on
    them.  It is kept, with its checkpoints, for the user to delete.
    """
    db_api.workload_policy_update(_admin(), policy.id,
                                  {'status': statuses.Policy.SUSPENDED})
    recorder.event('info', 'reverse policy %s suspended: the workload runs '
                   'at %s again; its checkpoints are kept until it is '
                   'deleted' % (policy.id, home))


def undo_run(conf: cfg.ConfigOpts, recovery: Any, clients: Any,
             started: dict[str, Any], recorder: rec.RunRecorder,
             remove_at_home: Callable[[], None]) -> dict[str, Any]:
    """Both sites as before the run: a rollback, or a run whose engine died.

    What was made at home goes (``remove_at_home``), the fenced servers
    that were ``ACTIVE`` start again, those quiesced here run again and
    the original policy at home is made active again.

    :returns: the new ``failback.run.home_policy``.
    :raises: what removing or starting a server raised (the caller says
        what is left).
    """
    home = recovery.target_region
    remove_at_home()
    cloud = swap_mod.Cloud(clients, conf)
    for entry in started.get('fenced') or ():
        if entry.get('status_before') == swap_mod.ACTIVE:
            cloud.start(entry['server_id'])
            recorder.event('info', 'stale server %s at %s started again'
                           % (entry['server_id'], home))
    failback_quiesce.release(
        clients.in_region(conf.engine.region_name).connection.compute,
        started.get('quiesced') or [], recorder.event)
    home_policy = failback_home.resume(
        clients, _home_state(started, policy_of(recovery).failback or {}),
        home, recorder.event)
    save_run(recovery.policy_id, home_policy=home_policy)
    return home_policy


def _home_state(started: dict[str, Any], record: dict[str, Any]
                ) -> dict[str, Any]:
    """``failback.run.home_policy``, or the original policy it names.

    (A run that predates it, or did not reach the suspension.)
    """
    return dict(started.get('home_policy') or {
        'policy_id': record.get('source_policy_id')})


def _home_note(home_policy: dict[str, Any]) -> str:
    """The original policy's fate, for the closing message."""
    if not (home_policy or {}).get('policy_id'):
        return ''
    if home_policy.get('error'):
        return ('; the original policy %s at home: %s (see the events)' % (
            home_policy['policy_id'], home_policy['error']))
    if home_policy.get('resumed'):
        state = 'active again'
    elif home_policy.get('status_before') == failback_home.SUSPENDED:
        state = 'suspended, as before the run'
    else:
        state = 'active'
    if home_policy.get('members_moved'):
        state += ', on the recovered workload'
    return '; the original policy %s at home is %s' % (
        home_policy['policy_id'], state)


def _remove_failover(conf: cfg.ConfigOpts, record: dict[str, Any],
                     here: Any, recorder: rec.RunRecorder) -> None:
    """Delete the failover recovery here: its stack and restored data."""
    admin = _admin()
    try:
        failover = db_api.recovery_get(admin, record['recovery_id'])
    except exception.RecoveryNotFound:
        recorder.event('info', 'failover recovery %s already deleted'
                       % record['recovery_id'])
        return
    other = rec.RunRecorder(admin, failover.id, run_kinds.RECOVERY)
    relaunch.Recovery.from_row(conf, failover, here, other).teardown()
    db_api.recovery_delete(admin, failover.id)
    recorder.event('info', 'failover recovery %s deleted: its stack %s and '
                   'restored data here are gone' % (failover.id,
                                                    failover.stack_id))

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

"""Failback run: the API's rules, the quiesce, the final checkpoint, the cast.

Run with the backup site's Dragon on a reverse policy (one ``failback
prepare`` made). The workload here is quiesced first (its servers paused
or stopped, as asked, and left so: what they write after the final
checkpoint would be lost at home), with the caller's token, so that the
final checkpoint started next holds everything. The rest is a recovery
of mode ``failback`` into the home region, run by an engine
(``dragon.recovery.failback``) with a trust kept until its commit or
rollback. Its progress is on the recovery; the run's record (what was
quiesced and fenced, downtime, bytes moved) is on the policy's
``failback.run``.
"""

import time
from typing import Any

from openstack import exceptions as sdk_exc
from oslo_log import log as logging

from dragon.cloud import caller
from dragon.common import timeutils
from dragon import conf as dragon_conf
from dragon.db import api as db_api
from dragon.db import models
from dragon.db import run_kinds
from dragon import exception
from dragon.recovery import failback as engine_failback
from dragon.recovery import failback_claim
from dragon.services import checkpoints
from dragon.services import recoveries
from dragon.services import runs
from dragon import statuses

LOG = logging.getLogger(__name__)

STATUS = statuses.Recovery
_QUIESCED = {engine_failback.PAUSE: 'PAUSED', engine_failback.STOP: 'SHUTOFF'}


def _check(context: Any, policy: models.WorkloadPolicy) -> dict[str, Any]:
    """The policy's failback record, if a run may start.

    :raises dragon.exception.FailbackRunRefused: (400) not a reverse policy.
    :raises dragon.exception.FailbackRunInProgress: (409)
    :raises dragon.exception.TargetRegionUnknown: (400) home not in the
        caller's catalog.
    """
    record = dict(policy.failback or {})
    if not record.get('recovery_id'):
        raise exception.FailbackRunRefused(
            id=policy.id, reason='it is not a reverse policy (made by '
            'openstack dr failback prepare <recovery>)')
    run = record.get('run') or {}
    if (run.get('status') != engine_failback.COMMITTED
            and not failback_claim.may_start(run)):
        raise exception.FailbackRunInProgress(
            id=policy.id, recovery=run.get('recovery_id'),
            status=run['status'])
    if run.get('status') == engine_failback.COMMITTED:
        raise exception.FailbackRunRefused(
            id=policy.id, reason='its failback was committed (recovery %s): '
            'the workload runs at %s' % (run.get('recovery_id'),
                                         record.get('source_region')))
    recoveries.check_region(context, record['source_region'])
    return record


def _servers(conn: Any, policy: models.WorkloadPolicy) -> list[str]:
    """The servers of the workload here, each once.

    The server members, and the servers member volumes are attached to.
    """
    found = []
    for member in policy.members:
        if member.resource_type in engine_failback.SERVER_TYPES:
            found.append(member.resource_id)
        elif member.resource_type in engine_failback.VOLUME_TYPES:
            try:
                volume = conn.block_storage.get_volume(member.resource_id)
            except sdk_exc.NotFoundException:
                continue
            found.extend(a.get('server_id') for a in volume.attachments or ()
                         if a.get('server_id'))
    return list(dict.fromkeys(found))


def quiesce(context: Any, policy: models.WorkloadPolicy,
            how: str) -> list[dict[str, Any]]:
    """Pause (or stop) the workload's servers here and wait until they are.

    :returns: each server with the status it had.
    :raises dragon.exception.FailbackRunRefused: a server did not get
        there in ``[recovery] failback_quiesce_timeout`` (those quiesced
        are released again).
    """
    conn = caller.connection(context, 'compute')
    compute = conn.compute
    quiesced: list[dict[str, Any]] = []
    want = _QUIESCED[how]
    timeout = dragon_conf.CONF.recovery.failback_quiesce_timeout
    try:
        for server_id in _servers(conn, policy):
            server = compute.get_server(server_id)
            entry = {'server_id': server_id, 'status_before': server.status}
            if server.status == 'ACTIVE':
                if how == engine_failback.PAUSE:
                    compute.pause_server(server_id)
                else:
                    compute.stop_server(server_id)
                quiesced.append(entry)
                deadline = time.monotonic() + timeout
                while compute.get_server(server_id).status != want:
                    if time.monotonic() > deadline:
                        raise exception.FailbackRunRefused(
                            id=policy.id, reason='server %s was not %s '
                            'after %d s' % (server_id, want, timeout))
                    time.sleep(1)
            elif server.status not in ('PAUSED', 'SHUTOFF'):
                raise exception.FailbackRunRefused(
                    id=policy.id, reason='server %s is %s: it can be '
                    'neither paused nor stopped' % (server_id, server.status))
    except Exception:
        release(context, quiesced)
        raise
    return quiesced


def release(context: Any, quiesced: list[dict[str, Any]]) -> None:
    """Best effort: the servers quiesced here running again."""
    if not quiesced:
        return
    try:
        engine_failback.release_quiesced(
            caller.connection(context, 'compute').compute, quiesced,
            lambda *a, **k: None)
    except Exception:  # noqa: BLE001 - the error raised says more
        LOG.exception("servers %s not released",
                      [e['server_id'] for e in quiesced])


def start(context: Any, policy: models.WorkloadPolicy,
          request: dict[str, Any], engine: Any) -> models.Recovery:
    """Quiesce, protect once more, and start the failback recovery.

    :param request: the validated ``failback`` object (``quiesce``:
        pause or stop, ``delete_stale``: commit deletes the fenced
        servers at home).
    :returns: the recovery (mode ``failback``).
    :raises dragon.exception.ProjectScopeRequired: another project's.
    :raises dragon.exception.FailbackRunRefused: (400)
    :raises dragon.exception.FailbackRunInProgress: (409)
    :raises dragon.exception.TargetRegionUnknown: (400)
    :raises: as ``checkpoints.protect`` and ``runs.start``.
    """
    runs.check_scope(context, policy.project_id)
    record = _check(context, policy)
    how = request.get('quiesce') or engine_failback.PAUSE
    quiesced_at = timeutils.utcnow().isoformat() + 'Z'
    # Claimed before anything is paused or stopped: of two requests at
    # once, the second gets 409 here and leaves the first's servers alone.
    engine_failback.claim_run(policy.id, **{
        'status': engine_failback.RUNNING, 'recovery_id': None,
        'checkpoint_id': None, 'quiesce': how, 'quiesced': [],
        'quiesced_at': quiesced_at,
        'delete_stale': bool(request.get('delete_stale')),
        'fenced': [], 'downtime_seconds': None, 'data_moved': None,
        'home_policy': None, 'moved': None, 'step': None,
        'takeovers': 0, 'error': None, 'closed_at': None})
    quiesced: list[dict[str, Any]] = []
    try:
        quiesced = quiesce(context, policy, how)
        engine_failback.save_run(policy.id, quiesced=quiesced)
        checkpoint = checkpoints.protect(context, policy, engine)
        home = record['source_region']
        engine_failback.save_run(policy.id, checkpoint_id=checkpoint.id)
        recovery = runs.start(
            context, run_kinds.RECOVERY,
            lambda trust_id: db_api.recovery_create(context, {
                'checkpoint_id': checkpoint.id,
                # Its container is named when the checkpoint runs; the
                # engine writes it here (dragon.recovery.failback).
                'recovery_point': '',
                'policy_id': policy.id,
                'policy_name': policy.name,
                'project_id': context.project_id,
                'user_id': context.user_id,
                'mode': engine_failback.FAILBACK,
                'target_region': home,
                'trust_id': trust_id,
            }),
            lambda row: 'failback of policy %s to %s requested by user %s: '
            '%d server(s) here %s, final checkpoint %s' % (
                policy.name, home, context.user_id, len(quiesced),
                'paused' if how == engine_failback.PAUSE else 'stopped',
                checkpoint.id),
            engine.recover, 'recover', redelegate=True, expires=False)
    except Exception as e:
        release(context, quiesced)
        engine_failback.save_run(policy.id, status=engine_failback.ERROR,
                                 error=exception.one_line(e))
        raise
    engine_failback.save_run(policy.id, recovery_id=recovery.id)
    LOG.info("failback run %s of policy %s to %s handed to the engines",
             recovery.id, policy.id, home)
    return recovery

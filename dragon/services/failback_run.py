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

"""Failback run: the API's rules, its quick checks, the hand-over.

Run with the backup site's Dragon on a reverse policy (one ``failback
prepare`` made). The request only checks and hands over: it refuses what
cannot run (the policy, a run open, the home region, a server here that
can be neither paused nor stopped), claims the run on the policy, and
casts a recovery of mode ``failback`` into the home region with a trust
kept until its commit or rollback; it answers at once. An engine
(``dragon.recovery.failback``) then quiesces the workload here, starts
the final checkpoint and brings it home: quiescing several servers takes
minutes, longer than a proxy keeps a request. Its progress is on the
recovery; the run's record (what was quiesced and fenced, downtime,
bytes moved) is on the policy's ``failback.run``.
"""

from typing import Any

from oslo_log import log as logging

from dragon.cloud import caller
from dragon.db import api as db_api
from dragon.db import models
from dragon.db import run_kinds
from dragon import exception
from dragon.recovery import failback as engine_failback
from dragon.recovery import failback_claim
from dragon.recovery import failback_quiesce
from dragon.services import checkpoints
from dragon.services import recoveries
from dragon.services import runs
from dragon import statuses

LOG = logging.getLogger(__name__)

STATUS = statuses.Recovery


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


def _check_servers(context: Any, policy: models.WorkloadPolicy) -> int:
    """Refuse, before anything changes, servers the engine cannot quiesce.

    One look at each server of the workload here, with the caller's
    token: each must be running, paused or stopped.

    :returns: how many servers the workload has here.
    :raises dragon.exception.FailbackRunRefused: (400) one is not.
    """
    conn = caller.connection(context, 'compute')
    found = failback_quiesce.server_statuses(
        conn.compute, failback_quiesce.servers(conn, policy.members))
    why = failback_quiesce.refusal(found)
    if why:
        raise exception.FailbackRunRefused(id=policy.id, reason=why)
    return len(found)


def start(context: Any, policy: models.WorkloadPolicy,
          request: dict[str, Any], engine: Any) -> models.Recovery:
    """Check, claim and hand the failback recovery to the engines.

    :param request: the validated ``failback`` object (``quiesce``:
        pause or stop, ``delete_stale``: commit deletes the fenced
        servers at home).
    :returns: the recovery (mode ``failback``), ``recovering``: its
        engine quiesces the workload here and starts the final
        checkpoint first.
    :raises dragon.exception.ProjectScopeRequired: another project's.
    :raises dragon.exception.FailbackRunRefused: (400)
    :raises dragon.exception.FailbackRunInProgress: (409)
    :raises dragon.exception.TargetRegionUnknown: (400)
    :raises: as ``checkpoints.check_protectable`` and ``runs.start``.
    """
    runs.check_scope(context, policy.project_id)
    record = _check(context, policy)
    checkpoints.check_protectable(context, policy)
    count = _check_servers(context, policy)
    how = request.get('quiesce') or failback_quiesce.PAUSE
    home = record['source_region']
    # Claimed before the hand-over: of two requests at once, the second
    # gets 409 here and no engine touches the servers twice.
    engine_failback.claim_run(policy.id, **{
        'status': engine_failback.RUNNING, 'recovery_id': None,
        'checkpoint_id': None, 'quiesce': how, 'quiesced': [],
        # Set by the engine when it starts quiescing.
        'quiesced_at': None,
        'delete_stale': bool(request.get('delete_stale')),
        'fenced': [], 'downtime_seconds': None, 'data_moved': None,
        'home_policy': None, 'moved': None, 'step': None,
        'takeovers': 0, 'error': None, 'closed_at': None})
    try:
        recovery = runs.start(
            context, run_kinds.RECOVERY,
            lambda trust_id: db_api.recovery_create(context, {
                # Both set by the engine: the final checkpoint it starts
                # (dragon.recovery.failback_quiesce), its container once
                # it runs.
                'checkpoint_id': None,
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
            'the engine %s, then starts the final checkpoint' % (
                policy.name, home, context.user_id,
                '%s the %d server(s) here' % (
                    'pauses' if how == failback_quiesce.PAUSE else 'stops',
                    count) if count else 'finds no server here to quiesce'),
            engine.recover, 'recover', redelegate=True, expires=False)
    except Exception as e:
        engine_failback.save_run(policy.id, status=engine_failback.ERROR,
                                 error=exception.one_line(e))
        raise
    engine_failback.save_run(policy.id, recovery_id=recovery.id)
    LOG.info("failback run %s of policy %s to %s handed to the engines",
             recovery.id, policy.id, home)
    return recovery

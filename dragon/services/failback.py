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

"""Failback prepare: a reverse policy at the backup site over a failover's workload.

After a failover the workload runs at the backup site, unprotected.
``prepare`` makes the failover recovery a **reverse policy** of this (the
backup) site: the checkpoint's members found again by their ids in the
recovered workload (the recovery's ``resource_status``), with the same
actions, options and encryption keys; its schedules copied, disabled
unless asked; replicating to the region the checkpoint came from. It is
then protected once. Chunks are named by their content and the
replicated checkpoint's chunks are in this site's chunk container
already, so the first reverse checkpoint uploads only what changed since
the failover.

The checkpoint's manifest is read from this site's Swift and the members
checked in Nova and Cinder with the caller's token (``policy_create``),
so nothing of another project is seen.
"""

from typing import Any

from oslo_log import log as logging

from dragon.checkpoint import envelope
from dragon.common import timeutils
from dragon import conf as dragon_conf
from dragon.db import api as db_api
from dragon.db import models
from dragon import exception
from dragon.services import checkpoints
from dragon.services import in_place
from dragon.services import policies
from dragon.services import runs
from dragon import statuses

LOG = logging.getLogger(__name__)

FAILOVER = 'failover'
# The reverse policy's default name: the original's and this.
NAME_SUFFIX = '-failback'
NOT_RECOVERED = ('not in the recovered workload (not selected for the '
                 'recovery, or it carried no data to restore)')


def prepared_for(context: Any, recovery_id: str
                 ) -> models.WorkloadPolicy | None:
    """The live reverse policy of recovery ``recovery_id``, if any."""
    for policy in db_api.workload_policy_get_all(
            context, project_id=context.project_id):
        if (policy.failback or {}).get('recovery_id') == recovery_id:
            return policy
    return None


def _check(context: Any, recovery: models.Recovery) -> None:
    """A succeeded failover into this Dragon's region, not prepared yet.

    :raises dragon.exception.FailbackNotPossible: (400)
    :raises dragon.exception.RecoveryBusy: (409) it has not succeeded.
    :raises dragon.exception.FailbackExists: (409)
    """
    if recovery.mode != FAILOVER:
        raise exception.FailbackNotPossible(
            id=recovery.id, reason='it is a %s, not a failover: only a '
            'failover leaves the workload running at another site'
            % recovery.mode)
    if recovery.status != statuses.Recovery.SUCCEEDED:
        raise exception.RecoveryBusy(
            id=recovery.id, status=recovery.status,
            action='preparing its failback',
            allowed=statuses.Recovery.SUCCEEDED)
    region = dragon_conf.CONF.engine.region_name
    if recovery.target_region != region:
        raise exception.FailbackNotPossible(
            id=recovery.id, reason='its workload runs in %s and this Dragon '
            'protects %s: prepare the failback with the Dragon of %s'
            % (recovery.target_region, region, recovery.target_region))
    existing = prepared_for(context, recovery.id)
    if existing is not None:
        raise exception.FailbackExists(id=recovery.id, policy=existing.id,
                                       name=existing.name)


def _members(manifest: dict[str, Any], recovery: models.Recovery
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(members of the reverse policy, members left out and why).

    Each original member is found by its id at the primary among the
    recovery's resources, which record the id each got at this site.
    """
    recovered = {r.get('id'): r.get('target_id')
                 for r in recovery.resource_status or ()
                 if r.get('id') and r.get('target_id')}
    members, left_out = [], []
    for member in manifest['policy'].get('members') or ():
        target_id = recovered.get(member['resource_id'])
        if target_id is None:
            left_out.append({'resource_type': member['resource_type'],
                             'source_id': member['resource_id'],
                             'reason': NOT_RECOVERED})
            continue
        members.append({'resource_type': member['resource_type'],
                        'resource_id': target_id,
                        'source_id': member['resource_id'],
                        'action': member['action'],
                        'options': dict(member.get('options') or {})})
    return members, left_out


def _schedules(manifest: dict[str, Any], enable: bool
               ) -> tuple[list[dict[str, Any]], list[str]]:
    """The original schedules, enabled only if asked (and enabled there)."""
    if 'schedules' not in manifest['policy']:
        return [], ['the checkpoint predates schedules in manifests: no '
                    'schedule copied; add them with openstack dr policy set '
                    '--schedule']
    return [dict(s, enabled=bool(enable and s.get('enabled', True)))
            for s in manifest['policy']['schedules']], []


def _options(manifest: dict[str, Any], schedules: list[dict[str, Any]]
             ) -> tuple[dict[str, Any], list[str]]:
    options = dict(manifest['policy'].get('options') or {})
    if options.get('verify_every_days') and not any(
            s['enabled'] for s in schedules):
        options['verify_every_days'] = None
        return options, ['verify_every_days not copied: scheduled '
                         'verification needs an enabled schedule (set it '
                         'again once the schedules are enabled)']
    return options, []


def _encryption(recovery: models.Recovery, manifest: dict[str, Any],
                source_region: str) -> dict[str, Any] | None:
    """The keys of an encrypted checkpoint, the other way round: this
    region's protects, the primary's recovers.

    :raises dragon.exception.FailbackNotPossible: no key for this region.
    """
    encryption = manifest.get('encryption') or {}
    key_refs = encryption.get('key_refs')
    if not key_refs:
        return None
    here = recovery.target_region
    if here not in key_refs:
        raise exception.FailbackNotPossible(
            id=recovery.id, reason='its checkpoint is encrypted and names no '
            'key for %s to protect with' % here)
    # The scope goes along; a policy-scoped key is the reverse policy's
    # own, new one (a data key is bound to its policy).
    return {'key_ref': key_refs[here],
            'data_key_scope': encryption.get('data_key_scope',
                                             envelope.PROJECT_SCOPE),
            'recovery_key_refs': {region: ref for region, ref in
                                  key_refs.items() if region == source_region}}


def prepare(context: Any, recovery: models.Recovery,
            request: dict[str, Any], engine: Any) -> dict[str, Any]:
    """Create the reverse policy of a failover and protect it once.

    :param request: the validated ``failback`` object of the request
        (``name``, ``description``, ``enable_schedules``), or ``{}``.
    :param engine: a ``dragon.engine.rpcapi.EngineAPI``.
    :returns: ``policy`` and ``checkpoint`` (rows), ``members`` (each with
        its ``source_id``), ``left_out``, ``schedules_copied`` and
        ``notes`` (what was not carried over, and why).
    :raises dragon.exception.ProjectScopeRequired: another project's.
    :raises dragon.exception.FailbackNotPossible: (400) not a failover,
        not into this region, into its own region, nothing recovered.
    :raises dragon.exception.RecoveryBusy: (409) not succeeded.
    :raises dragon.exception.FailbackExists: (409)
    :raises: as ``policy_create`` (the name taken, a member gone, the
        replication target or key refused) and ``checkpoints.protect``.
    """
    runs.check_scope(context, recovery.project_id)
    _check(context, recovery)
    container = recovery.recovery_point
    manifest = runs.read_swift('checkpoint %s' % container,
                               in_place.read_manifest, context, container)
    if manifest.get('project_id') != context.project_id:
        raise exception.RecoveryPointNotFound(
            container=container, missing='a checkpoint of this project')
    source_region = manifest['source_region']
    if source_region == recovery.target_region:
        raise exception.FailbackNotPossible(
            id=recovery.id, reason='its checkpoint was taken in %s, where it '
            'was recovered: there is no other site to return to'
            % source_region)
    members, left_out = _members(manifest, recovery)
    if not members:
        raise exception.FailbackNotPossible(
            id=recovery.id, reason='none of the members of its checkpoint '
            'is in the recovered workload')
    schedules, notes = _schedules(manifest,
                                  bool(request.get('enable_schedules')))
    options, more = _options(manifest, schedules)
    original = manifest['policy']
    name = request.get('name') or (original['name'] + NAME_SUFFIX)[:255]
    policy = policies.policy_create(context, {
        'name': name,
        'description': request.get('description') or (
            'Failback of %s: its workload recovered in %s by recovery %s, '
            'protected here and replicated to %s' % (
                original['name'], recovery.target_region, recovery.id,
                source_region))[:1024],
        'options': options,
        'members': [{k: m[k] for k in ('resource_type', 'resource_id',
                                       'action', 'options')}
                    for m in members],
        'schedules': schedules,
        'encryption': _encryption(recovery, manifest, source_region),
        'replication': {'target_region': source_region},
    }, failback={
        'recovery_id': recovery.id, 'recovery_point': container,
        'source_region': source_region,
        'source_policy_id': original.get('id'),
        'source_policy_name': original.get('name'),
        'stack_id': recovery.stack_id,
        'members': [{k: m[k] for k in ('resource_type', 'resource_id',
                                       'source_id')} for m in members],
        'prepared_at': timeutils.utcnow().isoformat() + 'Z'})
    LOG.info("failback of recovery %s: reverse policy %s with %d member(s), "
             "replicating to %s", recovery.id, policy.id, len(members),
             source_region)
    checkpoint = checkpoints.protect(context, policy, engine)
    return {'policy': policy, 'checkpoint': checkpoint, 'members': members,
            'left_out': left_out, 'schedules_copied': len(schedules),
            'notes': notes + more, 'source_region': source_region}

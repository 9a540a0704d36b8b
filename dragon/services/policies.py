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

"""The rules of workload policies and their members; the API's service layer.

Members are checked with the caller's credentials by their resource
type's plugin (Nova, Cinder, ...): only an existing resource of the
policy's project is accepted.
"""

from typing import Any

from oslo_config import cfg
from oslo_log import log as logging

from dragon.common import durations
from dragon.common import schema as validation
from dragon.common import timeutils
from dragon import conf as dragon_conf
from dragon.db import api as db_api
from dragon.db import models
from dragon import exception
from dragon.protection import registry
from dragon.replication import targets as replication_targets
from dragon.retention import rules
from dragon.scheduling import rpo
from dragon.services import encryption
from dragon.services import schedules
from dragon import statuses

LOG = logging.getLogger(__name__)

DEFAULT_OPTIONS: dict[str, Any] = {
    'consistent': False, 'strict': False, 'retention': None, 'rpo': None,
    'verify_every_days': None}


def _normalize_options(options: dict[str, Any],
                       base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merge validated ``options`` over ``base`` with every key present.

    Durations are stored in seconds; retention rules are checked as a
    whole (``dragon.retention.rules.check``).

    :raises dragon.exception.Invalid:
    """
    result = {**DEFAULT_OPTIONS, **(base or {}), **options}
    if result['rpo'] is not None:
        result['rpo'] = durations.parse(result['rpo'], 'rpo')
        if result['rpo'] < 60:
            raise exception.Invalid(reason='rpo must be at least 60 seconds')
    if result['retention'] is not None:
        result['retention'] = rules.normalize(result['retention'])
    return result


def _protectable(context: Any, project_id: str, resource_type: Any,
                 resource_id: str, action: Any) -> dict[str, Any]:
    """The project's resource, if ``action`` can protect it.

    :raises dragon.exception.ResourceNotFound: not a resource of the project.
    :raises dragon.exception.Invalid: the type refuses it for this action
        (e.g. an encrypted volume's data: see ``member_refusal``).
    """
    found = resource_type.get_resource(context, resource_id)
    if found is None or found['project_id'] not in (None, project_id):
        raise exception.ResourceNotFound(
            resource_type=resource_type.name.capitalize(),
            resource_id=resource_id, project_id=project_id)
    refusal = resource_type.member_refusal(found, action)
    if refusal:
        raise exception.Invalid(reason=refusal)
    return found


def _member_values(context: Any, project_id: str,
                   member: dict[str, Any]) -> dict[str, Any]:
    """Check a requested member and return its database values.

    :raises dragon.exception.UnknownAction:
    :raises dragon.exception.Invalid: options do not fit the action.
    :raises dragon.exception.ResourceNotFound: not a resource of the project.
    """
    resource_type = registry.get(member['resource_type'])
    action = resource_type.action(member.get('action'))
    options = member.get('options') or {}
    validation.validate(options, action.options_schema,
                        what='options of action %s' % action.name)
    resource_id = member['resource_id']
    found = _protectable(context, project_id, resource_type, resource_id,
                         action)
    return {
        'resource_type': resource_type.name,
        'resource_id': resource_id,
        'resource_name': (found['name'] or '')[:255],
        'action': action.name,
        'options': options,
        'exclusive_resource_id': (
            resource_type.exclusive_key(project_id, resource_id)
            if action.exclusive else None),
    }


def policy_create(context: Any, values: dict[str, Any],
                  failback: dict[str, Any] | None = None
                  ) -> models.WorkloadPolicy:
    """Create a policy of the caller's project from a validated request.

    :param failback: what a reverse policy fails back (set only by
        ``dragon.services.failback``, never from a request).
    """
    project_id = context.project_id
    members = [_member_values(context, project_id, m)
               for m in values.get('members', [])]
    checked = schedules.check_all(context, values.get('schedules', []))
    options = _normalize_options(values.get('options', {}))
    _check_verification_schedule(options, [s['enabled'] for s in checked])
    encrypted = encryption.normalize(context, values.get('encryption'))
    replication = replication_targets.normalize(context,
                                                values.get('replication'))
    replication_targets.refuse_unreplicated_members(replication, members)
    policy = db_api.workload_policy_create(context, {
        'project_id': project_id,
        'user_id': context.user_id,
        'name': values['name'],
        'description': values.get('description', ''),
        'options': options,
        'status': statuses.Policy.ACTIVE,
        'members': members,
        'encryption': encrypted,
        'replication': replication,
        'failback': failback,
    })
    try:
        # Registered under the policy's id, so only once it has one.
        encryption.register_consumers(context, policy.id, encrypted)
    except Exception:
        db_api.workload_policy_delete(context, policy.id)
        raise
    if checked:
        try:
            schedules.replace_all(context, policy, checked)
        except Exception:
            # No half-made policy: without its trust the schedule would
            # never run, and the caller retries the whole request.
            encryption.remove_consumers(context, policy.id, encrypted)
            db_api.workload_policy_delete(context, policy.id)
            raise
        policy = db_api.workload_policy_get(context, policy.id)
    LOG.info("created workload policy %s with %d member(s)", policy.id,
             len(members))
    return policy


def _check_verification_schedule(options: dict[str, Any],
                                 enabled: list[bool]) -> None:
    """Scheduled verification reads Swift with a schedule's trust.

    :raises dragon.exception.Invalid: ``verify_every_days`` without an
        enabled schedule to run it.
    """
    if options.get('verify_every_days') and not any(enabled):
        raise exception.Invalid(
            reason='verify_every_days needs an enabled schedule: scheduled '
                   'verification reads Swift with the schedule\'s trust')


def rpo_status(context: Any, policies: list[models.WorkloadPolicy],
               conf: cfg.ConfigOpts | None = None
               ) -> dict[str, dict[str, Any] | None]:
    """The RPO status of each policy by id (``None``: no target set)."""
    conf = conf or dragon_conf.CONF
    targeted = [p for p in policies if (p.options or {}).get('rpo')]
    newest = db_api.checkpoint_newest_available(
        context, [p.id for p in targeted], at_target=True)
    now = timeutils.utcnow()
    result: dict[str, dict[str, Any] | None] = {p.id: None for p in policies}
    for policy in targeted:
        result[policy.id] = rpo.status(policy, newest.get(policy.id), now,
                                       conf.scheduler.rpo_at_risk_ratio)
    return result


def policy_list(context: Any, all_projects: bool = False,
                **filters: Any) -> list[models.WorkloadPolicy]:
    project_id = None if all_projects else context.project_id
    return db_api.workload_policy_get_all(context, project_id=project_id,
                                          **filters)


def policy_get(context: Any, policy_id: str) -> models.WorkloadPolicy:
    return db_api.workload_policy_get(context, policy_id)


def policy_update(context: Any, policy: models.WorkloadPolicy,
                  values: dict[str, Any]) -> models.WorkloadPolicy:
    changes = {k: v for k, v in values.items()
               if k not in ('options', 'schedules', 'encryption',
                            'replication')}
    if 'replication' in values:
        changes['replication'] = replication_targets.normalize(
            context, values['replication'])
        replication_targets.refuse_unreplicated_members(
            changes['replication'], policy.members)
    if 'encryption' in values:
        changes['encryption'] = encryption.normalize(
            context, values['encryption'], current=policy.encryption)
        encryption.refuse_scope_change(context, policy,
                                       changes['encryption'])
    if 'options' in values:
        changes['options'] = _normalize_options(values['options'],
                                                policy.options)
    checked = (schedules.check_all(context, values['schedules'])
               if 'schedules' in values else None)
    _check_verification_schedule(
        changes.get('options', policy.options),
        [s['enabled'] for s in checked] if checked is not None else
        [s.enabled and s.status == statuses.Schedule.ACTIVE
         for s in policy.schedules])
    if 'encryption' in changes:
        # Before the change is stored: a key Dragon could not register
        # is refused like one it could not read.
        encryption.register_consumers(context, policy.id,
                                      changes['encryption'])
    if changes:
        previous = policy.encryption
        policy = db_api.workload_policy_update(context, policy.id, changes)
        if 'encryption' in changes:
            encryption.remove_consumers(context, policy.id, previous,
                                        keep=changes['encryption'])
    if checked is not None:
        schedules.replace_all(context, policy, checked)
        policy = db_api.workload_policy_get(context, policy.id)
    return policy


def policy_delete(context: Any, policy: models.WorkloadPolicy) -> int:
    """Delete a policy; return how many of its checkpoints are kept."""
    kept = db_api.checkpoint_count_by_policy(context, policy.id)
    schedules.delete_all(context, policy)
    db_api.workload_policy_delete(context, policy.id)
    encryption.remove_consumers(context, policy.id, policy.encryption)
    LOG.info("deleted workload policy %s, kept %d checkpoint(s)", policy.id,
             kept)
    return kept


def member_create(context: Any, policy: models.WorkloadPolicy,
                  values: dict[str, Any]) -> models.PolicyMember:
    member = _member_values(context, policy.project_id, values)
    replication_targets.refuse_unreplicated_members(policy.replication,
                                                    [member])
    return db_api.policy_member_create(context, policy.id, member)


def member_list(context: Any, policy: models.WorkloadPolicy
                ) -> list[models.PolicyMember]:
    return db_api.policy_member_get_all(context, policy.id)


def member_update(context: Any, policy: models.WorkloadPolicy,
                  resource_id: str, values: dict[str, Any]
                  ) -> models.PolicyMember:
    """Change a member's action (options reset unless given) or options."""
    member = db_api.policy_member_get(context, policy.id, resource_id)
    resource_type = registry.get(member.resource_type)
    action = resource_type.action(values.get('action', member.action))
    changes: dict[str, Any] = {}
    if action.name != member.action:
        _protectable(context, policy.project_id, resource_type, resource_id,
                     action)
        replication_targets.refuse_unreplicated_members(
            policy.replication, [{'resource_id': resource_id,
                                  'action': action.name}])
        changes['action'] = action.name
        changes['options'] = {}
        changes['exclusive_resource_id'] = (
            resource_type.exclusive_key(policy.project_id, resource_id)
            if action.exclusive else None)
    if 'options' in values:
        validation.validate(values['options'], action.options_schema,
                            what='options of action %s' % action.name)
        changes['options'] = values['options']
    if not changes:
        return member
    return db_api.policy_member_update(context, policy.id, resource_id,
                                       changes)


def member_delete(context: Any, policy: models.WorkloadPolicy,
                  resource_id: str) -> None:
    db_api.policy_member_delete(context, policy.id, resource_id)

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

"""A failback's original policy, in the home site's own Dragon.

The policy that protected the workload before the failover lives in the
home site's database; the backup site's engine reaches it through the
home region's ``dr`` endpoint (``[dr]`` options) with the failback run's
trust, as the policy's project.

* Before the stale servers at home are fenced, the policy is
  **suspended**: its schedules' ticks are skipped (the schedules and their
  standing trusts are kept), so that it does not protect the stale
  workload over its good checkpoints while the failback runs.
* The commit points its members at the workload recovered at home (each
  original member's resource by its id in the new stack, or, recovered
  in place, the volume now in its place; a server rebuilt in place keeps
  its id and its member) and makes it ``active``: it protects the
  workload again, even one suspended by hand when the home site came
  back.
* A rollback (or a run rolled back by the engine that took it over)
  makes it ``active`` again if the run suspended it; its members are the
  stale servers, running again.

The home site's Dragon may not answer (down, not in the catalog, the
policy deleted there): each such failure is a ``warning`` event of the
recovery and is kept on ``failback.run.home_policy`` (``error``), never
a failure of the run, the commit or the rollback (the data are what
matter; the policy can be set by hand with the home site's Dragon).
"""

from typing import Any, Callable

from keystoneauth1 import exceptions as ks_exc

from dragon.client import exceptions as client_exc
from dragon import statuses

ACTIVE, SUSPENDED = statuses.Policy.ACTIVE, statuses.Policy.SUSPENDED
# What the home site's Dragon may answer instead of doing it.
UNREACHED = (client_exc.ClientError, ks_exc.ClientException)

Event = Callable[..., None]


def _unreached(state: dict[str, Any], home: str, doing: str,
               error: BaseException, event: Event) -> dict[str, Any]:
    # The home Dragon's own message (ClientError) or keystoneauth's
    # (no endpoint, connection refused): no secret in either.
    reason = '%s: %s' % (doing, str(error)[:300] or type(error).__name__)
    event('warning', 'the original policy %s at %s: %s; set it with %s\'s '
          'Dragon (openstack --os-region-name %s dr policy set)' % (
              state.get('policy_id'), home, reason, home, home))
    return dict(state, error=reason)


def suspend(clients: Any, record: dict[str, Any], home: str,
            event: Event) -> dict[str, Any]:
    """Suspend the original policy at home; what ``resume`` needs.

    :param clients: the home region's (the run's trust).
    :param record: the reverse policy's ``failback`` record.
    :returns: ``{"policy_id", "status_before", "suspended", "error"}``
        (``failback.run.home_policy``); never raises for an unreachable
        home Dragon.
    """
    state: dict[str, Any] = {'policy_id': record.get('source_policy_id'),
                             'status_before': None, 'suspended': False,
                             'error': None}
    if not state['policy_id']:
        event('warning', 'the checkpoint names no original policy: nothing '
              'to suspend at %s' % home)
        return dict(state, error='no original policy known')
    try:
        policies = clients.dragon().policies
        policy = policies.get(state['policy_id'])
        state['status_before'] = policy.get('status')
        if policy.get('status') == SUSPENDED:
            event('info', 'the original policy %s at %s was suspended '
                  'already; it stays so after the failback' % (
                      state['policy_id'], home))
            return state
        policies.update(state['policy_id'], status=SUSPENDED)
    except UNREACHED as e:
        return _unreached(state, home, 'not suspended', e, event)
    event('info', 'the original policy %s (%s) at %s suspended: its '
          'schedules do not protect the stale workload' % (
              state['policy_id'], record.get('source_policy_name'), home))
    return dict(state, suspended=True)


def moved_members(record: dict[str, Any],
                  resource_status: list[dict[str, Any]]
                  ) -> list[dict[str, Any]]:
    """Each original member's resource and its id at home after the run.

    The reverse policy's members name their original (``source_id``) and
    their id here (``resource_id``), which the final checkpoint recorded
    and the recovery at home mapped to a new id (``target_id``): in a new
    stack, or in place the volume put in the original's place and the
    server rebuilt (the original, same id).
    """
    at_home = {r.get('id'): r.get('target_id') for r in resource_status
               if r.get('id') and r.get('target_id')}
    return [{'resource_type': m['resource_type'],
             'source_id': m['source_id'],
             'home_id': at_home.get(m['resource_id'])}
            for m in record.get('members') or () if m.get('source_id')]


def _retarget(dragon: Any, policy_id: str, moved: list[dict[str, Any]],
              event: Event) -> list[str]:
    """Members on the stale resources moved to the recovered ones.

    Done again after a failure, it skips what is done: a new member
    added already is not added twice, an old one gone is not removed.

    :returns: the original members not found in the new stack (kept).
    """
    members = {m['resource_id']: m for m in dragon.members.list(policy_id)}
    kept = []
    for entry in moved:
        old, new = entry['source_id'], entry['home_id']
        if old not in members or old == new:
            # A server rebuilt in place keeps its id: the member stands.
            continue
        if not new:
            kept.append(old)
            continue
        if new not in members:
            member = members[old]
            dragon.members.add(policy_id, member['resource_type'], new,
                               action=member.get('action'),
                               options=member.get('options') or None)
        dragon.members.remove(policy_id, old)
        event('info', 'the original policy %s: member %s %s is now %s (the '
              'recovered workload)' % (policy_id, entry['resource_type'],
                                       old, new))
    return kept


def resume(clients: Any, state: dict[str, Any], home: str, event: Event,
           moved: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The original policy at home as it was, or on the new workload.

    :param state: ``failback.run.home_policy`` (``suspend``'s answer).
    :param moved: at commit, ``moved_members``; ``None`` at rollback.
    :returns: the new ``home_policy`` (``resumed``, ``members_moved``,
        ``error``); never raises for an unreachable home Dragon.
    """
    state = dict(state or {})
    policy_id = state.get('policy_id')
    if not policy_id:
        return state
    state['error'] = None
    try:
        dragon = clients.dragon()
        if moved is not None:
            kept = _retarget(dragon, policy_id, moved, event)
            state['members_moved'] = True
            if kept:
                event('warning', 'the original policy %s: members %s are '
                      'not in the recovered workload and still name the '
                      'stale resources' % (policy_id, ', '.join(kept)))
        # The commit: it protects the workload again, however it was
        # suspended. A rollback: as before the run.
        if (dragon.policies.get(policy_id).get('status') != ACTIVE
                if moved is not None else state.get('suspended')):
            dragon.policies.update(policy_id, status=ACTIVE)
            state['resumed'] = True
            event('info', 'the original policy %s at %s is active again' %
                  (policy_id, home))
    except UNREACHED as e:
        return _unreached(state, home, 'not %s' % (
            'moved to the recovered workload and made active again'
            if moved is not None else 'made active again'), e, event)
    return state

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

"""The original policy at home: suspended by the run, back at its end.

The home site's Dragon is faked at its client (``clients.dragon()``):
its policies and their members, and the failures it may answer with.
"""

import types

from keystoneauth1 import exceptions as ks_exc
import pytest

from dragon.client.exceptions import ClientError
from dragon.recovery import failback_home


class HomeDragon:
    """The home site's Dragon API: one policy and its members."""

    def __init__(self, status='active', members=None):
        self.policy = {'id': 'pol-a', 'status': status}
        self.members_of = {m['resource_id']: m for m in members or [
            {'resource_type': 'volume', 'resource_id': 'a-vol',
             'action': 'snapshot_data', 'options': {}},
            {'resource_type': 'server', 'resource_id': 'a-srv',
             'action': 'snapshot', 'options': {'x': 1}}]}
        self.calls = []
        self.error = None
        self.policies = types.SimpleNamespace(get=self.get,
                                              update=self.update)
        self.members = types.SimpleNamespace(
            list=self.list, add=self.add, remove=self.remove)

    def _check(self):
        if self.error is not None:
            raise self.error

    def get(self, policy_id):
        self._check()
        if policy_id != self.policy['id']:
            raise ClientError(404, 'No policy %s' % policy_id)
        return dict(self.policy)

    def update(self, policy_id, **changes):
        self._check()
        self.calls.append(('update', changes))
        self.policy.update(changes)
        return dict(self.policy)

    def list(self, policy_id):
        self._check()
        return list(self.members_of.values())

    def add(self, policy_id, resource_type, resource_id, action=None,
            options=None):
        self._check()
        self.calls.append(('add', resource_id, action, options))
        self.members_of[resource_id] = {
            'resource_type': resource_type, 'resource_id': resource_id,
            'action': action, 'options': options or {}}

    def remove(self, policy_id, resource_id):
        self._check()
        self.calls.append(('remove', resource_id))
        del self.members_of[resource_id]


def clients_of(dragon):
    return types.SimpleNamespace(dragon=lambda: dragon)


RECORD = {'source_policy_id': 'pol-a', 'source_policy_name': 'web',
          'members': [
              {'resource_type': 'volume', 'resource_id': 'b-vol',
               'source_id': 'a-vol'},
              {'resource_type': 'server', 'resource_id': 'b-srv',
               'source_id': 'a-srv'}]}


class Events(list):
    def __call__(self, level, message, resource=None):
        self.append((level, message))


def test_the_run_suspends_the_original_policy():
    dragon, events = HomeDragon(), Events()

    state = failback_home.suspend(clients_of(dragon), RECORD, 'RegionOne',
                                  events)

    assert dragon.policy['status'] == 'suspended'
    assert state == {'policy_id': 'pol-a', 'status_before': 'active',
                     'suspended': True, 'error': None}
    assert 'suspended' in events[-1][1]


def test_a_policy_suspended_already_stays_so_on_a_rollback():
    dragon, events = HomeDragon(status='suspended'), Events()

    state = failback_home.suspend(clients_of(dragon), RECORD, 'RegionOne',
                                  events)
    after = failback_home.resume(clients_of(dragon), state, 'RegionOne',
                                 events)

    assert not state['suspended'] and after.get('resumed') is None
    assert dragon.calls == [] and dragon.policy['status'] == 'suspended'


def test_the_commit_makes_a_policy_suspended_by_hand_active():
    # Suspended when the home site came back, as the docs advise.
    dragon, events = HomeDragon(status='suspended'), Events()
    state = failback_home.suspend(clients_of(dragon), RECORD, 'RegionOne',
                                  events)

    after = failback_home.resume(clients_of(dragon), state, 'RegionOne',
                                 events, [])

    assert after['resumed'] and dragon.policy['status'] == 'active'


@pytest.mark.parametrize('error', [
    ks_exc.EndpointNotFound('no dr endpoint in RegionOne'),
    ks_exc.ConnectFailure('connection refused'),
    ClientError(503, 'Service Unavailable')])
def test_an_unreachable_home_dragon_is_a_warning_not_a_failure(error):
    dragon, events = HomeDragon(), Events()
    dragon.error = error

    state = failback_home.suspend(clients_of(dragon), RECORD, 'RegionOne',
                                  events)

    assert not state['suspended']
    assert state['error'].startswith('not suspended: ')
    [(level, message)] = events
    assert level == 'warning'
    assert 'pol-a at RegionOne' in message
    assert 'dr policy set' in message


def test_no_original_policy_known_is_said():
    events = Events()

    state = failback_home.suspend(clients_of(None), {}, 'RegionOne', events)

    assert state['error'] == 'no original policy known'
    assert events[0][0] == 'warning'


def test_moved_members_map_the_originals_to_the_new_stack():
    moved = failback_home.moved_members(RECORD, [
        {'id': 'b-vol', 'target_id': 'a-vol-new'},
        {'id': 'b-net', 'target_id': 'a-net-new'}])

    assert moved == [
        {'resource_type': 'volume', 'source_id': 'a-vol',
         'home_id': 'a-vol-new'},
        {'resource_type': 'server', 'source_id': 'a-srv', 'home_id': None}]


def test_commit_moves_the_members_and_resumes_the_policy():
    dragon, events = HomeDragon(status='suspended'), Events()
    state = {'policy_id': 'pol-a', 'status_before': 'active',
             'suspended': True, 'error': None}
    moved = [{'resource_type': 'volume', 'source_id': 'a-vol',
              'home_id': 'a-vol-new'},
             {'resource_type': 'server', 'source_id': 'a-srv',
              'home_id': 'a-srv-new'}]

    after = failback_home.resume(clients_of(dragon), state, 'RegionOne',
                                 events, moved)
    again = failback_home.resume(clients_of(dragon), after, 'RegionOne',
                                 events, moved)

    assert sorted(dragon.members_of) == ['a-srv-new', 'a-vol-new']
    # Each keeps its action and options.
    assert dragon.members_of['a-srv-new']['options'] == {'x': 1}
    assert dragon.policy['status'] == 'active'
    assert after['resumed'] and after['members_moved']
    assert after['error'] is None and again['error'] is None
    # Done again (a commit closed again): nothing added twice.
    assert [c[0] for c in dragon.calls].count('add') == 2


def test_a_member_not_recovered_is_kept_and_said():
    dragon, events = HomeDragon(status='suspended'), Events()
    state = {'policy_id': 'pol-a', 'suspended': True}

    failback_home.resume(clients_of(dragon), state, 'RegionOne', events, [
        {'resource_type': 'volume', 'source_id': 'a-vol', 'home_id': None}])

    assert 'a-vol' in dragon.members_of
    assert any(level == 'warning' and 'a-vol' in message
               for level, message in events)


def test_a_commit_that_cannot_reach_home_keeps_the_error():
    dragon, events = HomeDragon(status='suspended'), Events()
    dragon.error = ks_exc.ConnectFailure('refused')

    after = failback_home.resume(clients_of(dragon), {
        'policy_id': 'pol-a', 'suspended': True}, 'RegionOne', events, [])

    assert after['error'].startswith('not moved to the recovered workload')
    assert events[-1][0] == 'warning'


def test_a_server_rebuilt_in_place_keeps_its_member():
    dragon, events = HomeDragon(status='suspended'), Events()
    state = {'policy_id': 'pol-a', 'status_before': 'active',
             'suspended': True, 'error': None}
    # In place: the server is the original (same id), the volume new.
    moved = [{'resource_type': 'volume', 'source_id': 'a-vol',
              'home_id': 'a-vol-new'},
             {'resource_type': 'server', 'source_id': 'a-srv',
              'home_id': 'a-srv'}]

    after = failback_home.resume(clients_of(dragon), state, 'RegionOne',
                                 events, moved)

    assert sorted(dragon.members_of) == ['a-srv', 'a-vol-new']
    assert dragon.members_of['a-srv']['options'] == {'x': 1}
    assert ('remove', 'a-srv') not in dragon.calls
    assert after['members_moved'] and after['error'] is None

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

"""The engine's entry points hand each recovery on by its mode.

The modules they hand it to are replaced by recorders: these tests are
about which one gets the row, and about what ``delete`` keeps or drops.
"""

import types

import pytest

from dragon.db import api as db_api
from dragon import exception
from dragon.protection import recorder as rec
from dragon.recovery import relaunch
from dragon.recovery import takeover
from dragon.recovery import workflow


class Recorder:
    def __init__(self, *args, **kwargs):
        self.events = []
        self.flushes = []
        Recorder.last = self

    def event(self, level, message, resource=None):
        self.events.append((level, message))

    def flush(self, **values):
        self.flushes.append(values)


@pytest.fixture
def row(monkeypatch):
    """The recovery row the entry points read; its deletion recorded."""
    found = types.SimpleNamespace(
        id='rec-1', mode='failover', status='succeeded', claim='c1',
        stack_id='stack-1', stack_name='s', restored={'img': {'image_id':
                                                             'i-1'}},
        trust_id='t1', target_region='RegionTwo')
    found.deleted = []
    monkeypatch.setattr(db_api, 'recovery_get', lambda ctx, rid: found)
    monkeypatch.setattr(db_api, 'recovery_delete',
                        lambda ctx, rid: found.deleted.append(rid))
    monkeypatch.setattr(rec, 'RunRecorder', Recorder)
    monkeypatch.setattr(relaunch, 'trust_clients', lambda conf, r: 'clients')
    return found


def test_delete_tears_down_what_the_row_records_then_drops_it(
        row, monkeypatch):
    torn = []
    monkeypatch.setattr(relaunch.Recovery, 'teardown', lambda self: torn.append(
        (self.clients, self.stack_id, self.restored)))
    workflow.delete('conf', 'rec-1')
    assert torn == [('clients', 'stack-1', {'img': {'image_id': 'i-1'}})]
    assert row.deleted == ['rec-1']


def test_a_failed_teardown_keeps_the_row_in_error(row, monkeypatch):
    def teardown(self):
        raise exception.StackFailed(stack='s', status='DELETE_FAILED',
                                    reason='Heat said no')
    monkeypatch.setattr(relaunch.Recovery, 'teardown', teardown)
    workflow.delete('conf', 'rec-1')
    assert row.deleted == []
    assert Recorder.last.flushes[-1]['status'] == 'error'
    assert 'DELETE_FAILED' in Recorder.last.flushes[-1]['error']


def test_a_committed_failback_loses_only_its_row(row, monkeypatch):
    # Its stack is the workload at home now.
    row.mode, row.status = 'failback', 'committed'
    monkeypatch.setattr(relaunch.Recovery, 'teardown', pytest.fail)
    monkeypatch.setattr(relaunch, 'trust_clients', pytest.fail)
    workflow.delete('conf', 'rec-1')
    assert row.deleted == ['rec-1']


@pytest.mark.parametrize('mode,expected', [
    ('failover', 'roll_back'), ('drill', 'roll_back'),
    ('in_place', 'take_over_in_place')])
def test_roll_back_hands_the_row_to_the_takeover_of_its_mode(
        row, monkeypatch, mode, expected):
    row.mode = mode
    called = []
    for name in ('roll_back', 'take_over_in_place'):
        monkeypatch.setattr(takeover, name, lambda *args, name=name:
                            called.append((name, args[1])) or True)
    assert workflow.roll_back('conf', 'rec-1', 'c2', 'dead', 'e2')
    assert called == [(expected, row)]


@pytest.mark.parametrize('plan,expected', [
    ([{'key': 'server_web'}], 'in place'), (None, 'new stack')])
def test_a_failback_taken_over_at_home_is_undone_as_it_went(
        row, monkeypatch, plan, expected):
    # In place, the workload's own servers and volumes are put back;
    # never the sweep of a relaunch.
    from dragon.recovery import failback_in_place
    from dragon.recovery import failback_takeover
    row.mode, row.status, row.plan = 'failback', 'recovering', plan
    undone = []
    monkeypatch.setattr(failback_in_place, 'put_back',
                        lambda conf, recovery, clients, recorder:
                        undone.append(('in place', clients)))
    monkeypatch.setattr(takeover, 'remove_made',
                        lambda conf, recovery, clients, recorder, host:
                        undone.append(('new stack', clients)))
    monkeypatch.setattr(
        failback_takeover, 'take_over',
        lambda conf, recovery, claim, recorder, dead, host, remove_made,
        clients, recast: remove_made('home-clients') or True)

    assert workflow.roll_back('conf', 'rec-1', 'c2', 'dead', 'e2')

    assert undone == [(expected, 'home-clients')]


def test_deleting_a_failback_that_went_in_place_puts_it_back(
        row, monkeypatch):
    from dragon.recovery.in_place import closing
    row.mode, row.status = 'failback', 'error'
    row.plan = [{'key': 'volume_data'}]
    put = []
    monkeypatch.setattr(closing, 'put_everything_back',
                        lambda conf, recovery, clients, recorder:
                        put.append(clients))
    monkeypatch.setattr(relaunch.Recovery, 'teardown', pytest.fail)

    workflow.delete('conf', 'rec-1')

    assert put == ['clients'] and row.deleted == ['rec-1']


@pytest.mark.parametrize('mode,module', [('in_place', 'in_place_run'),
                                         ('failback', 'failback_mod')])
@pytest.mark.parametrize('opened,sent', [
    (True, ['recovery_start']),
    (False, ['recovery_start', 'recovery_error'])])
def test_a_run_with_a_window_is_notified_by_the_workflow(
        row, monkeypatch, mode, module, opened, sent):
    """Started, and failed if its window never opened.

    Its end comes when the window closes (finish).
    """
    row.mode = mode
    notified = []
    monkeypatch.setattr(relaunch, 'notify', lambda send, conf, rid, r:
                        notified.append(send.__name__))
    monkeypatch.setattr(getattr(workflow, module), 'run',
                        lambda *args: opened)
    assert workflow.run('conf', 'rec-1') is opened
    assert notified == sent

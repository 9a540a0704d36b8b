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

"""A relaunch whose engine died: everything it made is found and removed.

What it made is on its row, or only in the target: a stack named before
Heat answered, an image or volume tagged when it was created.
"""

import types

from dragon import exception
from dragon.recovery import relaunch
from dragon.recovery.restore import images as images_mod
from dragon.recovery.restore import volumes as volumes_mod
from dragon.recovery import stack as stack_mod
from dragon.recovery import takeover
from tests.unit.recovery.test_workflow import Recorder


def _row(**fields):
    return types.SimpleNamespace(**{
        'id': 'rec-1', 'mode': 'failover', 'stack_id': None,
        'stack_name': 'app-20261123T150000Z', 'policy_id': None,
        'restored': {'img': {'image_id': 'i-1'}}, 'recovery_point': 'c',
        'timeout': 60, **fields})


def _found(monkeypatch, images=(), volumes=()):
    """What the target holds, tagged; the teardown recorded."""
    torn = []
    monkeypatch.setattr(stack_mod, 'get', lambda clients, name: {
        'id': 'stack-by-name'} if name == 'app-20261123T150000Z' else None)
    monkeypatch.setattr(images_mod, 'tagged_images',
                        lambda clients, rid: list(images))
    monkeypatch.setattr(volumes_mod, 'tagged_volumes',
                        lambda ctx: list(volumes))
    monkeypatch.setattr(relaunch.Recovery, 'teardown', lambda self: torn.append(
        (self.stack_id, self.restored)))
    return torn


def test_what_only_the_target_knows_is_removed_too(conf, monkeypatch):
    torn = _found(monkeypatch, images=['i-1', 'i-2'], volumes=['v-7'])
    takeover.remove_made(conf, _row(), 'clients', Recorder())
    assert torn == [('stack-by-name', {
        'img': {'image_id': 'i-1'},
        'untracked-i-2': {'image_id': 'i-2'},
        'untracked-v-7': {'volume_id': 'v-7'}})]


def test_a_recorded_stack_id_is_used_without_a_lookup(conf, monkeypatch):
    torn = _found(monkeypatch)
    takeover.remove_made(conf, _row(stack_id='stack-1'), 'clients',
                         Recorder())
    assert torn[0][0] == 'stack-1'


def test_a_drill_left_half_removed_is_recorded_so(conf, monkeypatch):
    drills, sent = [], []
    monkeypatch.setattr(relaunch, 'trust_clients', lambda conf, r: 'clients')
    monkeypatch.setattr(relaunch, 'record_drill',
                        lambda row, rto, status: drills.append(status))
    monkeypatch.setattr(relaunch, 'notify',
                        lambda send, *args: sent.append(send.__name__))
    _found(monkeypatch)

    def teardown(self):
        raise exception.RecoveryFailed(resource='v-7', reason='in use')
    monkeypatch.setattr(relaunch.Recovery, 'teardown', teardown)
    recorder = Recorder()
    assert not takeover.roll_back(conf, _row(mode='drill'), recorder,
                                  'dead', 'e2')
    final = recorder.flushes[-1]
    assert final['status'] == 'error' and final['torn_down'] is False
    assert 'cleanup incomplete (%s)' % exception.one_line(
        exception.RecoveryFailed(resource='v-7', reason='in use')
    ) in final['error']
    assert drills == ['error'] and sent == ['recovery_error']

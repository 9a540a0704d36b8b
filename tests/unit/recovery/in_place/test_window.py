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

"""Putting volumes back and settling them: idempotent, servers restarted."""

import pytest

from dragon import exception
from dragon.recovery.in_place import swap as swap_mod
from dragon.recovery.in_place import window
from tests.unit.recovery.in_place import fake_cloud


def _swapped(**extra):
    """vol-old replaced by vol-new on srv-web at /dev/vdb."""
    cloud = fake_cloud.Cloud(
        servers={'srv-web': 'ACTIVE'},
        volumes={'vol-old': {'metadata': {swap_mod.REPLACED_TAG: 'rec-1'}},
                 'vol-new': {'status': 'in-use',
                             'attachments': [('srv-web', '/dev/vdb')],
                             'metadata': {swap_mod.RESTORE_TAG: 'rec-1'}}})
    replaced = [{'key': 'volume_data', 'old_volume_id': 'vol-old',
                 'new_volume_id': 'vol-new', 'image_id': None,
                 'server_id': 'srv-web', 'device': '/dev/vdb',
                 'server_status': 'ACTIVE', 'state': window.SWAPPED,
                 **extra}]
    return cloud, replaced


class Log:
    def __init__(self):
        self.saved, self.events = [], []

    def save(self, replaced):
        self.saved.append([dict(r) for r in replaced])

    def event(self, level, message, resource=None):
        self.events.append((level, message))


def test_put_back_moves_the_old_volume_back_and_deletes_the_new(
        monkeypatch):
    cloud, replaced = _swapped()
    followed = []
    monkeypatch.setattr(window, 'follow_member',
                        lambda *args: followed.append(args))
    log = Log()
    window.put_back(cloud, replaced, log.save, log.event, 'pol-1')
    assert cloud.device_of('vol-old', 'srv-web') == '/dev/vdb'
    assert 'vol-new' not in cloud.vols
    assert swap_mod.REPLACED_TAG not in cloud.vols['vol-old']['metadata']
    assert [c[0] for c in cloud.calls] == ['stop', 'detach', 'attach',
                                           'start', 'delete']
    assert cloud.servers['srv-web'] == 'ACTIVE'
    assert log.saved[-1][0]['state'] == window.ROLLED_BACK
    assert followed == [('pol-1', 'vol-new', 'vol-old')]
    # Again: nothing left to do, nothing done.
    cloud.calls.clear()
    window.put_back(cloud, replaced, log.save, log.event)
    assert cloud.calls == []


def test_put_back_after_a_crash_mid_swap_finishes_the_job(monkeypatch):
    # The engine died after the old volume was detached, before the new
    # one was attached: the server was stopped and is SHUTOFF.
    cloud, replaced = _swapped(state=window.READY)
    cloud.vols['vol-new'].update(status='available', attachments=[])
    cloud.servers['srv-web'] = 'SHUTOFF'
    monkeypatch.setattr(window, 'follow_member', pytest.fail)
    window.put_back(cloud, replaced, Log().save, Log().event)
    assert cloud.device_of('vol-old', 'srv-web') == '/dev/vdb'
    assert 'vol-new' not in cloud.vols
    # It was ACTIVE before the restore: started again.
    assert cloud.servers['srv-web'] == 'ACTIVE'


def test_a_server_that_was_stopped_stays_stopped(monkeypatch):
    cloud, replaced = _swapped(server_status='SHUTOFF')
    monkeypatch.setattr(window, 'follow_member', lambda *args: None)
    window.put_back(cloud, replaced, Log().save, Log().event)
    assert cloud.servers['srv-web'] == 'SHUTOFF'
    assert 'start' not in [c[0] for c in cloud.calls]


def test_a_failed_step_keeps_what_was_done_for_the_next_try(monkeypatch):
    cloud, replaced = _swapped()
    monkeypatch.setattr(window, 'follow_member', lambda *args: None)
    cloud.fail_on = 'attach'
    with pytest.raises(exception.RecoveryFailed):
        window.put_back(cloud, replaced, Log().save, Log().event)
    assert replaced[0]['state'] == window.SWAPPED
    cloud.fail_on = None
    window.put_back(cloud, replaced, Log().save, Log().event)
    assert cloud.device_of('vol-old', 'srv-web') == '/dev/vdb'
    assert replaced[0]['state'] == window.ROLLED_BACK


@pytest.mark.parametrize('keep_old', [False, True])
def test_settle_makes_the_new_volume_the_workloads(keep_old):
    cloud, replaced = _swapped()
    log = Log()
    window.settle(cloud, replaced, keep_old, log.save, log.event)
    assert cloud.vols['vol-new']['metadata'] == {}
    assert cloud.device_of('vol-new', 'srv-web') == '/dev/vdb'
    if keep_old:
        assert cloud.vols['vol-old']['metadata'] == {
            swap_mod.REPLACED_TAG: 'rec-1'}
        assert replaced[0]['state'] == window.KEPT
    else:
        assert 'vol-old' not in cloud.vols
        assert replaced[0]['state'] == window.COMMITTED
    assert not [c for c in cloud.calls if c[0] in ('stop', 'detach')]


def test_settle_refuses_a_swap_that_is_not_done():
    cloud, replaced = _swapped(state=window.READY)
    with pytest.raises(exception.RecoveryFailed) as refused:
        window.settle(cloud, replaced, False, Log().save, Log().event)
    assert 'only a rollback can close it' in str(refused.value)
    assert 'vol-old' in cloud.vols


def test_follow_member_renames_a_direct_member(monkeypatch):
    from dragon.db import api as db_api
    member = type('M', (), {'exclusive_resource_id': 'vol-old'})()
    updates = []
    monkeypatch.setattr(db_api, 'policy_member_get',
                        lambda ctx, pid, rid: member)
    monkeypatch.setattr(db_api, 'policy_member_update',
                        lambda ctx, pid, rid, values: updates.append(
                            (pid, rid, values)))
    assert window.follow_member('pol-1', 'vol-old', 'vol-new')
    assert updates == [('pol-1', 'vol-old', {
        'resource_id': 'vol-new', 'exclusive_resource_id': 'vol-new'})]
    assert not window.follow_member(None, 'vol-old', 'vol-new')

    def missing(ctx, pid, rid):
        raise exception.MemberNotFound(policy_id=pid, resource_id=rid)
    monkeypatch.setattr(db_api, 'policy_member_get', missing)
    assert not window.follow_member('pol-1', 'vol-old', 'vol-new')


# -- servers rebuilt in place
def _rebuilt():
    cloud = fake_cloud.Cloud(servers={'srv-web': 'ACTIVE'},
                             images={'srv-web': 'img-restored'})
    replaced = [{'key': 'server_web', 'kind': window.SERVER,
                 'server_id': 'srv-web', 'previous_image_id': 'img-base',
                 'saved_image_id': 'img-saved',
                 'restored_image_id': 'img-restored',
                 'server_status': 'ACTIVE', 'state': window.SWAPPED}]
    return cloud, replaced


def test_rollback_rebuilds_the_server_from_its_saved_disk():
    cloud, replaced = _rebuilt()
    log = Log()
    window.put_back(cloud, replaced, log.save, log.event)
    assert [c[:2] for c in cloud.calls] == [
        ('stop', 'srv-web'), ('rebuild', 'srv-web'), ('start', 'srv-web'),
        ('delete_image', 'img-restored')]
    assert cloud.images['srv-web'] == 'img-saved'
    # The server runs from the saved image: kept, untagged.
    assert cloud.images_deleted == ['img-restored']
    assert cloud.untagged == [('img-saved', swap_mod.REPLACED_TAG)]
    assert replaced[0]['state'] == window.ROLLED_BACK
    # Again (an engine taking over): nothing more moves.
    cloud.calls.clear()
    replaced[0]['state'] = window.SWAPPED
    window.put_back(cloud, replaced, log.save, log.event)
    assert [c[0] for c in cloud.calls] == []


def test_commit_keeps_the_restored_image_and_deletes_the_saved_disk():
    cloud, replaced = _rebuilt()
    log = Log()
    window.settle(cloud, replaced, False, log.save, log.event)
    assert cloud.images_deleted == ['img-saved']
    assert cloud.untagged == [('img-restored', swap_mod.RESTORE_TAG)]
    assert cloud.images['srv-web'] == 'img-restored'
    assert replaced[0]['state'] == window.COMMITTED
    assert [c[0] for c in cloud.calls] == ['delete_image']


def test_an_expired_window_keeps_the_saved_disk_tagged():
    cloud, replaced = _rebuilt()
    log = Log()
    window.settle(cloud, replaced, True, log.save, log.event)
    assert cloud.images_deleted == []
    assert replaced[0]['state'] == window.KEPT
    assert any('img-saved' in m and 'kept' in m for _l, m in log.events)

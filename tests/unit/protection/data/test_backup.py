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

"""The cinder_backup data action."""
from keystoneauth1 import exceptions as ks_exc
import pytest

from dragon import exception
from dragon.protection import data
from tests.unit.protection.data import fakes

GiB = 1024 ** 3


def _backup(env, node):
    action = data.get('volume', 'cinder_backup')
    state = action.capture(env.ctx, node)
    try:
        return state, action.transfer(env.ctx, node, state)
    finally:
        action.cleanup(env.ctx, node, state)


def test_first_backup_is_full_the_next_incremental(env):
    vid = env.cloud.add_volume(fakes.pieces_of(b'x'), status='in-use')
    node = fakes.node('volume', vid, options={'container': 'dr-backups'})
    _state, first = _backup(env, node)
    _state, second = _backup(env, node)
    assert first['kind'] == 'cinder_backup'
    assert first['backup']['is_incremental'] is False
    assert second['backup']['is_incremental'] is True
    assert first['backup']['container'] == 'dr-backups'
    assert first['size'] == GiB and sum(env.progress) == 2 * GiB
    assert first['export_allowed'] is True
    assert first['export_record']['backup_service'].endswith('swift')
    backups = env.cloud.objects['backup']
    assert all(b['force'] is True for b in backups.values())
    assert len(backups) == 2          # both kept: they are the data


def test_incremental_off_makes_full_backups(env):
    vid = env.cloud.add_volume(fakes.pieces_of(b'x'))
    node = fakes.node('volume', vid, options={'incremental': False})
    _backup(env, node)
    _state, second = _backup(env, node)
    assert second['backup']['is_incremental'] is False


def test_a_forbidden_export_is_recorded_not_fatal(env):
    env.cloud.export_forbidden = True
    vid = env.cloud.add_volume(fakes.pieces_of(b'x'))
    _state, record = _backup(env, fakes.node('volume', vid))
    assert record['export_allowed'] is False
    assert record['export_record'] is None
    [(code, message)] = env.warnings
    assert code == 'backup_not_exportable'
    assert vid in message and 'admin-only' in message


def test_an_exported_backup_warns_that_import_is_admin_only(env):
    vid = env.cloud.add_volume(fakes.pieces_of(b'x'))
    _state, record = _backup(env, fakes.node('volume', vid))
    assert record['export_allowed'] is True
    [(code, message)] = env.warnings
    assert code == 'backup_import_admin_only'
    assert 'backup:backup-import' in message


@pytest.mark.parametrize('failure', ['backup error', 'GET export_record'])
def test_the_backup_of_a_failed_run_is_deleted(env, failure):
    vid = env.cloud.add_volume(fakes.pieces_of(b'x'))
    node = fakes.node('volume', vid)
    if failure == 'backup error':
        env.cloud.final_status['backup'] = 'error'
    else:
        env.cloud.fail_call[failure] = ks_exc.InternalServerError()
    with pytest.raises(exception.DataActionFailed, match=vid):
        _backup(env, node)
    assert env.cloud.objects['backup'] == {}


def _release(env, record):
    from dragon.protection.data import backup_chain
    return backup_chain.release_checkpoint(
        env.cloud, env.conf, {'data': {'vol': record}})


def test_an_incremental_names_its_chain_base_first(env):
    vid = env.cloud.add_volume(fakes.pieces_of(b'x'))
    node = fakes.node('volume', vid)
    records = [_backup(env, node)[1] for _ in range(3)]
    ids = [r['backup']['id'] for r in records]
    assert records[0]['backup']['parent_id'] is None
    assert [r['backup']['parent_id'] for r in records[1:]] == ids[:2]
    assert [link['id'] for link in records[2]['export_chain']] == ids
    assert [link['is_incremental'] for link in records[2]['export_chain']] \
        == [False, True, True]
    assert all(link['export_record'] for link in records[2]['export_chain'])


def test_a_deleted_checkpoint_deletes_its_backup_after_its_dependents(env):
    vid = env.cloud.add_volume(fakes.pieces_of(b'x'))
    node = fakes.node('volume', vid)
    full, incr = (_backup(env, node)[1] for _ in range(2))
    backups = env.cloud.objects['backup']
    # The base goes first: Cinder would refuse, so it is only marked.
    done = _release(env, full)
    assert 'kept until' in done[0]
    assert backups[full['backup']['id']]['metadata'][
        'dragon_released'] == 'true'
    assert env.cloud.calls.count('DELETE backup') == 0
    # Its incremental goes: both are deleted, the incremental first.
    done = _release(env, incr)
    assert done == ['backup %s deleted' % incr['backup']['id'],
                    'backup %s deleted' % full['backup']['id']]
    for _ in range(10):                   # the fake's deletes settle
        env.cloud.alive('backup')
    assert env.cloud.alive('backup') == []


def test_a_base_still_referenced_stays_when_its_incremental_goes(env):
    vid = env.cloud.add_volume(fakes.pieces_of(b'x'))
    node = fakes.node('volume', vid)
    full, incr = (_backup(env, node)[1] for _ in range(2))
    assert _release(env, incr) == ['backup %s deleted' % incr['backup']['id']]
    assert full['backup']['id'] in env.cloud.objects['backup']
    assert 'dragon_released' not in (env.cloud.objects['backup'][
        full['backup']['id']].get('metadata') or {})
    assert _release(env, full) == ['backup %s deleted' % full['backup']['id']]
    assert _release(env, full) == []       # twice: already gone

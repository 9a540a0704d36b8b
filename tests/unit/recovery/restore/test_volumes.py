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

"""cinder_backup restores, adopted replicas, and cleanup of what was restored."""
import types

from keystoneauth1 import exceptions as ks_exc
import pytest

from dragon import exception
from dragon.protection.data import base
from dragon.recovery import restore
from dragon.recovery.restore import volumes
from tests.unit.protection.data import fakes as data_fakes

GiB = 1024 ** 3
EXPORT = {'backup_service': 'cinder.backup.drivers.swift.SwiftBackupDriver',
          'backup_url': 'eyJpZCI6...'}


def _backup_record(export=True):
    return base.record(
        'cinder_backup', base.CINDER_BACKUP, size=GiB,
        backup={'id': 'bk-src', 'container': 'volumebackups',
                'size_gib': 1},
        export_allowed=export, export_record=EXPORT if export else None,
        volume={'size_gib': 1, 'volume_type': 'file'})


def _replicated_record(size_gib=1):
    return base.record('replicated', base.REPLICATED,
                       volume={'size_gib': size_gib})


def _node(source_id='vol-src'):
    return data_fakes.node('volume', source_id, key='volume_db_1')


def test_a_backup_the_target_knows_is_restored_without_import(env):
    env.cloud.add_backup('bk-src')
    result = restore.restore(env.ctx, 'volume_db_1', _backup_record())
    assert result == {'volume_id': result['volume_id'], 'backup_id': 'bk-src',
                      'backup_imported': False}
    volume = env.cloud.volumes[result['volume_id']]
    assert volume['status'] == 'available'
    assert volume['name'] == 'dragon-restore-volume_db_1-20261123T101500Z'
    # Tagged as the recovery's in the create call, then restored into.
    assert volume['metadata'] == {'dragon_restore': env.ctx.recovery_id,
                                  'dragon_restore_key': 'volume_db_1'}
    calls = env.cloud.calls
    assert calls.index('POST volume') < calls.index('restore backup')
    assert 'import_record' not in env.cloud.calls
    assert sum(env.progress) == GiB
    assert restore.estimate(_backup_record()) == GiB


def test_an_unknown_backup_is_imported_from_its_export_record(env):
    result = restore.restore(env.ctx, 'volume_db_1', _backup_record())
    assert env.cloud.imports == [EXPORT]
    assert result['backup_imported'] is True
    assert result['backup_id'] == 'imported-eyJpZCI6...'
    assert env.cloud.volumes[result['volume_id']]['status'] == 'available'


def test_a_refused_import_says_it_is_admin_only(env):
    env.cloud.import_forbidden = True
    with pytest.raises(exception.RecoveryFailed) as e:
        restore.restore(env.ctx, 'volume_db_1', _backup_record())
    assert e.value.message.startswith('volume_db_1: Cinder in RegionTwo '
                                      'refused to import')
    assert 'admin-only' in e.value.message
    assert env.cloud.volumes == {}


def test_a_backup_without_export_record_and_unknown_here_fails(env):
    with pytest.raises(exception.RecoveryFailed) as e:
        restore.restore(env.ctx, 'volume_db_1', _backup_record(export=False))
    assert 'unknown to Cinder in RegionTwo' in e.value.message
    assert 'no export record' in e.value.message
    assert 'import_record' not in env.cloud.calls


def test_a_failed_restore_deletes_the_new_volume(env):
    env.cloud.add_backup('bk-src')
    env.cloud.final_status['volume'] = 'error_restoring'
    with pytest.raises(exception.ResourceFailed) as e:
        restore.restore(env.ctx, 'volume_db_1', _backup_record())
    assert 'error_restoring' in e.value.message
    assert env.cloud.volumes == {}
    assert 'bk-src' in env.cloud.backups       # the backup is kept


def test_a_replica_is_found_by_its_metadata(env):
    env.cloud.add_volume('other')
    vid = env.cloud.add_volume(metadata={'dragon_replica_of': 'vol-src'})
    result = restore.restore(env.ctx, 'volume_db_1', _replicated_record(),
                             node=_node())
    assert result == {'volume_id': vid, 'adopted': True}
    # Both pages of the volume list were read.
    assert env.cloud.calls.count('GET volumes') == 2
    assert restore.estimate(_replicated_record()) == 0


def test_a_replica_with_the_source_id_is_adopted(env):
    env.cloud.add_volume('vol-src')
    result = restore.restore(env.ctx, 'volume_db_1', _replicated_record(),
                             node=_node())
    assert result['volume_id'] == 'vol-src'


@pytest.mark.parametrize('setup, words', [
    (lambda c: None, 'no replica in RegionTwo'),
    (lambda c: [c.add_volume(metadata={'dragon_replica_of': 'vol-src'})
                for _ in range(2)], '2 volumes in RegionTwo claim'),
    (lambda c: c.add_volume('vol-src', status='in-use'),
     'is in-use, not available'),
    (lambda c: c.add_volume('vol-src', size=1),
     'has 1 GiB, the source volume 2 GiB'),
])
def test_an_unusable_replica_fails_clearly(env, setup, words):
    setup(env.cloud)
    with pytest.raises(exception.RecoveryFailed) as e:
        restore.restore(env.ctx, 'volume_db_1', _replicated_record(2),
                        node=_node())
    assert e.value.message.startswith('volume web (vol-src): ')
    assert words in e.value.message


def test_a_replica_cannot_be_found_without_the_source_id(env):
    with pytest.raises(exception.RecoveryFailed) as e:
        restore.restore(env.ctx, 'volume_db_1', _replicated_record())
    assert "source volume's id is needed" in e.value.message


def test_none_restores_nothing_and_an_unknown_kind_is_refused(env):
    assert restore.restore(env.ctx, 'server_web', base.record(
        'template_only', base.NONE)) == {}
    with pytest.raises(exception.RecoveryFailed) as e:
        restore.restore(env.ctx, 'server_web', {'kind': 'hologram'})
    assert "'hologram' cannot be restored" in e.value.message
    assert env.cloud.calls == []


def test_cleanup_removes_what_was_restored_and_keeps_what_is_not_ours(env):
    image = restore.restore(env.ctx, 'server_web', env.record(b'a' * 3000))
    env.cloud.add_backup('bk-src')
    restored = {
        'server_web': image,
        'volume_db': restore.restore(env.ctx, 'volume_db', _backup_record()),
        'volume_imp': {'volume_id': env.cloud.add_volume(),
                       'backup_id': 'bk-imp', 'backup_imported': True},
        'volume_rep': {'volume_id': env.cloud.add_volume('rep'),
                       'adopted': True},
        'volume_gone': {'volume_id': 'volume-404'},
        'image_gone': {'image_id': 'image-404'},
        'server_none': {},
    }
    env.cloud.calls.clear()
    restore.cleanup(env.ctx, restored)
    assert env.cloud.images == {}
    assert set(env.cloud.volumes) == {'rep'}
    assert 'bk-src' in env.cloud.backups
    assert not any(c.startswith('DELETE backup') for c in env.cloud.calls)
    assert any('imported backup bk-imp is kept' in m for _l, m in env.events)
    restore.cleanup(env.ctx, restored)       # twice is fine


def test_cleanup_tries_everything_then_raises_the_first_error(env):
    first = env.cloud.add_volume()
    second = env.cloud.add_volume()
    env.cloud.volumes[first]['status'] = 'in-use'   # never deletable
    env.ctx.conf.set_override('delete_timeout', 1, group='recovery')
    with pytest.raises(exception.DragonException) as e:
        restore.cleanup(env.ctx, {'a': {'volume_id': first},
                                  'b': {'volume_id': second}})
    assert first in e.value.message
    assert second not in env.cloud.volumes
    assert [level for level, _m in env.events] == ['error']


def test_cleanup_turns_client_errors_into_recovery_failed(env):
    env.cloud.fail_call['DELETE image'] = ks_exc.ServiceUnavailable()
    env.cloud.images['image-1'] = {'id': 'image-1', 'status': 'active'}
    with pytest.raises(exception.RecoveryFailed) as e:
        restore.cleanup(env.ctx, {'server_web': {'image_id': 'image-1'}})
    assert e.value.message.startswith('server_web: removing image image-1')


def test_volumes_tagged_as_the_recoverys_are_found_and_no_others(env):
    mine = env.cloud.add_volume(metadata={'dragon_restore': 'rec-1'})
    env.cloud.add_volume(metadata={'dragon_restore': 'rec-2'})
    env.cloud.add_volume(name='dragon-restore-volume_db_1-20261123T101500Z')
    assert volumes.tagged_volumes(env.ctx) == [mine]


def test_a_rollback_removes_a_tagged_volume_the_row_never_named(
        env, monkeypatch):
    """The engine died after the volume to restore into was created."""
    from dragon.recovery import relaunch
    from dragon.recovery import takeover
    from dragon.recovery import workflow
    lost = env.cloud.add_volume(metadata={'dragon_restore': 'rec-1'},
                                status='restoring-backup', _steps=1,
                                _next='available')
    other = env.cloud.add_volume(metadata={'dragon_restore': 'rec-2'})
    recovery = types.SimpleNamespace(
        id='rec-1', stack_id='stack-9', stack_name='s', restored={},
        recovery_point=env.ctx.checkpoint, mode='failover', timeout=600)
    events = []

    class Recorder:
        def __init__(self, *args, **kwargs):
            pass

        def event(self, level, message, resource=None):
            events.append((level, message))

        def flush(self, **values):
            events.append(('flush', values.get('status'), values.get(
                'torn_down')))

    monkeypatch.setattr(workflow.db_api, 'recovery_get',
                        lambda context, recovery_id: recovery)
    monkeypatch.setattr(workflow.rec, 'RunRecorder', Recorder)
    monkeypatch.setattr(relaunch, 'trust_clients',
                        lambda conf, row: env.cloud)
    monkeypatch.setattr(takeover.images_mod, 'tagged_images',
                        lambda clients, rid: [])
    monkeypatch.setattr(relaunch, 'notify', lambda *args: None)
    monkeypatch.setattr(relaunch.stack_mod, 'delete',
                        lambda *args, **kwargs: None)
    ok = workflow.roll_back(env.ctx.conf, 'rec-1', 'claim', 'dead',
                            'e1')
    assert ok, events
    assert lost not in env.cloud.volumes
    assert other in env.cloud.volumes
    assert events[-1] == ('flush', 'error', True)


def test_an_incremental_is_imported_after_its_chain_base_first(env):
    """Links the target already knows are not imported again."""
    env.cloud.add_backup('bk-full')           # an earlier recovery's
    record = _backup_record()
    record['backup']['id'] = 'bk-incr-2'
    record['export_chain'] = [
        {'id': 'bk-full', 'export_record': _export('full')},
        {'id': 'bk-incr-1', 'export_record': _export('incr-1')},
        {'id': 'bk-incr-2', 'export_record': _export('incr-2')}]
    result = restore.restore(env.ctx, 'volume_db_1', record)
    assert [i['backup_url'] for i in env.cloud.imports] == ['incr-1',
                                                             'incr-2']
    assert result['backup_id'] == 'imported-incr-2'
    assert result['backup_imported'] is True


def _export(url):
    return {'backup_service': 'cinder.backup.drivers.swift',
            'backup_url': url}

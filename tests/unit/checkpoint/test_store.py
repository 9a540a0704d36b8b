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

"""Checkpoint containers: written manifest-last, listed only when complete."""
import datetime
import json

import pytest

from dragon.checkpoint import manifest
from dragon.checkpoint import store
from dragon import exception
from tests.unit.checkpoint.fake_swift import FakeAccount

WHEN = datetime.datetime(2026, 11, 23, 15, 0, 0, tzinfo=datetime.UTC)


def _manifest(checkpoint_id='cp-1', size=10):
    fields = {key: 'x' for key in manifest.REQUIRED_KEYS}
    fields.update(checkpoint_id=checkpoint_id, source_region='RegionOne',
                  finished_at='2026-11-23T15:00:09Z',
                  parameters={'server_a_flavor': {'kind': 'flavor'}},
                  data={'server_a': {'size': size, 'chunks': []}})
    return manifest.build(**fields)


def _write(account, policy_id='pol-1', name='web tier', when=WHEN,
           finish=True, checkpoint_id='cp-1'):
    writer = store.CheckpointWriter(account.connect(), 'proj', policy_id,
                                    name)
    writer.create(when)
    if finish:
        writer.finish(_manifest(checkpoint_id), 'resources: {}\n',
                      [{'message': 'done'}])
    return writer


def test_complete_checkpoint_is_listed_with_its_metadata():
    account = FakeAccount()
    writer = _write(account, name='web tier \u00e9t\u00e9')
    swift = account.connect()
    [point] = store.list_recovery_points(swift, 'proj')
    assert point == {
        'container': writer.container, 'project_id': 'proj',
        'policy_id': 'pol-1', 'policy_name': 'web tier \u00e9t\u00e9',
        'checkpoint_id': 'cp-1', 'created_at': '20261123T150000Z',
        'finished_at': '2026-11-23T15:00:09Z', 'size': 10,
        'source_region': 'RegionOne',
        'format_version': manifest.FORMAT_VERSION,
        'encrypted': False, 'key_ref': None}
    assert store.read_manifest(swift, writer.container)['checkpoint_id'] == 'cp-1'
    template, parameters = store.read_template(swift, writer.container)
    assert template == 'resources: {}\n'
    assert parameters == {'server_a_flavor': {'kind': 'flavor'}}
    assert store.read_events(swift, writer.container) == [{'message': 'done'}]


def test_the_manifest_is_written_last_and_completion_after_it():
    account = FakeAccount()
    writer = _write(account)
    writes = [r for r in account.requests
              if r[0] in ('PUT', 'POST') and r[1] == writer.container]
    assert writes[-2] == ('PUT', writer.container, store.MANIFEST)
    assert writes[-1] == ('POST', writer.container)


def test_incomplete_and_foreign_containers_are_never_offered():
    account = FakeAccount()
    _write(account, finish=False)
    account.connect().put_container('volumebackups')
    account.connect().put_container('dragon_chunks_proj')
    assert store.list_recovery_points(account.connect(), 'proj') == []


def test_listing_filters_by_policy_id_or_name_newest_first():
    account = FakeAccount()
    _write(account, when=WHEN, checkpoint_id='old')
    _write(account, when=WHEN + datetime.timedelta(hours=1),
           checkpoint_id='new')
    _write(account, policy_id='pol-2', name='db', checkpoint_id='db')
    swift = account.connect()
    assert [p['checkpoint_id'] for p in
            store.list_recovery_points(swift, 'proj', 'pol-1')] == ['new', 'old']
    assert [p['checkpoint_id'] for p in
            store.list_recovery_points(swift, 'proj', 'db')] == ['db']
    assert store.list_recovery_points(swift, 'other-project') == []


def test_a_name_taken_in_the_same_second_moves_to_the_next_second():
    account = FakeAccount()
    first = _write(account, policy_id='a', name='web_tier')
    second = _write(account, policy_id='b', name='web tier')
    assert first.container != second.container
    assert second.container.endswith('T150001Z')


def test_delete_unmarks_first_then_removes_everything():
    account = FakeAccount()
    writer = _write(account)
    swift = account.connect()
    store.delete(swift, writer.container)
    assert writer.container not in account.containers
    store.delete(swift, writer.container)      # twice is fine


def test_reading_a_missing_checkpoint_is_not_found():
    account = FakeAccount()
    _write(account, finish=False)
    container = store.checkpoint_containers(account.connect(), 'proj')[0]
    with pytest.raises(exception.RecoveryPointNotFound):
        store.read_manifest(account.connect(), container)


def test_a_newer_format_is_refused_on_read():
    account = FakeAccount()
    writer = _write(account)
    body = json.loads(account.containers[writer.container]['objects'][
        store.MANIFEST][0])
    body['format_version'] = 99
    account.containers[writer.container]['objects'][store.MANIFEST] = (
        json.dumps(body).encode(), {})
    with pytest.raises(exception.UnsupportedCheckpoint, match='newer'):
        store.read_manifest(account.connect(), writer.container)

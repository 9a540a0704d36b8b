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

"""Payloads: versioned wrappers, UTC timestamps, rows as objects or mappings."""

import datetime

from dragon.notifications import payloads
from tests.unit.notifications import rows


def test_a_payload_is_wrapped_with_name_namespace_and_version():
    payload = payloads.checkpoint(rows.checkpoint())
    assert payload['dragon_object.name'] == 'CheckpointPayload'
    assert payload['dragon_object.namespace'] == 'dragon'
    assert payload['dragon_object.version'] == '1.0'
    assert payload['dragon_object.data']['policy_name'] == 'three tier'


def test_timestamps_are_utc_with_z():
    paris = datetime.timezone(datetime.timedelta(hours=1))
    assert payloads.timestamp(datetime.datetime(2026, 3, 1, 3, 0, 0, 5,
                                                tzinfo=paris)) == \
        '2026-03-01T02:00:00Z'
    assert payloads.timestamp(datetime.datetime(2026, 3, 1, 2)) == \
        '2026-03-01T02:00:00Z'
    assert payloads.timestamp('2026-03-01T02:00:00.123+00:00') == \
        '2026-03-01T02:00:00Z'
    assert payloads.timestamp(None) is None


def test_stats_and_missing_attributes():
    row = rows.checkpoint(stats={'stored_bytes': 10, 'uploaded_bytes': 4})
    del row.captured_at, row.warnings
    data = payloads.checkpoint(row)['dragon_object.data']
    assert (data['stored_bytes'], data['uploaded_bytes']) == (10, 4)
    assert data['captured_at'] is None and data['warnings'] == []
    assert payloads.checkpoint({'id': 'c', 'stats': None})[
        'dragon_object.data']['stored_bytes'] == 0


def test_recovery_carries_mode_and_rto():
    data = payloads.recovery(rows.recovery(rto_seconds=12))[
        'dragon_object.data']
    assert data['mode'] == 'drill' and data['rto_seconds'] == 12.0


def test_rpo_falls_back_on_the_policy():
    data = payloads.policy_rpo(rows.policy(), {'achieved_seconds': 90000})[
        'dragon_object.data']
    assert (data['rpo_seconds'], data['state'], data['achieved_seconds']) \
        == (86400, 'missed', 90000.0)


def test_retention_accepts_rows_and_a_kept_list():
    result = {'deleted': [rows.checkpoint()], 'kept': [1, 2], 'errors': ()}
    data = payloads.retention_prune(rows.policy(), result)[
        'dragon_object.data']
    assert data['deleted'] == [{'id': rows.CHECKPOINT_ID,
                                'container': rows.CONTAINER}]
    assert data['kept_count'] == 2 and data['errors'] == []


def test_every_event_type_has_a_payload_and_priority():
    assert set(payloads.EVENTS) == set(payloads.EventType)
    for event_type, (name, priority) in payloads.EVENTS.items():
        assert name in payloads.VERSIONS
        assert (priority == 'error') == event_type.endswith('.error')

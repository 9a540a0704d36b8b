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

"""The statuses are the wire format: their values never change."""

from dragon import statuses


def test_values_are_the_wire_format():
    # Stored in the database, answered by the API, sent in notifications:
    # a renamed value breaks clients and existing rows.
    assert statuses.Checkpoint.ALL == (
        'queued', 'protecting', 'available', 'error', 'deleting')
    assert statuses.Recovery.ALL == (
        'recovering', 'succeeded', 'error', 'deleting', 'awaiting_commit',
        'committing', 'rolling_back', 'committed', 'rolled_back', 'expired')
    assert statuses.Resource.PROTECTION == (
        'pending', 'capturing', 'transferring', 'done', 'error')
    assert statuses.Resource.RECOVERY == (
        'pending', 'capturing', 'transferring', 'restored', 'launched',
        'done', 'error')
    assert statuses.Verification.ALL == ('running', 'ok', 'damaged', 'error')
    assert statuses.Rpo.ALL == ('ok', 'at_risk', 'missed')
    assert statuses.Schedule.ALL == ('active', 'error', 'finished')
    assert statuses.Tick.ALL == ('started', 'skipped', 'missed', 'error')
    assert statuses.Policy.ALL == ('active', 'suspended')


def test_both_kinds_of_run_share_error_and_deleting():
    # runs.fail_orphans and the service layer's deletes rely on it.
    for kind in (statuses.Checkpoint, statuses.Recovery):
        assert kind.ERROR == statuses.Run.ERROR
        assert kind.DELETING == statuses.Run.DELETING
        assert {kind.ERROR, kind.DELETING} <= set(kind.ALL)
    assert set(statuses.Checkpoint.ACTIVE) <= set(statuses.Checkpoint.ALL)
    assert set(statuses.Recovery.ENDED) <= set(statuses.Recovery.ALL)

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

"""Checkpoint container names: built, bounded, sortable and parsed back."""
import datetime

from dragon.checkpoint import naming

WHEN = datetime.datetime(2026, 11, 23, 15, 4, 5, tzinfo=datetime.UTC)


def test_name_holds_project_policy_and_utc_time():
    name = naming.checkpoint_container('9f0a', 'web tier/1', WHEN)
    assert name == 'dragon_9f0a_web-tier-1_20261123T150405Z'
    parsed = naming.parse(name)
    assert (parsed.project, parsed.policy, parsed.time) == (
        '9f0a', 'web-tier-1', WHEN)


def test_underscores_and_unicode_never_split_fields():
    name = naming.checkpoint_container('p1', 'my_policy_\u00e9t\u00e9', WHEN)
    assert name.count('_') == 3
    assert naming.parse(name).policy == 'my-policy-\u00e9t\u00e9'


def test_other_time_zones_are_written_in_utc():
    tz = datetime.timezone(datetime.timedelta(hours=2))
    name = naming.checkpoint_container('p', 'x', WHEN.astimezone(tz))
    assert name.endswith('_20261123T150405Z')


def test_long_policy_names_are_cut_to_swifts_limit():
    name = naming.checkpoint_container('p' * 64, 'n' * 1000, WHEN)
    assert len(name.encode()) == naming.MAX_CONTAINER_BYTES
    assert naming.parse(name).project == 'p' * 64


def test_multibyte_names_are_cut_on_a_letter_boundary():
    name = naming.checkpoint_container('p', '\u00e9' * 300, WHEN)
    assert len(name.encode()) <= naming.MAX_CONTAINER_BYTES
    assert naming.parse(name).policy.strip('\u00e9') == ''


def test_names_of_one_policy_sort_by_time():
    later = WHEN + datetime.timedelta(seconds=1)
    names = [naming.checkpoint_container('p', 'x', t) for t in (later, WHEN)]
    assert sorted(names) == names[::-1]


def test_chunk_container_and_foreign_containers_are_not_checkpoints():
    assert naming.parse(naming.chunk_container('p')) is None
    for other in ('volumebackups', 'dragon_p_x', 'dragon_p_x_2026',
                  'dragon_p_x_20261399T000000Z'):
        assert naming.parse(other) is None
    assert naming.checkpoint_container('p', 'x', WHEN).startswith(
        naming.project_prefix('p'))

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

"""Committed in-place replacements followed from a checkpoint's id to today's."""

import types

from dragon import context
from dragon.db import api as db_api
from dragon.recovery.in_place import lineage
from dragon.recovery.in_place import window
from tests.unit.recovery.in_place import fakes


def _swap(old, new, state=window.COMMITTED, kind='volume', **more):
    return {'key': 'volume_data', 'kind': kind, 'old_volume_id': old,
            'new_volume_id': new, 'state': state, **more}


def _recovery(*entries):
    return types.SimpleNamespace(replaced=list(entries))


def test_a_chain_of_commits_is_followed_to_its_end():
    follows = lineage.replacements([
        _recovery(_swap('vol-a', 'vol-b')), _recovery(_swap('vol-b', 'vol-c'))])
    assert lineage.resolve(follows, 'vol-a') == 'vol-c'
    assert lineage.resolve(follows, 'vol-b') == 'vol-c'
    assert lineage.resolve(follows, 'vol-x') == 'vol-x'
    assert lineage.current_ids(follows, ['vol-a', 'vol-c', 'vol-x']) == {
        'vol-a': 'vol-c'}


def test_a_recreated_volume_and_an_expired_window_count():
    follows = lineage.replacements([
        _recovery(_swap('vol-a', 'vol-b', state=window.KEPT)),
        # b deleted later, recreated by a committed restore as d.
        _recovery(_swap(None, 'vol-d', recreates='vol-b'))])
    assert lineage.resolve(follows, 'vol-a') == 'vol-d'


def test_what_was_rolled_back_or_never_swapped_is_not_followed():
    follows = lineage.replacements([_recovery(
        _swap('vol-a', 'vol-b', state=window.ROLLED_BACK),
        _swap('vol-c', None),
        {'key': 'server_web', 'kind': 'server', 'server_id': 'srv-web',
         'state': window.COMMITTED},
        # Entries written before servers were rebuilt have no kind.
        {'key': 'v', 'old_volume_id': 'vol-e', 'new_volume_id': 'vol-f',
         'state': window.COMMITTED})])
    assert follows == {'vol-e': 'vol-f'}


def test_the_later_replacement_of_a_volume_wins_and_a_loop_ends():
    follows = lineage.replacements([
        _recovery(_swap('vol-a', 'vol-b')), _recovery(_swap('vol-a', 'vol-c'))])
    assert lineage.resolve(follows, 'vol-a') == 'vol-c'
    assert lineage.resolve({'a': 'b', 'b': 'a'}, 'a') == 'b'


def _create(ctx, status, replaced, region='RegionOne', project='p1',
            mode='in_place'):
    recovery = db_api.recovery_create(ctx, {
        'project_id': project, 'user_id': 'u1', 'mode': mode,
        'recovery_point': 'dragon_p1_app_x', 'target_region': region})
    db_api.recovery_update(ctx, recovery.id, {'status': status,
                                              'replaced': replaced})
    return recovery


def test_load_reads_the_projects_closed_restores_in_the_region(db):
    ctx = context.get_admin_context()
    _create(ctx, 'committed', [_swap('vol-data', 'vol-b')])
    _create(ctx, 'expired', [_swap('vol-b', 'vol-c', state=window.KEPT)])
    # Not followed: open, rolled back, another project, another region.
    _create(ctx, 'awaiting_commit', [_swap('vol-c', 'vol-x',
                                           state=window.SWAPPED)])
    _create(ctx, 'rolled_back', [_swap('vol-c', 'vol-y',
                                       state=window.COMMITTED)])
    _create(ctx, 'committed', [_swap('vol-c', 'vol-z')], project='p2')
    _create(ctx, 'committed', [_swap('vol-c', 'vol-w')], region='RegionTwo')
    assert lineage.load(ctx, 'p1', 'RegionOne', fakes.manifest()) == {
        'vol-data': 'vol-c'}
    assert lineage.load(ctx, 'p2', 'RegionOne', fakes.manifest()) == {}


def test_a_recreated_server_is_followed_once_settled():
    made = {'key': 'server_web', 'kind': 'new_server', 'recreates': 'srv-a',
            'server_id': 'srv-b', 'state': window.COMMITTED}
    rolled = {**made, 'recreates': 'srv-c', 'server_id': 'srv-d',
              'state': window.ROLLED_BACK}
    follows = lineage.replacements([_recovery(made, rolled)])
    assert follows == {'srv-a': 'srv-b'}

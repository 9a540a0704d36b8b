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

"""The old spellings of ``openstack dr`` commands still work, and say so."""

import pytest

from dragon.osc.v1 import deprecated

# (old words, new words): protections of two policies, as a policy
# runs one protection at a time.
OLD_AND_NEW = [
    (('protect', 'web'), ('policy', 'protect', 'db')),
    (('checkpoint', 'events', '{checkpoint}'),
     ('checkpoint', 'event', 'list', '{checkpoint}')),
    (('checkpoint', 'template', '{checkpoint}'),
     ('checkpoint', 'template', 'show', '{checkpoint}')),
    (('recover', '{checkpoint}', '--target-region', 'RegionTwo'),
     ('recovery', 'create', '{checkpoint}', '--target-region', 'RegionTwo')),
    (('recovery', 'events', '{recovery}'),
     ('recovery', 'event', 'list', '{recovery}')),
]


@pytest.fixture
def ids(api):
    policy = api.add_policy('web', members=[
        {'resource_type': 'server', 'resource_id': 's1',
         'resource_name': 'web-1', 'action': 'image_snapshot'}])
    api.add_policy('db', members=[
        {'resource_type': 'volume', 'resource_id': 'v1',
         'resource_name': 'data', 'action': 'snapshot_data'}])
    checkpoint = api.add_checkpoint(policy, status='available')
    api.templates[checkpoint['id']] = {
        'template': 'heat_template_version: 2021-04-16\n', 'parameters': {}}
    recovery = api.add_recovery(checkpoint, status='succeeded')
    return {'checkpoint': checkpoint['id'], 'recovery': recovery['id']}


def _command(words):
    """The command's name: the words before its arguments."""
    return ' '.join(w for w in words if w.isalpha() and w.islower()
                    and w not in ('web', 'db'))


def _filled(words, ids):
    return [word.format(**ids) for word in words]


@pytest.mark.parametrize('old,new', OLD_AND_NEW)
def test_old_spelling_runs_the_new_command_with_one_warning(
        api, openstack, ids, old, new):
    new_result = openstack('dr', *_filled(new, ids), '-f', 'json')
    old_result = openstack('dr', *_filled(old, ids), '-f', 'json')
    assert new_result.code == old_result.code == 0, old_result.err
    assert new_result.err == ''
    assert old_result.err.splitlines() == [
        'Warning: "openstack dr %s" is deprecated and will be removed; use '
        '"openstack dr %s".' % (_command(old), _command(new))]
    # The checkpoint and recovery IDs are new on every run: compare keys.
    old_out, new_out = old_result.json(), new_result.json()
    assert type(old_out) is type(new_out)
    if isinstance(new_out, dict):
        assert old_out.keys() == new_out.keys()


def test_help_marks_the_old_spelling_deprecated_and_hides_it(openstack):
    result = openstack('help', 'dr', 'recover')
    assert result.code == 0
    assert 'DEPRECATED: use "openstack dr recovery create".' in result.out
    listing = openstack('--help').out
    assert 'dr recovery create' in listing
    assert 'dr recover ' not in listing
    assert 'dr checkpoint events' not in listing


def test_every_alias_is_deprecated_and_names_a_real_command():
    for alias in (deprecated.Protect, deprecated.CheckpointEvents,
                  deprecated.CheckpointTemplate, deprecated.Recover,
                  deprecated.RecoveryEvents):
        assert alias.deprecated is True
        assert alias.__mro__[1].deprecated is False

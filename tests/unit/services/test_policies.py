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

"""The service rules without HTTP: options completion, member action changes."""

import pytest

from dragon.cloud import caller
from dragon import context as dragon_context
from dragon import exception
from dragon.services import policies


@pytest.fixture
def ctx(db, monkeypatch):
    for getter in ('server_get', 'volume_get'):
        monkeypatch.setattr(caller, getter, lambda c, i: {
            'id': i, 'name': 'n-' + i, 'status': 'ACTIVE',
            'project_id': None})
    return dragon_context.RequestContext(user_id='u1', project_id='p1',
                                         roles=['member'])


def test_patch_merges_options_by_key(ctx):
    policy = policies.policy_create(ctx, {'name': 'a', 'options': {
        'retention': {'keep_last': 3}}})
    updated = policies.policy_update(ctx, policy, {'options': {
        'consistent': True}})
    assert updated.options == {'consistent': True, 'strict': False,
                               'rpo': None, 'verify_every_days': None,
                               'retention': {'keep_last': 3}}


def test_changing_the_action_resets_options(ctx):
    policy = policies.policy_create(ctx, {'name': 'a'})
    policies.member_create(ctx, policy, {
        'resource_type': 'server', 'resource_id': 's1',
        'options': {'keep_image': True}})
    member = policies.member_update(ctx, policy, 's1',
                                    {'action': 'template_only'})
    assert (member.action, member.options) == ('template_only', {})
    assert member.exclusive_resource_id is None
    member = policies.member_update(ctx, policy, 's1',
                                    {'action': 'image_snapshot'})
    assert member.exclusive_resource_id == 's1'


def test_missing_resource_names_type_and_id(ctx, monkeypatch):
    monkeypatch.setattr(caller, 'volume_get', lambda c, i: None)
    policy = policies.policy_create(ctx, {'name': 'a'})
    with pytest.raises(exception.ResourceNotFound, match='Volume v9'):
        policies.member_create(ctx, policy, {'resource_type': 'volume',
                                             'resource_id': 'v9'})


def _encrypted_volume(monkeypatch):
    monkeypatch.setattr(caller, 'volume_get', lambda c, i: {
        'id': i, 'name': 'db', 'status': 'available', 'project_id': None,
        'encrypted': True, 'volume_type': 'luks'})


@pytest.mark.parametrize('action', ['snapshot_data', 'cinder_backup',
                                    'replicated'])
def test_a_volume_cinder_encrypts_is_refused_as_a_member(ctx, monkeypatch,
                                                         action):
    _encrypted_volume(monkeypatch)
    policy = policies.policy_create(ctx, {'name': 'a'})
    with pytest.raises(exception.Invalid) as caught:
        policies.member_create(ctx, policy, {
            'resource_type': 'volume', 'resource_id': 'v1',
            'action': action})
    assert caught.value.code == 400
    assert 'volume v1 is encrypted by Cinder (volume type luks)' in str(
        caught.value)
    assert policies.member_list(ctx, policy) == []


def test_changing_a_members_action_asks_the_type_again(ctx, monkeypatch):
    policy = policies.policy_create(ctx, {'name': 'a'})
    policies.member_create(ctx, policy, {'resource_type': 'volume',
                                         'resource_id': 'v1'})
    _encrypted_volume(monkeypatch)      # retyped since
    with pytest.raises(exception.Invalid, match='encrypted by Cinder'):
        policies.member_update(ctx, policy, 'v1',
                               {'action': 'cinder_backup'})
    [member] = policies.member_list(ctx, policy)
    assert member.action == 'snapshot_data'


@pytest.fixture
def any_target(monkeypatch):
    """Replication targets accepted without a catalog (checked elsewhere)."""
    from dragon.replication import targets
    monkeypatch.setattr(targets, 'normalize',
                        lambda context, value, conf=None: value or None)
    return {'target_region': 'RegionTwo'}


CINDER_BACKUP = {'resource_type': 'volume', 'resource_id': 'v1',
                 'action': 'cinder_backup'}


def test_a_replicating_policy_refuses_cinder_backup_members(ctx, any_target):
    # cinder-backup's data stays in the protected region's Swift: a copy
    # at the target would be listed there yet could not restore it.
    with pytest.raises(exception.ReplicationTargetInvalid,
                       match='member v1 uses cinder_backup') as caught:
        policies.policy_create(ctx, {'name': 'a', 'members': [CINDER_BACKUP],
                                     'replication': any_target})
    assert caught.value.code == 400
    assert policies.policy_list(ctx) == []

    policy = policies.policy_create(ctx, {'name': 'b',
                                          'replication': any_target})
    with pytest.raises(exception.ReplicationTargetInvalid):
        policies.member_create(ctx, policy, CINDER_BACKUP)
    policies.member_create(ctx, policy, dict(CINDER_BACKUP,
                                             action='snapshot_data'))
    with pytest.raises(exception.ReplicationTargetInvalid):
        policies.member_update(ctx, policy, 'v1', {'action': 'cinder_backup'})
    [member] = policies.member_list(ctx, policy)
    assert member.action == 'snapshot_data'


def test_replication_is_refused_to_a_policy_with_cinder_backup(ctx,
                                                              any_target):
    policy = policies.policy_create(ctx, {'name': 'a',
                                          'members': [CINDER_BACKUP]})
    with pytest.raises(exception.ReplicationTargetInvalid,
                       match='Use snapshot_data for it, or no replication'):
        policies.policy_update(ctx, policy, {'replication': any_target})
    assert policies.policy_get(ctx, policy.id).replication is None

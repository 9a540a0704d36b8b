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

"""The plan: replace what exists, recreate what is gone, leave the rest."""

import pytest

from dragon import exception
from dragon.recovery.in_place import plan as plan_mod
from dragon.recovery.in_place import run as run_mod
from tests.unit.recovery.in_place import fakes

NOW = {'srv-web': {'status': 'ACTIVE', 'flavor': 'm1.small'},
       'srv-db': {'status': 'ACTIVE', 'flavor': 'm1.small'},
       'vol-data': {'status': 'in-use', 'size_gib': 1}}


def _by_id(plan):
    return {e['id']: e for e in plan}


def test_without_a_selection_every_member_is_replaced_or_rebuilt():
    lookup = fakes.lookup_of(NOW)
    plan = _by_id(run_mod.compute(fakes.manifest(), [], lookup))
    assert {i: e['action'] for i, e in plan.items()} == {
        'srv-web': 'rebuild', 'srv-db': 'rebuild', 'vol-data': 'replace',
        'logs': 'refused'}
    assert plan['vol-data']['current_status'] == 'in-use'
    assert 'new volume' in plan['vol-data']['detail']
    assert 'rebuilt' in plan['srv-web']['detail']
    assert 'not supported' in plan['logs']['detail']
    assert all(e['changes'] == [] for e in plan.values())
    # Ports and networks carry no data: not in the plan.
    assert 'port-1' not in plan and 'net-1' not in plan


def test_selecting_the_volume_leaves_the_servers_untouched():
    lookup = fakes.lookup_of(NOW)
    plan = _by_id(run_mod.compute(fakes.manifest(), ['vol-data'], lookup))
    assert plan['vol-data']['action'] == 'replace'
    assert plan['srv-web']['action'] == plan['srv-db']['action'] == \
        'untouched'
    # Only what is selected is looked up.
    assert lookup.asked == ['vol-data']


def test_a_volume_gone_from_the_region_is_recreated():
    now = dict(NOW)
    del now['vol-data']
    plan = _by_id(run_mod.compute(fakes.manifest(), ['vol-data'],
                                  fakes.lookup_of(now)))
    assert plan['vol-data']['action'] == 'recreate'
    assert 'current_status' not in plan['vol-data']


def test_a_server_gone_from_the_region_is_recreated_on_its_networks():
    now = dict(NOW)
    del now['srv-db']
    plan = _by_id(run_mod.compute(fakes.manifest(), ['srv-db'],
                                  fakes.lookup_of(now)))
    assert plan['srv-db']['action'] == 'recreate'
    assert plan['srv-db']['current_id'] == 'srv-db'
    assert 'on the networks (by id) it had' in plan['srv-db']['detail']
    assert plan_mod.summary(plan.values()) == '1 to recreate, 3 untouched'


def test_a_server_recreated_since_is_rebuilt_under_its_current_id():
    now = {**NOW, 'srv-db': None, 'srv-db-2': {'status': 'ACTIVE',
                                               'flavor': 'm1.small'}}

    def lookup(node):
        return now.get({'srv-db': 'srv-db-2'}.get(node.resource.id,
                                                  node.resource.id))
    plan = _by_id(run_mod.compute(fakes.manifest(), ['srv-db'], lookup,
                                  {'srv-db': 'srv-db-2'}))
    entry = plan['srv-db']
    assert (entry['action'], entry['current_id']) == ('rebuild', 'srv-db-2')
    # Not selected, still under the id it has now.
    plan = _by_id(run_mod.compute(fakes.manifest(), ['vol-data'], lookup,
                                  {'srv-db': 'srv-db-2'}))
    assert (plan['srv-db']['action'], plan['srv-db']['current_id']) == (
        'untouched', 'srv-db-2')
    assert entry['detail'].startswith(
        'server srv-db of the checkpoint is server srv-db-2 now')


def test_a_followed_volume_gone_too_is_recreated_under_its_current_id():
    now = dict(NOW)
    del now['vol-data']
    plan = _by_id(run_mod.compute(fakes.manifest(), ['vol-data'],
                                  fakes.lookup_of(now), {'vol-data': 'vol-c'}))
    entry = plan['vol-data']
    assert (entry['action'], entry['current_id']) == ('recreate', 'vol-c')
    assert entry['detail'].startswith(
        'volume vol-data of the checkpoint is volume vol-c now')


def test_shape_changes_are_named():
    now = {**NOW, 'vol-data': {'status': 'in-use', 'size_gib': 3},
           'srv-web': {'status': 'SHUTOFF', 'flavor': 'm1.large'}}
    plan = _by_id(run_mod.compute(fakes.manifest(), [],
                                  fakes.lookup_of(now)))
    assert plan['vol-data']['changes'] == [
        'size 1 GiB at the checkpoint, 3 GiB now']
    assert plan['srv-web']['changes'] == [
        'flavor m1.small at the checkpoint, m1.large now']
    assert plan['srv-db']['changes'] == []


def test_a_server_booted_from_a_volume_is_rebuilt_through_its_boot_volume():
    now = {**NOW, 'srv-web': {'status': 'ACTIVE', 'flavor': 'm1.small'}}
    manifest = fakes.manifest(boot=True)
    plan = _by_id(run_mod.compute(manifest, ['srv-web'],
                                  fakes.lookup_of(now)))
    assert plan['srv-web']['action'] == 'rebuild'
    assert 'boots from a volume' in plan['srv-web']['detail']
    assert 're-imaged' in plan['srv-web']['detail']
    assert plan['vol-data']['action'] == 'replace'
    detail = plan['vol-data']['detail']
    assert detail.startswith('boot volume of server web (srv-web): a copy')
    assert 'written onto it in place by a Nova rebuild' in detail
    # The boot volume alone: the server's line is untouched, the
    # volume's says the server is rebuilt for it.
    plan = _by_id(run_mod.compute(manifest, ['vol-data'],
                                  fakes.lookup_of(now)))
    assert plan['srv-web']['action'] == 'untouched'
    assert 'Nova rebuild of the server' in plan['vol-data']['detail']


def test_an_unknown_resource_is_refused_with_its_id():
    with pytest.raises(exception.SelectionInvalid) as refused:
        run_mod.compute(fakes.manifest(), ['vol-nope'], fakes.lookup_of(NOW))
    assert 'vol-nope' in str(refused.value)


def test_only_the_checkpoints_own_region():
    run_mod.check_region(fakes.manifest('RegionOne'), 'RegionOne')
    with pytest.raises(exception.InPlaceWrongRegion) as refused:
        run_mod.check_region(fakes.manifest('RegionOne'), 'RegionTwo')
    assert refused.value.code == 400
    assert "checkpoint's own region RegionOne, not RegionTwo" in str(
        refused.value)


def test_summary_counts_what_occurs():
    plan = run_mod.compute(fakes.manifest(), ['vol-data'],
                           fakes.lookup_of(NOW))
    assert plan_mod.summary(plan) == '1 to replace, 3 untouched'
    assert plan_mod.summary([]) == 'nothing to restore'


# -- a server booted from a volume, gone from the region
@pytest.mark.parametrize('boot_volume_now', [
    {'status': 'available', 'size_gib': 1}, None])
def test_a_gone_server_booted_from_a_volume_is_recreated_from_a_new_one(
        boot_volume_now):
    """Its boot volume still there (delete_on_termination false) or not."""
    now = {'vol-data': boot_volume_now}
    for resources in (['srv-web'], []):
        plan = _by_id(run_mod.compute(fakes.manifest(boot=True), resources,
                                      fakes.lookup_of(now)))
        server, volume = plan['srv-web'], plan['vol-data']
        assert server['action'] == volume['action'] == 'recreate'
        assert server['detail'].startswith(
            'gone from the region, booted from a volume: a new server is '
            'booted from a new volume holding the checkpoint\'s data of its '
            'boot volume (boot index 0, device /dev/vda')
        assert 'deleted with its new boot volume at rollback' in \
            server['detail']
        assert volume['detail'].startswith(
            'boot volume of server web (srv-web), which is gone from the '
            'region: its checkpoint data is restored into a new volume')
        left = 'this volume, still in the region (available), is left ' \
            'untouched'
        assert (left in volume['detail']) == (boot_volume_now is not None)
        assert volume.get('current_status') == (boot_volume_now or {}).get(
            'status')
        assert volume['changes'] == []


def test_a_boot_volume_alone_under_a_gone_server_is_not_recreated_for_it():
    now = {'vol-data': {'status': 'available', 'size_gib': 1}}
    plan = _by_id(run_mod.compute(fakes.manifest(boot=True), ['vol-data'],
                                  fakes.lookup_of(now)))
    # The server is not selected: its line is untouched and the volume's
    # is the re-image in place, which checks refuses (its server is gone).
    assert plan['srv-web']['action'] == 'untouched'
    assert plan['vol-data']['action'] == 'replace'


def test_a_gone_servers_floating_ip_is_named_in_its_plan_line():
    manifest = fakes.manifest()
    manifest['graph']['nodes'].append({
        'key': 'fip_web', 'type': 'OS::Neutron::FloatingIP', 'id': 'fip-1',
        'name': '172.24.4.9', 'member': False, 'action': None,
        'properties': {'floating_ip_address': '172.24.4.9',
                       'port': 'port_web', 'floating_network': 'net_a'},
        'depends_on': ['port_web']})
    manifest['graph']['nodes'] = [
        {**n, 'properties': {**n['properties'], 'ports': ['port_web']}}
        if n['key'] == 'server_web' else n
        for n in manifest['graph']['nodes']]
    plan = _by_id(run_mod.compute(manifest, ['srv-web', 'srv-db'],
                                  fakes.lookup_of({})))
    assert plan['srv-web']['action'] == plan['srv-db']['action'] == \
        'recreate'
    assert '; its floating IP 172.24.4.9 is associated again with its new ' \
        'port on the same network when it is still the project\'s and ' \
        'free' in plan['srv-web']['detail']
    # The server of no floating IP says nothing of one.
    assert 'floating' not in plan['srv-db']['detail']

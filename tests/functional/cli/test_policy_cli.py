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

"""``openstack dr ...`` run as users run it, against dragon-api on the minicloud.

The real ``openstack`` executable of Dragon's venv, the demo project's
credentials from the minicloud's clouds.yaml, a real server and volume.
"""
import uuid

from keystoneauth1 import exceptions as ksa_exceptions
import pytest

from dragon.client import exceptions
from dragon.client.v1 import client as dr_client
from tests.functional.cli.helpers import assert_one_line_error
from tests.functional.cli.helpers import CLI
from tests.minicloud.layout import REGIONS
from tests.minicloud import resources
from tests.minicloud.waiters import wait_for


@pytest.fixture(scope='module')
def cli(cloud, dragon):
    return CLI(cloud.layout.clouds_yaml)


@pytest.fixture(scope='module')
def workload(cloud, dragon):
    """A server on its own network and a 1 GB volume in the demo project."""
    conn = cloud.connect('demo')
    name = 'ft-cli-' + uuid.uuid4().hex[:8]
    made = {}
    try:
        net = made['network'] = conn.network.create_network(name=name)
        conn.network.create_subnet(network_id=net.id, name=name,
                                   ip_version=4, cidr='10.78.0.0/24')
        image = conn.image.find_image(resources.IMAGE_NAME)
        flavor = conn.compute.find_flavor('m1.tiny')
        made['server'] = conn.compute.create_server(
            name=name, image_id=image.id, flavor_id=flavor.id,
            networks=[{'uuid': net.id}])
        made['volume'] = conn.block_storage.create_volume(size=1, name=name)
        made['server'] = conn.compute.wait_for_server(
            made['server'], status='ACTIVE', interval=0.5, wait=180)
        made['volume'] = wait_for(
            lambda: conn.block_storage.get_volume(made['volume'].id),
            ('available',))
        yield made['server'], made['volume']
    finally:
        if 'server' in made:
            conn.compute.delete_server(made['server'], ignore_missing=True)
            conn.compute.wait_for_delete(made['server'], wait=120)
        if 'volume' in made:
            conn.block_storage.delete_volume(made['volume'],
                                             ignore_missing=True)
        if 'network' in made:
            for port in conn.network.ports(network_id=made['network'].id):
                if port.device_owner in ('', 'compute:nova', 'compute:None'):
                    conn.network.delete_port(port, ignore_missing=True)
            conn.network.delete_network(made['network'], ignore_missing=True)


@pytest.fixture
def policy_name(cloud, dragon):
    """A unique policy name; whatever the test left behind is deleted."""
    name = 'ft-cli-' + uuid.uuid4().hex[:8]
    yield name
    client = dr_client.Client(cloud.connect('demo').session,
                              region_name=REGIONS[0])
    try:
        for policy in client.policies.list(name=name, all_pages=True):
            client.policies.delete(policy['id'])
    except (exceptions.ClientError, ksa_exceptions.ClientException):
        pass   # nothing to clean up where the API is missing or down


def test_resource_type_list(cli):
    rows = cli.json('dr', 'resource', 'type', 'list')
    assert rows and list(rows[0]) == ['Type', 'Action', 'Default',
                                      'Description']
    types = {row['Type'] for row in rows}
    assert {'server', 'volume'} <= types
    for kind in types:
        defaults = [r for r in rows if r['Type'] == kind and r['Default']]
        assert len(defaults) == 1, rows


def test_engine_list_for_admins_only(cloud, cli):
    admin = CLI(cloud.layout.clouds_yaml, cloud_name='admin')
    rows = admin.json('dr', 'engine', 'list')
    assert rows and list(rows[0]) == ['Host', 'Alive', 'Heartbeat At',
                                      'Version', 'Runs']
    assert any(row['Alive'] is True for row in rows), rows
    assert all(set(row['Runs']) == {'checkpoints', 'recoveries'}
               for row in rows)
    assert_one_line_error(cli('dr', 'engine', 'list', check=False),
                          'dragon:engine:list', 'HTTP 403')


def test_protectable_list_shows_the_server(cli, workload):
    server, volume = workload
    rows = cli.json('dr', 'protectable', 'list', '--type', 'server')
    assert {row['Type'] for row in rows} == {'server'}
    mine = [row for row in rows if row['ID'] == server.id]
    assert len(mine) == 1
    assert mine[0]['Name'] == server.name
    assert mine[0]['Policy'] is None
    assert volume.id not in {row['ID'] for row in rows}


def test_policy_life_cycle(cli, workload, policy_name):
    server, volume = workload
    created = cli.json('dr', 'policy', 'create', policy_name,
                       '--description', 'functional test', '--consistent',
                       '--schedule', '0 2 * * *', '--timezone',
                       'America/New_York', '--keep-last', '3', '--rpo', '1d',
                       '--member', 'server:%s' % server.id)
    assert created['name'] == policy_name
    assert created['consistent'] is True
    assert [(s['cron'], s['timezone']) for s in created['schedules']] == [
        ('0 2 * * *', 'America/New_York')]
    assert created['rpo']['state'] == 'ok'
    schedules = cli.json('dr', 'policy', 'schedule', 'list', policy_name)
    assert [row['Cron'] for row in schedules] == ['0 2 * * *']
    assert schedules[0]['Next Run']
    assert created['retention']['keep_last'] == 3
    assert [(m['resource_type'], m['resource_id'])
            for m in created['members']] == [('server', server.id)]

    listed = cli.json('dr', 'policy', 'list', '--name', policy_name)
    assert [row['ID'] for row in listed] == [created['id']]
    assert listed[0]['Members'] == 1
    assert created['id'] in {row['ID'] for row in
                             cli.json('dr', 'policy', 'list', '--long')}

    shown = cli.json('dr', 'policy', 'show', policy_name)
    assert shown['id'] == created['id']
    assert cli.json('dr', 'policy', 'show', created['id'])['name'] == \
        policy_name
    protectable = [row for row in cli.json('dr', 'protectable', 'list',
                                           '--type', 'server')
                   if row['ID'] == server.id]
    assert protectable[0]['Policy'] in (policy_name, created['id'])

    cli('dr', 'policy', 'set', policy_name, '--description', 'changed',
        '--no-consistent', '--no-schedule', '--max-age', '7d')
    shown = cli.json('dr', 'policy', 'show', policy_name)
    assert shown['description'] == 'changed'
    assert shown['consistent'] is False
    assert shown['schedules'] == []
    assert shown['retention'] == {'keep_last': 3, 'max_age': 604800}

    added = cli.json('dr', 'policy', 'member', 'add', policy_name, volume.id,
                     '--type', 'volume')
    assert (added['resource_type'], added['resource_id']) == (
        'volume', volume.id)
    members = cli.json('dr', 'policy', 'member', 'list', policy_name)
    assert {(m['Resource Type'], m['Resource ID']) for m in members} == {
        ('server', server.id), ('volume', volume.id)}

    volume_actions = [row['Action'] for row in
                      cli.json('dr', 'resource', 'type', 'list')
                      if row['Type'] == 'volume']
    cli('dr', 'policy', 'member', 'set', policy_name, volume.id,
        '--action', volume_actions[-1])
    members = cli.json('dr', 'policy', 'member', 'list', policy_name)
    assert [m['Action'] for m in members
            if m['Resource ID'] == volume.id] == [volume_actions[-1]]

    cli('dr', 'policy', 'member', 'remove', policy_name, volume.id)
    members = cli.json('dr', 'policy', 'member', 'list', policy_name)
    assert [m['Resource ID'] for m in members] == [server.id]

    deleted = cli('dr', 'policy', 'delete', policy_name)
    assert deleted.stdout.strip() == (
        'Deleted policy %s; its 0 checkpoints were kept.' % policy_name)
    assert_one_line_error(
        cli('dr', 'policy', 'show', policy_name, check=False),
        "No policy with a name or ID of '%s' exists." % policy_name)


def test_bad_input_is_one_line_on_stderr(cli, workload, policy_name):
    server, volume = workload
    result = cli('dr', 'policy', 'create', policy_name, '--member',
                 'server:%s:no-such-action' % server.id, check=False)
    assert_one_line_error(result, 'no-such-action')
    assert cli.json('dr', 'policy', 'list', '--name', policy_name) == []

    cli('dr', 'policy', 'create', policy_name)
    result = cli('dr', 'policy', 'member', 'add', policy_name, volume.id,
                 '--type', 'volume', '--action', 'no-such-action',
                 check=False)
    assert_one_line_error(result, 'no-such-action')
    assert cli.json('dr', 'policy', 'member', 'list', policy_name) == []
    assert_one_line_error(
        cli('dr', 'policy', 'show', 'ft-cli-no-such-policy', check=False),
        "No policy with a name or ID of 'ft-cli-no-such-policy' exists.")
    cli('dr', 'policy', 'delete', policy_name)


def test_pages_and_deleting_several(cloud, cli, policy_name):
    names = ['%s-%d' % (policy_name, i) for i in range(3)]
    ids = [cli.json('dr', 'policy', 'create', name)['id'] for name in names]
    try:
        # Sorted by name, nothing another test creates can fall between
        # these three.
        first = cli.json('dr', 'policy', 'list', '--limit', '1',
                         '--sort-key', 'name', '--sort-dir', 'desc')
        assert len(first) == 1
        after = cli.json('dr', 'policy', 'list', '--limit', '1',
                         '--marker', ids[0], '--sort-key', 'name',
                         '--sort-dir', 'asc')
        assert [row['ID'] for row in after] == [ids[1]]
        # Every page, one policy at a time, through the API's next links.
        client = dr_client.Client(cloud.connect('demo').session,
                                  region_name=REGIONS[0])
        every = client.policies.list(limit=1, sort_key='name',
                                     sort_dir='asc', all_pages=True)
        mine = [p['id'] for p in every if p['id'] in ids]
        assert mine == ids
        assert len({p['id'] for p in every}) == len(every)

        result = cli('dr', 'policy', 'delete', names[0], ids[1],
                     'ft-cli-no-such-policy', names[2], check=False)
        assert result.returncode == 1
        assert result.stdout.splitlines() == [
            'Deleted policy %s; its 0 checkpoints were kept.' % name
            for name in names]
        assert result.stderr.strip().splitlines() == [
            "Error: No policy with a name or ID of 'ft-cli-no-such-policy' "
            "exists.", 'Error: 1 of 4 policies failed to delete.']
    finally:
        for name in names:
            cli('dr', 'policy', 'delete', name, check=False)

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

"""Fixtures of the CLI tests: the ``openstack`` runner, a client, a server, a policy name."""
import uuid

from keystoneauth1 import exceptions as ksa_exceptions
import pytest

from dragon.client import exceptions
from dragon.client.v1 import client as dr_client
from tests.functional.cli.helpers import CLI
from tests.functional.cli.helpers import gone
from tests.functional.cli.helpers import wait
from tests.minicloud.layout import REGIONS
from tests.minicloud import resources


@pytest.fixture(scope='module')
def cli(cloud, dragon):
    return CLI(cloud.layout.clouds_yaml)


@pytest.fixture(scope='module')
def client(cloud, dragon):
    return dr_client.Client(cloud.connect('demo').session,
                            region_name=REGIONS[0])


@pytest.fixture(scope='module')
def server(cloud, dragon):
    """A server on its own network in RegionOne's demo project."""
    conn = cloud.connect('demo')
    name = 'ft-cp-' + uuid.uuid4().hex[:8]
    made = {}
    try:
        net = made['network'] = conn.network.create_network(name=name)
        conn.network.create_subnet(network_id=net.id, name=name,
                                   ip_version=4, cidr='10.79.0.0/24')
        made['server'] = conn.compute.create_server(
            name=name, image_id=conn.image.find_image(resources.IMAGE_NAME).id,
            flavor_id=conn.compute.find_flavor('m1.tiny').id,
            networks=[{'uuid': net.id}])
        yield conn.compute.wait_for_server(made['server'], status='ACTIVE',
                                           interval=0.5, wait=180)
    finally:
        if 'server' in made:
            conn.compute.delete_server(made['server'], ignore_missing=True)
            conn.compute.wait_for_delete(made['server'], wait=120)
        if 'network' in made:
            for port in conn.network.ports(network_id=made['network'].id):
                if port.device_owner in ('', 'compute:nova', 'compute:None'):
                    conn.network.delete_port(port, ignore_missing=True)
            conn.network.delete_network(made['network'], ignore_missing=True)


@pytest.fixture
def policy_name(client):
    """A unique policy name; its checkpoints and the policy go afterwards."""
    name = 'ft-cp-' + uuid.uuid4().hex[:8]
    yield name
    try:
        for policy in client.policies.list(name=name, all_pages=True):
            for checkpoint in client.checkpoints.list(
                    policy_id=policy['id'], all_pages=True):
                # A checkpoint being protected cannot be deleted yet.
                wait(lambda: client.checkpoints.get(checkpoint['id']),
                     lambda c: c['status'] not in ('queued', 'protecting'))
                client.checkpoints.delete(checkpoint['id'])
                wait(lambda: gone(client.checkpoints.get, checkpoint['id']),
                     bool)
            client.policies.delete(policy['id'])
    except (exceptions.ClientError, ksa_exceptions.ClientException):
        pass   # nothing to clean up where the API is missing or down

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

"""Functional tests talk to the minicloud: real OpenStack services on loopback.

A running, healthy minicloud is reused; otherwise one is started (and left
running, so the next run starts in seconds; ``make cloud-down`` stops it).
Tests marked ``site_loss`` stop a whole region, so they run last and the
cloud is brought back up after them.
"""
import uuid

import pytest

from tests.minicloud import catalog
from tests.minicloud.cloud import MiniCloud
from tests.minicloud.layout import Layout
from tests.minicloud.layout import REGIONS


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: item.get_closest_marker('site_loss') is not None)


class CloudHandle:
    """What a test needs from the running minicloud."""

    def __init__(self, minicloud):
        self.minicloud = minicloud
        self.layout = minicloud.lo

    def connect(self, user='admin', project=None, region=REGIONS[0]):
        project = project or {'admin': 'admin', 'demo_reader': 'demo'}.get(
            user, user)
        return catalog.connect(self.layout, user, project, region)


@pytest.fixture(scope='session')
def cloud():
    minicloud = MiniCloud(Layout.from_env())
    if not minicloud.is_up():
        minicloud.up()
    return CloudHandle(minicloud)


@pytest.fixture
def unique_name():
    return 'ft-' + uuid.uuid4().hex[:8]


def pytest_configure(config):
    # openstacksdk announces its own future removals on every call.
    config.addinivalue_line('filterwarnings', 'ignore::DeprecationWarning')
    config.addinivalue_line(
        'markers', 'site_loss: stops a whole region; runs after every other test')


@pytest.fixture
def private_network(cloud, unique_name, request):
    """A tenant network with a subnet in the demo project of a region."""
    region = request.node.callspec.params.get('region', REGIONS[0])
    conn = cloud.connect('demo', region=region)
    net = conn.network.create_network(name=unique_name)
    subnet = conn.network.create_subnet(
        network_id=net.id, name=unique_name, ip_version=4,
        cidr='10.77.0.0/24')
    yield conn, net, subnet
    for port in conn.network.ports(network_id=net.id):
        if port.device_owner in ('', 'compute:nova', 'compute:None'):
            conn.network.delete_port(port, ignore_missing=True)
    conn.network.delete_network(net, ignore_missing=True)


@pytest.fixture(scope='session')
def dragon(cloud):
    """dragon-api and one dragon-engine on the minicloud, on a fresh MariaDB."""
    from tests.minicloud.bootstrap import create_test_database
    from tests.minicloud.dragon import DragonDeployment
    deployment = DragonDeployment(cloud.layout)
    deployment.down()
    # An account of its own: the database outage test locks it.
    deployment.database_url = create_test_database(
        cloud.layout, 'dragon_functional', own_account=True)
    deployment.up()
    return deployment


@pytest.fixture(scope='session')
def protected(cloud, dragon):
    """A three-tier workload of project demo and its first checkpoint."""
    from tests.functional.protected import Protected
    state = Protected(cloud, dragon.ensure_up())
    try:
        state.setup()
        yield state
    finally:
        state.teardown()


@pytest.fixture
def backup_dragon(cloud):
    """The backup site's Dragon on a database that has never seen anything."""
    from tests.minicloud.bootstrap import create_test_database
    from tests.minicloud.dragon import DragonDeployment
    deployment = DragonDeployment(
        cloud.layout, region=REGIONS[1],
        database_url=create_test_database(cloud.layout, 'dragon_backup'))
    deployment.up()
    yield deployment
    deployment.down()


@pytest.fixture
def two_engines(dragon):
    """The primary site's Dragon with a second engine, for takeover tests."""
    dragon.ensure_up()
    dragon.start_engine(2)
    yield dragon
    dragon.stop_engines()
    dragon.start_engine(1)

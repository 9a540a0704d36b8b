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

"""A recreated server's floating IP: associated again, never taken."""

from openstack import exceptions as sdk_exc
import pytest

from dragon.recovery.in_place import recreate
from dragon.recovery.in_place import run as run_mod
from dragon.recovery.in_place import window
from tests.unit.recovery.in_place.test_apply import _recovery
from tests.unit.recovery.in_place.test_apply import env  # noqa: F401
from tests.unit.recovery.in_place.test_apply import Recorder
from tests.unit.recovery.in_place.test_run import _clients

ADDRESS = '172.24.4.9'
NEW_PORT = 'port-srv-new-2-0'


def _with_floating_ip(nodes):
    """web's port on net-1 (10.0.0.5) with floating IP fip-1."""
    found = []
    for n in nodes:
        if n['key'] == 'port_web':
            n = {**n, 'properties': {'network': 'net_a', 'fixed_ips': [
                {'subnet_id': 'subnet-1', 'ip_address': '10.0.0.5'}]}}
        elif n['key'] == 'server_web':
            n = {**n, 'properties': {**n['properties'], 'ports': ['port_web'],
                                     'image': {'id': 'img-b'}}}
        found.append(n)
    found.append({
        'key': 'fip_web', 'type': 'OS::Neutron::FloatingIP', 'id': 'fip-1',
        'name': ADDRESS, 'member': False, 'action': None,
        'properties': {'floating_ip_address': ADDRESS,
                       'fixed_ip_address': '10.0.0.5', 'port': 'port_web',
                       'floating_network': 'net_a'},
        'depends_on': ['port_web']})
    return found


@pytest.fixture
def gone(env, monkeypatch):  # noqa: F811 - the fixture imported above
    """env with web (a floating IP on its port) deleted; its volume left."""
    env.manifest['graph']['nodes'] = _with_floating_ip(
        env.manifest['graph']['nodes'])
    env.manifest['data']['server_web'] = {'kind': 'image', 'size': 1 << 20}
    env.cloud.servers.pop('srv-web')
    env.cloud.vols['vol-data'].update(status='available', attachments=[])
    monkeypatch.setattr(recreate, 'missing', lambda *args: [])

    def request(clients, graph, node, image_id, recovery_id, event,
                boot_volume_id=None, key=None):
        return {'name': node.resource.name, 'image_id': image_id,
                'networks': [{'uuid': 'net-1', 'fixed_ip': '10.0.0.5'}],
                'metadata': {'dragon_restore': recovery_id,
                             'dragon_restore_key': node.key}}
    monkeypatch.setattr(recreate, 'request', request)
    return env


def _run(env):
    recorder = Recorder()
    ok = run_mod.run(env.conf, _recovery(resources=['srv-web']), _clients(
        servers={}, volumes={'vol-data': {
            'status': 'available', 'size': 1, 'attachments': []}}),
        recorder)
    final = recorder.final()
    assert ok and final['status'] == 'awaiting_commit', final.get('error')
    server = next(r for r in final['replaced'] if r['kind'] == 'new_server')
    return server, final['replaced'], recorder


def _warnings(recorder):
    return [m for level, m, _r in recorder.events if level == 'warning']


def test_a_free_floating_ip_goes_back_on_the_new_port(gone):
    cloud = gone.cloud
    cloud.add_fip('fip-1', ADDRESS)
    server, replaced, recorder = _run(gone)
    assert server['floating_ips'] == [
        {'id': 'fip-1', 'address': ADDRESS, 'port_id': NEW_PORT}]
    assert cloud.fips['fip-1'].port_id == NEW_PORT
    assert ('floating IP %s associated again with server srv-new-2 (port '
            '%s)' % (ADDRESS, NEW_PORT)) in [m for _l, m, _r in
                                            recorder.events]
    assert _warnings(recorder) == []
    # Rollback: taken off the port before the server goes, still the
    # project's.
    cloud.calls.clear()
    window.put_back(cloud, replaced, lambda r: None, lambda *a: None)
    assert [c[0] for c in cloud.calls][:2] == ['disassociate',
                                               'delete_server']
    assert cloud.fips['fip-1'].port_id is None


def test_commit_leaves_it_on_the_server(gone):
    gone.cloud.add_fip('fip-1', ADDRESS)
    _server, replaced, _recorder = _run(gone)
    window.settle(gone.cloud, replaced, False, lambda r: None,
                  lambda *a: None)
    assert gone.cloud.fips['fip-1'].port_id == NEW_PORT


def test_one_released_and_allocated_again_is_found_by_its_address(gone):
    gone.cloud.add_fip('fip-2', ADDRESS)
    server, _replaced, _recorder = _run(gone)
    assert [f['id'] for f in server['floating_ips']] == ['fip-2']
    assert gone.cloud.fips['fip-2'].port_id == NEW_PORT


@pytest.mark.parametrize('allocated,why', [
    (False, 'it is no longer allocated to the project'),
    (True, 'it is in use by port port-other now: it is not taken from it'),
])
def test_one_gone_or_in_use_is_not_taken_and_said(gone, allocated, why):
    cloud = gone.cloud
    if allocated:
        cloud.add_fip('fip-1', ADDRESS, port_id='port-other')
    server, replaced, recorder = _run(gone)
    assert server['floating_ips'] == []
    assert _warnings(recorder) == [
        'floating IP %s of server web not restored: %s' % (ADDRESS, why)]
    assert 'associate' not in {c[0] for c in cloud.calls}
    # A rollback leaves the other port's floating IP where it is.
    window.put_back(cloud, replaced, lambda r: None, lambda *a: None)
    if allocated:
        assert cloud.fips['fip-1'].port_id == 'port-other'
    assert 'disassociate' not in {c[0] for c in cloud.calls}


def test_a_rollback_leaves_one_the_user_moved_since(gone):
    cloud = gone.cloud
    cloud.add_fip('fip-1', ADDRESS)
    _server, replaced, _recorder = _run(gone)
    cloud.fips['fip-1'].port_id = 'port-elsewhere'
    window.put_back(cloud, replaced, lambda r: None, lambda *a: None)
    assert cloud.fips['fip-1'].port_id == 'port-elsewhere'


def test_one_taken_between_the_look_and_the_association_is_said(gone):
    cloud = gone.cloud
    cloud.add_fip('fip-1', ADDRESS)

    def taken(fip_id, port_id, fixed_ip=None):
        raise sdk_exc.ConflictException(
            'Floating IP fip-1 is associated with port port-other')
    cloud.associate = taken
    server, _replaced, recorder = _run(gone)
    assert server['floating_ips'] == []
    [warning] = _warnings(recorder)
    assert warning.startswith('floating IP %s of server web not restored: '
                              'Neutron refused the association' % ADDRESS)

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

"""swap.Cloud's boot-volume calls against a fake openstacksdk connection."""

import types

from openstack import exceptions as sdk_exc
import pytest

from dragon import exception
from dragon.recovery.in_place import swap as swap_mod


class Compute:
    """Nova: a volume-backed server whose rebuild Cinder finishes later."""

    def __init__(self, cinder, answer=202, versions=('2.1', '2.96')):
        self.cinder, self.answer, self.posts = cinder, answer, []
        self.versions = versions
        self.task_state = None

    def get_endpoint_data(self):
        return types.SimpleNamespace(min_microversion=self.versions[0],
                                     max_microversion=self.versions[1])

    def post(self, url, json=None, microversion=None, raise_exc=True):
        self.posts.append((url, json, microversion))
        if self.answer < 400:
            self.task_state = 'rebuilding'
            self.pending = json['rebuild']['imageRef']
        return types.SimpleNamespace(status_code=self.answer,
                                     text='Invalid image')

    def get_server(self, server_id):
        if self.task_state:
            # The next read finds Cinder done and Nova's rebuild over.
            self.cinder.image = self.pending
            self.task_state = None
            return types.SimpleNamespace(status='REBUILD',
                                         task_state='rebuilding')
        return types.SimpleNamespace(status='SHUTOFF', task_state=None)


class BlockStorage:
    def __init__(self):
        self.image = 'img-old'
        self.removed = []

    def get_volume(self, volume_id):
        return types.SimpleNamespace(
            id=volume_id, status='in-use', size=1,
            volume_image_metadata={'image_id': self.image,
                                   'dragon_restore': 'rec-1'})

    def delete_volume_image_metadata(self, volume_id, keys):
        self.removed.append((volume_id, list(keys)))


def _cloud(answer=202, versions=('2.1', '2.96')):
    cinder = BlockStorage()
    compute = Compute(cinder, answer, versions)
    clients = types.SimpleNamespace(connection=types.SimpleNamespace(
        compute=compute, block_storage=cinder))
    conf = types.SimpleNamespace(recovery=types.SimpleNamespace(
        swap_timeout=5, poll_interval=0.01))
    return swap_mod.Cloud(clients, conf), compute, cinder


def test_reimage_asks_nova_once_at_2_93_and_waits_for_cinder():
    cloud, compute, cinder = _cloud()
    cloud.reimage('srv-1', 'vol-root', 'img-new')
    assert compute.posts == [('/servers/srv-1/action',
                              {'rebuild': {'imageRef': 'img-new'}}, '2.93')]
    assert cloud.boot_image('vol-root') == 'img-new'
    # Run again (a takeover): the volume holds the image, nothing asked.
    cloud.reimage('srv-1', 'vol-root', 'img-new')
    assert len(compute.posts) == 1


def test_a_refused_rebuild_says_what_nova_answered():
    cloud, _compute, cinder = _cloud(answer=400)
    with pytest.raises(exception.RecoveryFailed) as refused:
        cloud.reimage('srv-1', 'vol-root', 'img-new')
    assert 'HTTP 400: Invalid image' in str(refused.value)
    assert cinder.image == 'img-old'


@pytest.mark.parametrize('versions,offered', [
    (('2.1', '2.96'), True), (('2.1', '2.93'), True), (('2.1', '2.92'), False),
    ((None, None), False)])
def test_the_re_imaging_rebuild_needs_microversion_2_93(versions, offered):
    _cloud_, compute, _cinder = _cloud(versions=versions)
    assert swap_mod.reimage_offered(compute) is offered


def test_only_the_restore_tags_present_are_removed_from_image_metadata():
    cloud, _compute, cinder = _cloud()
    cloud.untag_boot_image('vol-root', ('dragon_restore',
                                        'dragon_restore_key'))
    assert cinder.removed == [('vol-root', ['dragon_restore'])]


class Neutron:
    """The project's floating IPs (p1's), and the calls that change one."""

    def __init__(self, fips):
        self.fips, self.updates, self.asked = fips, [], []

    def get_ip(self, fip_id):
        if fip_id not in self.fips:
            raise sdk_exc.NotFoundException('no floating IP')
        return self.fips[fip_id]

    def ips(self, **query):
        self.asked.append(query)
        return [f for f in self.fips.values()
                if f.floating_ip_address == query['floating_ip_address']]

    def update_ip(self, fip_id, **attrs):
        self.get_ip(fip_id)
        self.updates.append((fip_id, attrs))


def _neutron_cloud(fips):
    neutron = Neutron(fips)
    clients = types.SimpleNamespace(
        connection=types.SimpleNamespace(network=neutron), project_id='p1')
    conf = types.SimpleNamespace(recovery=types.SimpleNamespace(
        swap_timeout=5, poll_interval=0))
    return swap_mod.Cloud(clients, conf), neutron


def test_a_floating_ip_is_found_by_id_then_by_address_in_the_project():
    fip = types.SimpleNamespace(id='fip-2', floating_ip_address='172.24.4.9')
    cloud, neutron = _neutron_cloud({'fip-2': fip})
    assert cloud.floating_ip('fip-2') is fip and neutron.asked == []
    assert cloud.floating_ip('fip-1', '172.24.4.9') is fip
    assert neutron.asked == [{'floating_ip_address': '172.24.4.9',
                              'project_id': 'p1'}]
    assert cloud.floating_ip('fip-1', '172.24.4.10') is None
    assert cloud.floating_ip('fip-1') is None


def test_associate_names_the_fixed_ip_only_when_asked_and_disassociate():
    cloud, neutron = _neutron_cloud({'fip-1': types.SimpleNamespace(
        id='fip-1')})
    cloud.associate('fip-1', 'port-1')
    cloud.associate('fip-1', 'port-1', '10.0.0.5')
    cloud.disassociate('fip-1')
    cloud.disassociate('fip-gone')          # already released: nothing
    assert neutron.updates == [
        ('fip-1', {'port_id': 'port-1'}),
        ('fip-1', {'port_id': 'port-1', 'fixed_ip_address': '10.0.0.5'}),
        ('fip-1', {'port_id': None})]

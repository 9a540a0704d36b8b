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

"""Removes what an interrupted benchmark run left behind (``--sweep``).

Everything a run makes is named ``bench-...``: servers, images, volumes,
networks, policies (with their checkpoints) and Swift containers of the
demo project in both regions.  Chunks cannot be told apart by name; a
normal run removes its own, an interrupted one leaves them to
``dragon-manage chunks gc`` once its checkpoints are deleted here.
"""
from tests.bench import common


def _named(items):
    return [i for i in items if (i.name or '').startswith(common.PREFIX)]


def run(env: 'common.Env') -> None:
    dr = env.dragon()
    for policy in dr.policies.list():
        if not policy['name'].startswith(common.PREFIX):
            continue
        for checkpoint in dr.checkpoints.list(policy_id=policy['id']):
            common.say('checkpoint %s' % checkpoint['id'])
            common.delete_checkpoint(dr, checkpoint['id'])
        common.say('policy %s' % policy['name'])
        dr.policies.delete(policy['id'])
    for region in common.REGIONS:
        conn = env.conn(region)
        servers = _named(conn.compute.servers(limit=50))
        common.say('%s: %d servers' % (region, len(servers)))
        common.delete_servers(conn, [s.id for s in servers])
        for image in _named(conn.image.images()):
            common.say('%s: image %s' % (region, image.name))
            conn.image.delete_image(image.id, ignore_missing=True)
        for volume in _named(conn.block_storage.volumes()):
            common.say('%s: volume %s' % (region, volume.name))
            conn.block_storage.delete_volume(volume.id, cascade=True)
        for net in _named(conn.network.networks()):
            common.say('%s: network %s' % (region, net.name))
            common._delete_network(conn, net.id)
    swift = env.swift()
    _h, containers = swift.get_account(full_listing=True)
    for container in containers:
        if container['name'].startswith(common.PREFIX):
            common.say('container %s' % container['name'])
            _h, objects = swift.get_container(container['name'],
                                              full_listing=True)
            common.delete_objects(env, container['name'],
                                  [o['name'] for o in objects])
            swift.delete_container(container['name'])

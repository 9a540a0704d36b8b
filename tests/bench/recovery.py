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

"""Benchmark 5: recovery time of one N MiB server, Dragon vs a script.

Dragon: the backup site's Dragon recovers the server's checkpoint from
Swift into the backup region (wall time from the request until the
recovery succeeded, servers ACTIVE).  Scripted, as issue 6 words it:
``swift download`` of the scripted backup, ``openstack image create`` in
the backup region and ``openstack stack create --wait`` of a hand-written
template with what Dragon's stack recreates for that server (network,
subnet, security group, port, server), so both sides pay Heat the same.
"""
import tempfile

from tests.bench import common
from tests.bench import profile

NAME = 'recovery'

# What an operator's script would keep beside its backup: the server and
# the network it needs, as in Dragon's template for the same server.
SCRIPTED_TEMPLATE = """\
heat_template_version: 2018-08-31
parameters:
  image: {type: string}
  flavor: {type: string}
resources:
  net: {type: OS::Neutron::Net}
  subnet:
    type: OS::Neutron::Subnet
    properties: {network: {get_resource: net}, cidr: 10.86.0.0/24}
  sg:
    type: OS::Neutron::SecurityGroup
    properties:
      rules: [{protocol: tcp, port_range_min: 22, port_range_max: 22}]
  port:
    type: OS::Neutron::Port
    properties:
      network: {get_resource: net}
      fixed_ips: [{subnet: {get_resource: subnet}}]
      security_groups: [{get_resource: sg}]
  server:
    type: OS::Nova::Server
    properties:
      image: {get_param: image}
      flavor: {get_param: flavor}
      networks: [{port: {get_resource: port}}]
"""


def scripted(run: 'common.Run', size: int) -> dict:
    backup = run.scripted_backup(size)
    env = run.env
    conn = env.conn(common.BACKUP)
    name = common.unique('scripted-rec')
    steps = {}
    with common.Cleanup() as cleanup, tempfile.NamedTemporaryFile(
            'w', suffix='.yaml') as template:
        template.write(SCRIPTED_TEMPLATE)
        template.flush()
        cleanup.add('image ' + name, run._delete_image_named, conn, name)
        cleanup.add('stack ' + name, common.delete_stack_named, conn, name)
        with common.Timer() as total:
            common.scripted_image_restore(env, backup['container'],
                                          backup['object'], name, steps)
            with common.Timer() as t:
                common.run_cli(env, [
                    'openstack', 'stack', 'create', '--wait', '-t',
                    template.name, '--parameter', 'image=' + name,
                    '--parameter', 'flavor=' + backup['flavor'], name],
                    region=common.BACKUP)
            steps['stack create --wait'] = t.seconds
    return {'seconds': total.seconds, 'steps': steps}


def run(run: 'common.Run') -> None:
    size = run.size
    dragon = run.recover(size)
    script = scripted(run, size)
    rto = dragon['recovery'].get('rto_seconds')
    run.row(NAME, 'Dragon recover %d MiB server' % (size // common.MiB),
            '%.1f s (engine RTO %.1f s)' % (dragon['seconds'], rto or 0))
    if dragon.get('profile'):
        run.row(NAME, 'engine CPU while recovering (py-spy)',
                profile.top_text(dragon['profile']))
    run.row(NAME, 'scripted recover', '%.1f s (%s)' % (
        script['seconds'], ', '.join('%s %.1f' % kv
                                     for kv in script['steps'].items())))
    run.row(NAME, 'Dragon / scripted time', '%.2f x' % (
        dragon['seconds'] / script['seconds']), '<= 1.0 x',
        dragon['seconds'] <= script['seconds'])

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

"""Heat creates the kind of stack Dragon's recovery launches, in both regions."""
import pytest

from tests.minicloud.layout import REGIONS
from tests.minicloud import resources
from tests.minicloud.waiters import wait_for
from tests.minicloud.waiters import wait_gone

TEMPLATE = """
heat_template_version: 2018-08-31
parameters:
  image: {type: string}
  flavor: {type: string, default: m1.tiny}
  external_network: {type: string, default: public}
resources:
  net: {type: OS::Neutron::Net}
  subnet:
    type: OS::Neutron::Subnet
    properties: {network: {get_resource: net}, cidr: 10.88.0.0/24}
  router:
    type: OS::Neutron::Router
    properties:
      external_gateway_info: {network: {get_param: external_network}}
  router_interface:
    type: OS::Neutron::RouterInterface
    properties: {router: {get_resource: router}, subnet: {get_resource: subnet}}
  sg:
    type: OS::Neutron::SecurityGroup
    properties:
      rules: [{protocol: tcp, port_range_min: 22, port_range_max: 22,
               remote_ip_prefix: 0.0.0.0/0}]
  port:
    type: OS::Neutron::Port
    properties:
      network: {get_resource: net}
      fixed_ips: [{subnet: {get_resource: subnet}, ip_address: 10.88.0.50}]
      security_groups: [{get_resource: sg}]
  volume:
    type: OS::Cinder::Volume
    properties: {size: 1}
  server:
    type: OS::Nova::Server
    properties:
      image: {get_param: image}
      flavor: {get_param: flavor}
      networks: [{port: {get_resource: port}}]
  attachment:
    type: OS::Cinder::VolumeAttachment
    properties:
      instance_uuid: {get_resource: server}
      volume_id: {get_resource: volume}
outputs:
  server_ip: {value: {get_attr: [server, first_address]}}
"""


@pytest.mark.parametrize('region', REGIONS)
def test_stack_with_network_router_volume_and_server_creates(
        cloud, region, unique_name):
    conn = cloud.connect('demo', region=region)
    image = conn.image.find_image(resources.IMAGE_NAME)
    stack = conn.orchestration.create_stack(
        name=unique_name, template=TEMPLATE, parameters={'image': image.id},
        timeout_mins=5)
    try:
        stack = wait_for(lambda: conn.orchestration.get_stack(stack.id),
                         ok=('create_complete',), bad=('create_failed',),
                         timeout=300)
        kinds = {r.resource_type: r.status
                 for r in conn.orchestration.resources(stack)}
        assert set(kinds.values()) == {'CREATE_COMPLETE'}
        assert len(kinds) == 9
        outputs = {o['output_key']: o['output_value'] for o in stack.outputs}
        assert outputs['server_ip'] == '10.88.0.50'
    finally:
        conn.orchestration.delete_stack(stack, ignore_missing=True)
        wait_gone(lambda: conn.orchestration.get_stack(stack.id))

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

"""Keystone contents of the minicloud: projects, users, roles, regions, catalog."""
import openstack

from tests.minicloud.layout import REGIONS
from tests.minicloud.layout import SERVICE_USERS
from tests.minicloud.layout import TEST_USERS

# (service name, type, URL path appended to the service's base URL)
REGION_SERVICES = (
    ('nova', 'compute', 'nova', '/v2.1'),
    ('placement', 'placement', 'placement', ''),
    ('glance', 'image', 'glance', ''),
    ('neutron', 'network', 'neutron', ''),
    ('cinder', 'block-storage', 'cinder', '/v3/%(project_id)s'),
    ('cinderv3', 'volumev3', 'cinder', '/v3/%(project_id)s'),
    ('heat', 'orchestration', 'heat', '/v1/%(tenant_id)s'),
    ('barbican', 'key-manager', 'barbican', ''),
)


def connect(lo, user='admin', project='admin', region=REGIONS[0]):
    """openstacksdk as ``user`` in ``project``, from explicit config only.

    No clouds.yaml and no ``OS_*`` variable is read: after the README's
    ``export OS_CLOUD=demo`` openstacksdk would otherwise take the demo
    cloud as the base of this one and merge the demo user's credentials
    into it (an admin connection that gets HTTP 401).
    """
    return openstack.connect(
        load_yaml_config=False, load_envvars=False,
        auth_url=lo.keystone_url, username=user, password=lo.password,
        project_name=project, user_domain_name='Default',
        project_domain_name='Default', region_name=region,
        identity_api_version='3')


def admin_connection(lo, region=REGIONS[0]):
    return connect(lo, 'admin', 'admin', region)


def register(lo):
    """Create everything the services and tests need in Keystone (idempotent)."""
    idn = admin_connection(lo).identity

    def project(name, domain_id='default'):
        return (idn.find_project(name, domain_id=domain_id,
                                 ignore_missing=True) or
                idn.create_project(name=name, domain_id=domain_id))

    def role(name):
        return (idn.find_role(name, ignore_missing=True) or
                idn.create_role(name=name))

    def user(name, proj, domain_id='default'):
        found = idn.find_user(name, domain_id=domain_id, ignore_missing=True)
        return found or idn.create_user(
            name=name, password=lo.password, domain_id=domain_id,
            default_project_id=proj.id if proj else None)

    roles = {name: role(name) for name in (
        'admin', 'member', 'reader', 'service', 'ResellerAdmin',
        'heat_stack_owner', 'heat_stack_user')}
    service_project = project('service')
    for name in SERVICE_USERS:
        account = user(name, service_project)
        idn.assign_project_role_to_user(service_project, account,
                                        roles['admin'])
        idn.assign_project_role_to_user(service_project, account,
                                        roles['service'])
    # Dragon's chunk gc reaches every project's checkpoint containers.
    idn.assign_project_role_to_user(
        service_project, user('dragon', service_project),
        roles['ResellerAdmin'])
    for name, project_name, role_name in TEST_USERS:
        proj = project(project_name)
        idn.assign_project_role_to_user(proj, user(name, proj),
                                        roles[role_name])
    heat_domain = (idn.find_domain('heat', ignore_missing=True) or
                   idn.create_domain(name='heat',
                                     description='Heat stack users'))
    heat_admin = user('heat_domain_admin', None, domain_id=heat_domain.id)
    idn.assign_domain_role_to_user(heat_domain, heat_admin, roles['admin'])

    for region in REGIONS:
        if not idn.find_region(region, ignore_missing=True):
            idn.create_region(id=region)

    def endpoints(name, stype, url_for):
        svc = (idn.find_service(name, ignore_missing=True) or
               idn.create_service(name=name, type=stype))
        have = {(e.region_id, e.interface)
                for e in idn.endpoints(service_id=svc.id)}
        for region in REGIONS:
            for interface in ('public', 'internal', 'admin'):
                if (region, interface) not in have:
                    idn.create_endpoint(service_id=svc.id, interface=interface,
                                        url=url_for(region), region_id=region)

    endpoints('keystone', 'identity', lambda region: lo.keystone_url)
    # One Swift cluster reachable from both sites, or each site's own
    # (MINICLOUD_SWIFT_TOPOLOGY).
    endpoints('swift', 'object-store', lambda region: lo.swift_url(region) +
              '/v1/AUTH_%(project_id)s')
    for name, stype, port_name, path in REGION_SERVICES:
        endpoints(name, stype,
                  lambda region, p=port_name, s=path: lo.url(p, region) + s)

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

"""A template-only protection's API calls do not grow with its servers.

A whole run (discovery, template, Heat's validation, the checkpoint's
container and manifest) over the fake cloud of ``fakes``: what
``stats.api_calls`` of the checkpoint counts, as the API shows it.
"""
import collections

from openstack import resource as sdk_resource
import pytest

from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon.protection import recorder as rec
from dragon.protection import registry
from dragon.protection import workflow
from tests.unit.checkpoint.fake_swift import FakeAccount
from tests.unit.protection import fakes


def _protect(conf, servers, attached=False):
    world = fakes.World(servers=servers, bare=True, attached=attached)
    context = dragon_context.get_admin_context()
    policy = db_api.workload_policy_create(context, {
        'project_id': fakes.PROJECT, 'name': 'scale-%d' % servers,
        'description': '', 'options': {}, 'members': [
            {'resource_type': 'server', 'resource_id': s['id'],
             'resource_name': s['name'], 'action': 'template_only',
             # Their volumes too: no data is moved.
             'options': {registry.ATTACHED_VOLUMES: registry.TEMPLATE_ONLY}
             if attached else {}, 'exclusive_resource_id': None}
            for s in world.nova['servers']]})
    checkpoint = db_api.checkpoint_create(context, {
        'project_id': fakes.PROJECT, 'user_id': 'u', 'policy_id': policy.id,
        'policy_name': policy.name, 'status': 'protecting'})
    clients = fakes.Clients(world, FakeAccount())
    ok = workflow.Protection(conf, checkpoint, policy, clients,
                             rec.RunRecorder(context, checkpoint.id)).run()
    row = db_api.checkpoint_get(context, checkpoint.id)
    assert ok, row.error
    return row


@pytest.fixture
def validated_nothing(monkeypatch):
    # Each run validates: the template differs with the servers anyway.
    monkeypatch.setattr(workflow.validation, 'VALIDATED',
                        workflow.validation.ValidatedTemplates())


def test_api_calls_stay_flat_from_10_to_300_servers(db, conf,
                                                    validated_nothing):
    calls = {}
    for servers in (10, 300):
        row = _protect(conf, servers)
        assert len(row.resources) == servers
        calls[servers] = row.stats['api_calls']
    assert calls[10] == calls[300]
    # One server list, one server group list, the images the servers boot
    # from, the project's ports; Heat's validation; the checkpoint's
    # container and its objects.
    assert calls[300]['compute'] == 2 and calls[300]['image'] == 1
    assert calls[300]['network'] == 1 and calls[300]['orchestration'] == 1
    assert sum(calls[300].values()) <= 10, calls[300]


@pytest.fixture
def models_built(monkeypatch):
    """SDK models built, per class: lean lists build none per item."""
    built = collections.Counter()
    real = sdk_resource.Resource.existing.__func__

    def existing(cls, **attrs):
        built[cls.__name__] += 1
        return real(cls, **attrs)
    monkeypatch.setattr(sdk_resource.Resource, 'existing',
                        classmethod(existing))
    return built


def test_a_port_and_a_volume_per_server_keep_the_calls_flat(
        db, conf, validated_nothing, models_built):
    calls, built = {}, {}
    for servers in (10, 300):
        models_built.clear()
        row = _protect(conf, servers, attached=True)
        assert len(row.resources) == 2 * servers     # servers, volumes
        calls[servers] = row.stats['api_calls']
        built[servers] = dict(models_built)
    assert calls[10] == calls[300]
    # The project's volumes and ports, the floating IPs; the networks
    # (the ports', then the router's external one), subnets, router
    # interfaces, routers and security groups they refer to.
    assert calls[300]['block-storage'] == 1
    assert calls[300]['network'] == 8
    assert sum(calls[300].values()) <= 18, calls[300]
    # Only the short lists make SDK models (the image, the server group).
    assert built[10] == built[300] == {'Image': 1, 'ServerGroup': 1}

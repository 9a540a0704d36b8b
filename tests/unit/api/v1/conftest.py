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

"""The v1 API with noauth, a migrated database and each resource type's cloud faked."""

import json

import pytest
import webob

from dragon.api import app
from dragon import exception
from dragon import resource_types
from dragon.services import encryption

PROJECT = 'p1'
OTHER = 'p2'


class FakeCloud:
    """Servers and volumes by project, as Nova and Cinder would show them."""

    def __init__(self):
        self.resources = {}   # (type, id) -> dict

    def add(self, resource_type, resource_id, project_id=PROJECT,
            name=None, status='ACTIVE'):
        self.resources[(resource_type, resource_id)] = {
            'id': resource_id, 'name': name or resource_id,
            'status': status, 'project_id': project_id}

    def get(self, context, resource_type, resource_id):
        found = self.resources.get((resource_type, resource_id))
        # Nova and Cinder hide other projects' resources from non-admins.
        if found and found['project_id'] != context.project_id and \
                'admin' not in context.roles:
            return None
        return found

    def list(self, context, resource_type):
        return [r for (t, _i), r in self.resources.items()
                if t == resource_type and r['project_id'] == context.project_id]


class FakeKeys:
    """Each region's key manager: every key readable unless made otherwise."""

    def __init__(self):
        self.missing = set()     # (region, key_ref)
        self.foreign = set()     # another project's: (region, key_ref)
        self.down = set()        # key manager unreachable: region
        self.consumers = set()   # (region, key_ref, policy id)

    def read(self, context, region, key_ref, conf):
        names = {'key_ref': key_ref, 'region': region}
        if (region, key_ref) in self.missing:
            raise exception.KeyNotFound(**names)
        if (region, key_ref) in self.foreign:
            raise exception.KeyForbidden(**names)
        if region in self.down:
            raise exception.KeyManagerUnavailable(reason='down', **names)

    def register(self, context, region, key_ref, policy_id, conf):
        self.read(context, region, key_ref, conf)
        self.consumers.add((region, key_ref, policy_id))

    def remove(self, context, region, key_ref, policy_id, conf):
        if region in self.down:
            raise exception.KeyManagerUnavailable(
                reason='down', key_ref=key_ref, region=region)
        self.consumers.discard((region, key_ref, policy_id))


@pytest.fixture
def fake_cloud(monkeypatch):
    cloud = FakeCloud()
    cloud.keys = FakeKeys()
    monkeypatch.setattr(encryption, '_read', cloud.keys.read)
    monkeypatch.setattr(encryption, '_register', cloud.keys.register)
    monkeypatch.setattr(encryption, '_remove', cloud.keys.remove)
    # Every resource type plugin lists and gets its resources from here.
    for plugin in resource_types.all_types():
        monkeypatch.setattr(plugin, 'get_resource',
                            lambda c, i, t=plugin.name: cloud.get(c, t, i))
        monkeypatch.setattr(plugin, 'list_resources',
                            lambda c, t=plugin.name: cloud.list(c, t))
    return cloud


class Api:

    def __init__(self, application):
        self.application = application

    def __call__(self, method, path, body=None, project=PROJECT,
                 roles='member,reader', raw=None, headers=None):
        request = webob.Request.blank(path, method=method)
        request.headers['X-Project-Id'] = project
        request.headers['X-Roles'] = roles
        for name, value in (headers or {}).items():
            request.headers[name] = value
        if raw is not None:
            request.body = raw
        elif body is not None:
            request.body = json.dumps(body).encode()
            request.content_type = 'application/json'
        return request.get_response(self.application)


@pytest.fixture
def api(conf, db, fake_cloud):
    conf.set_override('auth_strategy', 'noauth', group='api')
    return Api(app.build_app(conf))

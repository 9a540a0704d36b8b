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

"""A real python-heatclient over a fake keystoneauth session.

Unit tests script Heat's answers at the HTTP level (status and JSON body,
as the fakes' adapters answer them), so heatclient's own request building
and error handling run as in production.
"""

import json

from heatclient import client as heat_client
from keystoneauth1 import session as ks_session
import requests


def _response(answer):
    response = requests.Response()
    response.status_code = answer.status_code
    try:
        body = answer.json()
    except ValueError:
        body = None
    response._content = b'' if body is None else json.dumps(body).encode()
    response.headers['content-type'] = 'application/json'
    return response


class Session(ks_session.Session):
    """Sends each request to ``adapter()`` (``get``/``post``/``put``/
    ``delete``).

    :param adapter: called at request time for the adapter-style fake that
        answers, so a fake that raises (Heat unreachable) raises here.
    """

    def __init__(self, adapter):
        super().__init__()
        self._adapter = adapter
        self.requests = []

    def request(self, url, method, **kwargs):
        self.requests.append((method, url, kwargs))
        data = kwargs.get('data')
        body = json.loads(data) if data else None
        adapter = self._adapter()
        if method == 'GET':
            answer = adapter.get(url, params=kwargs.get('params'),
                                 raise_exc=False)
        elif method == 'POST':
            answer = adapter.post(url, json=body, raise_exc=False)
        elif method == 'PUT':
            answer = adapter.put(url, json=body, raise_exc=False)
        elif method == 'DELETE':
            answer = adapter.delete(url, raise_exc=False)
        else:
            raise AssertionError('unexpected %s %s' % (method, url))
        return _response(answer)


def client(adapter, region_name='RegionOne'):
    """A heatclient v1 client whose requests ``adapter()`` answers."""
    return heat_client.Client('1', session=Session(adapter),
                              region_name=region_name,
                              service_type='orchestration')

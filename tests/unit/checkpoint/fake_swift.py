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

"""An in-memory Swift account with python-swiftclient's Connection methods."""
import hashlib

from swiftclient import exceptions as swift_exc


def _missing(what):
    return swift_exc.ClientException('%s not found' % what, http_status=404)


def listing(objects, prefix='', marker=None, limit=None):
    """Headers and one page of a container listing, as Swift gives them.

    :param objects: object name → body.
    """
    names = [n for n in sorted(objects)
             if n.startswith(prefix or '') and (marker is None or n > marker)]
    page = names if limit is None else names[:limit]
    return ({'x-container-object-count': str(len(objects))},
            [{'name': n, 'bytes': len(objects[n]),
              'hash': hashlib.md5(objects[n]).hexdigest()} for n in page])


def check_etag(body, etag):
    """Swift refuses a body whose md5 is not the ETag sent with it."""
    if etag is not None and hashlib.md5(body).hexdigest() != etag:
        raise swift_exc.ClientException('etag mismatch', http_status=422)


class FakeAccount:
    """Containers (with metadata) and objects, shared by every connection."""

    def __init__(self, url='http://127.0.0.1:8080/v1/AUTH_proj'):
        self.containers = {}      # name -> {'meta': {}, 'objects': {}}
        self.requests = []
        self.url = url            # the object-store endpoint

    def connect(self):
        return FakeSwift(self)


class FakeSwift:
    def __init__(self, account):
        self.account = account
        self.url = None           # known after the first authentication

    def get_auth(self):
        self.url = self.account.url
        return self.url, 'token'

    def _container(self, name):
        try:
            return self.account.containers[name]
        except KeyError:
            raise _missing(name)

    def _log(self, *what):
        self.account.requests.append(what)

    def get_account(self, prefix='', full_listing=False):
        self._log('GET', 'account', prefix)
        names = sorted(n for n in self.account.containers
                       if n.startswith(prefix))
        return {}, [{'name': n} for n in names]

    def put_container(self, name, headers=None):
        self._log('PUT', name)
        entry = self.account.containers.setdefault(
            name, {'meta': {}, 'objects': {}})
        entry['meta'].update({k.lower(): v for k, v in (headers or {}).items()})

    def post_container(self, name, headers):
        self._log('POST', name)
        meta = self._container(name)['meta']
        for key, value in headers.items():
            if value == '':
                meta.pop(key.lower(), None)
            else:
                meta[key.lower()] = value

    def head_container(self, name):
        self._log('HEAD', name)
        return dict(self._container(name)['meta'])

    def get_container(self, name, prefix='', full_listing=False,
                      marker=None, limit=None):
        self._log('GET', name, prefix)
        objects = self._container(name)['objects']
        return listing({n: body for n, (body, _h) in objects.items()},
                       prefix, marker, None if full_listing else limit)

    def delete_container(self, name):
        self._log('DELETE', name)
        if self._container(name)['objects']:
            raise swift_exc.ClientException('not empty', http_status=409)
        del self.account.containers[name]

    def put_object(self, container, name, body, content_length=None,
                   content_type=None, headers=None, etag=None):
        self._log('PUT', container, name)
        body = body if isinstance(body, bytes) else b''.join(body)
        check_etag(body, etag)
        self._container(container)['objects'][name] = (
            body, {k.lower(): v for k, v in (headers or {}).items()})
        return hashlib.md5(body).hexdigest()     # Swift's ETag answer

    def head_object(self, container, name):
        self._log('HEAD', container, name)
        try:
            body, headers = self._container(container)['objects'][name]
        except KeyError:
            raise _missing(name)
        return {**headers, 'content-length': str(len(body)),
                'etag': hashlib.md5(body).hexdigest()}

    def get_object(self, container, name):
        self._log('GET', container, name)
        try:
            body, headers = self._container(container)['objects'][name]
        except KeyError:
            raise _missing(name)
        return dict(headers), body

    def delete_object(self, container, name):
        self._log('DELETE', container, name)
        try:
            del self._container(container)['objects'][name]
        except KeyError:
            raise _missing(name)

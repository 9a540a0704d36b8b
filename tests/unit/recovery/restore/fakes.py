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

"""A fake target region at the client boundary: Glance images, Cinder volumes and backups.

Cinder and Glance's deletes are reached through ``.connection``, fake
openstacksdk proxies whose requests the SDK's own models build; the rest
of Glance through ``.adapter('image')``.

Uploads are consumed the way an HTTP library sends a body: iterated piece
by piece, never joined; the fake records how many bytes arrived and hashes
them on the way.  A body that fails mid-stream surfaces wrapped in a
``requests`` error, as it does from a real connection.
"""
import hashlib
import inspect
import itertools
import types

from keystoneauth1 import exceptions as ks_exc
import requests

from tests.unit import fake_sdk

STEPS = 2   # GETs an object stays in a transitional status


class Response:
    status_code = 200
    headers: dict = {}
    links: dict = {}

    def __init__(self, body=None):
        self._body = body

    def json(self):
        return self._body

    @property
    def content(self):
        return b'{}' if self._body else b''


class TargetCloud:
    region_name = 'RegionTwo'

    def __init__(self):
        self.ids = itertools.count(1)
        self.images, self.volumes, self.backups = {}, {}, {}
        self.calls = []
        self.fail_call = {}        # call name -> exception raised instead
        self.final_status = {}     # kind -> status a new object settles in
        self.received = {}         # image id -> bytes that arrived
        self.on_piece = None       # called with each uploaded piece
        self.import_forbidden = False
        self.imports = []

    def adapter(self, service):
        return Adapter(self, service)

    @property
    def connection(self):
        def route(method, path, json=None, params=None):
            return self.cinder(method, path.strip('/').split('/'), json,
                               params)

        def image(method, path, json=None, params=None):
            return self.glance(method, path.strip('/').split('/')[2:], json)
        return types.SimpleNamespace(
            block_storage=fake_sdk.BlockStorage(route),
            image=fake_sdk.Image(image))

    def _call(self, name):
        self.calls.append(name)
        if name in self.fail_call:
            raise self.fail_call[name]

    def _new_id(self, kind):
        return '%s-%d' % (kind, next(self.ids))

    @staticmethod
    def _settle(obj):
        if obj.get('_steps'):
            obj['_steps'] -= 1
        elif obj.get('_next'):
            obj['status'] = obj.pop('_next')

    @staticmethod
    def _public(obj):
        return {k: v for k, v in obj.items() if not k.startswith('_')}

    # -- setup helpers
    def add_volume(self, vid=None, size=1, status='available', **extra):
        vid = vid or self._new_id('volume')
        self.volumes[vid] = dict({'id': vid, 'size': size, 'status': status,
                                  'metadata': {}}, **extra)
        return vid

    def add_backup(self, bid, size=1, status='available'):
        self.backups[bid] = {'id': bid, 'size': size, 'status': status}

    # -- Glance
    def glance(self, method, parts, body=None, data=None, headers=None):
        if method == 'POST':
            self._call('POST image')
            iid = self._new_id('image')
            self.images[iid] = dict(body, id=iid, status='queued', size=None)
            return Response(self._public(self.images[iid]))
        iid = parts[0]
        if iid not in self.images:
            self.calls.append('%s image (gone)' % method)
            raise ks_exc.NotFound()
        image = self.images[iid]
        if method == 'DELETE':
            self._call('DELETE image')
            del self.images[iid]
            return Response()
        if method == 'PUT':
            return self._upload(image, data, headers)
        self._call('GET image')
        self._settle(image)
        return Response(self._public(image))

    def _upload(self, image, data, headers):
        self._call('PUT image file')
        assert headers['Content-Type'] == 'application/octet-stream'
        assert not isinstance(data, (bytes, bytearray, list, tuple, str))
        length = len(data)             # sent as Content-Length
        stream = iter(data)
        assert inspect.isgenerator(stream), 'the body is not streamed'
        sha256, sha512, arrived = hashlib.sha256(), hashlib.sha512(), 0
        image['status'] = 'saving'
        try:
            for piece in stream:
                assert isinstance(piece, bytes)
                sha256.update(piece)
                sha512.update(piece)
                arrived += len(piece)
                if self.on_piece:
                    self.on_piece(piece)
        except Exception as e:
            # A real connection aborts; Glance puts the image back.
            image['status'] = 'queued'
            self.received[image['id']] = arrived
            raise requests.exceptions.ConnectionError(
                'connection aborted') from e
        self.received[image['id']] = arrived
        if arrived != length:
            image['status'] = 'queued'
            raise ks_exc.BadRequest('body shorter than Content-Length')
        image.update(size=arrived, os_hash_algo='sha512',
                     os_hash_value=sha512.hexdigest(),
                     _sha256=sha256.hexdigest(), _steps=STEPS,
                     _next=self.final_status.get('image', 'active'))
        return Response()

    # -- Cinder
    def cinder(self, method, parts, body=None, params=None):
        kind = parts[0][:-1]
        table = {'volume': self.volumes, 'backup': self.backups}[kind]
        if parts[1:] == ['import_record']:
            self._call('import_record')
            if self.import_forbidden:
                raise ks_exc.Forbidden('Policy doesn\'t allow '
                                       'backup:backup-import')
            self.imports.append(body['backup-record'])
            bid = 'imported-%s' % body['backup-record']['backup_url']
            self.backups[bid] = {'id': bid, 'size': 1, 'status': 'creating',
                                 '_steps': STEPS, '_next': 'available'}
            return Response({'backup': {'id': bid, 'links': []}})
        if parts[2:] == ['restore']:
            self._call('restore backup')
            vid = body['restore'].get('volume_id')
            if vid is None:
                vid = self._new_id('volume')
                self.volumes[vid] = {
                    'id': vid, 'name': body['restore']['name'], 'size': 1,
                    'metadata': {}}
            volume = self.volumes[vid]
            assert volume['status'] == 'available', volume
            volume.update(
                status='restoring-backup', _steps=STEPS,
                _next=self.final_status.get('volume', 'available'))
            return Response({'restore': {'backup_id': parts[1],
                                         'volume_id': vid,
                                         'volume_name': volume['name']}})
        if method == 'POST' and parts == ['volumes']:
            self._call('POST volume')
            vid = self._new_id('volume')
            self.volumes[vid] = dict(
                body['volume'], id=vid, status='creating', _steps=STEPS,
                _next='available')
            return Response({'volume': self._public(self.volumes[vid])})
        if parts[1:] == ['detail']:
            self._call('GET volumes')
            listed = [self._public(v) for v in self.volumes.values()]
            if (params or {}).get('marker'):
                return Response({'volumes': listed[1:]})
            return Response({'volumes': listed[:1], 'volumes_links': [
                {'rel': 'next', 'href': fake_sdk.ENDPOINT +
                 '/volumes/detail?marker=%s' % (
                    listed[0]['id'] if listed else '')}]})
        oid = parts[1]
        if oid not in table:
            self.calls.append('%s %s (gone)' % (method, kind))
            raise ks_exc.NotFound()
        obj = table[oid]
        if method == 'DELETE':
            self._call('DELETE %s' % kind)
            if obj['status'] not in ('available', 'error', 'error_restoring'):
                raise ks_exc.BadRequest('%s is %s' % (oid, obj['status']))
            obj.update(status='deleting', _steps=STEPS, _next='gone')
            return Response()
        self._call('GET %s' % kind)
        self._settle(obj)
        if obj['status'] == 'gone':
            del table[oid]
            raise ks_exc.NotFound()
        return Response({kind: self._public(obj)})


class Adapter:
    def __init__(self, cloud, service):
        self.cloud = cloud
        self.service = service

    def _route(self, method, path, **kwargs):
        parts = path.strip('/').split('/')
        if self.service == 'image':
            assert parts[:2] == ['v2', 'images']
            return self.cloud.glance(method, parts[2:], **kwargs)
        assert self.service == 'block-storage'
        return self.cloud.cinder(method, parts, **kwargs)

    def get(self, path, **_kwargs):
        return self._route('GET', path)

    def post(self, path, json=None):
        return self._route('POST', path, body=json)

    def put(self, path, data=None, headers=None):
        return self._route('PUT', path, data=data, headers=headers)

    def delete(self, path):
        return self._route('DELETE', path)

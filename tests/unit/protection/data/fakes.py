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

"""A fake cloud at the client boundary and a fake Swift.

Nova, Cinder and Glance's deletes are reached through ``.connection``:
fake openstacksdk proxies answering with the SDK's own resource models
(so the attribute names are the SDK's); Glance's reads and downloads
through ``.adapter('image')``.

Objects go through the transitional statuses Nova, Cinder and Glance show
(``creating``, ``saving``, ``uploading``, ``deleting``) for a few GETs, and
refuse the calls the real services refuse in those statuses, so the data
actions' waits and cleanup order are exercised.  Image data is a
*generator factory*: downloads yield pieces lazily, and any attempt to
read a download response whole fails the test.
"""
import hashlib
import itertools
import json
import types

from keystoneauth1 import discover
from keystoneauth1 import exceptions as ks_exc
from openstack.compute.v2 import server as server_mod
from openstack import exceptions as sdk_exc
import requests
from swiftclient import exceptions as swift_exc

from dragon.checkpoint import chunks
from dragon.protection import graph
from tests.unit.checkpoint import fake_swift
from tests.unit import fake_sdk

STEPS = 2   # GETs an object stays in a transitional status
RUN_ID = 'cp-1'   # the checkpoint of the data context
PROJECT_ID = 'proj-1'


class Response:
    status_code = 200
    headers: dict = {}
    links: dict = {}

    def __init__(self, body=None, pieces=None):
        self._body = body
        self._pieces = pieces
        self.closed = False

    def json(self):
        assert self._pieces is None, 'a download was read whole'
        return self._body

    @property
    def content(self):
        assert self._pieces is None, 'a download was read whole'
        return json.dumps(self._body).encode() if self._body else b''

    def iter_content(self, chunk_size=1):
        return self._pieces

    def close(self):
        self.closed = True


def pieces_of(data, size=65536):
    """A factory of lazily yielded pieces of ``data``."""
    def factory():
        for i in range(0, len(data), size):
            yield data[i:i + size]
    return factory


def repeated(piece, count):
    """A factory of ``count`` times ``piece``: large, never in one buffer."""
    def factory():
        for _ in range(count):
            yield piece
    return factory


class FakeCloud:
    """Servers, images, volumes, snapshots and backups of one project."""

    def __init__(self):
        self.ids = itertools.count(1)
        self.objects = {k: {} for k in ('server', 'image', 'volume',
                                        'snapshot', 'backup')}
        self.data = {}           # id -> factory of pieces
        self.calls = []          # (method, key) in order
        self.fail_call = {}      # key -> exception raised instead
        self.final_status = {}   # kind -> status an object settles in
        self.broken_download = False
        self.export_forbidden = False
        self.downloads = 0
        # (status, GETs it lasts) a createImage image goes through after
        # queued; None: saving, then active.
        self.snapshot_timeline = None
        # server id -> its instance actions, newest first (os-instance-
        # actions): {'action': ..., 'start_time': ...} each.
        self.actions = {}

    # -- setup helpers
    def new_id(self, kind):
        return '%s-%d' % (kind, next(self.ids))

    def add_server(self, factory=None, boot_from_volume=False, disk_gib=1):
        sid = self.new_id('server')
        image = ''
        if not boot_from_volume:
            image = {'id': self.add_image(factory, status='active')}
        self.objects['server'][sid] = {
            'id': sid, 'status': 'ACTIVE', 'image': image,
            'flavor': {'disk': disk_gib}, 'OS-EXT-STS:task_state': None}
        self.data[sid] = factory
        return sid

    def add_image(self, factory, status='queued', **extra):
        iid = self.new_id('image')
        digest, size = hashlib.sha512(), 0
        for piece in factory():
            digest.update(piece)
            size += len(piece)
        self.objects['image'][iid] = dict({
            'id': iid, 'status': status, 'size': size,
            'disk_format': 'raw', 'container_format': 'bare',
            'min_disk': 1, 'min_ram': 64, 'os_hash_algo': 'sha512',
            'os_hash_value': digest.hexdigest(), 'checksum': 'x',
            'visibility': 'private', 'hw_disk_bus': 'virtio',
            'owner': PROJECT_ID,
            'os_glance_importing_to_stores': '', 'instance_uuid': 'i',
            'dragon_temporary': 'true', '_steps': STEPS,
            '_next': 'active'}, **extra)
        self.data[iid] = factory
        return iid

    def add_volume(self, factory, size_gib=1, status='available'):
        vid = self.new_id('volume')
        self.objects['volume'][vid] = {
            'id': vid, 'status': status, 'size': size_gib,
            'volume_type': 'file', 'bootable': 'false',
            'availability_zone': 'nova', 'replication_status': None}
        self.data[vid] = factory
        return vid

    def alive(self, kind):
        """Objects of ``kind`` that exist and are not the pre-seeded ones."""
        return [o for o in self.objects[kind].values()
                if o.get('_temporary')]

    # -- the client boundary
    def adapter(self, service):
        return Adapter(self, service)

    @property
    def connection(self):
        return Connection(self)

    def _fail(self, key):
        self.calls.append(key)
        if key in self.fail_call:
            raise self.fail_call[key]

    def _settle(self, kind, obj):
        if obj.get('_steps'):
            obj['_steps'] -= 1
        elif obj.get('_next'):
            status = obj.pop('_next')
            if status == 'gone':
                del self.objects[kind][obj['id']]
                raise ks_exc.NotFound()
            obj['status'] = status
            if obj.get('_then'):
                obj.update(obj.pop('_then'))

    def _get(self, kind, oid):
        obj = self.objects[kind].get(oid)
        if obj is None:
            raise ks_exc.NotFound()
        self._settle(kind, obj)
        return {k: v for k, v in obj.items() if not k.startswith('_')}

    def _new(self, kind, body, status, data_from):
        oid = self.new_id(kind)
        obj = dict(body, id=oid, status=status, _steps=STEPS,
                   _next=self.final_status.get(kind, 'available'),
                   _temporary=True)
        self.objects[kind][oid] = obj
        self.data[oid] = self.data[data_from]
        return obj

    def _delete(self, kind, oid, deletable):
        obj = self.objects[kind].get(oid)
        if obj is None:
            raise ks_exc.NotFound()
        if obj['status'] not in deletable:
            raise ks_exc.BadRequest('%s %s is %s' % (kind, oid,
                                                     obj['status']))
        if kind == 'snapshot' and any(
                v.get('snapshot_id') == oid
                for v in self.objects['volume'].values()):
            raise ks_exc.BadRequest('snapshot %s has dependent volumes' % oid)
        obj.update(status='deleting', _steps=STEPS, _next='gone')

    def request(self, service, method, path, json_body=None, params=None,
                stream=False):
        parts = path.strip('/').split('/')
        if service == 'image':
            return self._image(method, parts[2:], stream, params)
        if service == 'compute':
            return self._compute(method, parts[1:], json_body)
        return self._cinder(method, parts, json_body, params)

    def _image(self, method, parts, stream, params=None):
        if not parts:
            self._fail('GET images')
            params = dict(params or {})
            params.pop('limit', None)
            wanted = params.pop('id', '')
            if wanted.startswith('in:'):
                # Glance's ``in`` operator; a listed image moves on as a
                # read of it would.
                return Response({'images': self._listed(
                    wanted[3:].split(','))})
            return Response({'images': [
                self._public(i) for i in self.objects['image'].values()
                if all(i.get(k) == v for k, v in params.items())]})
        iid = parts[0]
        if method == 'DELETE':
            self._fail('DELETE image')
            if iid not in self.objects['image']:
                raise ks_exc.NotFound()
            del self.objects['image'][iid]
            return Response()
        if parts[1:] == ['file']:
            self._fail('GET image file')
            assert stream, 'image data downloaded without stream=True'
            self.downloads += 1
            pieces = self.data[iid]()
            if self.broken_download:
                pieces = self._break(pieces)
            return Response(pieces=pieces)
        self._fail('GET image')
        return Response(self._get('image', iid))

    def _listed(self, ids):
        listed = []
        for iid in ids:
            try:
                listed.append(self._get('image', iid))
            except ks_exc.NotFound:
                continue
        return listed

    @staticmethod
    def _break(pieces):
        yield next(pieces)
        raise requests.exceptions.ChunkedEncodingError('connection reset')

    def _compute(self, method, parts, body):
        sid = parts[0]
        if method == 'POST':
            self._fail('createImage')
            server = self.objects['server'][sid]
            iid = self.add_image(self.data[sid])
            self.objects['image'][iid].update(
                _temporary=True, name=body['createImage']['name'])
            self.objects['image'][iid].update(body['createImage']['metadata'])
            stuck = self.final_status.get('task_state')
            # Nova uploads (saving) what it has taken, then the image is
            # active; a snapshot stuck in the driver never leaves queued.
            timeline = self.snapshot_timeline or [
                ('saving', STEPS),
                (self.final_status.get('image', 'active'), 0)]
            self.objects['image'][iid].update(
                _timeline(STEPS, [] if stuck else timeline))
            status = server['status']
            server.update({
                'OS-EXT-STS:task_state': 'image_pending_upload',
                '_steps': STEPS, '_next': status, '_then': {
                    'OS-EXT-STS:task_state': stuck or 'image_uploading',
                    '_steps': STEPS, '_next': status,
                    '_then': {'OS-EXT-STS:task_state': stuck}}})
            return Response({'image_id': iid})
        self._fail('GET server')
        return Response({'server': self._get('server', sid)})

    def _cinder(self, method, parts, body, params):
        kind = parts[0][:-1]
        if method == 'POST' and parts[-1] == 'action':
            return self._upload(parts[1], body)
        if method == 'POST':
            self._fail('POST %s' % kind)
            body = body[kind]
            source = (body.get('snapshot_id') or body.get('volume_id'))
            obj = self._new(kind, body, 'creating', source)
            if kind == 'backup':
                volume = self.objects['volume'][body['volume_id']]
                obj.update(size=volume['size'], container=body.get(
                    'container', 'volumebackups'),
                    is_incremental=body['incremental'], object_count=3,
                    # Cinder chains an incremental on the newest.
                    data_timestamp='2026-12-04T12:%02d:00.000000' % int(
                        obj['id'].split('-')[-1]))
            if kind == 'volume':
                obj['size'] = body['size']
            return Response({kind: self._public(obj)})
        if method == 'PUT':
            self._fail('PUT %s' % kind)
            obj = self.objects[kind][parts[1]]
            obj.update(body[kind])
            return Response({kind: self._public(obj)})
        if method == 'DELETE':
            self._fail('DELETE %s' % kind)
            if kind == 'backup' and self._dependents(parts[1]):
                # Cinder: "Incremental backups exist for this backup."
                raise ks_exc.BadRequest('backup %s has dependents'
                                        % parts[1])
            self._delete(kind, parts[1], ('available', 'error'))
            return Response()
        if parts[1].startswith('detail') and kind != 'backup':
            self._fail('GET %ss' % kind)
            assert not params, 'filters may be refused by Cinder'
            return Response({kind + 's': [
                self._public(o) for o in self.objects[kind].values()]})
        if parts[1].startswith('detail'):
            self._fail('GET backups')
            assert set(params or ()) <= {'marker'}, \
                'filters may be refused by Cinder'
            backups = [self._public(b)
                       for b in self.objects['backup'].values()]
            # Two pages, the way Cinder links them.
            if (params or {}).get('marker'):
                return Response({'backups': backups[1:]})
            return Response({'backups': backups[:1], 'backups_links': [
                {'rel': 'next', 'href': fake_sdk.ENDPOINT +
                 '/backups/detail?marker=%s' % (
                    backups[0]['id'] if backups else '')}]})
        if parts[2:] == ['export_record']:
            self._fail('GET export_record')
            if self.export_forbidden:
                raise ks_exc.Forbidden()
            return Response({'backup-record': {
                'backup_service': 'cinder.backup.drivers.swift',
                'backup_url': 'eyJ...'}})
        self._fail('GET %s' % kind)
        found = self._get(kind, parts[1])
        if kind == 'backup':
            found['has_dependent_backups'] = bool(
                self._dependents(parts[1]))
        return Response({kind: found})

    def _dependents(self, backup_id):
        """Backups incremental on ``backup_id`` (the parent Dragon named)."""
        return [b['id'] for b in self.objects['backup'].values()
                if (b.get('metadata') or {}).get('dragon_parent') ==
                backup_id]

    def _upload(self, vid, body):
        self._fail('os-volume_upload_image')
        volume = self.objects['volume'][vid]
        assert volume['status'] == 'available'
        request = body['os-volume_upload_image']
        assert (request['disk_format'], request['container_format']) == (
            'raw', 'bare')
        iid = self.add_image(self.data[vid])
        self.objects['image'][iid].update(_temporary=True,
                                          name=request['image_name'])
        if 'image' in self.final_status:
            self.objects['image'][iid]['_next'] = self.final_status['image']
        volume.update(status='uploading', _steps=STEPS + 1,
                      _next='available')
        return Response({'os-volume_upload_image': {'image_id': iid}})

    @staticmethod
    def _public(obj):
        return {k: v for k, v in obj.items() if not k.startswith('_')}


def _timeline(steps, statuses):
    """``_steps``/``_next``/``_then`` fields walking through ``statuses``."""
    fields = {'_steps': steps, '_next': None, '_then': None}
    if statuses:
        (status, lasts), rest = statuses[0], statuses[1:]
        fields.update(_next=status, _then=_timeline(lasts, rest))
    return fields


class Adapter:
    def __init__(self, cloud, service):
        self.cloud = cloud
        self.service = service

    def get(self, path, params=None, stream=False, headers=None):
        return self.cloud.request(self.service, 'GET', path, params=params,
                                  stream=stream)

    def post(self, path, json=None):
        return self.cloud.request(self.service, 'POST', path, json_body=json)

    def delete(self, path):
        return self.cloud.request(self.service, 'DELETE', path)


class Compute(Adapter):
    """The openstacksdk compute proxy, an adapter to the SDK's models.

    ``Server.create_image`` posts through it, as through a real proxy.
    """

    default_microversion = '2.79'

    def __init__(self, cloud):
        super().__init__(cloud, 'compute')

    def get_endpoint_data(self):
        return discover.EndpointData(min_microversion=(2, 1),
                                     max_microversion=(2, 79))

    def post(self, path, json=None, headers=None, microversion=None):
        assert microversion == '2.45', 'createImage must return the id'
        return super().post(path, json=json)

    def server_actions(self, server_id):
        self.cloud._fail('os-instance-actions')
        return iter([types.SimpleNamespace(
            **{'request_id': 'req-' + a['start_time'], **a})
            for a in self.cloud.actions.get(server_id, [])])

    def get_server(self, server_id):
        try:
            body = self.get('/servers/%s' % server_id).json()['server']
        except ks_exc.NotFound:
            raise sdk_exc.NotFoundException('no server %s' % server_id)
        return server_mod.Server.existing(**body)


class Connection:
    def __init__(self, cloud):
        self.compute = Compute(cloud)
        self.block_storage = fake_sdk.BlockStorage(
            lambda method, path, json=None, params=None: cloud.request(
                'block-storage', method, path, json_body=json,
                params=params))
        self.image = fake_sdk.Image(
            lambda method, path, json=None, params=None: cloud.request(
                'image', method, path, json_body=json, params=params))


class FakeSwift:
    """Objects of a Swift account in a dict shared by every connection."""

    def __init__(self, objects, heads):
        self.objects = objects
        self.heads = heads

    def head_object(self, container, name):
        self.heads.append(name)
        if (container, name) not in self.objects:
            raise swift_exc.ClientException('not found', http_status=404)
        return {}

    def get_container(self, container, marker=None, limit=None):
        self.heads.append('LIST %s' % container)
        return fake_swift.listing(
            {n: b for (c, n), b in self.objects.items() if c == container},
            marker=marker, limit=limit)

    def put_object(self, container, name, body, content_length=None,
                   headers=None, content_type=None, etag=None):
        fake_swift.check_etag(bytes(body), etag)
        self.objects[(container, name)] = bytes(body)

    def get_object(self, container, name):
        if (container, name) not in self.objects:
            raise swift_exc.ClientException('not found', http_status=404)
        return {}, self.objects[(container, name)]


def chunk_store(chunk_size=1024, workers=2):
    objects, heads = {}, []
    store = chunks.ChunkStore(lambda: FakeSwift(objects, heads), 'chunks',
                              chunk_size=chunk_size, workers=workers)
    return store, objects, heads


def next_run(env):
    """A fresh chunk store over the same objects, as the next run has."""
    old = env.store
    env.store = env.ctx.chunks = chunks.ChunkStore(
        old._factory, old.container, chunk_size=old.chunk_size,
        workers=old.workers)
    return env.store


def stored_bytes(env, record):
    """The bytes a new record's chunks hold, its chunk list digest checked.

    New records pin their stream by ``chunk_list_sha256``, not by a
    ``sha256`` of the whole stream (each byte is hashed once).
    """
    assert record['sha256'] is None
    assert record['chunk_list_sha256'] == chunks.chunk_list_sha256(
        record['chunks'])
    refs = [chunks.ChunkRef.from_dict(c) for c in record['chunks']]
    return b''.join(env.store.iter_stream(refs))


def node(kind, oid, key=None, options=None):
    heat_type = {'server': 'OS::Nova::Server',
                 'volume': 'OS::Cinder::Volume'}[kind]
    return graph.Node(key=key or '%s_%s' % (kind, oid.replace('-', '_')),
                      resource=graph.Resource(heat_type, oid, 'web'),
                      member=True, options=options or {})

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

"""swift_container: listed, checked, protected, restored (Swift faked)."""

import hashlib
import os

import pytest
from swiftclient import exceptions as swift_exc

from dragon.api.v1 import openapi
from dragon.checkpoint import chunks
from dragon.checkpoint import manifest as manifest_mod
from dragon import exception
from dragon.plugins import swift_container
from dragon.protection.data import base as data_base
from dragon.protection import discovery
from dragon.protection import registry
from dragon.protection import template
from dragon.recovery import restore as restore_mod
from dragon.recovery import rewrite
from dragon.recovery import selection
from dragon import resource_types
from tests.unit.checkpoint import fake_swift

CHECKPOINT = 'dragon_p1_pol_20260101T000000Z'


class Swift(fake_swift.FakeSwift):
    """The fake with what the container type uses besides the checkpoint's."""

    def head_container(self, name):
        headers = super().head_container(name)
        objects = self._container(name)['objects']
        headers['x-container-object-count'] = str(len(objects))
        headers['x-container-bytes-used'] = str(
            sum(len(b) for b, _h in objects.values()))
        return headers

    def get_container(self, name, prefix='', full_listing=False,
                      marker=None, limit=None):
        headers, listed = super().get_container(name, prefix, full_listing,
                                                marker, limit)
        headers.update(self._container(name)['meta'])
        return headers, listed

    def get_object(self, container, name, resp_chunk_size=None):
        headers, body = super().get_object(container, name)
        headers = {**headers, 'content-length': str(len(body)),
                   'etag': hashlib.md5(body).hexdigest()}
        if resp_chunk_size is None:
            return headers, body
        return headers, iter([body[i:i + 3]
                              for i in range(0, len(body), 3)])

    def put_object(self, container, name, body, content_length=None,
                   content_type=None, headers=None, etag=None):
        if hasattr(body, 'read'):   # what the restore sends
            body = b''.join(iter(lambda: body.read(5), b''))
            assert content_length == len(body)
        if content_type is not None:
            headers = {**(headers or {}), 'content-type': content_type}
        super().put_object(container, name, body, content_length,
                           headers=headers, etag=etag)


class Clients:
    region_name = 'RegionOne'
    project_id = 'p1'

    def __init__(self, account):
        self.account = account

    def swift(self):
        return Swift(self.account)


@pytest.fixture
def account():
    account = fake_swift.FakeAccount()
    swift = Swift(account)
    swift.put_container('photos', {'X-Container-Meta-Owner': 'ann',
                                   'X-Container-Read': '.r:*'})
    swift.put_object('photos', 'a.jpg', b'A' * 10, headers={
        'x-object-meta-camera': 'x100', 'content-type': 'image/jpeg'})
    swift.put_object('photos', 'b/c.txt', b'same', headers={
        'content-type': 'text/plain'})
    swift.put_object('photos', 'copy.txt', b'same', headers={
        'content-type': 'text/plain', 'x-delete-at': '1999999999'})
    swift.put_object('photos', 'empty', b'', headers={})
    swift.put_container(CHECKPOINT)
    swift.put_container('dragon_chunks_p1')
    return account


@pytest.fixture
def store(account):
    return chunks.ChunkStore(lambda: Swift(account), 'dragon_chunks_p1',
                             chunk_size=4, workers=2)


def _member(action='copy_objects', options=None):
    return {'resource_type': 'swift_container', 'resource_id': 'photos',
            'resource_name': 'photos', 'action': action,
            'options': options or {}}


def _protect(account, store, options=None):
    warnings = []
    graph = discovery.discover(Clients(account), [_member(options=options)],
                               lambda *w: warnings.append(w))
    node = graph.nodes()[0]
    ctx = data_base.DataContext(
        clients=Clients(account), chunks=store, options=node.options,
        warn=lambda code, msg: warnings.append((node.key, code, msg)))
    action = registry.get('swift_container').data_action(node.action)
    state = action.capture(ctx, node)
    record = action.transfer(ctx, node, state)
    action.cleanup(ctx, node, state)
    return graph, node, record, warnings


def test_it_is_a_plugin_the_api_and_openapi_know():
    assert 'swift_container' in registry.names()
    plugin = resource_types.by_heat_type('OS::Swift::Container')
    assert plugin.name == 'swift_container'
    schemas = openapi.document()['components']['schemas']
    option = schemas['MemberOptions.swift_container.copy_objects']
    assert 'prefix' in option['properties']
    assert 'MemberOptions.swift_container.template_only' in schemas


def test_protectables_skip_dragons_own_containers(account, monkeypatch):
    monkeypatch.setattr(swift_container, '_swift',
                        lambda context: Swift(account))
    plugin = registry.get('swift_container')
    assert [c['id'] for c in plugin.list_resources(None)] == ['photos']
    assert plugin.get_resource(None, 'photos')['name'] == 'photos'
    assert plugin.get_resource(None, 'nope') is None
    assert plugin.get_resource(None, CHECKPOINT) is None


def test_exclusive_key_tells_projects_apart():
    plugin = registry.get('swift_container')
    assert plugin.exclusive_key('p1', 'photos') != \
        plugin.exclusive_key('p2', 'photos')
    assert len(plugin.exclusive_key('p1', 'x' * 256)) <= 255


def test_protection_copies_every_object_through_the_chunk_store(
        account, store):
    graph, node, record, warnings = _protect(account, store)
    assert record['kind'] == 'swift_container'
    assert record['container'] == 'photos'
    assert record['container_metadata'] == {'owner': 'ann'}
    objects = {o['name']: o for o in record['objects']}
    assert sorted(objects) == ['a.jpg', 'b/c.txt', 'copy.txt', 'empty']
    assert objects['a.jpg']['metadata'] == {'camera': 'x100'}
    assert objects['a.jpg']['content_type'] == 'image/jpeg'
    # Each object, and the record, pinned by its chunk list's digest.
    entry = objects['a.jpg']
    own = record['chunks'][entry['first_chunk']:
                           entry['first_chunk'] + entry['chunk_count']]
    assert b''.join(store.iter_stream(
        chunks.ChunkRef.from_dict(c) for c in own)) == b'A' * 10
    assert entry['sha256'] is None
    assert entry['chunk_list_sha256'] == chunks.chunk_list_sha256(own)
    assert entry['md5'] == hashlib.md5(b'A' * 10).hexdigest()
    assert record['chunk_list_sha256'] == chunks.chunk_list_sha256(
        record['chunks'])
    assert record['size'] == 10 + 4 + 4
    # Chunks continue across objects: gc and verification read them as one.
    offsets = [c['offset'] for c in record['chunks']]
    assert offsets == sorted(offsets) and offsets[0] == 0
    assert sum(c['length'] for c in record['chunks']) == record['size']
    names = manifest_mod.chunk_names({'data': {node.key: record}})
    assert {hashlib.sha256(b'same').hexdigest()} <= names
    # The second copy of the same bytes is deduplicated.
    assert record['reused_chunks'] >= 1
    codes = {w[1] for w in warnings}
    assert {'container_acl_not_kept', 'container_not_point_in_time',
            'object_expiry_not_kept'} <= codes


def test_the_prefix_option_limits_the_objects(account, store):
    _graph, _node, record, _w = _protect(account, store, {'prefix': 'b/'})
    assert [o['name'] for o in record['objects']] == ['b/c.txt']


def test_a_body_that_is_not_what_swift_announced_fails(
        account, store, monkeypatch):
    original = Swift.get_object

    def truncated(self, container, name, resp_chunk_size=None):
        headers, body = original(self, container, name, resp_chunk_size)
        return headers, iter([b'A'])
    monkeypatch.setattr(Swift, 'get_object', truncated)
    with pytest.raises(exception.DataActionFailed, match='a.jpg'):
        _protect(account, store)


def test_the_template_has_the_container(account, store):
    graph, node, _record, _w = _protect(account, store)
    built, parameters = template.build(graph)
    assert built['resources'][node.key] == {
        'type': 'OS::Swift::Container',
        'properties': {'name': 'photos', 'PurgeOnDelete': True,
                       'X-Container-Meta': {'owner': 'ann'}}}
    # Rewritten for the target: the name keeps its words, gets the prefix.
    rewritten, _ = rewrite.rewrite(built, parameters, {}, {}, None,
                                   name_prefix='rec-', graph=graph)
    assert rewritten['resources'][node.key]['properties']['name'] == \
        'rec-photos'
    assert selection.select(graph, ['photos']) == {node.key}


def _ctx(account, store, prefix='rec-'):
    events = []
    return restore_mod.RestoreContext(
        clients=Clients(account), chunks=store, name_prefix=prefix,
        event=lambda level, msg: events.append((level, msg))), events


def test_recovery_restores_objects_bytes_and_metadata(account, store):
    graph, node, record, _w = _protect(account, store)
    ctx, _events = _ctx(account, store)
    made = restore_mod.restore(ctx, node.key, record, node)
    assert made['swift_container'] == 'rec-photos'
    restored = account.containers['rec-photos']
    assert restored['meta'] == {'x-container-meta-owner': 'ann'}
    for name, (body, headers) in account.containers['photos'][
            'objects'].items():
        got, got_headers = restored['objects'][name]
        assert got == body
        assert got_headers.get('content-type') == headers.get(
            'content-type')
    assert restored['objects']['a.jpg'][1]['x-object-meta-camera'] == 'x100'
    assert restore_mod.estimate(record) == record['size']
    restore_mod.cleanup(ctx, {node.key: made})
    assert 'rec-photos' not in account.containers
    restore_mod.cleanup(ctx, {node.key: made})   # already gone: fine


def test_objects_of_an_older_checkpoint_restore_by_their_sha256(
        account, store):
    """Entries written before chunk_list_sha256 carry the object's sha256."""
    _graph, node, record, _w = _protect(account, store)
    for entry in record['objects']:
        body, _headers = account.containers['photos']['objects'][
            entry['name']]
        entry.update(sha256=hashlib.sha256(body).hexdigest(),
                     chunk_list_sha256=None)
    ctx, _events = _ctx(account, store)
    restore_mod.restore(ctx, node.key, record, node)
    restored = account.containers['rec-photos']['objects']
    assert restored['a.jpg'][0] == b'A' * 10
    assert len(restored) == 4


def test_an_object_whose_chunk_list_was_altered_is_refused(account, store):
    _graph, node, record, _w = _protect(account, store)
    entry = next(e for e in record['objects'] if e['name'] == 'a.jpg')
    entry['chunk_list_sha256'] = 'f' * 64
    ctx, _events = _ctx(account, store)
    with pytest.raises(exception.RestoreVerificationFailed,
                       match='chunk list hashes to'):
        restore_mod.restore(ctx, node.key, record, node)
    assert 'rec-photos' not in account.containers


def test_recovery_never_writes_into_an_existing_container(account, store):
    _graph, node, record, _w = _protect(account, store)
    ctx, _events = _ctx(account, store, prefix='')
    with pytest.raises(exception.RecoveryFailed, match='name_prefix'):
        restore_mod.restore(ctx, node.key, record, node)
    assert len(account.containers['photos']['objects']) == 4


def test_corrupt_chunks_fail_and_remove_the_half_container(account, store):
    _graph, node, record, _w = _protect(account, store)
    name = store.object_name(record['chunks'][-1]['sha256'])
    body, headers = account.containers['dragon_chunks_p1']['objects'][name]
    account.containers['dragon_chunks_p1']['objects'][name] = (
        os.urandom(len(body)), headers)
    ctx, _events = _ctx(account, store)
    with pytest.raises(exception.RestoreVerificationFailed):
        restore_mod.restore(ctx, node.key, record, node)
    assert 'rec-photos' not in account.containers


def test_template_only_records_the_container_without_data(account, store):
    warnings = []
    graph = discovery.discover(Clients(account),
                               [_member(action='template_only')],
                               lambda *w: warnings.append(w))
    node = graph.nodes()[0]
    action = registry.get('swift_container').data_action(node.action)
    ctx = data_base.DataContext(clients=Clients(account), chunks=store)
    assert action.transfer(ctx, node, action.capture(ctx, node))[
        'kind'] == 'none'


def test_a_missing_member_fails_discovery(account):
    with pytest.raises(exception.DiscoveryFailed, match='nope'):
        discovery.discover(Clients(account), [{
            **_member(), 'resource_id': 'nope'}])


class _Forbidden:
    def get_account(self, **kwargs):
        raise swift_exc.ClientException('forbidden', http_status=403)

    def head_container(self, name):
        raise swift_exc.ClientException('forbidden', http_status=403)


class _Down(_Forbidden):
    def get_account(self, **kwargs):
        raise swift_exc.ClientException('down', http_status=503)


def test_a_caller_swift_forbids_sees_no_containers(monkeypatch):
    # A project reader: Swift lets only its operator roles read the account.
    monkeypatch.setattr(swift_container, '_swift', lambda context: _Forbidden())
    plugin = registry.get('swift_container')
    assert plugin.list_resources(None) == []
    assert plugin.get_resource(None, 'photos') is None


def test_swift_down_is_a_503_not_an_empty_list(monkeypatch):
    monkeypatch.setattr(swift_container, '_swift', lambda context: _Down())
    with pytest.raises(exception.RemoteServiceUnavailable):
        registry.get('swift_container').list_resources(None)

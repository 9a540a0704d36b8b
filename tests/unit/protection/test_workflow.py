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

"""The protection flow: manifest last, temporaries always removed, errors recorded.

Discovery, template generation and the data actions are faked at their
module boundary; the database (SQLite), the chunk store and the checkpoint
store are real, over an in-memory Swift account.
"""
import collections
import io
import json
import os
import threading
import time
import types

from openstack.compute.v2 import server as server_mod
from openstack import exceptions as sdk_exc
import pytest

from dragon.checkpoint import chunks as chunks_mod
from dragon.checkpoint import crypto
from dragon.checkpoint import keyring
from dragon.checkpoint import naming
from dragon.checkpoint import store
from dragon.common import timeutils
from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon import exception
from dragon.protection import consistency
from dragon.protection import graph as graph_mod
from dragon.protection import recorder as rec
from dragon.protection import workflow
from dragon import statuses
from tests.unit.checkpoint.fake_swift import FakeAccount

PROJECT = 'proj-1'
DISK = os.urandom(3 * 1024 * 1024)
VOLUME = os.urandom(1024 * 1024) + bytes(2 * 1024 * 1024)


class FakeAction:
    """Streams known bytes; remembers what ran; fails where told to."""

    def __init__(self, log, payload, fail_at=None):
        self.log, self.payload, self.fail_at = log, payload, fail_at

    def estimate(self, ctx, node):
        return len(self.payload)

    def capture(self, ctx, node):
        self.log.append(('capture', node.key))
        if self.fail_at == 'intend':
            # What the row holds the moment before a create call.
            from dragon.protection.data import base
            state = {}
            base.intend(ctx, state, 'volume', 'dragon-tmp-x-volume-' +
                        node.key)
            self.log.append(('row before create', _row_temporaries(
                ctx.run_id, node.key)))
            base.created(ctx, state, 'volume', 'vol-made')
            return state
        if self.fail_at == 'capture_recorded':
            # It made a temporary, recorded it, then failed.
            ctx.temporaries({'temporary': 'made-' + node.key})
        if self.fail_at in ('capture', 'capture_recorded'):
            raise exception.DataActionFailed(resource=node.key,
                                             reason='snapshot refused')
        return {'temporary': 'tmp-' + node.key}

    def prepare(self, ctx, node, state):
        self.log.append(('prepare', node.key))
        if self.fail_at == 'prepare':
            raise exception.DataActionFailed(resource=node.key,
                                             reason='upload went to killed')

    def transfer(self, ctx, node, state):
        self.log.append(('transfer', node.key))
        if ctx.previous is not None:
            self.log.append(('previous', node.key,
                             ctx.previous.checkpoint_id))
            if self.fail_at == 'reuse':
                return {**ctx.previous.record, 'uploaded_bytes': 0,
                        'reused_from': ctx.previous.checkpoint_id}
        if self.fail_at == 'warn':
            ctx.warn('backup_import_admin_only', 'restorable by admins only')
            state['done'] = True
        if self.fail_at == 'transfer':
            raise exception.DataActionFailed(resource=node.key,
                                             reason='image went to killed')
        result = ctx.chunks.put_stream(io.BytesIO(self.payload),
                                       progress=ctx.progress)
        return {'kind': 'image', 'size': result.size,
                'chunk_list_sha256': result.chunk_list_sha256,
                'chunks': [c.to_dict() for c in result.chunks],
                'uploaded_bytes': result.uploaded_bytes,
                'reused_chunks': result.reused_chunks,
                'zero_chunks': result.zero_chunks}

    def cleanup(self, ctx, node, state):
        self.log.append(('cleanup', node.key, state.get('temporary'),
                         state.get('done')) if 'done' in state else
                        ('cleanup', node.key, state.get('temporary')))


def _row_temporaries(checkpoint_id, key):
    row = db_api.checkpoint_get(dragon_context.get_admin_context(),
                                checkpoint_id)
    return next(r for r in row.resources if r['key'] == key)['temporaries']


class FakeCompute:
    """The openstacksdk compute proxy calls of consistency's pause."""

    def __init__(self):
        self.actions = []
        self.status = collections.defaultdict(lambda: 'ACTIVE')
        self.uploading = set()     # Nova still uploads their snapshot
        self.refused = threading.Event()

    def get_server(self, server_id):
        return server_mod.Server.existing(
            id=server_id, status=self.status[server_id],
            task_state='image_uploading' if server_id in self.uploading
            else None)

    def pause_server(self, server_id):
        self.post(server_id, 'pause')

    def unpause_server(self, server_id):
        if server_id in self.uploading:
            self.refused.set()
            raise sdk_exc.ConflictException('snapshot in progress')
        self.post(server_id, 'unpause')

    def post(self, server_id, action):
        self.actions.append((action, server_id))
        self.status[server_id] = 'PAUSED' if action == 'pause' else 'ACTIVE'


class FakeClients:
    region_name = 'RegionOne'
    base_session = 'trust-session'

    def __init__(self, account):
        self.account = account
        self.calls = collections.Counter(compute=3)
        self.compute = FakeCompute()
        self.connection = types.SimpleNamespace(compute=self.compute)

    def swift(self):
        return self.account.connect()


def _graph():
    graph = graph_mod.ResourceGraph()
    graph.add(graph_mod.Node('net_a', graph_mod.Resource(
        'OS::Neutron::Net', 'n1', 'a')))
    graph.add(graph_mod.Node('server_web', graph_mod.Resource(
        'OS::Nova::Server', 's1', 'web'), member=True,
        action='image_snapshot', depends_on=('net_a',)))
    graph.add(graph_mod.Node('volume_db', graph_mod.Resource(
        'OS::Cinder::Volume', 'v1', 'db'), member=True,
        action='snapshot_data'))
    return graph


@pytest.fixture
def env(db, conf, monkeypatch):
    conf.set_override('chunk_size_mib', 1, group='checkpoint')
    context = dragon_context.get_admin_context()
    policy = db_api.workload_policy_create(context, {
        'project_id': PROJECT, 'name': 'three tier', 'description': '',
        'options': {'consistent': True}, 'members': [
            {'resource_type': 'server',
             'resource_id': 's1', 'resource_name': 'web',
             'action': 'image_snapshot', 'options': {},
             'exclusive_resource_id': 's1'}]})
    checkpoint = db_api.checkpoint_create(context, {
        'project_id': PROJECT, 'user_id': 'u', 'policy_id': policy.id,
        'policy_name': policy.name, 'status': 'protecting'})
    account = FakeAccount()
    log = []
    behaviour = {}

    def discover(clients, members, warn):
        for found in behaviour.get('discovery_warnings', ()):
            warn(*found)
        return _graph()

    def build(graph, warn):
        for found in behaviour.get('template_warnings', ()):
            warn(*found)
        return ({'resources': {'server_web': {}, 'volume_db': {}}},
                {'server_web_image': {'kind': 'image', 'default': 'i1'}})

    monkeypatch.setattr(workflow.discovery, 'discover', discover)
    monkeypatch.setattr(workflow.template_mod, 'build', build)
    validated = []

    def validate(clients, text):
        validated.append(text)
        return behaviour.get('validate')

    monkeypatch.setattr(workflow.template_mod, 'validate', validate)
    # Each test starts with an engine process that validated nothing.
    monkeypatch.setattr(workflow.validation, 'VALIDATED',
                        workflow.validation.ValidatedTemplates())

    def get_action(resource_type, action):
        payload = DISK if resource_type == 'server' else VOLUME
        return FakeAction(log, payload, behaviour.get(resource_type))

    monkeypatch.setattr(workflow.data, 'get', get_action)
    clients = FakeClients(account)

    def protect(**options):
        if options:
            db_api.workload_policy_update(context, policy.id, {
                'options': {'consistent': True, **options}})
        cp = db_api.checkpoint_get(context, checkpoint.id)
        pol = db_api.workload_policy_get(context, policy.id)
        ok = workflow.Protection(conf, cp, pol, clients,
                                 rec.RunRecorder(context, cp.id)).run()
        return ok, db_api.checkpoint_get(context, checkpoint.id)

    return type('Env', (), dict(protect=staticmethod(protect), log=log,
                                validated=validated,
                                behaviour=behaviour, account=account,
                                clients=clients, context=context,
                                checkpoint=checkpoint))


def test_the_manifest_records_the_schedules_as_a_request_gives_them():
    start = timeutils.utcnow().replace(microsecond=0)
    policy = types.SimpleNamespace(schedules=[types.SimpleNamespace(
        cron='0 2 * * *', timezone='Europe/Paris', enabled=False,
        start_at=start, end_at=None, jitter=60, misfire_grace=300)])

    assert workflow._schedule_rows(policy) == [{
        'cron': '0 2 * * *', 'timezone': 'Europe/Paris', 'enabled': False,
        'start_at': start.isoformat() + 'Z', 'end_at': None, 'jitter': 60,
        'misfire_grace': 300}]


def test_a_run_writes_a_complete_checkpoint(env):
    ok, cp = env.protect()
    assert ok and cp.status == 'available' and cp.error is None
    swift = env.account.connect()
    [point] = store.list_recovery_points(swift, PROJECT)
    assert point['container'] == cp.container
    assert point['size'] == len(DISK) + len(VOLUME)
    manifest = store.read_manifest(swift, cp.container)
    assert manifest['graph']['nodes'][0]['key'] == 'net_a'
    assert set(manifest['data']) == {'server_web', 'volume_db'}
    assert manifest['source_region'] == 'RegionOne'
    assert manifest['parameters']['server_web_image']['default'] == 'i1'
    # The policy as it was, its schedules included (a failback copies
    # them into its reverse policy at the backup site).
    assert [m['resource_id'] for m in manifest['policy']['members']] == [
        's1']
    assert manifest['policy']['schedules'] == []
    # Progress ends complete; every resource done.
    assert cp.bytes_done == cp.bytes_total == len(DISK) + len(VOLUME)
    assert {r['status'] for r in cp.resources} == {statuses.Resource.DONE}
    assert cp.stats['zero_chunks'] == 2
    assert cp.stats['uploaded_bytes'] == len(DISK) + 1024 * 1024
    # Each resource is captured before it is transferred; each temporary
    # is cleaned.
    for key in ('server_web', 'volume_db'):
        assert env.log.index(('capture', key)) < env.log.index(
            ('transfer', key))
    assert ('cleanup', 'server_web', 'tmp-server_web') in env.log
    # The consistent policy paused the member server and unpaused it.
    assert env.clients.compute.actions == [('pause', 's1'), ('unpause', 's1')]
    events = [e.message for e in db_api.checkpoint_event_get_all(
        env.context, cp.id)]
    assert any('checkpoint complete' in m for m in events)
    stored_events = json.loads(env.account.containers[cp.container][
        'objects'][store.EVENTS][0])
    assert [e['message'] for e in stored_events] == events


def test_a_second_run_uploads_no_chunk_again(env):
    env.protect()
    context = env.context
    db_api.checkpoint_update(context, env.checkpoint.id,
                             {'status': 'protecting'})
    ok, cp = env.protect()
    assert ok and cp.stats['uploaded_bytes'] == 0


def test_a_failed_transfer_leaves_error_reasons_and_no_container(env):
    env.behaviour['volume'] = 'transfer'
    ok, cp = env.protect()
    assert not ok and cp.status == 'error'
    assert 'image went to killed' in cp.error
    by_key = {r['key']: r for r in cp.resources}
    assert by_key['volume_db']['status'] == statuses.Resource.ERROR
    assert 'image went to killed' in by_key['volume_db']['reason']
    # No manifest anywhere, no container left, temporaries removed.
    assert store.checkpoint_containers(env.account.connect(), PROJECT) == []
    assert {e[1] for e in env.log if e[0] == 'cleanup'} == {
        'server_web', 'volume_db'}


def test_servers_are_unpaused_when_a_capture_fails(env):
    env.behaviour['volume'] = 'capture'
    ok, cp = env.protect()
    assert not ok and 'snapshot refused' in cp.error
    assert env.clients.compute.actions[-1] == ('unpause', 's1')
    assert ('cleanup', 'server_web', 'tmp-server_web') in env.log


def test_heat_validates_an_identical_template_once(env):
    ok, _ = env.protect()
    assert ok and len(env.validated) == 1
    db_api.checkpoint_update(env.context, env.checkpoint.id,
                             {'status': 'protecting'})
    ok, cp = env.protect()
    assert ok and len(env.validated) == 1
    events = db_api.checkpoint_event_get_all(env.context, cp.id)
    assert any('accepted by Heat within the hour' in e.message
               for e in events)


def test_an_invalid_template_fails_before_anything_is_stored(env):
    def invalid(clients, text):
        raise exception.TemplateInvalid(reason='bad property')
    env.behaviour['validate'] = None
    import dragon.protection.workflow as wf
    original = wf.template_mod.validate
    wf.template_mod.validate = invalid
    try:
        ok, cp = env.protect()
    finally:
        wf.template_mod.validate = original
    assert not ok and 'bad property' in cp.error
    assert env.account.containers == {}
    assert env.log == []


def _validate_once_the_container_exists(env, seen, refuse=False):
    def validate(clients, text):
        deadline = time.monotonic() + 10
        swift = env.account.connect()
        while time.monotonic() < deadline:
            if store.checkpoint_containers(swift, PROJECT):
                break
            time.sleep(0.01)
        seen.append(bool(store.checkpoint_containers(swift, PROJECT)))
        if refuse:
            raise exception.TemplateInvalid(reason='bad property')
    return validate


def test_the_container_is_made_while_heat_validates(env, monkeypatch):
    seen = []
    monkeypatch.setattr(workflow.template_mod, 'validate',
                        _validate_once_the_container_exists(env, seen))
    ok, cp = env.protect()
    assert ok and seen == [True]
    assert store.checkpoint_containers(env.account.connect(),
                                       PROJECT) == [cp.container]


def test_a_container_made_while_heat_refuses_is_removed(env, monkeypatch):
    seen = []
    monkeypatch.setattr(workflow.template_mod, 'validate',
                        _validate_once_the_container_exists(env, seen,
                                                            refuse=True))
    ok, cp = env.protect()
    assert not ok and 'bad property' in cp.error and seen == [True]
    assert store.checkpoint_containers(env.account.connect(), PROJECT) == []
    assert env.log == []


def test_an_unexpected_error_is_one_line_without_internals(env, monkeypatch):
    monkeypatch.setattr(workflow.discovery, 'discover',
                        lambda clients, members, warn: {}['boom'])
    ok, cp = env.protect()
    assert not ok
    assert cp.error == 'internal error (KeyError); see the engine log'


def test_a_running_gc_refuses_the_run_and_leaves_no_container(env):
    swift = env.account.connect()
    swift.put_container(naming.chunk_container(PROJECT))
    import datetime
    from dragon.checkpoint import gc
    swift.post_container(naming.chunk_container(PROJECT), {
        gc.COLLECTING: datetime.datetime.now(datetime.UTC).isoformat()})
    ok, cp = env.protect()
    assert not ok and 'garbage collection' in cp.error
    assert store.checkpoint_containers(swift, PROJECT) == []


def test_an_interrupted_run_is_cleaned_up_from_its_row(env, conf, monkeypatch):
    # A run that captured and then died: its row names the temporaries.
    writer = store.CheckpointWriter(env.account.connect(), PROJECT, 'p', 'x')
    writer.create(timeutils.utcnow())
    db_api.checkpoint_update(env.context, env.checkpoint.id, {
        'status': 'error', 'container': writer.container,
        'resources': [{'key': 'server_web', 'type': 'OS::Nova::Server',
                       'id': 's1', 'name': 'web', 'action': 'image_snapshot',
                       'status': 'transferring',
                       'temporaries': {'temporary': 'img-1'}},
                      {'key': 'volume_db', 'type': 'OS::Cinder::Volume',
                       'id': 'v1', 'name': 'db', 'action': 'snapshot_data',
                       'status': 'done', 'temporaries': {}}]})
    monkeypatch.setattr(workflow, '_trust_clients',
                        lambda conf, checkpoint: env.clients)
    workflow.cleanup_orphan(conf, env.checkpoint.id)
    assert [e for e in env.log if e[0] == 'cleanup'] == [
        ('cleanup', 'server_web', 'img-1')]
    assert writer.container not in env.account.containers


def test_servers_a_dead_run_left_paused_are_unpaused(env, conf,
                                                    monkeypatch):
    """kill -9 between the pause and its release: the cleanup unpauses."""
    db_api.checkpoint_update(env.context, env.checkpoint.id, {
        'status': 'error', 'resources': [
            {'key': key, 'type': 'OS::Nova::Server', 'id': sid,
             'name': key, 'action': 'image_snapshot', 'status': 'capturing',
             'temporaries': {}}
            for key, sid in (('server_a', 'sa'), ('server_b', 'sb'),
                             ('server_c', 'sc'), ('server_d', 'sd'))]})
    db_api.checkpoint_events_add(env.context, env.checkpoint.id, [
        {'level': 'info', 'resource': key, 'message': message}
        for key, message in (
            ('server_a', consistency.PAUSED_EVENT),
            ('server_b', consistency.PAUSED_EVENT),
            ('server_b', consistency.UNPAUSED_EVENT),   # released in time
            ('server_c', consistency.PAUSED_EVENT),    # the user resumed it
            ('server_d', 'not running: not paused'))])  # paused by its user
    compute = env.clients.compute
    for sid in ('sa', 'sd'):
        compute.status[sid] = 'PAUSED'
    monkeypatch.setattr(workflow, '_trust_clients',
                        lambda conf, checkpoint: env.clients)
    workflow.cleanup_orphan(conf, env.checkpoint.id)
    assert compute.actions == [('unpause', 'sa')]
    assert compute.status['sd'] == 'PAUSED'
    events = db_api.checkpoint_event_get_all(env.context, env.checkpoint.id)
    assert [e.resource for e in events if e.message.startswith(
        'unpaused: the run that paused it stopped')] == ['server_a']


def test_a_temporarys_name_is_on_the_row_before_its_create_call(env):
    env.behaviour['volume'] = 'intend'
    ok, cp = env.protect()
    assert ok
    [(_, before)] = [e for e in env.log if e[0] == 'row before create']
    assert before == {'intended': {
        'volume': 'dragon-tmp-x-volume-volume_db'}}
    # The id followed; cleanup removed it and emptied the row.
    assert ('cleanup', 'volume_db', None) in env.log
    assert all(not r.get('temporaries') for r in cp.resources)


def test_a_capture_that_failed_is_cleaned_up_from_what_it_recorded(env):
    env.behaviour['volume'] = 'capture_recorded'
    ok, cp = env.protect()
    assert not ok
    assert ('cleanup', 'volume_db', 'made-volume_db') in env.log
    assert all(not r.get('temporaries') for r in cp.resources)


def test_an_interrupted_run_is_swept_by_name_and_checkpoint_id(
        env, conf, monkeypatch):
    """Killed right after a create call: the row has the name, not the id."""
    from dragon.protection.data import base
    from tests.unit.protection.data import fakes
    cloud = fakes.FakeCloud()
    cp_id = env.checkpoint.id
    member = cloud.add_volume(fakes.pieces_of(b'm'), status='in-use')
    lost = cloud.add_volume(fakes.pieces_of(b'v'), status='creating')
    name = 'dragon-tmp-%s-volume-volume_db' % cp_id
    cloud.objects['volume'][lost].update(name=name, _steps=2,
                                         _next='available', _temporary=True)
    snap = cloud.add_volume(fakes.pieces_of(b's'))
    cloud.objects['snapshot'][snap] = cloud.objects['volume'].pop(snap)
    cloud.objects['snapshot'][snap]['name'] = (
        'dragon-tmp-%s-snapshot-volume_db' % cp_id)
    image = cloud.add_image(fakes.pieces_of(b'i'), status='active',
                            name='anything', dragon_checkpoint=cp_id)
    other = cloud.add_image(fakes.pieces_of(b'o'), status='active',
                            name='dragon-tmp-another-checkpoint',
                            dragon_checkpoint='another')
    db_api.checkpoint_update(env.context, cp_id, {
        'status': 'error', 'project_id': fakes.PROJECT_ID, 'resources': [
            {'key': 'volume_db', 'type': 'OS::Cinder::Volume', 'id': member,
             'name': 'db', 'action': 'snapshot_data',
             'status': 'transferring', 'temporaries': {
                 base.INTENTS: {'volume': name}}}]})
    monkeypatch.setattr(workflow, '_trust_clients',
                        lambda conf, checkpoint: cloud)
    conf.set_override('poll_interval', 0, group='protection')
    workflow.cleanup_orphan(conf, cp_id)
    assert set(cloud.objects['volume']) == {member}
    assert cloud.objects['snapshot'] == {}
    assert set(cloud.objects['image']) == {other}
    assert image not in cloud.objects['image']
    messages = [e.message for e in db_api.checkpoint_event_get_all(
        env.context, cp_id)]
    assert any('volume %s (%s) of the interrupted run removed' % (
        lost, name) in m for m in messages), messages


def test_what_an_ended_run_kept_is_not_swept(env, conf, monkeypatch):
    """The engine deleting a checkpoint died: its kept snapshot stays."""
    from tests.unit.protection.data import fakes
    cloud = fakes.FakeCloud()
    kept = cloud.add_image(fakes.pieces_of(b'i'), status='active',
                           name='dragon-tmp-%s-snapshot-server_web' %
                           env.checkpoint.id,
                           dragon_checkpoint=env.checkpoint.id)
    db_api.checkpoint_update(env.context, env.checkpoint.id, {
        'status': 'error', 'resources': [
            {'key': 'server_web', 'type': 'OS::Nova::Server', 'id': 's1',
             'name': 'web', 'action': 'image_snapshot', 'status': 'done',
             'temporaries': {}}]})
    monkeypatch.setattr(workflow, '_trust_clients',
                        lambda conf, checkpoint: cloud)
    workflow.cleanup_orphan(conf, env.checkpoint.id)
    assert kept in cloud.objects['image'] and cloud.calls == []


def test_temporaries_are_on_the_row_until_cleaned(env):
    env.behaviour['volume'] = 'transfer'
    env.protect()
    cp = db_api.checkpoint_get(env.context, env.checkpoint.id)
    assert all(not r.get('temporaries') for r in cp.resources)


def test_a_run_notifies_start_and_end_with_the_row_as_it_ends(
        env, notifications):
    from dragon.notifications import samples
    ok, cp = env.protect()
    assert ok and notifications.types() == [
        'dragon.checkpoint.create.start', 'dragon.checkpoint.create.end']
    (_, _, start, _), (_, _, end, publisher) = notifications
    assert start['dragon_object.data']['status'] == 'protecting'
    data = end['dragon_object.data']
    assert (data['id'], data['status'], data['container']) == (
        cp.id, 'available', cp.container)
    assert data['stored_bytes'] == len(DISK) + len(VOLUME)
    assert data['finished_at'].endswith('Z')
    samples.check_against_sample('dragon.checkpoint.create.end', end,
                                 priority='info', publisher_id=publisher)


def test_a_failed_run_notifies_its_error(env, notifications):
    env.behaviour['volume'] = 'transfer'
    ok, cp = env.protect()
    assert not ok and notifications.types() == [
        'dragon.checkpoint.create.start', 'dragon.checkpoint.create.error']
    assert 'image went to killed' in \
        notifications[1][2]['dragon_object.data']['error']
    assert notifications[1][1] == 'error'


def test_a_broken_broker_does_not_change_the_outcome(env, notifications,
                                                     monkeypatch):
    from dragon.notifications import notifier

    class Broken:
        def prepare(self, publisher_id):
            raise ConnectionError('broker gone')

    monkeypatch.setattr(notifier, 'get_notifier', lambda conf: Broken())
    ok, cp = env.protect()
    assert ok and cp.status == 'available'


def test_delete_notifies_with_the_row_as_it_was(env, conf, notifications):
    workflow.delete(conf, env.checkpoint.id)
    [(event_type, _, payload, _)] = notifications.refresh()
    assert event_type == 'dragon.checkpoint.delete.end'
    assert payload['dragon_object.data']['id'] == env.checkpoint.id


ROUTES = ('router_r', 'router_routes_not_recreated',
          'extra routes of router r are not recreated')
USER_DATA = ('server_web', 'user_data_not_readable',
             'user data of server web not recorded')


def test_warnings_are_events_and_on_the_row_and_in_the_manifest(env):
    env.behaviour['discovery_warnings'] = [USER_DATA]
    env.behaviour['template_warnings'] = [ROUTES, ROUTES]   # said twice
    env.behaviour['volume'] = 'warn'
    ok, cp = env.protect()
    assert ok and cp.status == 'available'
    expected = [
        {'resource': 'server_web', 'what': 'user_data_not_readable',
         'message': 'user data of server web not recorded'},
        {'resource': 'router_r', 'what': 'router_routes_not_recreated',
         'message': 'extra routes of router r are not recreated'},
        {'resource': 'volume_db', 'what': 'backup_import_admin_only',
         'message': 'restorable by admins only'}]
    assert cp.warnings == expected
    manifest = store.read_manifest(env.account.connect(), cp.container)
    assert manifest['warnings'] == expected
    events = db_api.checkpoint_event_get_all(env.context, cp.id)
    warned = [(e.resource, e.message) for e in events
              if e.level == 'warning']
    assert warned == [(w['resource'], w['message']) for w in expected]
    assert any('3 warning(s)' in e.message for e in events)


def test_a_run_without_warnings_stores_an_empty_list(env):
    ok, cp = env.protect()
    assert ok and cp.warnings == []
    manifest = store.read_manifest(env.account.connect(), cp.container)
    assert manifest['warnings'] == []


def test_strict_fails_on_a_discovery_warning_before_any_data(env):
    env.behaviour['discovery_warnings'] = [USER_DATA]
    ok, cp = env.protect(strict=True)
    assert not ok and cp.status == 'error'
    assert 'strict' in cp.error
    assert 'server_web: user data of server web not recorded' in cp.error
    assert '(user_data_not_readable)' in cp.error
    assert cp.warnings[0]['what'] == 'user_data_not_readable'
    assert env.log == [] and env.account.containers == {}


def test_strict_fails_on_a_data_warning_and_removes_everything(env):
    env.behaviour['volume'] = 'warn'
    ok, cp = env.protect(strict=True)
    assert not ok and 'backup_import_admin_only' in cp.error
    # Nothing left behind: no container, and the transfer's result is
    # cleaned as unreferenced (its "done" mark dropped).
    assert store.checkpoint_containers(env.account.connect(), PROJECT) == []
    assert ('cleanup', 'volume_db', 'tmp-volume_db') in env.log


def test_without_strict_warnings_keep_the_checkpoint_available(env):
    env.behaviour['discovery_warnings'] = [USER_DATA]
    ok, cp = env.protect(strict=False)
    assert ok and cp.status == 'available' and len(cp.warnings) == 1


def test_a_server_left_paused_fails_the_run_and_is_named(env):
    compute = env.clients.compute
    original = compute.post

    def post(server_id, action):
        if action == 'unpause':
            compute.actions.append(('unpause', server_id))
            raise sdk_exc.BadRequestException('refused')
        return original(server_id, action)
    compute.post = post
    ok, cp = env.protect()
    assert not ok and cp.status == 'error'
    assert 'left paused' in cp.error and 'web (s1)' in cp.error
    events = db_api.checkpoint_event_get_all(env.context, cp.id)
    assert not any(e.message == 'unpaused' for e in events)
    assert store.checkpoint_containers(env.account.connect(), PROJECT) == []


def test_a_run_goes_through_its_phases_counting_resources(env, monkeypatch):
    seen = []
    phase, advance = rec.RunRecorder.phase, rec.RunRecorder.advance

    def record_phase(self, name, total=None):
        seen.append((name, total))
        phase(self, name, total)

    def record_advance(self):
        seen.append('+1')
        advance(self)

    monkeypatch.setattr(rec.RunRecorder, 'phase', record_phase)
    monkeypatch.setattr(rec.RunRecorder, 'advance', record_advance)
    ok, cp = env.protect()
    assert ok
    assert seen == [('preparing', None), ('capturing', 2), '+1', '+1',
                    ('transferring', 2), '+1', '+1', ('finishing', None)]
    assert cp.phase['name'] == 'finishing'


def test_parallel_transfers_and_pause_timeout_are_the_operators(
        env, conf, monkeypatch):
    conf.set_override('parallel_resources', 7, group='protection')
    conf.set_override('parallel_captures', 5, group='protection')
    conf.set_override('pause_timeout', 33, group='protection')
    workers, timeouts = [], []
    real_pool = workflow.concurrent.futures.ThreadPoolExecutor
    real_pause = workflow.consistency.Pause

    def pool(max_workers=None, **kwargs):
        workers.append(max_workers)
        return real_pool(max_workers, **kwargs)

    def pause(*args, timeout, **kwargs):
        timeouts.append(timeout)
        return real_pause(*args, timeout=timeout, **kwargs)

    monkeypatch.setattr(workflow.concurrent.futures, 'ThreadPoolExecutor',
                        pool)
    monkeypatch.setattr(workflow.consistency, 'Pause', pause)
    ok, cp = env.protect()
    assert ok and cp.status == 'available'
    # Captures and the waits for readable data; transfers.
    assert workers.count(5) == 2 and 7 in workers and timeouts == [33]


def test_a_paused_server_is_resumed_while_its_data_transfers(
        env, conf, monkeypatch):
    # Nova refuses the unpause while it uploads the snapshot; the transfer
    # does not wait for the unpause, nor the unpause for the transfer.
    conf.set_override('pause_timeout', 1, group='protection')
    conf.set_override('poll_interval', 0.01, group='protection')
    compute = env.clients.compute
    compute.uploading.add('s1')
    transfer = FakeAction.transfer

    def nova_uploads_meanwhile(self, ctx, node, state):
        if node.key == 'server_web':
            assert compute.refused.wait(5), 'no unpause before the transfer'
            assert compute.status['s1'] == 'PAUSED'
            time.sleep(1.2)       # longer than pause_timeout: still retried
            compute.uploading.discard('s1')
        return transfer(self, ctx, node, state)

    monkeypatch.setattr(FakeAction, 'transfer', nova_uploads_meanwhile)
    ok, cp = env.protect()
    assert ok and cp.status == 'available'
    assert compute.actions == [('pause', 's1'), ('unpause', 's1')]
    assert compute.status['s1'] == 'ACTIVE'


def test_a_server_nova_never_lets_go_is_named_after_the_transfers(
        env, conf):
    conf.set_override('pause_timeout', 1, group='protection')
    conf.set_override('image_active_timeout', 1, group='protection')
    conf.set_override('poll_interval', 0.01, group='protection')
    env.clients.compute.uploading.add('s1')
    ok, cp = env.protect()
    assert not ok and cp.status == 'error'
    assert 'web (s1)' in cp.error and 'openstack server unpause' in cp.error
    assert ('transfer', 'volume_db') in env.log


def test_a_failed_transfer_and_a_server_left_paused_name_both(env, conf):
    conf.set_override('pause_timeout', 1, group='protection')
    conf.set_override('image_active_timeout', 1, group='protection')
    conf.set_override('poll_interval', 0.01, group='protection')
    env.clients.compute.uploading.add('s1')
    env.behaviour['volume'] = 'transfer'
    ok, cp = env.protect()
    assert not ok
    assert 'web (s1)' in cp.error
    assert 'the run had failed too' in cp.error
    assert 'image went to killed' in cp.error
    assert store.checkpoint_containers(env.account.connect(), PROJECT) == []


def test_the_captures_of_a_policy_are_taken_at_the_same_time(
        env, monkeypatch):
    both = threading.Barrier(2, timeout=5)
    capture = FakeAction.capture

    def together(self, ctx, node):
        both.wait()     # breaks unless the other capture runs meanwhile
        return capture(self, ctx, node)

    monkeypatch.setattr(FakeAction, 'capture', together)
    ok, cp = env.protect()
    assert ok and cp.status == 'available'
    assert sorted(e[1] for e in env.log if e[0] == 'capture') == [
        'server_web', 'volume_db']


def test_a_resource_is_transferred_while_another_is_still_captured(
        env, monkeypatch):
    # Under consistent too: the server stays paused until the volume's
    # capture is taken, while the server's data already moves.
    transferring = threading.Event()
    capture, transfer = FakeAction.capture, FakeAction.transfer
    compute = env.clients.compute

    def slow_volume(self, ctx, node):
        if node.key == 'volume_db':
            assert transferring.wait(5), 'transfer waited for all captures'
            assert ('unpause', 's1') not in compute.actions
        return capture(self, ctx, node)

    def note(self, ctx, node, state):
        if node.key == 'server_web':
            transferring.set()
        return transfer(self, ctx, node, state)

    monkeypatch.setattr(FakeAction, 'capture', slow_volume)
    monkeypatch.setattr(FakeAction, 'transfer', note)
    ok, cp = env.protect()
    assert ok and cp.status == 'available', cp.error
    assert compute.actions == [('pause', 's1'), ('unpause', 's1')]
    assert cp.bytes_done == len(DISK) + len(VOLUME)


def test_data_being_made_readable_holds_no_transfer_slot(
        env, conf, monkeypatch):
    # One transfer at a time: the volume's upload to Glance (prepare)
    # goes on while the server's data is transferred, and the reverse.
    conf.set_override('parallel_resources', 1, group='protection')
    transferred = threading.Event()
    prepare, transfer = FakeAction.prepare, FakeAction.transfer

    def slow_upload(self, ctx, node, state):
        if node.key == 'volume_db':
            assert transferred.wait(5), 'a prepare held the transfer slot'
        return prepare(self, ctx, node, state)

    def note(self, ctx, node, state):
        result = transfer(self, ctx, node, state)
        transferred.set()
        return result

    monkeypatch.setattr(FakeAction, 'prepare', slow_upload)
    monkeypatch.setattr(FakeAction, 'transfer', note)
    ok, cp = env.protect()
    assert ok and cp.status == 'available', cp.error
    for key in ('server_web', 'volume_db'):
        assert env.log.index(('prepare', key)) < env.log.index(
            ('transfer', key))


def test_a_failed_prepare_fails_the_run_and_cleans_up(env):
    env.behaviour['volume'] = 'prepare'
    ok, cp = env.protect()
    assert not ok and 'upload went to killed' in cp.error
    assert ('transfer', 'volume_db') not in env.log
    by_key = {r['key']: r for r in cp.resources}
    assert by_key['volume_db']['status'] == statuses.Resource.ERROR
    assert 'upload went to killed' in by_key['volume_db']['reason']
    assert env.clients.compute.actions[-1] == ('unpause', 's1')
    assert {e[1] for e in env.log if e[0] == 'cleanup'} == {
        'server_web', 'volume_db'}
    assert store.checkpoint_containers(env.account.connect(), PROJECT) == []


def test_a_failed_capture_cleans_up_what_the_others_captured(env):
    env.behaviour['volume'] = 'capture'
    ok, cp = env.protect()
    assert not ok and 'snapshot refused' in cp.error
    assert ('cleanup', 'server_web', 'tmp-server_web') in env.log
    assert env.clients.compute.status['s1'] == 'ACTIVE'


CUSTOMER_KEY = os.urandom(32)
KEY_REF = 'http://kms/v1/secrets/0b9f0a4e-3c6f-4a8e-9d51-5f0c2a6b7e10'
KEY_REF_TWO = 'http://kms2/v1/secrets/1c8e1b5f-4d7a-4b9f-8e62-6a1d3b7c8f21'


def _encrypt(env, monkeypatch, readable=True):
    db_api.workload_policy_update(env.context, env.checkpoint.policy_id, {
        'encryption': {'key_ref': KEY_REF,
                       'recovery_key_refs': {'RegionTwo': KEY_REF_TWO}}})
    reads = []

    def read(session, region, key_ref, conf=None):
        reads.append((session, region, key_ref))
        if not readable:
            raise exception.KeyNotFound(key_ref=key_ref, region=region)
        return CUSTOMER_KEY

    monkeypatch.setattr(workflow.keyring.keys, 'read_customer_key', read)
    return reads


def _windows(data, size=64, step=4096):
    return {data[i:i + size] for i in range(0, len(data) - size, step)}


def test_an_unreadable_key_fails_the_run_before_any_data(env, monkeypatch):
    _encrypt(env, monkeypatch, readable=False)
    ok, cp = env.protect()
    assert not ok and cp.status == 'error'
    assert KEY_REF in cp.error and 'RegionOne' in cp.error
    assert env.log == [] and env.account.containers == {}
    assert env.validated == []


def test_an_encrypted_run_stores_nothing_in_clear(env, monkeypatch):
    reads = _encrypt(env, monkeypatch)
    ok, cp = env.protect()
    assert ok and cp.status == 'available', cp.error
    # Once for the data key, then once per region for its readiness.
    assert reads == [('trust-session', 'RegionOne', KEY_REF),
                     ('trust-session', 'RegionOne', KEY_REF),
                     ('trust-session', 'RegionTwo', KEY_REF_TWO)]
    swift = env.account.connect()
    [point] = store.list_recovery_points(swift, PROJECT)
    assert point['encrypted'] and point['key_ref'] == KEY_REF
    # Neither the data nor a resource name is in any object of the project.
    secrets = _windows(DISK) | _windows(VOLUME[:1024 * 1024])
    for name in ('server_web', 'volume_db', 'three tier', 'net_a'):
        secrets.add(name.encode())
    for container in env.account.containers.values():
        for obj_name, body in container['objects'].items():
            assert not any(s in body for s in secrets), obj_name
            assert not any(s in obj_name.encode() for s in secrets)
    # Only the wrapped data key is stored, next to the chunks.
    chunk_meta = env.account.containers[naming.chunk_container(PROJECT)][
        'meta']
    assert any(k.endswith('-wrapped') for k in chunk_meta)
    assert not any(CUSTOMER_KEY in v.encode('latin-1')
                   for v in chunk_meta.values())
    # The clear envelope is enough for gc and a listing check...
    envelope = store.read_manifest(swift, cp.container)
    assert 'graph' not in envelope and envelope['chunks']
    assert envelope['encryption']['key_refs'] == {
        'RegionOne': KEY_REF, 'RegionTwo': KEY_REF_TWO}
    # ...and the key opens the rest, recovered as at the backup site.
    manifest, domain = keyring.open_checkpoint(
        None, lambda: 'session-two', swift, 'RegionTwo', cp.container)
    assert reads[-1] == ('session-two', 'RegionTwo', KEY_REF_TWO)
    assert set(manifest['data']) == {'server_web', 'volume_db'}
    template, parameters = store.read_template(swift, cp.container, domain)
    assert parameters['server_web_image']['default'] == 'i1'
    assert 'server_web' in template
    chunks = chunks_mod.ChunkStore(env.account.connect,
                                   manifest['chunk_container'],
                                   decompressor=chunks_mod._zstd_decompress,
                                   domain=domain)
    restored = b''.join(chunks.iter_stream(
        chunks_mod.ChunkRef.from_dict(c)
        for c in manifest['data']['server_web']['chunks']))
    assert restored == DISK
    assert any('wrapped by key' in e.message
               for e in db_api.checkpoint_event_get_all(env.context, cp.id))


def test_a_protection_records_whether_each_region_could_recover_it(
        env, monkeypatch):
    reads = _encrypt(env, monkeypatch)
    ok, cp = env.protect()
    assert ok, cp.error
    policy = db_api.workload_policy_get(env.context, env.checkpoint.policy_id)
    state = policy.readiness
    assert state['by'] == 'protection' and state['dr_ready'] is True
    assert {r: (s['readable'], s['unwraps'])
            for r, s in state['regions'].items()} == {
        'RegionOne': (True, True), 'RegionTwo': (True, True)}
    # The backup region's key gone: the next protection records it, and
    # the checkpoint is available all the same.
    real = workflow.keyring.keys.read_customer_key

    def gone_in_two(session, region, key_ref, conf=None):
        if region == 'RegionTwo':
            raise exception.KeyNotFound(key_ref=key_ref, region=region)
        return real(session, region, key_ref, conf)

    monkeypatch.setattr(workflow.keyring.keys, 'read_customer_key',
                        gone_in_two)
    ok, again = env.protect()
    assert ok and again.status == 'available', again.error
    state = db_api.workload_policy_get(env.context,
                                       env.checkpoint.policy_id).readiness
    assert state['dr_ready'] is False
    assert KEY_REF_TWO in state['regions']['RegionTwo']['reason']
    assert reads


def test_readiness_that_cannot_be_recorded_does_not_fail_the_run(
        env, monkeypatch):
    _encrypt(env, monkeypatch)

    def refuse(*args):
        raise RuntimeError('database away')

    monkeypatch.setattr(workflow.db_api, 'workload_policy_set_readiness',
                        refuse)
    ok, cp = env.protect()
    assert ok and cp.status == 'available', cp.error


def test_reprotecting_encrypted_unchanged_data_uploads_nothing(
        env, conf, monkeypatch):
    _encrypt(env, monkeypatch)
    ok, first = env.protect()
    # Four chunks of data, each sealed with its version, nonce and tag.
    assert ok and first.stats['uploaded_bytes'] == (
        len(DISK) + 1024 * 1024 + 4 * crypto.OVERHEAD)
    _first, second = _next_checkpoint(env)
    ok, cp = _run(env, conf, second)
    assert ok and cp.stats['uploaded_bytes'] == 0, cp.error
    assert cp.stats['reused_chunks'] == 4
    # One data key for the project, found again in the chunk container.
    chunk_meta = env.account.containers[naming.chunk_container(PROJECT)][
        'meta']
    assert len([k for k in chunk_meta if k.endswith('-wrapped')]) == 1


def test_a_rotated_key_rewraps_and_both_checkpoints_recover_with_it(
        env, conf, monkeypatch):
    _encrypt(env, monkeypatch)
    ok, first = env.protect()
    assert ok
    new_key = os.urandom(32)
    new_ref = KEY_REF.replace('kms', 'kms-new')
    secrets = {KEY_REF: CUSTOMER_KEY, new_ref: new_key}
    monkeypatch.setattr(workflow.keyring.keys, 'read_customer_key',
                        lambda session, region, ref, conf=None: secrets[ref])
    db_api.workload_policy_update(env.context, env.checkpoint.policy_id, {
        'encryption': {'key_ref': new_ref, 'recovery_key_refs': {}}})
    _first, second = _next_checkpoint(env)
    ok, cp = _run(env, conf, second)
    assert ok and cp.stats['uploaded_bytes'] == 0, cp.error
    assert any('re-wrapped by the new key' in e.message and '1 earlier' in
               e.message for e in db_api.checkpoint_event_get_all(
                   env.context, cp.id))
    # The old key is destroyed: both checkpoints open with the new one.
    del secrets[KEY_REF]
    swift = env.account.connect()
    for container in (first.container, cp.container):
        manifest, _domain = keyring.open_checkpoint(
            None, lambda: 's', swift, 'RegionOne', container)
        assert set(manifest['data']) == {'server_web', 'volume_db'}


def test_a_cinder_backup_member_of_an_encrypted_policy_is_refused(
        env, monkeypatch):
    _encrypt(env, monkeypatch)
    original = workflow.discovery.discover

    def discover(clients, members, warn):
        graph = original(clients, members, warn)
        graph.get('volume_db').action = 'cinder_backup'
        return graph

    monkeypatch.setattr(workflow.discovery, 'discover', discover)
    ok, cp = env.protect()
    assert not ok and 'cinder_backup' in cp.error and 'snapshot_data' in \
        cp.error
    assert not any(e[0] == 'capture' for e in env.log)


def _next_checkpoint(env):
    context = env.context
    first = db_api.checkpoint_get(context, env.checkpoint.id)
    second = db_api.checkpoint_create(context, {
        'project_id': PROJECT, 'user_id': 'u', 'policy_id': first.policy_id,
        'policy_name': first.policy_name, 'status': 'protecting'})
    return first, second


def _run(env, conf, checkpoint):
    context = env.context
    cp = db_api.checkpoint_get(context, checkpoint.id)
    policy = db_api.workload_policy_get(context, cp.policy_id)
    ok = workflow.Protection(conf, cp, policy, env.clients,
                             rec.RunRecorder(context, cp.id)).run()
    return ok, db_api.checkpoint_get(context, checkpoint.id)


def test_the_previous_checkpoints_records_reach_the_data_actions(env, conf):
    """By resource; what is reused is counted in the stats."""
    ok, _cp = env.protect()
    assert ok and not any(e[0] == 'previous' for e in env.log)
    first, second = _next_checkpoint(env)
    env.behaviour['server'] = 'reuse'
    ok, cp = _run(env, conf, second)
    assert ok, cp.error
    assert ('previous', 'server_web', first.id) in env.log
    assert ('previous', 'volume_db', first.id) in env.log
    assert cp.stats['reused_records'] == 1
    events = [e.message for e in db_api.checkpoint_event_get_all(
        env.context, cp.id)]
    assert any('of checkpoint %s referenced' % first.id in m
               for m in events), events


def test_without_skip_unchanged_servers_no_previous_is_read(env, conf):
    env.protect()
    _first, second = _next_checkpoint(env)
    conf.set_override('skip_unchanged_servers', False, group='protection')
    del env.log[:]
    ok, cp = _run(env, conf, second)
    assert ok and cp.stats['reused_records'] == 0
    assert not any(e[0] == 'previous' for e in env.log)

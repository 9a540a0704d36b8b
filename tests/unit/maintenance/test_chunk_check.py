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

"""``dragon-manage chunks check``: every project's checkpoints verified."""

import datetime
import io
import os
import types

from dragon.checkpoint import chunks
from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import naming
from dragon.checkpoint import store
from dragon.cmd import manage
from dragon import context
from dragon.db import api as db_api
from dragon import identity
from dragon.maintenance import accounts
from dragon.maintenance import collector
from tests.unit.checkpoint.fake_swift import FakeAccount


def _checkpoint(account, project, when, checkpoint_id):
    chunk_store = chunks.ChunkStore(account.connect,
                                    naming.chunk_container(project),
                                    chunk_size=1024)
    chunk_store.ensure_container()
    result = chunk_store.put_stream(io.BytesIO(os.urandom(2048)))
    writer = store.CheckpointWriter(account.connect(), project, 'pol', 'app')
    writer.create(datetime.datetime(2026, 11, 23, 10, when,
                                    tzinfo=datetime.UTC))
    writer.finish(manifest_mod.build(
        checkpoint_id=checkpoint_id, project_id=project, policy={},
        source_region='R', graph={}, data={'volume_a': {
            'kind': 'volume', 'size': result.size, 'chunk_list_sha256': result.chunk_list_sha256,
            'chunks': [c.to_dict() for c in result.chunks]}},
        parameters={}, chunk_container=chunk_store.container,
        started_at='t0', finished_at='t1', dragon_version='1'),
        'heat_template_version: 2018-08-31', [])
    return writer.container, result


def _accounts(monkeypatch):
    projects = {'p1': FakeAccount(), 'p2': FakeAccount()}
    monkeypatch.setattr(identity, 'service_session', lambda conf: 'session')

    def project_swift(conf, project_id, session=None):
        if project_id not in projects:
            raise RuntimeError('no account for %s' % project_id)
        return projects[project_id].connect()

    monkeypatch.setattr(accounts, 'project_swift', project_swift)
    return projects


def test_check_projects_finds_damage_and_records_known_checkpoints(
        monkeypatch, conf, db):
    projects = _accounts(monkeypatch)
    good, _r = _checkpoint(projects['p1'], 'p1', 1, 'c-good')
    bad, result = _checkpoint(projects['p1'], 'p1', 2, 'c-bad')
    _checkpoint(projects['p2'], 'p2', 1, 'c-other')
    objects = projects['p1'].containers[naming.chunk_container('p1')]['objects']
    name = chunks.ChunkStore.object_name(result.chunks[0].sha256)
    del objects[name]
    # the database knows c-bad
    admin = context.get_admin_context()
    policy = db_api.workload_policy_create(admin, {
        'project_id': 'p1', 'name': 'app', 'options': {}})
    row = db_api.checkpoint_create(admin, {
        'project_id': 'p1', 'user_id': 'u', 'policy_id': policy.id,
        'policy_name': 'app', 'trust_id': None})
    db_api.checkpoint_update(admin, row.id, {'status': 'available',
                                             'container': bad})
    monkeypatch.setattr(store, 'list_recovery_points',
                        _with_id(store.list_recovery_points,
                                 {bad: row.id}))
    projects['p1'].requests.clear()
    found = list(collector.check_projects(conf, ['p1', 'p2', 'p3']))
    by = {(f.project_id, f.container): f for f in found}
    assert by[('p1', good)].result.status == 'ok'
    assert by[('p1', bad)].result.status == 'damaged'
    assert by[('p1', bad)].result.problems[0]['problem'] == 'missing'
    assert by[('p3', None)].error == 'no account for p3'
    assert len(found) == 4
    # one listing of the chunk container served both checkpoints of p1
    assert sum(r[:2] == ('GET', naming.chunk_container('p1'))
               for r in projects['p1'].requests) == 1
    stored = db_api.checkpoint_get(admin, row.id).verification
    assert stored['status'] == 'damaged' and stored['problem_count'] == 1


def _with_id(real, ids):
    def listing(swift, project_id, policy=None):
        points = real(swift, project_id, policy=policy)
        for point in points:
            point['checkpoint_id'] = ids.get(point['container'],
                                             point['checkpoint_id'])
        return points
    return listing


def test_manage_chunks_check_prints_a_line_per_problem(monkeypatch, capsys):
    damaged = types.SimpleNamespace(
        status='damaged', checked=3, read_data=True,
        problems=[{'chunk': 'ab' * 32, 'resources': ['volume_a'],
                   'problem': 'corrupt'}])
    ok = types.SimpleNamespace(status='ok', checked=2, read_data=True,
                               problems=[])
    seen = {}

    def check_projects(conf, projects, read_data=False):
        seen.update(projects=projects, read_data=read_data)
        yield collector.CheckResult('p1', 'dragon_p1_a_1', ok)
        yield collector.CheckResult('p1', 'dragon_p1_a_2', damaged)
        yield collector.CheckResult('p2', error='Swift: 503')

    monkeypatch.setattr(collector, 'check_projects', check_projects)
    conf = types.SimpleNamespace(command=types.SimpleNamespace(
        project_id=['p1', 'p2'], read_data=True))
    assert manage.chunks_check(conf) == 1
    assert seen == {'projects': ['p1', 'p2'], 'read_data': True}
    assert capsys.readouterr().out.splitlines() == [
        'project p1 dragon_p1_a_1: ok, 2 chunks read and checked, 0 problems',
        'project p1 dragon_p1_a_2: damaged, 3 chunks read and checked, 1 '
        'problems',
        'project p1 dragon_p1_a_2: chunk %s of volume_a: corrupt' % ('ab' * 32),
        'project p2: error: Swift: 503']
    monkeypatch.setattr(collector, 'check_projects',
                        lambda conf, projects, read_data=False: iter(
                            [collector.CheckResult('p1', 'c', ok)]))
    assert manage.chunks_check(conf) == 0


def test_check_projects_defaults_to_every_known_project(monkeypatch, conf,
                                                        db):
    """Without project ids it checks the projects the database knows.

    It used to call a helper that had been renamed (NameError), which
    ``dragon-manage chunks check`` without ``--project-id`` hit.
    """
    projects = _accounts(monkeypatch)
    container, _r = _checkpoint(projects['p2'], 'p2', 1, 'c-p2')
    admin = context.get_admin_context()
    db_api.workload_policy_create(admin, {
        'project_id': 'p2', 'name': 'app', 'options': {}})
    found = list(collector.check_projects(conf))
    assert [(f.project_id, f.container) for f in found] == [('p2', container)]
    assert found[0].result.status == 'ok'

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

"""Recovering the protected workload into RegionTwo through dragon-api.

Uses the session's protected three-tier workload (``protected`` fixture).
These runs leave the primary site up; recovery with the primary site lost
is in ``test_site_loss_recovery.py``.
"""
import time

import pytest

from dragon.checkpoint import chunks as chunks_mod
from dragon.checkpoint import naming
from tests.story import BACKUP
from tests.story import FINAL_RECOVERY
from tests.story import wait


def _recover(protected, **fields):
    recovery = protected.dr.recoveries.create(target_region=BACKUP, **fields)
    return wait(lambda: protected.dr.recoveries.get(recovery['id']),
                FINAL_RECOVERY, 1200)


def _leftovers(conn, recovery_id):
    """What a recovery could have left in RegionTwo."""
    stacks = [s.name for s in conn.orchestration.stacks()
              if recovery_id[:8] in (s.name or '') or
              (s.name or '').startswith('drill-')]
    images = [i.name for i in conn.image.images()
              if (i.properties or {}).get('dragon_restore') == recovery_id]
    return stacks + images


@pytest.fixture
def target(cloud):
    return cloud.connect('demo', region=BACKUP)


def test_a_missing_mapping_fails_before_anything_is_created(protected,
                                                            target):
    checkpoint = protected.latest()
    recovery = _recover(protected, checkpoint_id=checkpoint['id'],
                        mappings={'flavors': {'m1.tiny': 'no-such-flavor'}})
    assert recovery['status'] == 'error'
    assert 'no-such-flavor' in recovery['error'], recovery['error']
    assert recovery['stack_id'] is None and not recovery['restored']
    assert _leftovers(target, recovery['id']) == []
    protected.dr.recoveries.delete(recovery['id'])


def test_a_drill_of_one_server_leaves_nothing_and_records_its_rto(
        protected, target):
    checkpoint = protected.latest()
    web = protected.workload.ids['web']
    recovery = _recover(protected, recovery_point=checkpoint['container'],
                        mode='drill', resources=[web])
    assert recovery['status'] == 'succeeded', recovery['error']
    assert recovery['torn_down'] and recovery['rto_seconds'] > 0
    launched = {r['id'] for r in recovery['resource_status']
                if r['type'] == 'OS::Nova::Server'}
    assert launched == {web}
    assert _leftovers(target, recovery['id']) == []
    policy = protected.dr.policies.get(protected.policy['id'])
    assert policy['last_drill']['recovery_id'] == recovery['id']
    assert policy['last_drill']['status'] == 'succeeded'
    assert policy['last_drill']['rto_seconds'] == pytest.approx(
        recovery['rto_seconds'], abs=0.01)


def test_a_corrupted_chunk_fails_the_recovery_naming_the_resource(
        protected, target):
    checkpoint = protected.latest()
    manifest = protected.manifest(checkpoint)
    web = protected.workload.ids['web']
    key = next(n['key'] for n in manifest['graph']['nodes']
               if n['id'] == web)
    chunk = next(c for c in manifest['data'][key]['chunks']
                 if c['sha256'] != chunks_mod.ZERO)
    swift = protected.clients.swift()
    container = naming.chunk_container(protected.clients.project_id)
    name = chunks_mod.ChunkStore.object_name(chunk['sha256'])
    headers, body = swift.get_object(container, name)
    meta = {k: v for k, v in headers.items()
            if k.lower().startswith('x-object-meta-')}
    swift.put_object(container, name, b'corrupt' + body[7:], headers=meta)
    try:
        started = time.monotonic()
        recovery = _recover(protected, checkpoint_id=checkpoint['id'],
                            resources=[web])
    finally:
        swift.put_object(container, name, body, headers=meta)
    assert recovery['status'] == 'error'
    assert key in recovery['error'] or 'web' in recovery['error'], \
        recovery['error']
    assert 'corrupt' in recovery['error'].lower() or \
        'checksum' in recovery['error'].lower(), recovery['error']
    # The stack's early part (made while the data was restored) went with
    # the restored data: nothing of a failed restore is left.
    assert recovery['torn_down'] is True
    if recovery['stack_name']:
        assert recovery['stack_name'] not in [
            s.name for s in target.orchestration.stacks()]
    assert _leftovers(target, recovery['id']) == []
    assert time.monotonic() - started < 600
    protected.dr.recoveries.delete(recovery['id'])

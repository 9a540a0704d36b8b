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

"""Damaged chunks, ``kill -9`` of an engine mid-transfer, a lost database: available stays true.

The session's workload is protected again with two engines running; the
engine that took the run is killed while a volume's bytes are moving.
Within ``service_down_time`` the other engine takes the run over: the
dead run's temporaries are removed, the protection starts again and ends
``available``, storing only what Swift lacks. The checkpoint it makes is
the session's newest, so the recovery tests (the drill of
``recovery/test_rewrite.py`` and the site-loss test) recover it and the
site-loss test compares the data volume's bytes (sha256).
"""
import os
import subprocess
import time

from dragon.checkpoint import chunks as chunks_mod
from tests.functional.protected import wait_checkpoint
from tests.minicloud.dragon import dragon_bin
from tests.minicloud.process import clean_environ


def _transferring(checkpoint, phase_is_enough=False):
    # The phase is written the moment transfers start; a resource's bytes
    # at most once a second.  When most chunks are already stored (earlier
    # tests protected the same workload) a transfer can end between two
    # progress writes: where "transfers have started" is enough, the phase
    # counts too.
    if phase_is_enough and (checkpoint.get('progress') or {}).get(
            'phase') == 'transferring':
        return True
    return any(r['status'] == 'transferring' and r['bytes_done'] > 0
               for r in checkpoint['resources'])


def _protect_until_transferring(protected, phase_is_enough=False):
    """Protect the session's policy; return it once bytes are moving."""
    dr = protected.dr
    started = dr.checkpoints.protect(protected.policy['id'])
    protected.checkpoints.append(started['id'])
    deadline = time.monotonic() + 300
    while True:
        checkpoint = dr.checkpoints.get(started['id'])
        if checkpoint['status'] == 'protecting' and _transferring(
                checkpoint, phase_is_enough):
            return started, checkpoint
        assert checkpoint['status'] in ('queued', 'protecting'), checkpoint
        assert time.monotonic() < deadline, 'never saw a transfer'
        time.sleep(0.2)


def _overwrite_chunks(protected, checkpoint, count=2):
    """Other bytes of the same length in ``count`` chunks of the data volume."""
    from dragon.checkpoint import naming
    manifest = protected.manifest(checkpoint)
    record = next(r for r in manifest['data'].values()
                  if r.get('chunks') and r.get('kind') == 'volume')
    refs = [c for c in record['chunks']
            if c['sha256'] != chunks_mod.ZERO][:count]
    swift = protected.clients.swift()
    container = naming.chunk_container(protected.clients.project_id)
    damaged = []
    for ref in refs:
        name = chunks_mod.ChunkStore.object_name(ref['sha256'])
        size = int(swift.head_object(container, name)['content-length'])
        swift.put_object(container, name, os.urandom(size))
        damaged.append(ref['sha256'])
    return damaged


def test_damaged_chunks_are_named_by_verify_and_rewritten_not_reused(
        protected, dragon):
    """Chunks overwritten in Swift with other bytes of the same length:
    verify names them (listing check in seconds, read-data check too),
    the recovery point check and ``dragon-manage chunks check`` agree, and
    the next protection stores them again instead of referencing them, so
    the old checkpoint reads back whole again.
    """
    dr = protected.dr
    dragon.ensure_up()
    old = protected.latest()
    damaged = _overwrite_chunks(protected, old)
    started = time.monotonic()
    dr.checkpoints.verify(old['id'])
    result = wait_verified(dr, old['id'])
    listing_seconds = time.monotonic() - started
    assert result['status'] == 'damaged', result
    named = {p['chunk'] for p in result['problems']}
    assert named == set(damaged), (named, damaged)
    print('verify without reading: %.1f s for %d chunks' % (
        listing_seconds, result['chunks_checked']))
    assert listing_seconds < 60
    dr.checkpoints.verify(old['id'], read_data=True)
    deep = wait_verified(dr, old['id'], timeout=600)
    assert deep['status'] == 'damaged' and deep['read_data'] is True
    assert {p['chunk'] for p in deep['problems']} == set(damaged)
    point = dr.recovery_points.verify(old['container'])
    assert point['status'] == 'damaged'
    assert {p['chunk'] for p in point['problems']} == set(damaged)
    check = _chunks_check(dragon, protected)
    assert check.returncode == 1, (check.stdout, check.stderr)
    assert all(sha in check.stdout for sha in damaged), check.stdout

    # The next protection of the same data writes them again, by an engine
    # that leaves the md5 to Swift ([checkpoint] upload_md5 = never, what
    # ``auto`` does over https): what it records must be what Swift
    # stored, for chunks check and verify below.
    dragon.stop_engines()
    dragon.start_engine(1, env={'OS_CHECKPOINT__UPLOAD_MD5': 'never'})
    try:
        again = dr.checkpoints.protect(protected.policy['id'])
        protected.checkpoints.append(again['id'])
        again = wait_checkpoint(dr, again['id'])
    finally:
        dragon.stop_engines()
        dragon.start_engine(1)
    assert again['status'] == 'available', again['error']
    messages = ' '.join(e['message'] for e in dr.checkpoints.events(
        again['id']))
    assert 'damaged' in messages, messages
    manifest = protected.manifest(again)
    for record in manifest['data'].values():
        if record.get('chunks'):
            # Every chunk read back (each checked against its name) and
            # the list against its digest.
            protected.sha256_of(record)
            assert record['chunk_list_sha256'] == \
                chunks_mod.chunk_list_sha256(record['chunks'])
    rewritten = [c for record in manifest['data'].values()
                 for c in record.get('chunks') or ()
                 if c['sha256'] in damaged]
    assert rewritten and all(c.get('md5') for c in rewritten), rewritten
    dr.checkpoints.verify(old['id'], read_data=True)
    assert wait_verified(dr, old['id'], timeout=600)['status'] == 'ok'
    check = _chunks_check(dragon, protected)
    assert check.returncode == 0, (check.stdout, check.stderr)


def _chunks_check(dragon, protected):
    """``dragon-manage chunks check`` of the project, as an operator runs it."""
    return subprocess.run(
        [dragon_bin('dragon-manage'), '--config-file',
         str(dragon.config_file), 'chunks', 'check', '--project-id',
         protected.clients.project_id], capture_output=True, text=True,
        timeout=300, env=clean_environ())


def wait_verified(dr, checkpoint_id, timeout=300):
    deadline = time.monotonic() + timeout
    while True:
        verification = dr.checkpoints.get(checkpoint_id)['verification']
        if verification and verification['status'] != 'running':
            return verification
        assert time.monotonic() < deadline, verification
        time.sleep(1)


def test_kill_9_mid_transfer_is_taken_over_and_ends_available(
        protected, two_engines):
    dr = protected.dr
    # The phase, not a resource's bytes: the data is in Swift already, so
    # a resource's transfer may go from none to done between two progress
    # writes; the phase turns while the run still waits for Nova's upload.
    started, checkpoint = _protect_until_transferring(
        protected, phase_is_enough=True)
    victim = checkpoint['engine']
    index = two_engines.engine_index(victim)
    two_engines.kill_engine(index)
    killed_at = time.monotonic()

    ended = wait_checkpoint(dr, started['id'], timeout=900)
    assert ended['status'] == 'available', (ended['error'],
                                            ended['resources'])
    assert ended['engine'] != victim
    assert ended['stats']['takeovers'] == 1
    messages = [e['message'] for e in dr.checkpoints.events(started['id'])]
    assert any('the engine running it (host %s) stopped; taken over' % victim
               in m for m in messages), messages
    # The data was in Swift already (earlier checkpoints): the new run
    # stored next to nothing, and nothing of the dead run is left over.
    assert ended['stats']['uploaded_bytes'] <= \
        protected.first['stats']['uploaded_bytes'] * 0.01, ended['stats']
    mine = protected.name.replace('-', '_')
    leftovers = [i.name for i in protected.conn.image.images()
                 if (i.name or '').startswith('dragon-tmp') and
                 mine in i.name]
    leftovers += [v.name for v in protected.conn.block_storage.volumes()
                  if (v.name or '').startswith('dragon-tmp') and
                  mine in v.name]
    assert leftovers == []
    points = dr.recovery_points.list(policy=protected.policy['id'])
    assert ended['container'] in [p['container'] for p in points]
    # The policy is consistent: the dead run may have had its servers
    # paused; none is left so (the next run would skip a paused server).
    states = {name: protected.conn.compute.get_server(server_id).status
              for name, server_id in protected.workload.ids.items()
              if name in ('web', 'app', 'db')}
    assert set(states.values()) == {'ACTIVE'}, states
    print('kill -9 to available: %.0f s' % (time.monotonic() - killed_at))
    # The killed engine comes back: it finds nothing of its own to redo.
    two_engines.start_engine(index)


def _temporaries_of(conn, checkpoint_id):
    """What of the checkpoint's temporaries exists: its name or property."""
    prefix = 'dragon-tmp-%s-' % checkpoint_id
    found = ['image %s' % i.name for i in conn.image.images()
             if (i.name or '').startswith(prefix) or
             (i.properties or {}).get('dragon_checkpoint') == checkpoint_id]
    found += ['volume %s (%s)' % (v.name, v.status)
              for v in conn.block_storage.volumes()
              if (v.name or '').startswith(prefix)]
    found += ['snapshot %s (%s)' % (s.name, s.status)
              for s in conn.block_storage.snapshots()
              if (s.name or '').startswith(prefix)]
    return found


def test_kill_9_between_a_create_call_and_its_row_write_leaks_nothing(
        protected, two_engines, tmp_path):
    """The engine dies right after Cinder made a temporary volume, before
    its id reached the row (the test-only fault hook ``base.FAULT_ENV``:
    the engine sends itself SIGKILL, once).  The engine taking over finds
    the volume by the name recorded before the call and the checkpoint's
    name prefix, removes it and the snapshot it came from, and the run
    starts again and ends ``available``: no temporary of the checkpoint
    is left in the region.
    """
    from dragon.protection.data import base
    dr = protected.dr
    marker = tmp_path / 'killed'
    fault = {base.FAULT_ENV: 'volume:%s' % marker}
    two_engines.stop_engines()
    for index in (1, 2):
        two_engines.start_engine(index, env=fault)
    started = dr.checkpoints.protect(protected.policy['id'])
    protected.checkpoints.append(started['id'])
    deadline = time.monotonic() + 300
    while not marker.exists():
        checkpoint = dr.checkpoints.get(started['id'])
        assert checkpoint['status'] in ('queued', 'protecting'), checkpoint
        assert time.monotonic() < deadline, 'the fault never fired'
        time.sleep(0.2)
    killed_at = time.monotonic()
    victim = dr.checkpoints.get(started['id'])['engine']
    index = two_engines.engine_index(victim)
    while two_engines.engine_alive(index):
        assert time.monotonic() < killed_at + 20, 'the engine did not die'
        time.sleep(0.2)
    # Cinder made it; the row never got its id.
    left = _temporaries_of(protected.conn, started['id'])
    assert any(t.startswith('volume ') for t in left), left

    ended = wait_checkpoint(dr, started['id'], timeout=900)
    assert ended['status'] == 'available', (ended['error'],
                                            ended['resources'])
    assert ended['engine'] != victim
    assert ended['stats']['takeovers'] == 1
    messages = [e['message'] for e in dr.checkpoints.events(started['id'])]
    assert any('of the interrupted run removed' in m and 'volume' in m
               for m in messages), messages
    assert _temporaries_of(protected.conn, started['id']) == []
    print('kill -9 after a create call to available: %.0f s; swept: %s' % (
        time.monotonic() - killed_at,
        [m for m in messages if 'of the interrupted run removed' in m]))


def test_database_lost_mid_run_keeps_the_complete_container_and_reconciles(
        protected, cloud, dragon):
    """Dragon's database goes away (its account locked, its connections
    cut) while a protection moves data: the run completes in Swift, the
    final write cannot be made, nothing is deleted; once the database is
    back, the engine reconciles the row from the complete container.
    """
    from dragon.checkpoint import store
    from tests.minicloud.bootstrap import lock_account
    dr = protected.dr
    dragon.ensure_up()
    # Locking the database any time during the transfers tests the same.
    started, checkpoint = _protect_until_transferring(
        protected, phase_is_enough=True)
    container = checkpoint['container']
    swift = protected.clients.swift()
    lock_account(cloud.layout, 'dragon_functional')
    try:
        # The run finishes in Swift; its final write keeps failing.
        deadline = time.monotonic() + 600
        while not (store.container_metadata(swift, container) or {}).get(
                store.COMPLETE):
            assert time.monotonic() < deadline, 'the container never ended'
            time.sleep(1)
        time.sleep(25)      # the final write's retries give up meanwhile
        assert (store.container_metadata(swift, container) or {}).get(
            store.COMPLETE), 'a complete container was deleted'
    finally:
        lock_account(cloud.layout, 'dragon_functional', locked=False)
    ended = wait_checkpoint(dr, started['id'], timeout=300)
    assert ended['status'] == 'available', ended['error']
    assert ended['container'] == container
    messages = [e['message'] for e in dr.checkpoints.events(started['id'])]
    assert any('reconciled from Swift' in m for m in messages), messages

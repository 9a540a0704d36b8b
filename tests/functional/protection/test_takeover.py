"""``kill -9`` of the engine doing a protection, mid-transfer: a peer finishes it.

The session's workload is protected again with two engines running; the
engine that took the run is killed while a volume's bytes are moving.
Within ``service_down_time`` the other engine takes the run over: the
dead run's temporaries are removed, the protection starts again and ends
``available``, storing only what Swift lacks. The checkpoint it makes is
the session's newest, so the recovery tests (the drill of
``recovery/test_rewrite.py`` and the site-loss test) recover it and the
site-loss test compares the data volume's bytes (sha256).
"""
import time

import pytest

from tests.functional.protected import wait_checkpoint


def _transferring(checkpoint):
    return any(r['status'] == 'transferring' and r['bytes_done'] > 0
               for r in checkpoint['resources'])


@pytest.fixture
def two_engines(dragon):
    dragon.ensure_up()
    dragon.start_engine(2)
    yield dragon
    dragon.stop_engines()
    dragon.start_engine(1)


def test_kill_9_mid_transfer_is_taken_over_and_ends_available(
        protected, two_engines):
    dr = protected.dr
    started = dr.checkpoints.protect(protected.policy['id'])
    protected.checkpoints.append(started['id'])
    deadline = time.monotonic() + 300
    while True:
        checkpoint = dr.checkpoints.get(started['id'])
        if checkpoint['status'] == 'protecting' and _transferring(checkpoint):
            break
        assert checkpoint['status'] in ('queued', 'protecting'), checkpoint
        assert time.monotonic() < deadline, 'never saw a transfer'
        time.sleep(0.2)
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
    leftovers = [i.name for i in protected.conn.image.images()
                 if (i.name or '').startswith('dragon-tmp')]
    assert leftovers == []
    points = dr.recovery_points.list(policy=protected.policy['id'])
    assert ended['container'] in [p['container'] for p in points]
    print('kill -9 to available: %.0f s' % (time.monotonic() - killed_at))
    # The killed engine comes back: it finds nothing of its own to redo.
    two_engines.start_engine(index)


def test_database_lost_mid_run_keeps_the_complete_container_and_reconciles(
        protected, cloud, dragon):
    """Dragon's database goes away (its account locked, its connections
    cut) while a protection moves data: the run completes in Swift, the
    final write cannot be made, nothing is deleted; once the database is
    back, the engine reconciles the row from the complete container."""
    from dragon.checkpoint import store
    from tests.minicloud.bootstrap import lock_account
    dr = protected.dr
    dragon.ensure_up()
    started = dr.checkpoints.protect(protected.policy['id'])
    protected.checkpoints.append(started['id'])
    deadline = time.monotonic() + 300
    while True:
        checkpoint = dr.checkpoints.get(started['id'])
        if checkpoint['status'] == 'protecting' and _transferring(checkpoint):
            break
        assert checkpoint['status'] in ('queued', 'protecting'), checkpoint
        assert time.monotonic() < deadline, 'never saw a transfer'
        time.sleep(0.2)
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

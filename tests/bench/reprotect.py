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

"""Benchmark 2: a second protect of unchanged and of slightly changed data.

Unchanged running server: the second checkpoint uploads nothing (Glance's
content hash of the snapshot is already in the chunk index and nothing is
downloaded again), but Nova still snapshots and uploads the whole disk to
Glance, so its time is compared with that floor, measured just after it
(issue 14: "running server at the floor (what Nova forces)").  Stopped server: once stopped and
protected, the next checkpoint takes no snapshot at all and references
the previous one's data (``reused_records``), so it costs the fixed
costs of a run only.  A volume with 1% of its bytes
changed (in a few runs, written straight into the file-backed Cinder
volume) should upload about the changed bytes plus one chunk per change.
"""
import os
import random

from tests.bench import common
from tests.bench import throughput
from tests.minicloud.layout import region_tag

NAME = 'reprotect'
CHANGES = 8             # contiguous runs of changed bytes
CHANGED_FRACTION = 0.01
GiB = 1024 ** 3


def unchanged(run: 'common.Run') -> None:
    first = run.first_protect(run.size)
    second = run.protect(run.size)
    nova = throughput.nova_snapshot(
        run, run.data_server(run.size)['server_id'])
    up1 = first['stats'].get('uploaded_bytes') or 0
    up2 = second['stats'].get('uploaded_bytes') or 0
    run.row(NAME, 'server unchanged: time 2nd / 1st', '%.1f s / %.1f s = '
            '%.0f%%' % (second['seconds'], first['seconds'],
                        100 * second['seconds'] / first['seconds']))
    at_floor = nova['seconds'] / second['seconds']
    run.row(NAME, 'server unchanged: Nova\'s snapshot / 2nd', '%.1f s / '
            '%.1f s = %.2f x' % (nova['seconds'], second['seconds'],
                                 at_floor),
            '>= %.1f x' % throughput.FLOOR_GOAL,
            at_floor >= throughput.FLOOR_GOAL)
    run.row(NAME, 'server unchanged: phases of 2nd (s)', common.phases_text(
        run.env.dragon(), second['checkpoint']['id']))
    run.row(NAME, 'server unchanged: bytes 2nd / 1st', '%d / %d B = %.1f%%'
            % (up2, up1, 100 * up2 / max(up1, 1)), '0 B', up2 == 0)


def stopped(run: 'common.Run') -> None:
    """The same server stopped: protected once stopped, then again."""
    first = run.first_protect(run.size)
    server = run.data_server(run.size)
    conn = run.env.conn()
    conn.compute.stop_server(server['server_id'])
    conn.compute.wait_for_server(conn.compute.get_server(
        server['server_id']), status='SHUTOFF', wait=300)
    try:
        # Snapshotted (it was running at the previous checkpoint), then
        # referenced.
        taken = run.protect(run.size)
        again = run.protect(run.size)
    finally:
        conn.compute.start_server(server['server_id'])
        conn.compute.wait_for_server(conn.compute.get_server(
            server['server_id']), status='ACTIVE', wait=300)
    reused = again['stats'].get('reused_records') or 0
    up = again['stats'].get('uploaded_bytes') or 0
    ratio = again['seconds'] / first['seconds']
    run.row(NAME, 'server stopped: time 2nd / 1st', '%.1f s / %.1f s = '
            '%.1f%%' % (again['seconds'], first['seconds'], 100 * ratio),
            '<= 5%', ratio <= 0.05)
    run.row(NAME, 'server stopped: snapshot once stopped', '%.1f s, %d B '
            'uploaded' % (taken['seconds'],
                          taken['stats'].get('uploaded_bytes') or 0))
    run.row(NAME, 'server stopped: phases of 2nd (s)', common.phases_text(
        run.env.dragon(), again['checkpoint']['id']))
    run.row(NAME, 'server stopped: records reused, bytes', '%d, %d B' % (
        reused, up), '1, 0 B', reused == 1 and up == 0)


def volume_file(run: 'common.Run', volume_id: str) -> str:
    return os.path.join(str(run.env.layout.data), region_tag(common.PRIMARY),
                        'cinder', 'volumes', 'volume-%s' % volume_id)


def change_volume(path: str, size: int, seed: str) -> list:
    """Overwrite 1% of the volume in ``CHANGES`` runs; [(offset, length)]."""
    rng = random.Random(seed)
    run_len = int(size * CHANGED_FRACTION) // CHANGES
    stride = size // CHANGES
    runs = []
    with open(path, 'r+b') as f:
        for i in range(CHANGES):
            offset = i * stride + rng.randrange(0, stride - run_len)
            f.seek(offset)
            f.write(rng.randbytes(run_len))
            runs.append((offset, run_len))
    return runs


def touched_chunks(runs: list, chunk: int) -> int:
    """How many fixed-size chunks the changed runs fall into.

    A run that crosses a chunk boundary changes two chunks: with
    fixed-size chunks, re-uploading exactly these is the least any
    chunk store can do.
    """
    return len({index for offset, length in runs
                for index in range(offset // chunk,
                                   (offset + length - 1) // chunk + 1)})


def changed_volume(run: 'common.Run', action: str = 'snapshot_data'
                   ) -> None:
    env = run.env
    conn = env.conn()
    image = run.data_server(run.size)['image']
    dr = env.dragon()
    name = common.unique('vol')
    size_gib = max(1, -(-run.size // GiB))
    with common.Cleanup() as cleanup:
        volume = conn.block_storage.create_volume(
            size=size_gib, name=name, image_id=image['id'])
        cleanup.add('volume ' + name, conn.block_storage.delete_volume,
                    volume.id, cascade=True)
        conn.block_storage.wait_for_status(volume, 'available',
                                           failures=['error'], interval=1,
                                           wait=1800)
        policy = common.create_policy(dr, name, [
            {'resource_type': 'volume', 'resource_id': volume.id,
             'action': action}])
        cleanup.add('policy ' + name, dr.policies.delete, policy['id'])
        common.say('protecting volume %s (%d GiB) twice, 1%% changed in '
                   'between' % (volume.id, size_gib))
        later = lambda c: cleanup.add('checkpoint', run._delete_data_checkpoint, c)  # noqa: E731,E501
        first, t1 = common.protect(dr, policy['id'], on_created=later)
        runs = change_volume(volume_file(run, volume.id), size_gib * GiB,
                             seed=name)
        second, t2 = common.protect(dr, policy['id'], on_created=later)
        if action == 'cinder_backup':
            _backup_rows(run, conn, first, second, t1, t2)
            return
        chunk = _chunk_size(run, second) or 4 * common.MiB
    up1 = first['stats'].get('uploaded_bytes') or 0
    up2 = second['stats'].get('uploaded_bytes') or 0
    changed = sum(length for _offset, length in runs)
    touched = touched_chunks(runs, chunk)
    run.row(NAME, 'volume 1% changed: time 2nd / 1st', '%.1f s / %.1f s = '
            '%.0f%%' % (t2, t1, 100 * t2 / t1))
    run.row(NAME, 'volume 1% changed: bytes 2nd', '%.1f MiB (1st %.1f MiB;'
            ' %d runs, %.1f MiB changed)' % (
                up2 / common.MiB, up1 / common.MiB, len(runs),
                changed / common.MiB))
    # The goal is on the next row: a run that crosses a chunk boundary
    # touches two chunks, so the changed bytes alone bound nothing.
    run.row(NAME, 'volume 1% changed: chunks the runs touch',
            '%d x %d MiB = %.1f MiB' % (touched, chunk // common.MiB,
                                         touched * chunk / common.MiB),
            'uploaded = touched', up2 == touched * chunk)


def _backup_rows(run, conn, first, second, t1, t2) -> None:
    """cinder_backup: a full backup, then an incremental of 1% changed."""
    records = [next(iter(common.manifest(run.env, c)['data'].values()))
               for c in (first, second)]
    objects = [r['backup'].get('object_count') or 0 for r in records]
    incremental = records[1]['backup'].get('is_incremental')
    run.row(NAME, 'cinder_backup 1% changed: time 2nd / 1st',
            '%.1f s / %.1f s = %.0f%%' % (t2, t1, 100 * t2 / t1),
            '<= 50%', t2 <= 0.5 * t1)
    run.row(NAME, 'cinder_backup 1% changed: 2nd backup',
            '%s, %d objects (1st: %d)' % (
                'incremental' if incremental else 'FULL', objects[1],
                objects[0]), 'incremental', bool(incremental))


def _chunk_size(run, checkpoint):
    data = common.manifest(run.env, checkpoint).get('data') or {}
    sizes = [r.get('chunk_size') for r in data.values() if r]
    return next((s for s in sizes if s), None)


def run(run: 'common.Run') -> None:
    unchanged(run)
    stopped(run)
    changed_volume(run)
    changed_volume(run, 'cinder_backup')

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

"""Benchmark 1: protect throughput against the API floor, raw ingest and a script.

The same N MiB go into the same Swift four ways, interleaved, ``--repeat``
times (each figure is the median, min-max beside it):

- Dragon protecting a server whose disk holds them (a first protect each
  time: the previous checkpoint and its chunks are removed);
- raw ingest: python-swiftclient uploading the bytes, prepared in memory
  before the clock starts, as SLO segments from parallel threads (nothing
  between the bytes and Swift);
- the API floor: the time Nova takes to snapshot the server and upload its
  disk to Glance (createImage, from Glance's image status transitions)
  plus the raw ingest of the same bytes -- what any tool going through the
  public APIs must pay;
- the scripted pipeline ``openstack server image create --wait`` +
  ``openstack image save`` + ``swift upload`` of a cron job.

``--data`` picks incompressible random bytes, a disk that compresses, or
both.
"""
import concurrent.futures
import json
import statistics
import threading
import time

from tests.bench import common
from tests.bench import cpu
from tests.bench import profile

NAME = 'throughput'
SEGMENT = 32 * common.MiB
WORKERS = 4     # threads of the raw ingest (Dragon's default is 3)
GiB = 1024 * common.MiB
# The goals of issue 14 (printed beside the figures, never failing a run).
FLOOR_GOAL = 0.9
SCRIPTED_GOAL = 1.5


def segments(size: int, seed: str, data: str) -> list:
    """The bytes as SLO segments, in memory: made before any clock starts."""
    out, body = [], bytearray()
    for block in common.data_blocks(size, seed, data):
        body += block
        if len(body) >= SEGMENT:
            out.append(bytes(body))
            body = bytearray()
    if body:
        out.append(bytes(body))
    return out


def raw_upload(run: 'common.Run', parts: list) -> dict:
    """Seconds to upload prepared segments as an SLO; pure ingest."""
    env = run.env
    container = common.unique('raw')
    local = threading.local()

    def swift():
        if not hasattr(local, 'conn'):
            local.conn = env.swift()
        return local.conn

    def put(index, body):
        name = 'seg/%08d' % index
        etag = swift().put_object(container, name, body,
                                  content_length=len(body))
        return {'path': '/%s/%s' % (container, name), 'etag': etag,
                'size_bytes': len(body)}

    with common.Cleanup() as cleanup:
        cleanup.add('container ' + container, run._delete_container,
                    container)
        with common.Timer() as t:
            env.swift().put_container(container)
            with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
                done = list(pool.map(put, range(len(parts)), parts))
            env.swift().put_object(
                container, 'disk.raw', json.dumps(done),
                query_string='multipart-manifest=put')
    # Container PUT, the segments, the manifest.
    return {'seconds': t.seconds, 'requests': len(parts) + 2}


def nova_snapshot(run: 'common.Run', server_id: str) -> dict:
    """Nova's createImage until Glance has the whole disk, timed.

    Glance's statuses are read every 50 ms: ``saving`` is when Nova starts
    uploading (the snapshot is taken), ``active`` when it is all there.
    """
    conn = run.env.conn()
    name = common.unique('floor')
    seen = {}
    with common.Cleanup() as cleanup:
        start = time.monotonic()
        image_id = conn.compute.post(
            '/servers/%s/action' % server_id,
            json={'createImage': {'name': name}},
            microversion='2.45').json()['image_id']
        cleanup.add('image ' + name, common.delete_image, conn, image_id)
        while True:
            status = conn.image.get('/images/%s' % image_id).json()['status']
            seen.setdefault(status, time.monotonic() - start)
            if status == 'active':
                break
            if status in ('killed', 'deleted') or \
                    time.monotonic() - start > 1800:
                raise RuntimeError('snapshot image %s is %s' % (image_id,
                                                                 status))
            time.sleep(0.05)
        # Nova clears the task a moment later; the next snapshot needs that.
        common.wait_for(lambda: _task(conn, server_id), (None,), 120,
                        interval=0.1)
    return {'seconds': seen['active'], 'taken': seen.get('saving',
                                                         seen['active'])}


def _task(conn, server_id: str) -> dict:
    server = conn.compute.get('/servers/%s' % server_id).json()['server']
    return {'status': server.get('OS-EXT-STS:task_state')}


def glance_download(run: 'common.Run', image_id: str) -> float:
    """Seconds to read the image from Glance into nothing, one stream.

    Dragon's transfer starts with this read (of its snapshot); the figure
    tells how much of Dragon's time Glance alone takes.
    """
    conn = run.env.conn()
    with common.Timer() as t:
        response = conn.image.get('/images/%s/file' % image_id, stream=True)
        try:
            for _piece in response.iter_content(1024 * 1024):
                pass
        finally:
            response.close()
    return t.seconds


def spread(values: list, fmt: str = '%.1f') -> str:
    """``median (min-max)`` of a figure's runs."""
    if len(values) == 1:
        return fmt % values[0]
    return '%s (%s-%s)' % (fmt % statistics.median(values),
                           fmt % min(values), fmt % max(values))


def _dragon(run: 'common.Run', size: int, data: str, keep: bool) -> dict:
    result = run.protect(size, data)
    dr = run.env.dragon()
    checkpoint_id = result['checkpoint']['id']
    events = dr.checkpoints.events(checkpoint_id)
    result['phases'] = common.phases_text(dr, checkpoint_id)
    result['reads'] = common.data_path_reads(events)
    if keep:
        # The first protect the other benchmarks read.
        run._cache.setdefault(('protect', size), result)
    else:
        run.forget(result)
    return result


def _scripted(run: 'common.Run', size: int, data: str, keep: bool) -> dict:
    result = run._scripted_backup(size, data)
    # ``--wait`` ends at active; Nova clears the task a moment later.
    common.wait_for(lambda: _task(run.env.conn(), run.data_server(
        size, data)['server_id']), (None,), 120, interval=0.1)
    if keep:
        run._cache.setdefault(('scripted', size), result)
    else:
        run._delete_container(result['container'])
        run._delete_image_named(run.env.conn(), result['snapshot'])
    return result


def measure(run: 'common.Run', data: str) -> None:
    size = run.size
    server = run.data_server(size, data)
    repeat = max(1, run.repeat)
    common.say('preparing %d MiB of %s bytes for the raw ingest' % (
        size // common.MiB, data))
    parts = segments(size, server['name'], data)
    results = {'raw': [], 'nova': [], 'scripted': [], 'dragon': []}
    meters = {name: [] for name in results}
    # Others read the random server's first protect and scripted backup.
    keep_last = data == common.RANDOM
    for i in range(repeat):
        last = keep_last and i == repeat - 1
        steps = [
            ('raw', lambda: raw_upload(run, parts)),
            ('nova', lambda: nova_snapshot(run, server['server_id'])),
            ('scripted', lambda: _scripted(run, size, data, last)),
            ('dragon', lambda: _dragon(run, size, data, last)),
        ]
        # Each run in another order: no method always runs on a warm cache.
        for name, step in steps[i % 4:] + steps[:i % 4]:
            common.say('run %d/%d: %s' % (i + 1, repeat, name))
            with cpu.CpuMeter(run.env.processes.pid) as meter:
                results[name].append(step())
            meters[name].append(meter)
    parts.clear()   # up to N MiB held in memory

    label = '%s, %d MiB' % (data, size // common.MiB)
    mb = size / common.MB
    times = {k: [r['seconds'] for r in v] for k, v in results.items()}
    floor = [n + r for n, r in zip(times['nova'], times['raw'])]

    def rate(name, seconds):
        run.row(NAME, '%s (%s)' % (name, label), '%s MB/s, %s s' % (
            spread([mb / s for s in seconds]), spread(seconds)))

    rate('raw ingest (prepared bytes)', times['raw'])
    run.row(NAME, 'Nova snapshot + upload to Glance (%s)' % label,
            '%s s (taken after %s s)' % (spread(times['nova']), spread(
                [r['taken'] for r in results['nova']])))
    rate('API floor = Nova + raw', floor)
    rate('scripted CLI pipeline', times['scripted'])
    rate('Dragon protect', times['dragon'])
    dragon = results['dragon'][-1]
    run.row(NAME, 'Dragon phases, last run (s)', dragon['phases'])
    steps = results['scripted'][-1]['steps']
    run.row(NAME, 'scripted steps, last run (s)', ', '.join(
        '%s %.1f' % kv for kv in steps.items()))
    swift_calls = [(r['stats'].get('api_calls') or {}).get('object-store', 0)
                   for r in results['dragon']]
    uploaded = [r['stats'].get('uploaded_bytes') or 0
                for r in results['dragon']]
    run.row(NAME, 'Swift requests per GiB (%s)' % data,
            'Dragon %s, raw %s' % (
                spread([c * GiB / size for c in swift_calls], '%.0f'),
                spread([r['requests'] * GiB / size
                        for r in results['raw']], '%.0f')))
    run.row(NAME, 'bytes uploaded by Dragon (%s)' % data, '%s%% of %d MiB'
            % (spread([100.0 * u / size for u in uploaded], '%.0f'),
               size // common.MiB))
    if dragon['reads']:
        nbytes, seconds = max(dragon['reads'])
        run.row(NAME, 'Dragon data path, last run (Glance -> Swift)',
                '%.1f MB/s (%.1f s)' % (nbytes / common.MB / seconds,
                                        seconds))
    for name, method in (('raw', 'raw ingest'), ('nova', 'Nova snapshot'),
                         ('scripted', 'scripted'), ('dragon', 'Dragon')):
        run.row(NAME, 'CPU s per GiB, %s (%s)' % (method, data),
                cpu.per_gib(meters[name], size))
    if dragon.get('profile'):
        run.row(NAME, 'engine CPU while protecting (py-spy)',
                profile.top_text(dragon['profile']))
    ratio = {k: [t / d for t, d in zip(v, times['dragon'])]
             for k, v in (('floor', floor), ('raw', times['raw']),
                          ('scripted', times['scripted']))}
    # Ratios of rates (time of the other / Dragon's time) per run.
    run.row(NAME, 'Dragon / floor (%s)' % data,
            spread(ratio['floor'], '%.2f') + ' x', '>= %.1f x' % FLOOR_GOAL,
            statistics.median(ratio['floor']) >= FLOOR_GOAL)
    run.row(NAME, 'Dragon / raw (%s)' % data,
            spread(ratio['raw'], '%.2f') + ' x')
    run.row(NAME, 'Dragon / scripted (%s)' % data,
            spread(ratio['scripted'], '%.2f') + ' x',
            '>= %.1f x' % SCRIPTED_GOAL,
            statistics.median(ratio['scripted']) >= SCRIPTED_GOAL)


def run(run: 'common.Run') -> None:
    for data in run.data_kinds:
        if data == common.RANDOM:
            server = run.data_server(run.size, data)
            glance = glance_download(run, server['image']['id'])
            run.row(NAME, 'Glance download alone (1 stream)',
                    '%.1f MB/s (%.1f s)' % (run.size / common.MB / glance,
                                            glance))
        measure(run, data)

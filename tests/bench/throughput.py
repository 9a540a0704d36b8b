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

"""Benchmark 1: protect throughput against the physical limit and a cron script.

The same N MiB of incompressible bytes go into the same Swift three ways:
Dragon protecting a server whose disk holds them; python-swiftclient
uploading them as SLO segments from parallel threads (nothing between the
bytes and Swift: the physical limit of this Swift); and the scripted
pipeline ``openstack server image create --wait`` + ``openstack image save``
+ ``swift upload`` an operator would otherwise run from cron.
"""
import concurrent.futures
import json
import threading

from tests.bench import common
from tests.bench import profile

NAME = 'throughput'
SEGMENT = 32 * common.MiB
WORKERS = 4     # as Dragon's default [checkpoint] upload_workers


def raw_upload(run: 'common.Run', size: int, seed: str) -> float:
    """Seconds to upload ``size`` bytes as an SLO of parallel segments."""
    env = run.env
    container = common.unique('raw')
    local = threading.local()
    in_flight = threading.BoundedSemaphore(WORKERS + 1)

    def swift():
        if not hasattr(local, 'conn'):
            local.conn = env.swift()
        return local.conn

    def put(index, body):
        try:
            name = 'seg/%08d' % index
            etag = swift().put_object(container, name, body,
                                      content_length=len(body))
            return {'path': '/%s/%s' % (container, name), 'etag': etag,
                    'size_bytes': len(body)}
        finally:
            in_flight.release()

    with common.Cleanup() as cleanup:
        cleanup.add('container ' + container, run._delete_container,
                    container)
        with common.Timer() as t:
            env.swift().put_container(container)
            with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
                futures = []
                blocks = common.random_blocks(size, seed)
                index = 0
                while True:
                    body = bytearray()
                    for block in blocks:
                        body += block
                        if len(body) >= SEGMENT:
                            break
                    if not body:
                        break
                    in_flight.acquire()
                    futures.append(pool.submit(put, index, bytes(body)))
                    index += 1
                segments = [f.result() for f in futures]
            env.swift().put_object(
                container, 'disk.raw', json.dumps(segments),
                query_string='multipart-manifest=put')
    return t.seconds


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


def run(run: 'common.Run') -> None:
    size = run.size
    server = run.data_server(size)
    common.say('raw python-swiftclient upload: %d MiB segments, %d threads'
               % (SEGMENT // common.MiB, WORKERS))
    raw = raw_upload(run, size, seed=server['name'])
    glance = glance_download(run, server['image']['id'])
    scripted = run.scripted_backup(size)
    dragon = run.first_protect(size)

    mb = size / common.MB
    raw_rate = mb / raw
    scripted_rate = mb / scripted['seconds']
    dragon_rate = mb / dragon['seconds']
    run.row(NAME, 'raw swiftclient SLO upload, %d MiB' % (size // common.MiB),
            '%.1f MB/s (%.1f s)' % (raw_rate, raw))
    run.row(NAME, 'Glance download alone (1 stream)', '%.1f MB/s (%.1f s)'
            % (mb / glance, glance))
    run.row(NAME, 'scripted CLI pipeline',
            '%.1f MB/s (%.1f s: %s)' % (
                scripted_rate, scripted['seconds'], ', '.join(
                    '%s %.1f' % kv for kv in scripted['steps'].items())))
    run.row(NAME, 'Dragon protect', '%.1f MB/s (%.1f s)' % (
        dragon_rate, dragon['seconds']))
    dr = run.env.dragon()
    run.row(NAME, 'Dragon phases (s, from its events)', common.phases_text(
        dr, dragon['checkpoint']['id']))
    steps = dict(common.phases(dr.checkpoints.events(
        dragon['checkpoint']['id'])))
    if steps.get('transfer'):
        # Glance download -> chunk -> Swift: the part raw upload compares to.
        run.row(NAME, 'Dragon transfer phase alone', '%.1f MB/s (%.1f s)' % (
            mb / steps['transfer'], steps['transfer']))
    reads = common.data_path_reads(dr.checkpoints.events(
        dragon['checkpoint']['id']))
    if reads:
        nbytes, seconds = max(reads)
        run.row(NAME, 'Dragon data path (Glance -> chunks -> Swift)',
                '%.1f MB/s (%.1f s), %.2f x raw' % (
                    nbytes / common.MB / seconds, seconds,
                    (nbytes / common.MB / seconds) / raw_rate))
    if dragon.get('profile'):
        run.row(NAME, 'engine CPU while protecting (py-spy)',
                profile.top_text(dragon['profile']))
    run.row(NAME, 'Dragon / raw', '%.2f x' % (dragon_rate / raw_rate),
            '>= 0.9 x', dragon_rate / raw_rate >= 0.9)
    run.row(NAME, 'Dragon / scripted', '%.2f x' % (
        dragon_rate / scripted_rate), '> 1.0 x', dragon_rate > scripted_rate)

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

"""Benchmark 6: two engines, four policies protected at once.

A second engine of the primary site is started next to the first (its own
``[engine] host``); four policies, each of one server booted from the
shared image, are protected at the same moment.  Every checkpoint must end
``available``, taken by exactly one engine: its ``engine`` field names one
host and its events hold exactly one "protection ... started" line.
"""
import collections
import concurrent.futures
import os
import time

from tests.bench import common
from tests.minicloud import resources

NAME = 'concurrency'
POLICIES = 4


def wait_listening(log, offset: int, host: str, timeout: float = 120):
    """Wait for the new engine to consume its topic (else the casts all
    go to the first engine, and the benchmark shows nothing).
    """
    deadline = time.monotonic() + timeout
    needle = ('engine %s listening' % host).encode()
    while time.monotonic() < deadline:
        if os.path.exists(log):
            with open(log, 'rb') as f:
                f.seek(offset)
                if needle in f.read():
                    return
        time.sleep(0.5)
    common.warn('engine %s not listening after %d s' % (host, timeout))


def run(run: 'common.Run') -> None:
    env = run.env
    conn = env.conn()
    dr = env.dragon()
    primary = env.primary
    image_id = conn.image.find_image(resources.IMAGE_NAME).id
    with common.Cleanup() as cleanup:
        name = common.unique('conc')
        servers = common.boot(conn, name, image_id, count=POLICIES)
        cleanup.add('servers ' + name, common.delete_servers, conn, servers)
        policies = []
        for i, server_id in enumerate(servers):
            policy = common.create_policy(dr, '%s-%d' % (name, i), [
                {'resource_type': 'server', 'resource_id': server_id,
                 'action': 'image_snapshot'}])
            cleanup.add('policy', dr.policies.delete, policy['id'])
            policies.append(policy)
        cleanup.add('engine 2', env.processes.stop,
                    [primary.engine_name(2)])
        log = env.layout.logs / (primary.engine_name(2) + '.log')
        offset = log.stat().st_size if log.exists() else 0
        primary.start_engine(2)
        wait_listening(log, offset, primary.engine_host(2))
        common.say('engine %s started; protecting %d policies at once' % (
            primary.engine_host(2), POLICIES))

        def protect(policy):
            # Each checkpoint is deleted whatever happens to the others.
            checkpoint = dr.checkpoints.protect(policy['id'])
            cleanup.add('checkpoint', common.delete_checkpoint, dr,
                        checkpoint['id'])
            return common.wait_for(
                lambda: dr.checkpoints.get(checkpoint['id']),
                common.CHECKPOINT_FINAL, 1800)

        with common.Timer() as t, \
                concurrent.futures.ThreadPoolExecutor(POLICIES) as pool:
            checkpoints = list(pool.map(protect, policies))
        started = {c['id']: sum('protection of policy' in e['message'] and
                                'started' in e['message']
                                for e in dr.checkpoints.events(c['id']))
                   for c in checkpoints}
    available = sum(c['status'] == 'available' for c in checkpoints)
    engines = collections.Counter(c.get('engine') for c in checkpoints)
    once = all(n == 1 for n in started.values())
    run.row(NAME, '%d checkpoints available' % POLICIES, '%d/%d in %.1f s' % (
        available, POLICIES, t.seconds), 'all', available == POLICIES)
    run.row(NAME, 'claimed once each', '%s (started events %s)' % (
        'yes' if once else 'NO', sorted(started.values())), 'yes', once)
    run.row(NAME, 'checkpoints per engine', ', '.join(
        '%s %d' % kv for kv in sorted(engines.items(), key=str)),
        '', None)

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

"""Benchmark 4: discovery and template cost against the number of servers.

template_only policies of 10, 100 and 300 servers (the fake Nova driver
makes servers cheap) are protected; ``stats.api_calls`` of the checkpoint
(as the API shows it) counts the engine's requests per service.  Discovery
lists with filters, so the calls should grow with resource types, not with
servers.
"""
from tests.bench import common
from tests.minicloud import resources

NAME = 'scale'
BATCH = 25
GOAL_SECONDS = 5.0          # issue 14: 300 template-only servers


def boot_many(run: 'common.Run', conn, count: int, image_id: str,
              cleanup: 'common.Cleanup') -> list:
    ids = []
    while len(ids) < count:
        n = min(BATCH, count - len(ids))
        name = common.unique('scale')
        batch = common.boot(conn, name, image_id, 'm1.tiny', count=n)
        cleanup.add('servers ' + name, common.delete_servers, conn, batch)
        ids += batch
    return ids


def run(run: 'common.Run') -> None:
    env = run.env
    conn = env.conn()
    dr = env.dragon()
    image_id = conn.image.find_image(resources.IMAGE_NAME).id
    counts = sorted(run.server_counts)
    calls = {}
    with common.Cleanup() as cleanup:
        servers = []
        for count in counts:
            common.say('booting servers up to %d' % count)
            with common.Timer() as t:
                servers += boot_many(run, conn, count - len(servers),
                                     image_id, cleanup)
            common.say('%d servers ACTIVE (%.0f s for this batch)' % (
                len(servers), t.seconds))
            name = common.unique('scale%d' % count)
            policy = common.create_policy(dr, name, [
                {'resource_type': 'server', 'resource_id': server_id,
                 'action': 'template_only'} for server_id in servers])
            cleanup.add('policy ' + name, dr.policies.delete, policy['id'])
            checkpoint, seconds = common.protect(
                dr, policy['id'], on_created=lambda c: cleanup.add(
                    'checkpoint ' + c['id'], common.delete_checkpoint, dr,
                    c['id']))
            stats = checkpoint.get('stats') or {}
            calls[count] = dict(stats.get('api_calls') or {})
            total = sum(calls[count].values())
            run.row(NAME, '%d servers: protect time' % count,
                    '%.1f s (engine %s s)' % (seconds,
                                               checkpoint.get('duration')),
                    '< %g s' % GOAL_SECONDS if count >= 300 else '',
                    seconds < GOAL_SECONDS if count >= 300 else None)
            run.row(NAME, '%d servers: phases (s)' % count,
                    common.phases_text(dr, checkpoint['id']))
            grows = None
            if count != counts[0]:
                grows = total <= 1.1 * sum(calls[counts[0]].values())
            run.row(NAME, '%d servers: API calls' % count, '%d (%s)' % (
                total, ', '.join('%s %d' % kv
                                 for kv in sorted(calls[count].items()))),
                'flat: <= 1.1 x %d servers' % counts[0] if count != counts[0]
                else '', grows)

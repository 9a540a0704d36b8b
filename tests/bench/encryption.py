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

"""Benchmark 7: protect and recover throughput with and without encryption.

Two servers booted from the same N MiB image (a server belongs to one
policy) are protected, one by a clear policy and one by an encrypted
policy, alternately, ``--repeat`` times; each protect is a first one (the
clear checkpoint's chunks and index entries are removed after it, and
each encrypted run is a new policy with a data key of its own, so none of
its chunks exists yet; the policy before it is deleted, its checkpoint
kept to the end).  The last checkpoint of each is then recovered by
the backup site's Dragon (the encrypted one with the key read from
RegionTwo's Barbican), ``--repeat`` times too, alternately, each torn
down before the next.  Besides the whole recovery, its data restore is
timed from its events (mappings resolved to data restored: Swift to
Glance through the engine, decrypting), the part encryption touches.  Issue 15's goal: encryption
at most 10 % slower.  Recovery times include Heat creating the stack and
the server booting, which encryption does not touch.
"""
import datetime
import statistics

from tests.bench import common
from tests.bench.throughput import spread
from tests.functional.key_manager import delete_secret
from tests.functional.key_manager import store_secret

NAME = 'encryption'
GOAL = 1.10


def _key(run: 'common.Run') -> dict:
    """One AES-256 key, the same bytes in both regions' Barbicans."""
    name = common.unique('key')
    refs = {}
    payload = None
    for region in common.REGIONS:
        conn = run.env.conn(region)
        refs[region], payload = store_secret(conn, name, payload=payload)
        run.cleanup.add('key %s in %s' % (name, region), delete_secret,
                        conn, refs[region])
    return refs


def _twin(run: 'common.Run', server: dict) -> dict:
    """A second server of the same image, for the encrypted policies."""
    conn = run.env.conn()
    name = server['name'] + '-enc'
    ids = common.boot(conn, name, server['image']['id'],
                      flavor=server['flavor'], network_id=run.network())
    run.cleanup.add('server ' + name, common.delete_servers, conn, ids)
    return {'name': name, 'server_id': ids[0]}


def _encrypted_policy(run: 'common.Run', server: dict, refs: dict) -> dict:
    dr = run.env.dragon()
    policy = dr.policies.create(
        common.unique('enc'), description='benchmark', members=[{
            'resource_type': 'server', 'resource_id': server['server_id'],
            'action': 'image_snapshot'}],
        encryption={'key_ref': refs[common.PRIMARY],
                    'recovery_key_refs': {
                        common.BACKUP: refs[common.BACKUP]},
                    'data_key_scope': 'policy'})
    run.cleanup.add('policy ' + policy['name'], dr.policies.delete,
                    policy['id'])
    return policy


def _protect(run: 'common.Run', policy: dict) -> dict:
    dr = run.env.dragon()
    common.say('protecting %s with Dragon' % policy['name'])
    checkpoint, seconds = common.protect(
        dr, policy['id'], on_created=lambda c: run.cleanup.add(
            'checkpoint ' + c['id'], run._delete_data_checkpoint, c))
    return {'checkpoint': checkpoint, 'seconds': seconds,
            'stats': checkpoint.get('stats') or {}}


def _recover(run: 'common.Run', checkpoint: dict) -> dict:
    dr = run.env.dragon(common.BACKUP)
    common.say('recovering %s into %s' % (checkpoint['container'],
                                          common.BACKUP))
    with common.Timer() as t:
        recovery = dr.recoveries.create(
            recovery_point=checkpoint['container'],
            target_region=common.BACKUP, mode='failover')
        run.cleanup.add('recovery ' + recovery['id'], common.delete_recovery,
                        dr, recovery['id'])
        recovery = common.wait_for(lambda: dr.recoveries.get(recovery['id']),
                                   common.RECOVERY_FINAL, 3600)
    if recovery['status'] != 'succeeded':
        raise RuntimeError('recovery %s: %s' % (recovery['id'],
                                                recovery.get('error')))
    restore = _restore_seconds(dr.recoveries.events(recovery['id']))
    # Torn down at once: the next recovery starts on an idle backup site.
    common.delete_recovery(dr, recovery['id'])
    return {'seconds': t.seconds, 'rto': recovery.get('rto_seconds') or 0,
            'restore': restore}


def _restore_seconds(events: list) -> float:
    """Seconds from 'mappings resolved' to 'data of N resources restored'."""
    def at(text):
        return datetime.datetime.fromisoformat(next(
            e['time'] for e in events if text in e['message']))

    return (at(' resources restored') - at('mappings resolved')
            ).total_seconds()


def run(run: 'common.Run') -> None:
    size = run.size
    twin = _twin(run, run.data_server(size))
    refs = _key(run)
    results: dict = {'clear': [], 'encrypted': []}
    last: dict = {}
    repeat = max(1, run.repeat)
    for i in range(repeat):
        final = i == repeat - 1

        def clear():
            result = run.protect(size)
            if not final:
                run.forget(result)
            return result

        def encrypted():
            policy = _encrypted_policy(run, twin, refs)
            result = _protect(run, policy)
            if not final:       # the server is free for the next policy
                run.env.dragon().policies.delete(policy['id'])
            return result

        steps = [('clear', clear), ('encrypted', encrypted)]
        # Alternate which goes first: load drifts hit both.
        for name, step in steps[i % 2:] + steps[:i % 2]:
            common.say('run %d/%d: %s protect' % (i + 1, repeat, name))
            result = step()
            results[name].append(result)
            last[name] = result['checkpoint']
    for name, result in results.items():
        uploaded = result[-1]['stats'].get('uploaded_bytes') or 0
        if uploaded < size // 2:
            common.warn('%s protect uploaded only %d bytes: not a first '
                        'protect' % (name, uploaded))
    recovered: dict = {'clear': [], 'encrypted': []}
    for i in range(repeat):
        names = ['clear', 'encrypted']
        for name in names[i % 2:] + names[:i % 2]:
            common.say('run %d/%d: %s recover' % (i + 1, repeat, name))
            recovered[name].append(_recover(run, last[name]))

    mb = size / common.MB
    label = '%d MiB' % (size // common.MiB)
    times = {k: [r['seconds'] for r in v] for k, v in results.items()}
    for name in ('clear', 'encrypted'):
        run.row(NAME, 'Dragon protect, %s (%s)' % (name, label),
                '%s MB/s, %s s' % (spread([mb / s for s in times[name]]),
                                   spread(times[name])))
    ratio = [e / c for e, c in zip(times['encrypted'], times['clear'])]
    run.row(NAME, 'protect time, encrypted / clear', spread(ratio, '%.2f') +
            ' x', '<= %.2f x' % GOAL, statistics.median(ratio) <= GOAL)
    times = {k: [r['seconds'] for r in v] for k, v in recovered.items()}
    for name in ('clear', 'encrypted'):
        run.row(NAME, 'Dragon recover, %s (%s)' % (name, label),
                '%s MB/s, %s s (engine RTO %s s)' % (
                    spread([mb / s for s in times[name]]),
                    spread(times[name]),
                    spread([r['rto'] for r in recovered[name]])))
    restores = {k: [r['restore'] for r in v] for k, v in recovered.items()}
    for name in ('clear', 'encrypted'):
        run.row(NAME, 'data restore, %s (%s)' % (name, label),
                '%s MB/s, %s s' % (spread([mb / s for s in restores[name]]),
                                   spread(restores[name])))
    ratio = [e / c for e, c in zip(restores['encrypted'],
                                   restores['clear'])]
    run.row(NAME, 'data restore time, encrypted / clear',
            spread(ratio, '%.2f') + ' x', '<= %.2f x' % GOAL,
            statistics.median(ratio) <= GOAL)
    ratio = [e / c for e, c in zip(times['encrypted'], times['clear'])]
    run.row(NAME, 'recover time, encrypted / clear',
            spread(ratio, '%.2f') + ' x', '<= %.2f x' % GOAL,
            statistics.median(ratio) <= GOAL)

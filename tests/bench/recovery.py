"""Benchmark 5: recovery time of one N MiB server, Dragon vs a script.

Dragon: the backup site's Dragon recovers the server's checkpoint from
Swift into the backup region (wall time from the request until the
recovery succeeded, servers ACTIVE).  Scripted: ``swift download`` of the
scripted backup, ``openstack image create`` in the backup region and
``openstack server create --wait`` from it.
"""
import os

from tests.bench import common

NAME = 'recovery'


def scripted(run: 'common.Run', size: int) -> dict:
    backup = run.scripted_backup(size)
    env = run.env
    conn = env.conn(common.BACKUP)
    name = common.unique('scripted-rec')
    path = os.path.join(str(env.layout.home), name + '.raw')
    steps = {}
    with common.Cleanup() as cleanup:
        cleanup.add('file ' + path, _unlink, path)
        cleanup.add('image ' + name, run._delete_image_named, conn, name)
        cleanup.add('server ' + name, _delete_server_named, conn, name)
        with common.Timer() as total:
            with common.Timer() as t:
                common.run_cli(env, ['swift', 'download', '--output', path,
                                     backup['container'], backup['object']])
            steps['swift download'] = t.seconds
            with common.Timer() as t:
                common.run_cli(env, [
                    'openstack', 'image', 'create', '--disk-format', 'raw',
                    '--container-format', 'bare', '--file', path, name],
                    region=common.BACKUP)
            steps['image create'] = t.seconds
            with common.Timer() as t:
                common.run_cli(env, [
                    'openstack', 'server', 'create', '--image', name,
                    '--flavor', backup['flavor'], '--nic', 'none', '--wait',
                    name], region=common.BACKUP)
            steps['server create --wait'] = t.seconds
    return {'seconds': total.seconds, 'steps': steps}


def _unlink(path):
    if os.path.exists(path):
        os.unlink(path)


def _delete_server_named(conn, name):
    ids = [s.id for s in conn.compute.servers(name='^%s$' % name)]
    common.delete_servers(conn, ids)


def run(run: 'common.Run') -> None:
    size = run.size
    dragon = run.recover(size)
    script = scripted(run, size)
    rto = dragon['recovery'].get('rto_seconds')
    run.row(NAME, 'Dragon recover %d MiB server' % (size // common.MiB),
            '%.1f s (engine RTO %.1f s)' % (dragon['seconds'], rto or 0))
    run.row(NAME, 'scripted recover', '%.1f s (%s)' % (
        script['seconds'], ', '.join('%s %.1f' % kv
                                     for kv in script['steps'].items())))
    run.row(NAME, 'Dragon / scripted time', '%.2f x' % (
        dragon['seconds'] / script['seconds']), '<= 1.0 x',
        dragon['seconds'] <= script['seconds'])

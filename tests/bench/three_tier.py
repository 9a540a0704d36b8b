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

"""Benchmark 5 (continued): RTO of the three-tier demo workload, Dragon vs a script.

Dragon: the demo's workload (``tests.minicloud.workload``: web server with
a floating IP and key pair, app server booted from a volume, db server
with a 1 GiB data volume) is protected by the primary site's Dragon and
recovered by the backup site's into the backup region (failover; from the
request until the recovery succeeded, servers ACTIVE).  The primary stays
up: the backup site's Dragon reads Swift alone either way, and the demo
measures the same with the site lost.

Scripted: what a cron script keeps of the same workload, made the way such
a script makes it (``openstack server image create --wait`` for the
image-backed servers; for each volume a snapshot, a volume from
it and ``openstack image create --volume`` of that; ``openstack image
save`` and ``swift upload`` of each), then its recovery
as issue 6 words it: ``swift download`` and ``openstack image create`` of
each disk, and ``openstack stack create --wait`` of a template.  The
template is the one Dragon's recovery ran (fetched from Heat, parameter
values inlined, Dragon's restored images swapped for the script's): the
hand-written template an operator would keep, at no cost to the script.
"""
import datetime
import json
import os
import tempfile
import types

from openstack import exceptions as sdk_exc

from tests.bench import common
from tests.story import Story

NAME = 'three_tier'
# Issue 14: recovering the three-tier demo takes at most 0.6 of the time
# the scripted recovery takes (issue 6 asked only for faster than it).
GOAL_RATIO = 0.6
SERVER_ROLES = ('web', 'db')          # image-backed: their disks
VOLUME_ROLES = ('app_boot', 'data')   # volumes: their bytes
TEMPLATE_KEYS = ('heat_template_version', 'description', 'parameter_groups',
                 'parameters', 'resources', 'outputs', 'conditions')


def dragon_side(run: 'common.Run', cleanup: 'common.Cleanup') -> dict:
    """Deploy, protect and recover with Dragon; the story and its figures."""
    env = run.env
    story = Story(types.SimpleNamespace(lo=env.layout),
                  name=common.unique('3tier'))
    conn = env.conn()
    common.say('deploying the three-tier workload %s' % story.name)
    story.deploy(conn, cidr='10.87.0.0/24')
    cleanup.add('workload ' + story.name, story.workload.delete)
    common.say('protecting it with the primary site\'s Dragon')
    checkpoint = story.protect()
    dr = env.dragon()
    cleanup.add('policy ' + story.name, dr.policies.delete,
                story.policy['id'])
    # Not run._delete_data_checkpoint: the web and app disks share chunks
    # with the cloud's base image (other checkpoints of the project may
    # need them).  The engine's gc collects what only this one used.
    cleanup.add('checkpoint ' + checkpoint['id'], common.delete_checkpoint,
                dr, checkpoint['id'])
    if checkpoint['status'] != 'available':
        raise RuntimeError('checkpoint %s: %s' % (checkpoint['id'],
                                                  checkpoint['error']))
    common.say('recovering it into %s with the backup site\'s Dragon' %
               common.BACKUP)
    with common.Timer() as t:
        recovery = story.recover(checkpoint['container'])
    backup_dr = env.dragon(common.BACKUP)
    cleanup.add('recovery ' + recovery['id'], common.delete_recovery,
                backup_dr, recovery['id'])
    if recovery['status'] != 'succeeded':
        raise RuntimeError('recovery %s: %s' % (recovery['id'],
                                                recovery['error']))
    _say_timeline(backup_dr.recoveries.events(recovery['id']))
    _say_stack_timeline(env.conn(common.BACKUP), recovery)
    return {'story': story, 'seconds': t.seconds, 'recovery': recovery,
            'template': _template_of(env.conn(common.BACKUP), recovery),
            'images': _restored_images(recovery, story.workload.ids)}


def _say_timeline(events: list) -> None:
    """Each event of Dragon's recovery, seconds after the first: where the
    recovery's time goes (restore, stack, waits).
    """
    if not events:
        return
    first = datetime.datetime.fromisoformat(events[0]['time'])
    for event in events:
        at = datetime.datetime.fromisoformat(event['time']) - first
        common.say('  +%5.1f s  %s' % (at.total_seconds(),
                                       event['message'][:150]))


def _say_stack_timeline(conn, recovery: dict) -> None:
    """When Heat started and finished each resource of the recovery's
    stack, seconds after its first event: which resource is the stack's
    long pole.
    """
    try:
        stack = conn.orchestration.get_stack(recovery['stack_id'])
        events = conn.orchestration.get(
            '/stacks/%s/%s/events' % (stack.name, stack.id),
            params={'sort_dir': 'asc', 'limit': 1000}).json()['events']
    except Exception as exc:   # noqa: BLE001 - a figure, not a failure
        common.say('stack events unreadable: %s' % exc)
        return
    if not events:
        return

    def when(event):
        return datetime.datetime.fromisoformat(
            event['event_time'].replace('Z', '+00:00'))
    first = when(events[0])
    spans: dict = {}
    for event in events:
        name = event['resource_name']
        if name == stack.name:
            continue
        at = (when(event) - first).total_seconds()
        span = spans.setdefault(name, [at, at])
        span[1] = at
    for name, (start, end) in sorted(spans.items(), key=lambda kv: kv[1]):
        common.say('  heat %5.1f-%5.1f s (%4.1f)  %s' % (
            start, end, end - start, name))


def _template_of(conn, recovery: dict) -> dict:
    """The template Dragon's stack ran, with its parameter values inlined."""
    stack = conn.orchestration.get_stack(recovery['stack_id'])
    fetched = conn.orchestration.get_stack_template(stack).to_dict()
    template = {k: fetched[k] for k in TEMPLATE_KEYS if fetched.get(k)}
    for name, spec in (template.get('parameters') or {}).items():
        if name in (stack.parameters or {}):
            spec['default'] = stack.parameters[name]
    return template


def _restored_images(recovery: dict, ids: dict) -> dict:
    """{role: the image Dragon restored that role's bytes into}."""
    by_source = {r['id']: r['key'] for r in recovery['resource_status']}
    images = {}
    for role in SERVER_ROLES + VOLUME_ROLES:
        key = by_source[ids[role]]
        images[role] = recovery['restored'][key]['image_id']
    return images


def scripted_backup(run: 'common.Run', ids: dict,
                    cleanup: 'common.Cleanup') -> dict:
    """The script's backup of the four disks; {role: Swift object}."""
    env = run.env
    conn = env.conn()
    container = common.unique('scripted3')
    cleanup.add('scripted container', run._delete_container, container)
    objects = {}
    with common.Timer() as t:
        for role in SERVER_ROLES + VOLUME_ROLES:
            name = common.unique('s3-' + role)
            path = os.path.join(str(env.layout.home), name + '.raw')
            cleanup.add('image ' + name, run._delete_image_named, conn, name)
            cleanup.add('file ' + path, common.unlink, path)
            if role in SERVER_ROLES:
                common.run_cli(env, ['openstack', 'server', 'image', 'create',
                                     '--name', name, '--wait', ids[role]])
            else:
                _volume_to_image(env, conn, ids[role], name, cleanup)
            common.run_cli(env, ['openstack', 'image', 'save', '--file',
                                 path, name])
            common.run_cli(env, ['swift', 'upload', '--object-name', role,
                                 container, path])
            common.unlink(path)
            objects[role] = role
    common.say('scripted backup of the three tiers in %.1f s' % t.seconds)
    return {'container': container, 'objects': objects}


def _volume_to_image(env, conn, volume_id: str, name: str,
                     cleanup: 'common.Cleanup') -> None:
    """An attached volume's bytes as an image, as a script must get them.

    Cinder uploads only a volume that is not attached (its
    ``enable_force_upload`` is off by default), so: a snapshot of the
    attached volume, a volume from it, the upload of that volume, then both
    temporaries removed.
    """
    bs = conn.block_storage
    snap = common.unique('s3-snap')
    # From microversion 3.66 Cinder snapshots an attached volume without
    # --force; this openstackclient asks the old way unless told the
    # version (it drops --force but sends no version header).
    snap_id = common.run_cli(env, [
        'openstack', '--os-volume-api-version', '3.66', 'volume', 'snapshot',
        'create', '--volume', volume_id, '-f', 'value', '-c', 'id',
        snap]).strip()
    cleanup.add('snapshot ' + snap, _delete_block, conn, 'snapshot',
                snap_id)
    _wait_status(lambda: bs.get_snapshot(snap_id), 'available')
    temp = common.unique('s3-temp')
    temp_id = common.run_cli(env, [
        'openstack', 'volume', 'create', '--snapshot', snap_id, '--size', '1',
        '-f', 'value', '-c', 'id', temp]).strip()
    cleanup.add('volume ' + temp, _delete_block, conn, 'volume', temp_id)
    _wait_status(lambda: bs.get_volume(temp_id), 'available')
    common.run_cli(env, ['openstack', 'image', 'create', '--volume', temp_id,
                         '--disk-format', 'raw', '--container-format', 'bare',
                         name])
    _wait_status(lambda: conn.image.find_image(name), 'active')
    _wait_status(lambda: bs.get_volume(temp_id), 'available')
    _delete_block(conn, 'volume', temp_id)
    _delete_block(conn, 'snapshot', snap_id)


def _wait_status(find, wanted: str, timeout: float = 900) -> None:
    def status():
        found = find()
        return {'status': found.status.lower() if found else 'missing'}
    got = common.wait_for(status, (wanted, 'error', 'killed'), timeout)
    if got['status'] != wanted:
        raise RuntimeError('wanted %s, got %s' % (wanted, got['status']))


def _delete_block(conn, kind: str, object_id: str) -> None:
    """Delete a Cinder volume or snapshot by id and wait until it is gone.

    With get, not find: find falls back to a name filter when the id is
    gone (already removed on the main path), and Cinder refuses that.
    """
    storage = conn.block_storage
    try:
        found = getattr(storage, 'get_' + kind)(object_id)
    except sdk_exc.NotFoundException:
        return
    getattr(storage, 'delete_' + kind)(found)
    storage.wait_for_delete(found, wait=300)


def scripted_recover(run: 'common.Run', backup: dict, template: dict,
                     dragon_images: dict,
                     cleanup: 'common.Cleanup') -> dict:
    """swift download + image create of each disk, then stack create."""
    env = run.env
    conn = env.conn(common.BACKUP)
    steps = {}
    name = common.unique('scripted3-stack')
    cleanup.add('stack ' + name, common.delete_stack_named, conn, name)
    text = json.dumps(template)
    with common.Timer() as total:
        for role, obj in backup['objects'].items():
            image_name = common.unique('s3r-' + role)
            cleanup.add('image ' + image_name, run._delete_image_named,
                        conn, image_name)
            image_id = common.scripted_image_restore(
                env, backup['container'], obj, image_name, steps)
            text = text.replace(dragon_images[role], image_id)
        with tempfile.NamedTemporaryFile('w', suffix='.json') as f:
            f.write(text)
            f.flush()
            with common.Timer() as t:
                common.run_cli(env, ['openstack', 'stack', 'create', '--wait',
                                     '-t', f.name, name],
                               region=common.BACKUP)
            steps['stack create --wait'] = t.seconds
    stack = conn.orchestration.find_stack(name)
    servers = [r.physical_resource_id
               for r in conn.orchestration.resources(stack)
               if r.resource_type == 'OS::Nova::Server']
    statuses = sorted(conn.compute.get_server(s).status for s in servers)
    if statuses != ['ACTIVE'] * 3:
        raise RuntimeError('scripted stack %s: servers %s' % (name, statuses))
    return {'seconds': total.seconds, 'steps': steps}


def run(run: 'common.Run') -> None:
    with common.Cleanup() as cleanup:
        dragon = dragon_side(run, cleanup)
        story = dragon['story']
        recovery = dragon['recovery']
        backup = scripted_backup(run, story.workload.ids, cleanup)
        # The script's stack reuses names (the key pair) Dragon's stack
        # holds: Dragon's recovery is deleted first.
        common.delete_recovery(run.env.dragon(common.BACKUP), recovery['id'])
        script = scripted_recover(run, backup, dragon['template'],
                                  dragon['images'], cleanup)
    run.row(NAME, 'Dragon recover three-tier (3 servers, 2 GiB)',
            '%.1f s (engine RTO %.1f s)' % (
                dragon['seconds'], recovery.get('rto_seconds') or 0))
    run.row(NAME, 'scripted recover three-tier', '%.1f s (%s)' % (
        script['seconds'], ', '.join('%s %.1f' % kv
                                     for kv in script['steps'].items())))
    ratio = dragon['seconds'] / script['seconds']
    run.row(NAME, 'Dragon / scripted time', '%.2f x' % ratio,
            '<= %.1f x' % GOAL_RATIO, ratio <= GOAL_RATIO)

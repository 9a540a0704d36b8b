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

"""In-place restore on the minicloud: the plan, the swap, rollback and commit.

Uses the session's protected three-tier workload (no workload of its own)
and its newest checkpoint (earlier tests delete the first one): a dry run
plans, records the plan, and changes nothing in RegionOne; bad requests
are 4xx with their reason before anything runs.  The data volume of
``db`` is overwritten, restored in place (its checkpoint bytes, read from
the volume's file, at the same device of the same server), rolled back
(the overwritten bytes again) and restored and committed (no replaced
volume left); a dry run from the same checkpoint, which names the
replaced volume, then plans to replace the one in its place now.  The
disk of ``web`` (the fake driver's file) is overwritten, the server
rebuilt in place from its checkpoint image (same id, ports and
addresses), rolled back (the overwritten disk again) and rebuilt and
committed.  The data volume is then deleted, recreated in place and
committed (rolling a recreate back is left to the unit tests).  The
boot volume of ``app`` (it boots from a volume) is overwritten, restored
in place (Nova's rebuild has Cinder re-image it: same volume, device and
addresses, a copy of the overwritten bytes kept) and rolled back (the
overwritten bytes again; the protected ones are then written back by
hand, for the tests after these).  ``app`` is then deleted (its boot
volume is left: delete_on_termination false), recreated in place from a
new volume of its boot volume's checkpoint bytes (same name, metadata,
groups and fixed IP; the old boot volume untouched) and rolled back
(the new server and volume deleted); it is booted again by hand from
its old boot volume, and the workload and policy follow it.  A lone
server of the test's own (its own policy and checkpoint, on the
workload's network, with a floating IP: the shared workload is
untouched) is deleted, recreated on its network with its fixed IP, disk
bytes and floating IP, rolled back (deleted, the floating IP
disassociated but kept), recreated and committed, and followed by a
later plan; another is resized after its checkpoint and refused with
409.  Every
restore uses the same checkpoint, taken before the first commit: each
follows the committed replacements to the volume in place now (no new
checkpoint is taken).  The workload keeps the restored volume and disk
(same bytes as protected) for the tests after these.
"""

import datetime
import hashlib
import json
import time

from openstack import exceptions as sdk_exc
import pytest

from dragon.client.exceptions import ClientError
from dragon.notifications.payloads import EventType
from tests.functional.api.test_checkpoints import alt  # noqa: F401
from tests.functional.cli.helpers import CLI
from tests.functional.notifications import about
from tests.functional.notifications import data_of
from tests.functional.notifications import NotificationCollector
from tests.functional.protected import wait_checkpoint
from tests.minicloud.layout import region_tag
from tests.minicloud import resources
from tests.story import volume_file_sha256
from tests.story import wait

ENDED = ('succeeded', 'error')
SWAPPED = ('awaiting_commit', 'error')
REGION = 'RegionOne'


def _state(protected):
    """What a dry run must not change: servers, volumes, attachments."""
    conn = protected.conn
    servers = {s.id: (s.status, s.updated_at, s.image and s.image.get('id'))
               for s in conn.compute.servers()}
    volumes = {v.id: (v.status, v.size, sorted(
        (a['server_id'], a['device']) for a in v.attachments or ()))
        for v in conn.block_storage.volumes()}
    images = sorted(i.id for i in conn.image.images())
    return servers, volumes, images


def _dry_run(protected, resources=None):
    """The ended dry run; its row is deleted when the test module ends."""
    dr = protected.dr
    recovery = dr.recoveries.create(
        checkpoint_id=protected.latest()['id'], mode='in_place', dry_run=True,
        resources=resources)
    assert recovery['target_region'] == 'RegionOne'
    protected.in_place_runs.append(recovery['id'])
    return wait(lambda: dr.recoveries.get(recovery['id']), ENDED, 300)


@pytest.fixture(scope='module', autouse=True)
def _cleanup(protected):
    protected.in_place_runs = []
    yield
    dr = protected.dr
    for recovery_id in protected.in_place_runs:
        # One a failed test left in its window goes back first.
        if dr.recoveries.get(recovery_id)['status'] == 'awaiting_commit':
            dr.recoveries.rollback(recovery_id)
            wait(lambda: dr.recoveries.get(recovery_id),
                 ('rolled_back', 'awaiting_commit', 'error'), 600)
        dr.recoveries.delete(recovery_id)


def _fates(recovery):
    """{id in the region now: action} of a plan."""
    return {e['current_id']: e['action'] for e in recovery['plan']}


def test_dry_run_plans_and_changes_nothing(protected):
    ids = protected.workload.ids
    before = _state(protected)
    whole = _dry_run(protected)
    assert whole['status'] == 'succeeded', whole['error']
    assert whole['dry_run'] is True and whole['mode'] == 'in_place'
    fates = _fates(whole)
    for member in ('data', 'app_boot'):
        assert fates[ids[member]] == 'replace', (member, whole['plan'])
    for member in ('web', 'app', 'db'):
        assert fates[ids[member]] == 'rebuild', (member, whole['plan'])
    data = next(e for e in whole['plan'] if e['id'] == ids['data'])
    assert data['current_status'] == 'in-use' and data['changes'] == []
    events = [e['message'] for e in
              protected.dr.recoveries.events(whole['id'])]
    assert any(m.startswith('dry run: 2 to replace, 3 to rebuild') and
               m.endswith('nothing was changed') for m in events), events

    # Only the data volume: the servers (its own included) are untouched.
    only = _dry_run(protected, resources=[ids['data']])
    assert only['status'] == 'succeeded', only['error']
    fates = _fates(only)
    assert fates.pop(ids['data']) == 'replace'
    assert set(fates.values()) == {'untouched'}
    assert _state(protected) == before


@pytest.mark.parametrize('values,status,words', [
    ({'target_region': 'RegionTwo'}, 400,
     "checkpoint's own region RegionOne, not RegionTwo"),
    ({'resources': ['0b5e6c0a-0000-4000-8000-000000000000']}, 400,
     'not a member resource'),
    ({'shrink_volumes': True, 'mode': 'failover',
      'target_region': 'RegionTwo'}, 400,
     'shrink_volumes is for in_place restores only'),
    ({'mappings': {'flavors': {'m1.tiny': 'm1.small'}}}, 400,
     'mappings are for failover and drill'),
])
def test_bad_in_place_requests_say_why(protected, values, status, words):
    values = {k: [r.format(**protected.workload.ids) for r in v]
              if k == 'resources' else v for k, v in values.items()}
    request = {'checkpoint_id': protected.latest()['id'], 'mode': 'in_place',
               'dry_run': True, **values}
    if request['mode'] != 'in_place':
        request.pop('dry_run')
    before = _state(protected)
    with pytest.raises(ClientError) as refused:
        protected.dr.recoveries.create(**request)
    assert refused.value.status == status
    assert words in str(refused.value)
    assert _state(protected) == before


@pytest.mark.parametrize('dry_run', [True, False])
def test_another_projects_checkpoint_is_404(protected, alt,  # noqa: F811
                                            dry_run):
    checkpoint_id = protected.latest()['id']
    status, body = alt('POST', '/v1/recoveries', {'recovery': {
        'checkpoint_id': checkpoint_id, 'mode': 'in_place',
        'dry_run': dry_run, 'resources': [protected.workload.ids['data']]}})
    assert status == 404, body
    assert checkpoint_id in body['error']['message']


def test_cli_shows_the_plan_and_refuses_in_one_line(cloud, protected):
    cli = CLI(cloud.layout.clouds_yaml)
    data = protected.workload.ids['data']
    shown = json.loads(cli('dr', 'recovery', 'create', protected.latest()['id'],
                           '--in-place', '--dry-run', '--resource', data,
                           '-f', 'json', timeout=300).stdout)
    protected.in_place_runs.append(shown['id'])
    assert shown['status'] == 'succeeded' and shown['mode'] == 'in_place'
    assert {e['id']: e['action'] for e in shown['plan']
            if e['action'] != 'untouched'} == {data: 'replace'}
    refused = cli('dr', 'recovery', 'create', protected.latest()['id'],
                  '--in-place', '--dry-run', '--target-region', 'RegionTwo',
                  check=False)
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "own region RegionOne, not RegionTwo" in \
        lines[0], refused.stderr


# -- the swap, rollback and commit
def _volume_path(cloud, volume_id):
    return (cloud.layout.data / region_tag(REGION) / 'cinder' / 'volumes' /
            ('volume-%s' % volume_id))


def _overwrite(cloud, volume_id):
    """New bytes at the start of the volume (what a bad release did)."""
    junk = hashlib.sha256(b'overwritten').digest() * (1 << 15)
    with open(_volume_path(cloud, volume_id), 'r+b') as f:
        f.write(junk)
    return volume_file_sha256(cloud.layout, REGION, volume_id)


def _attached(conn, volume_id):
    volume = conn.block_storage.get_volume(volume_id)
    return volume.status, [(a['server_id'], a['device'])
                           for a in volume.attachments or ()]


def _gone(conn, volume_id):
    # Not find_volume: its fallback to a name filter is refused by Cinder.
    try:
        conn.block_storage.get_volume(volume_id)
    except sdk_exc.NotFoundException:
        return True
    return False


def _restore(protected, resource_id):
    """An in-place restore of one member, once awaiting commit."""
    dr = protected.dr
    recovery = dr.recoveries.create(
        checkpoint_id=protected.latest()['id'], mode='in_place',
        resources=[resource_id])
    assert recovery['status'] == 'recovering' and not recovery['dry_run']
    protected.in_place_runs.append(recovery['id'])
    recovery = wait(lambda: dr.recoveries.get(recovery['id']), SWAPPED, 900)
    assert recovery['status'] == 'awaiting_commit', (
        recovery['error'], [e['message'] for e in
                            dr.recoveries.events(recovery['id'])])
    return recovery


def _others(protected):
    """What a restore of the data volume alone must not touch."""
    conn, ids = protected.conn, protected.workload.ids
    servers = {role: (conn.compute.get_server(ids[role]).status,
                      conn.compute.get_server(ids[role]).updated_at)
               for role in ('web', 'app')}
    return servers, _attached(conn, ids['app_boot'])


def test_in_place_restore_rollback_then_commit(cloud, protected, dragon):
    conn, dr = protected.conn, protected.dr
    ids = protected.workload.ids
    old, db = ids['data'], ids['db']
    protected_sha = protected.workload.expected_sha256['data']
    assert volume_file_sha256(cloud.layout, REGION, old) == protected_sha
    (_, [(server, device)]) = _attached(conn, old)
    assert server == db
    broken_sha = _overwrite(cloud, old)
    assert broken_sha != protected_sha
    others = _others(protected)

    # Restore: a new volume of the checkpoint's bytes at the same device.
    recovery = _restore(protected, old)
    first_id = recovery['id']
    deadline = datetime.datetime.fromisoformat(
        recovery['commit_deadline'].replace('Z', '+00:00'))
    left = deadline - datetime.datetime.now(datetime.UTC)
    assert datetime.timedelta(minutes=55) < left <= datetime.timedelta(
        minutes=60)
    [swap] = recovery['replaced']
    new = swap['new_volume_id']
    assert swap == {'key': swap['key'], 'name': swap['name'],
                    'kind': 'volume', 'old_volume_id': old,
                    'recreates': None, 'new_volume_id': new,
                    'server_id': db, 'device': device, 'state': 'swapped'}
    assert _attached(conn, new) == ('in-use', [(db, device)])
    assert _attached(conn, old) == ('available', [])
    assert volume_file_sha256(cloud.layout, REGION, new) == protected_sha
    assert volume_file_sha256(cloud.layout, REGION, old) == broken_sha
    assert conn.block_storage.get_volume(old).metadata[
        'dragon_replaced_by'] == recovery['id']
    assert conn.compute.get_server(db).status == 'ACTIVE'
    assert _others(protected) == others
    members = {m['resource_id'] for m in
               dr.members.list(protected.policy['id'])}
    assert new in members and old not in members
    events = [e['message'] for e in dr.recoveries.events(recovery['id'])]
    assert any('stopped for the swap' in m for m in events), events
    # Nothing else is restored in place while this one is open.
    with pytest.raises(ClientError) as busy:
        dr.recoveries.create(checkpoint_id=protected.latest()['id'],
                             mode='in_place', resources=[old])
    assert busy.value.status == 409
    assert 'commit or roll it back' in str(busy.value)
    with pytest.raises(ClientError) as busy:
        dr.recoveries.delete(recovery['id'])
    assert busy.value.status == 409

    # Rollback: the overwritten volume is back where it was.
    assert dr.recoveries.rollback(recovery['id'])['status'] == 'rolling_back'
    rolled = wait(lambda: dr.recoveries.get(recovery['id']),
                  ('rolled_back', 'awaiting_commit', 'error'), 600)
    assert rolled['status'] == 'rolled_back', rolled['error']
    assert rolled['replaced'][0]['state'] == 'rolled_back'
    assert _attached(conn, old) == ('in-use', [(db, device)])
    assert volume_file_sha256(cloud.layout, REGION, old) == broken_sha
    assert _gone(conn, new)
    assert 'dragon_replaced_by' not in conn.block_storage.get_volume(
        old).metadata
    assert old in {m['resource_id'] for m in
                   dr.members.list(protected.policy['id'])}
    with pytest.raises(ClientError) as closed:
        dr.recoveries.commit(recovery['id'])
    assert closed.value.status == 409
    assert 'possible only when it is awaiting_commit' in str(closed.value)

    # Restore again, and commit with the CLI: no replaced volume is left.
    # Notified as a run: started, and ended when the window closes.
    with NotificationCollector(cloud.layout.rabbit_url(
            dragon.ensure_up().vhost)) as notified:
        recovery = _restore(protected, old)
        new = recovery['replaced'][0]['new_volume_id']
        cli = CLI(cloud.layout.clouds_yaml)
        shown = json.loads(cli('dr', 'recovery', 'commit', recovery['id'],
                               '--wait', '-f', 'json', timeout=600).stdout)
        assert shown['status'] == 'committed', shown
        start = data_of(notified.wait_for(EventType.RECOVERY_CREATE_START,
                                          about(recovery['id']), 30)[1])
        end = data_of(notified.wait_for(EventType.RECOVERY_CREATE_END,
                                        about(recovery['id']), 30)[1])
    assert start['mode'] == 'in_place'
    assert end['status'] == 'committed'
    # Committing keeps what the restore recorded of each resource.
    row = dr.recoveries.get(recovery['id'])
    assert row['resource_status'], row
    assert row['progress']['bytes_done'] > 0, row['progress']
    assert _gone(conn, old)
    protected.workload.replace('data', new)
    assert _attached(conn, new) == ('in-use', [(db, device)])
    assert volume_file_sha256(cloud.layout, REGION, new) == protected_sha
    # The checkpoint still names the replaced volume: a restore from it
    # follows the commit and replaces the volume in place now (not
    # recreating a second one), named by either id.
    for named in (old, new):
        followed = _dry_run(protected, resources=[named])
        assert followed['status'] == 'succeeded', followed['error']
        [entry] = [e for e in followed['plan'] if e['id'] == old]
        assert (entry['action'], entry['current_id']) == ('replace', new), \
            entry
    ours = {first_id, recovery['id']}
    assert not [v.id for v in conn.block_storage.volumes()
                if ours & {(v.metadata or {}).get('dragon_replaced_by'),
                           (v.metadata or {}).get('dragon_restore')}]
    assert conn.compute.get_server(db).status == 'ACTIVE'
    assert _others(protected) == others


# -- a server rebuilt in place
def _disk_path(cloud, server_id):
    return (cloud.layout.data / region_tag(REGION) / 'nova' / 'instances' /
            server_id / 'disk')


def _disk_sha256(cloud, server_id):
    return hashlib.sha256(_disk_path(cloud, server_id).read_bytes()
                          ).hexdigest()


def _overwrite_disk(cloud, server_id):
    """New bytes at the start of the server's disk (the fake driver's file)."""
    with open(_disk_path(cloud, server_id), 'r+b') as f:
        f.write(hashlib.sha256(b'broken release').digest() * 1024)
    return _disk_sha256(cloud, server_id)


def _identity(conn, server_id):
    """What a rebuild keeps: ports, fixed and floating IPs, key, metadata."""
    server = conn.compute.get_server(server_id)
    ports = sorted((p.id, tuple(sorted(ip['ip_address']
                                       for ip in p.fixed_ips)))
                   for p in conn.network.ports(device_id=server_id))
    floating = sorted(f.floating_ip_address for port_id, _ in ports
                      for f in conn.network.ips(port_id=port_id))
    return (ports, floating, server.key_name, server.metadata,
            sorted(g['name'] for g in server.security_groups or ()))


def _image_exists(conn, image_id):
    try:
        conn.image.get_image(image_id)
    except sdk_exc.NotFoundException:
        return False
    return True


def test_in_place_rebuild_of_a_server_rollback_then_commit(cloud, protected):
    conn, dr = protected.conn, protected.dr
    web = protected.workload.ids['web']
    protected_sha = protected.workload.expected_sha256['web']
    assert _disk_sha256(cloud, web) == protected_sha
    broken_sha = _overwrite_disk(cloud, web)
    identity = _identity(conn, web)
    image_before = conn.compute.get_server(web).image['id']

    # Rebuild: the checkpoint's disk, same server, ports and addresses.
    recovery = _restore(protected, web)
    [entry] = recovery['replaced']
    assert entry['kind'] == 'server' and entry['server_id'] == web
    assert entry['previous_image_id'] == image_before
    assert entry['state'] == 'swapped'
    server = conn.compute.get_server(web)
    assert server.status == 'ACTIVE'
    assert server.image['id'] == entry['restored_image_id']
    assert _disk_sha256(cloud, web) == protected_sha
    assert _identity(conn, web) == identity
    saved = conn.image.get_image(entry['saved_image_id'])
    assert saved.properties['dragon_replaced_by'] == recovery['id']
    events = [e['message'] for e in dr.recoveries.events(recovery['id'])]
    assert 'server %s stopped for the rebuild (was ACTIVE)' % web in events
    assert 'server %s started' % web in events

    # Rollback: rebuilt from the disk saved before, the broken bytes again.
    dr.recoveries.rollback(recovery['id'])
    rolled = wait(lambda: dr.recoveries.get(recovery['id']),
                  ('rolled_back', 'awaiting_commit', 'error'), 600)
    assert rolled['status'] == 'rolled_back', rolled['error']
    server = conn.compute.get_server(web)
    assert server.status == 'ACTIVE'
    assert server.image['id'] == entry['saved_image_id']
    assert _disk_sha256(cloud, web) == broken_sha
    assert _identity(conn, web) == identity
    assert not _image_exists(conn, entry['restored_image_id'])
    kept = conn.image.get_image(entry['saved_image_id'])
    assert 'dragon_replaced_by' not in (kept.properties or {})

    # Rebuild again and commit: the protected bytes stay, the saved disk
    # image of this restore is deleted.
    recovery = _restore(protected, web)
    [entry2] = recovery['replaced']
    dr.recoveries.commit(recovery['id'])
    done = wait(lambda: dr.recoveries.get(recovery['id']),
                ('committed', 'awaiting_commit', 'error'), 600)
    assert done['status'] == 'committed', done['error']
    assert _disk_sha256(cloud, web) == protected_sha
    assert not _image_exists(conn, entry2['saved_image_id'])
    restored = conn.image.get_image(entry2['restored_image_id'])
    assert 'dragon_restore' not in (restored.properties or {})
    assert conn.compute.get_server(web).status == 'ACTIVE'
    assert _identity(conn, web) == identity
    # The first rollback's image is no server's now.
    conn.image.delete_image(entry['saved_image_id'])


# -- a member gone from the region
def _delete_data_volume(conn, volume_id, server_id):
    """What the user did by mistake: detach and delete the data volume."""
    conn.compute.delete_volume_attachment(server_id, volume_id)
    wait(lambda: conn.block_storage.get_volume(volume_id), ('available',),
         300)
    conn.block_storage.delete_volume(volume_id)
    deadline = time.monotonic() + 300
    while not _gone(conn, volume_id):
        assert time.monotonic() < deadline, 'volume %s not deleted' % (
            volume_id)
        time.sleep(1)


def test_a_deleted_volume_is_recreated_and_committed(cloud,
                                                    protected):
    conn, dr = protected.conn, protected.dr
    # The checkpoint names the volume the commit above replaced: the
    # restore follows it to this one, gone too, and recreates it.
    data = protected.workload.ids['data']
    db = protected.workload.ids['db']
    protected_sha = protected.workload.expected_sha256['data']
    assert volume_file_sha256(cloud.layout, REGION, data) == protected_sha
    (_, [(_, device)]) = _attached(conn, data)
    _delete_data_volume(conn, data, db)

    plan = _dry_run(protected, resources=[data])
    assert _fates(plan)[data] == 'recreate', plan['plan']

    # Recreated from the checkpoint, at its recorded device on db.
    recovery = _restore(protected, data)
    [entry] = recovery['replaced']
    assert entry['kind'] == 'volume' and entry['old_volume_id'] is None
    assert entry['recreates'] == data and entry['server_id'] == db
    new = entry['new_volume_id']
    assert _attached(conn, new) == ('in-use', [(db, device)])
    assert volume_file_sha256(cloud.layout, REGION, new) == protected_sha
    assert conn.compute.get_server(db).status == 'ACTIVE'

    # Commit: the workload has its data volume again.  (Rolling a
    # recreate back, which deletes it, is proven by the unit tests; one
    # more 1 GiB restore here would cost CI a minute.)
    dr.recoveries.commit(recovery['id'])
    done = wait(lambda: dr.recoveries.get(recovery['id']),
                ('committed', 'awaiting_commit', 'error'), 600)
    assert done['status'] == 'committed', done['error']
    protected.workload.replace('data', new)
    assert _attached(conn, new) == ('in-use', [(db, device)])
    assert volume_file_sha256(cloud.layout, REGION, new) == protected_sha
    assert 'dragon_restore' not in conn.block_storage.get_volume(
        new).metadata
    assert new in {m['resource_id'] for m in
                   dr.members.list(protected.policy['id'])}
    assert conn.compute.get_server(db).status == 'ACTIVE'


def test_a_boot_volume_is_re_imaged_in_place_then_rolled_back(cloud,
                                                            protected):
    conn, dr, ids = protected.conn, protected.dr, protected.workload.ids
    app, root = ids['app'], ids['app_boot']
    protected_sha = protected.workload.expected_sha256['app_boot']
    assert volume_file_sha256(cloud.layout, REGION, root) == protected_sha
    (_, [(server, device)]) = _attached(conn, root)
    assert server == app
    where = _where(conn, app)
    with open(_volume_path(cloud, root), 'rb') as f:
        head = f.read(1 << 20)      # what _overwrite replaces
    try:
        broken_sha = _overwrite(cloud, root)
        plan = {e['current_id']: e for e in _dry_run(
            protected, resources=[app])['plan']}
        assert plan[app]['action'] == 'rebuild'
        assert plan[root]['action'] == 'replace'
        assert plan[root]['detail'].startswith('boot volume of server')

        # The checkpoint's bytes written onto the same volume, in place.
        recovery = _restore(protected, app)
        [entry] = recovery['replaced']
        copy = entry['saved_volume_id']
        assert entry == {'key': entry['key'], 'name': entry['name'],
                         'kind': 'boot_volume', 'volume_id': root,
                         'server_id': app, 'device': device,
                         'saved_volume_id': copy,
                         'restored_image_id': entry['restored_image_id'],
                         'state': 'swapped'}
        assert volume_file_sha256(cloud.layout, REGION, root) == protected_sha
        assert volume_file_sha256(cloud.layout, REGION, copy) == broken_sha
        assert _attached(conn, root) == ('in-use', [(app, device)])
        assert _attached(conn, copy) == ('available', [])
        assert conn.block_storage.get_volume(copy).metadata[
            'dragon_replaced_by'] == recovery['id']
        assert conn.compute.get_server(app).status == 'ACTIVE'
        assert _where(conn, app) == where
        assert not _image_exists(conn, entry['restored_image_id'])
        events = [e['message'] for e in dr.recoveries.events(recovery['id'])]
        assert any('stopped for the boot volume restore' in m
                   for m in events), events

        # Rollback: the overwritten bytes are back, the copy is gone.
        _closed(dr, recovery, dr.recoveries.rollback, 'rolled_back')
        assert volume_file_sha256(cloud.layout, REGION, root) == broken_sha
        assert _gone(conn, copy)
        assert _attached(conn, root) == ('in-use', [(app, device)])
        assert conn.compute.get_server(app).status == 'ACTIVE'
        assert _where(conn, app) == where
    finally:
        with open(_volume_path(cloud, root), 'r+b') as f:
            f.write(head)


def _boot_app_again(conn, ids, root, name, where, metadata):
    """app as the workload deployed it: from its boot volume, same address."""
    [(net, [address])] = [(n, list(a)) for n, a in where]
    sg = conn.network.get_security_group(ids['sg'])
    server = conn.compute.create_server(
        name=name, flavor_id=conn.compute.find_flavor('m1.tiny').id,
        networks=[{'uuid': net, 'fixed_ip': address}],
        security_groups=[{'name': sg.name}], metadata=metadata,
        block_device_mapping=[{
            'boot_index': 0, 'uuid': root, 'source_type': 'volume',
            'destination_type': 'volume', 'delete_on_termination': False}])
    return wait(lambda: conn.compute.get_server(server.id), ('ACTIVE',), 300)


def test_a_deleted_server_booted_from_a_volume_is_recreated_then_rolled_back(
        cloud, protected):
    """app deleted (its boot volume left): booted again from a new volume.

    Rolled back (the new server and volume deleted, the old boot volume
    untouched), then app is booted again by hand from its old boot volume
    with its address, and the workload and policy follow it, for the
    tests after this one.
    """
    conn, dr, ids = protected.conn, protected.dr, protected.workload.ids
    app, root = ids['app'], ids['app_boot']
    protected_sha = protected.workload.expected_sha256['app_boot']
    assert volume_file_sha256(cloud.layout, REGION, root) == protected_sha
    (_, [(_, device)]) = _attached(conn, root)
    before = conn.compute.get_server(app)
    where = _where(conn, app)
    groups = sorted(g['name'] for g in before.security_groups)
    conn.compute.delete_server(app)
    _server_gone(conn, app)
    wait(lambda: conn.block_storage.get_volume(root), ('available',), 300)
    recovery = None
    try:
        recovery = _restore(protected, app)
        plan = {e['current_id']: e for e in recovery['plan']}
        assert plan[app]['action'] == plan[root]['action'] == 'recreate'
        assert plan[app]['detail'].startswith(
            'gone from the region, booted from a volume: a new server is '
            'booted from a new volume'), plan[app]
        assert 'is left untouched' in plan[root]['detail'], plan[root]
        entries = {r['kind']: r for r in recovery['replaced']}
        volume, server = entries['volume'], entries['new_server']
        new, new_root = server['server_id'], volume['new_volume_id']
        assert (server['recreates'], volume['recreates']) == (app, root)
        assert (volume['server_id'], volume['device']) == (new, device)
        assert server['restored_image_id'] is None
        # The checkpoint's bytes in a new volume, which it boots from, with
        # its name, metadata, groups and fixed IP; the old one untouched.
        again = conn.compute.get_server(new)
        assert again.status == 'ACTIVE' and again.name == before.name
        assert getattr(again.image, 'id', None) is None     # from a volume
        assert again.metadata == {**before.metadata,
                                  'dragon_restore': recovery['id'],
                                  'dragon_restore_key': server['key']}
        assert sorted(g['name'] for g in again.security_groups) == groups
        assert _where(conn, new) == where
        assert _attached(conn, new_root) == ('in-use', [(new, device)])
        assert volume_file_sha256(cloud.layout, REGION, new_root) == \
            protected_sha
        assert _attached(conn, root) == ('available', [])
        assert not {'dragon_restore', 'dragon_replaced_by'} & set(
            conn.block_storage.get_volume(root).metadata)

        # Rollback: the new server and its new boot volume are deleted.
        _closed(dr, recovery, dr.recoveries.rollback, 'rolled_back')
        _server_gone(conn, new)
        assert _gone(conn, new_root)
        assert _tagged(conn, recovery['id']) == []
        assert not [s.id for s in conn.compute.servers()
                    if (s.metadata or {}).get('dragon_restore') ==
                    recovery['id']]
        assert _attached(conn, root) == ('available', [])
        assert volume_file_sha256(cloud.layout, REGION, root) == \
            protected_sha
    finally:
        if recovery is not None and dr.recoveries.get(
                recovery['id'])['status'] == 'awaiting_commit':
            _closed(dr, recovery, dr.recoveries.rollback, 'rolled_back')
        # The workload's app again, as it was deployed (the checkpoint
        # still names the deleted one: ids_as_of).
        back = _boot_app_again(conn, ids, root, before.name, where,
                               before.metadata)
        protected.workload.replace('app', back.id)
        policy = protected.policy['id']
        dr.members.remove(policy, app)
        dr.members.add(policy, 'server', back.id)
    assert _where(conn, back.id) == where
    assert _attached(conn, root) == ('in-use', [(back.id, device)])


def test_commit_of_a_dry_run_is_refused(protected):
    dry = _dry_run(protected)
    for close in (protected.dr.recoveries.commit,
                  protected.dr.recoveries.rollback):
        with pytest.raises(ClientError) as refused:
            close(dry['id'])
        assert refused.value.status == 409
        assert 'awaiting_commit' in str(refused.value)


# -- a server gone from the region, booted again
def _lone_server(conn, ids, name):
    """A small server of the test's own on the workload's network."""
    image = conn.image.find_image(resources.IMAGE_NAME)
    flavor = conn.compute.find_flavor('m1.tiny')
    sg = conn.network.get_security_group(ids['sg'])
    server = conn.compute.create_server(
        name=name, image_id=image.id, flavor_id=flavor.id,
        key_name=ids['keypair'], networks=[{'uuid': ids['net']}],
        security_groups=[{'name': sg.name}], metadata={'tier': 'lone'})
    return wait(lambda: conn.compute.get_server(server.id), ('ACTIVE',), 300)


def _server_gone(conn, server_id):
    deadline = time.monotonic() + 300
    while True:
        try:
            conn.compute.get_server(server_id)
        except sdk_exc.NotFoundException:
            return
        assert time.monotonic() < deadline, 'server %s not deleted' % (
            server_id)
        time.sleep(1)


def _where(conn, server_id):
    """(network, fixed IPs) of each port of the server."""
    return sorted((p.network_id, tuple(sorted(
        ip['ip_address'] for ip in p.fixed_ips)))
        for p in conn.network.ports(device_id=server_id))


def _in_place(dr, checkpoint_id, runs, dry_run=False):
    recovery = dr.recoveries.create(checkpoint_id=checkpoint_id,
                                    mode='in_place', dry_run=dry_run)
    runs.append(recovery['id'])
    return wait(lambda: dr.recoveries.get(recovery['id']),
                ENDED if dry_run else SWAPPED, 900)


def _closed(dr, recovery, close, end):
    close(recovery['id'])
    done = wait(lambda: dr.recoveries.get(recovery['id']),
                (end, 'awaiting_commit', 'error'), 600)
    assert done['status'] == end, done['error']
    return done


def test_a_deleted_server_is_recreated_on_its_network(cloud, protected):
    """A lone server, its own policy: the shared workload is not touched."""
    conn, dr, ids = protected.conn, protected.dr, protected.workload.ids
    server = _lone_server(conn, ids, protected.name + '-lone')
    made, runs, images, fips = [server.id], [], [], []
    policy = checkpoint = None
    try:
        where = _where(conn, server.id)
        [(net, [address])] = [(n, list(a)) for n, a in where]
        assert net == ids['net']
        disk_sha = _disk_sha256(cloud, server.id)
        # A floating IP on its port (the workload's router reaches public).
        [port] = conn.network.ports(device_id=server.id)
        fip = conn.network.create_ip(floating_network_id=conn.network.
                                     find_network(resources.PUBLIC_NET).id,
                                     port_id=port.id)
        fips.append(fip.id)
        policy = dr.policies.create(protected.name + '-lone', members=[
            {'resource_type': 'server', 'resource_id': server.id}])
        checkpoint = wait_checkpoint(
            dr, dr.checkpoints.protect(policy['id'])['id'])
        assert checkpoint['status'] == 'available', checkpoint['error']
        conn.compute.delete_server(server.id)
        _server_gone(conn, server.id)
        # Neutron took it off the deleted port; it is still allocated.
        assert conn.network.get_ip(fip.id).port_id is None

        planned = _in_place(dr, checkpoint['id'], runs, dry_run=True)
        assert planned['status'] == 'succeeded', planned['error']
        assert _fates(planned) == {server.id: 'recreate'}
        assert ('its floating IP %s is associated again' %
                fip.floating_ip_address) in planned['plan'][0]['detail']

        # Booted again from its checkpoint image, on its network, with its
        # fixed IP (free again), name, key pair, groups and metadata.
        recovery = _in_place(dr, checkpoint['id'], runs)
        assert recovery['status'] == 'awaiting_commit', (
            recovery['error'], [e['message'] for e in
                                dr.recoveries.events(recovery['id'])])
        [entry] = recovery['replaced']
        new = entry['server_id']
        made.append(new)
        assert entry['kind'] == 'new_server' and entry['state'] == 'swapped'
        assert entry['recreates'] == server.id and new != server.id
        again = conn.compute.get_server(new)
        assert again.status == 'ACTIVE' and again.name == server.name
        assert again.key_name == ids['keypair']
        assert again.image['id'] == entry['restored_image_id']
        assert again.metadata == {'tier': 'lone',
                                  'dragon_restore': recovery['id'],
                                  'dragon_restore_key': entry['key']}
        assert _where(conn, new) == where
        assert _disk_sha256(cloud, new) == disk_sha
        assert sorted(g['name'] for g in again.security_groups) == sorted(
            g['name'] for g in server.security_groups)
        # Its floating IP is on its new port again.
        [new_port] = conn.network.ports(device_id=new)
        assert entry['floating_ips'] == [{
            'id': fip.id, 'address': fip.floating_ip_address,
            'port_id': new_port.id}]
        assert conn.network.get_ip(fip.id).port_id == new_port.id

        # Rollback: the server and its restored image are deleted; the
        # floating IP is disassociated, still allocated.
        rolled = _closed(dr, recovery, dr.recoveries.rollback, 'rolled_back')
        assert rolled['replaced'][0]['state'] == 'rolled_back'
        _server_gone(conn, new)
        assert not _image_exists(conn, entry['restored_image_id'])
        assert conn.network.get_ip(fip.id).port_id is None

        # Again, and commit: it is the workload's (no restore tag left),
        # and a later restore from the same checkpoint rebuilds it.
        recovery = _in_place(dr, checkpoint['id'], runs)
        assert recovery['status'] == 'awaiting_commit', recovery['error']
        [entry] = recovery['replaced']
        new = entry['server_id']
        made.append(new)
        images.append(entry['restored_image_id'])
        _closed(dr, recovery, dr.recoveries.commit, 'committed')
        assert conn.compute.get_server(new).metadata == {'tier': 'lone'}
        assert _where(conn, new) == where
        [new_port] = conn.network.ports(device_id=new)
        assert conn.network.get_ip(fip.id).port_id == new_port.id
        image = conn.image.get_image(entry['restored_image_id'])
        assert 'dragon_restore' not in (image.properties or {})
        followed = _in_place(dr, checkpoint['id'], runs, dry_run=True)
        assert followed['status'] == 'succeeded', followed['error']
        [planned] = followed['plan']
        assert (planned['id'], planned['current_id'], planned['action']) == (
            server.id, new, 'rebuild'), planned
    finally:
        _clean_lone(conn, dr, runs, made, images, checkpoint, policy, fips)


def _clean_lone(conn, dr, runs, made, images, checkpoint, policy, fips=()):
    """Everything the lone-server test made, whatever failed."""
    for fip_id in fips:
        conn.network.delete_ip(fip_id, ignore_missing=True)
    for recovery_id in runs:
        row = wait(lambda: dr.recoveries.get(recovery_id), (
            'succeeded', 'error', 'awaiting_commit', 'committed',
            'rolled_back', 'expired'), 900)
        if row['status'] == 'awaiting_commit':
            _closed(dr, row, dr.recoveries.rollback, 'rolled_back')
        dr.recoveries.delete(recovery_id)
    for server_id in made:
        conn.compute.delete_server(server_id, ignore_missing=True)
    for server_id in made:
        _server_gone(conn, server_id)
    for image_id in images:
        conn.image.delete_image(image_id, ignore_missing=True)
    if checkpoint is not None:
        dr.checkpoints.delete(checkpoint['id'])
    if policy is not None:
        dr.policies.delete(policy['id'])


def _resized(conn, server_id, flavor_name):
    """The server on flavor_name, confirmed; None when Nova cannot."""
    flavor = conn.compute.find_flavor(flavor_name)
    conn.compute.resize_server(server_id, flavor.id)
    server = wait(lambda: conn.compute.get_server(server_id),
                  ('VERIFY_RESIZE', 'ERROR', 'ACTIVE'), 300)
    if server.status != 'VERIFY_RESIZE':
        return None
    conn.compute.confirm_server_resize(server_id)
    return wait(lambda: conn.compute.get_server(server_id), ('ACTIVE',), 300)


def test_a_server_whose_flavor_changed_is_refused(cloud, protected):
    """A lone server resized since its checkpoint: 409, nothing changed."""
    conn, dr, ids = protected.conn, protected.dr, protected.workload.ids
    server = _lone_server(conn, ids, protected.name + '-resized')
    policy = checkpoint = None
    try:
        policy = dr.policies.create(protected.name + '-resized', members=[
            {'resource_type': 'server', 'resource_id': server.id}])
        checkpoint = wait_checkpoint(
            dr, dr.checkpoints.protect(policy['id'])['id'])
        assert checkpoint['status'] == 'available', checkpoint['error']
        resized = _resized(conn, server.id, 'm1.small')
        if resized is None:
            pytest.skip('Nova cannot resize on this minicloud (it predates '
                        'allow_resize_to_same_host: run "up" again)')
        assert resized.flavor['original_name'] == 'm1.small'
        before = _state(protected)
        with pytest.raises(ClientError) as refused:
            dr.recoveries.create(checkpoint_id=checkpoint['id'],
                                 mode='in_place')
        assert refused.value.status == 409
        assert ('flavor m1.tiny at the checkpoint, m1.small now' in
                str(refused.value)), str(refused.value)
        assert 'keep_current_flavor' in str(refused.value)
        assert _state(protected) == before
        assert not [r for r in dr.recoveries.list()
                    if r['checkpoint_id'] == checkpoint['id']]
    finally:
        conn.compute.delete_server(server.id, ignore_missing=True)
        _server_gone(conn, server.id)
        if checkpoint is not None:
            dr.checkpoints.delete(checkpoint['id'])
        if policy is not None:
            dr.policies.delete(policy['id'])


# -- engines that die, and windows that end
def _tagged(conn, recovery_id):
    return sorted(v.id for v in conn.block_storage.volumes()
                  if recovery_id in ((v.metadata or {}).get('dragon_restore'),
                                     (v.metadata or {}).get(
                                         'dragon_replaced_by')))


def test_kill_9_mid_restore_puts_the_volume_back(cloud, protected,
                                                 two_engines):
    conn, dr = protected.conn, protected.dr
    data, db = protected.workload.ids['data'], protected.workload.ids['db']
    (_, [(_, device)]) = _attached(conn, data)
    before = volume_file_sha256(cloud.layout, REGION, data)
    recovery = dr.recoveries.create(
        checkpoint_id=protected.latest()['id'], mode='in_place',
        resources=[data])
    protected.in_place_runs.append(recovery['id'])
    deadline = time.monotonic() + 300
    while True:
        row = dr.recoveries.get(recovery['id'])
        if row['engine'] and row['progress']['bytes_done'] > 0:
            break
        assert row['status'] == 'recovering', row
        assert time.monotonic() < deadline, 'never saw a restore'
        time.sleep(0.2)
    victim = row['engine']
    index = two_engines.engine_index(victim)
    two_engines.kill_engine(index)
    ended = wait(lambda: dr.recoveries.get(recovery['id']),
                 ('error', 'awaiting_commit'), 600)
    assert ended['status'] == 'error', ended
    assert ('the engine running it (host %s) stopped mid-restore' % victim
            in ended['error']), ended['error']
    assert 'the original volumes are back in place' in ended['error']
    assert _attached(conn, data) == ('in-use', [(db, device)])
    assert volume_file_sha256(cloud.layout, REGION, data) == before
    assert _tagged(conn, recovery['id']) == []
    images = [i.id for i in conn.image.images()
              if (i.properties or {}).get('dragon_restore') ==
              recovery['id']]
    assert images == []
    two_engines.start_engine(index)


def test_a_window_ends_after_an_engine_restart_keeping_both(
        cloud, protected, dragon):
    conn, dr = protected.conn, protected.dr
    data, db = protected.workload.ids['data'], protected.workload.ids['db']
    # A one-minute window, and the engine that opened it killed: another
    # engine (default configuration: keep) closes it.
    dragon.stop_engines()
    dragon.start_engine(1, env={'OS_RECOVERY__IN_PLACE_COMMIT_WINDOW': '1'})
    try:
        recovery = _restore(protected, data)
        [swap] = recovery['replaced']
        old, new = swap['old_volume_id'], swap['new_volume_id']
        assert old == data
        dragon.kill_engine(1)
        dragon.start_engine(1)
        ended = wait(lambda: dr.recoveries.get(recovery['id']),
                     ('expired', 'committed', 'rolled_back', 'error'), 300)
    finally:
        dragon.stop_engines()
        dragon.start_engine(1)
    assert ended['status'] == 'expired', ended
    assert ended['window_action'] == 'keep'
    assert ended['replaced'][0]['state'] == 'kept'
    protected.workload.replace('data', new)
    (_, [(_, device)]) = _attached(conn, new)
    assert device == swap['device'] and _attached(conn, new)[1][0][0] == db
    assert 'dragon_restore' not in conn.block_storage.get_volume(
        new).metadata
    # The replaced volume is kept, detached and tagged, for the user.
    kept = conn.block_storage.get_volume(old)
    assert kept.status == 'available'
    assert kept.metadata['dragon_replaced_by'] == recovery['id']
    events = [e['message'] for e in dr.recoveries.events(recovery['id'])]
    assert any('the commit window ended' in m for m in events), events
    conn.block_storage.delete_volume(old)

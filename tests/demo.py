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

"""The main job: protect a workload, lose the primary site, recover it at the backup site.

``make demo`` runs this on a fresh machine: it brings up the two-region
minicloud, one Dragon per site (the embedded SQLite default; the backup
site's database starts empty), deploys a three-tier workload in RegionOne,
protects it, stops every service of RegionOne and its Dragon, recovers the
workload into RegionTwo from Swift alone, checks the recovered servers and
volume bytes, and prints a summary.  RegionOne is brought back at the end,
so the cloud is whole again for the next run.
"""
import sys
import time

from dragon.osc.v1 import progress as osc_progress
from tests.minicloud.bootstrap import SetupError
from tests.minicloud.cloud import MiniCloud
from tests.minicloud.dragon import DragonDeployment
from tests.minicloud.horizon_site import HorizonSite
from tests.minicloud.layout import Layout
from tests import story as story_mod

MiB = 1024 * 1024


class Say:
    """Timestamped progress lines; a run's progress on one line."""

    def __init__(self):
        self.started = time.monotonic()
        self._last = None

    def __call__(self, text):
        print('[%5.0fs] %s' % (time.monotonic() - self.started, text))

    def progress(self, what):
        def on_poll(obj):
            p = obj.get('progress') or {}
            phase = osc_progress.phase_text(p)
            line = '%s: %s%s %3d%%  %s / %s MiB%s' % (
                what, obj['status'], ' (%s)' % phase if phase else '',
                p.get('percent') or 0,
                (p.get('bytes_done') or 0) // MiB,
                (p.get('bytes_total') or 0) // MiB,
                '  ETA %ds' % p['eta_seconds']
                if p.get('eta_seconds') is not None else '')
            if line != self._last:
                self(line)
                self._last = line
        return on_poll


def bring_up(cloud, layout, say):
    say('bringing up the two-region minicloud (first time: a few minutes)')
    cloud.up()
    primary = DragonDeployment(layout)
    backup = DragonDeployment(layout, region=story_mod.BACKUP)
    # The backup site's Dragon has never seen a checkpoint of this cloud.
    for db in backup.home.glob('dragon.sqlite*'):
        db.unlink()
    primary.up()
    backup.up()
    say('Dragon up at the primary site (%s, %s) and the backup site '
        '(%s, %s, empty database)' % (story_mod.PRIMARY, primary.api_url,
                                      story_mod.BACKUP, backup.api_url))
    return primary, backup


def run(say):
    layout = Layout.from_env()
    cloud = MiniCloud(layout)
    primary, _backup = bring_up(cloud, layout, say)
    story = story_mod.Story(cloud)
    story.deploy(story.connect(story_mod.PRIMARY))
    say('workload %s deployed in %s: web (image), app (boot from volume), '
        'db with a 1 GiB data volume of known bytes; network, router, '
        'security group, key pair, floating IP' % (story.name,
                                                   story_mod.PRIMARY))
    checkpoint = story.protect(on_poll=say.progress('protect'))
    if checkpoint['status'] != 'available':
        raise SetupError('protection failed: %s' % checkpoint['error'])
    say('checkpoint %s in Swift container %s' % (checkpoint['id'],
                                                 checkpoint['container']))

    story.lose_primary_site()
    say('PRIMARY SITE LOST: every %s service and its Dragon are stopped'
        % story_mod.PRIMARY)
    points = story.recovery_points()
    say('the backup site\'s Dragon finds %d recovery point(s) of %s in '
        'Swift' % (len(points), story.name))
    recovery = story.recover(points[0]['container'],
                             on_poll=say.progress('recover'))
    if recovery['status'] != 'succeeded':
        raise SetupError('recovery failed: %s' % recovery['error'])

    conn_b = story.connect(story_mod.BACKUP)
    resources = story.recovered_resources(conn_b)
    servers = {name: conn_b.compute.get_server(r.physical_resource_id)
               for name, r in resources.items()
               if r.resource_type == 'OS::Nova::Server'}
    data_key = next(k for k, r in resources.items()
                    if r.resource_type == 'OS::Cinder::Volume' and
                    story.workload.ids['data'][:8] in k)
    digest = story_mod.volume_file_sha256(
        layout, story_mod.BACKUP, resources[data_key].physical_resource_id)
    expected = story.workload.expected_sha256['data']
    say('recovered in %s: stack %s %s; servers %s; data volume sha256 %s' % (
        story_mod.BACKUP, recovery['stack_name'],
        story.recovered_stack(conn_b).status,
        ', '.join('%s %s' % (s.name, s.status) for s in servers.values()),
        'MATCHES' if digest == expected else 'DIFFERS'))
    ok = digest == expected and all(s.status == 'ACTIVE'
                                    for s in servers.values())

    f = story.figures
    size = f['checkpoint_bytes'] or 1
    print()
    print('Summary')
    print('  checkpoint size     %8.1f MiB (%s)' % (size / MiB,
                                                   checkpoint['container']))
    print('  bytes uploaded      %8.1f MiB' % (f['uploaded_bytes'] / MiB))
    print('  dedup ratio         %8.1f x  (data size / bytes uploaded)' % (
        size / max(f['uploaded_bytes'], 1)))
    print('  protect time        %8.1f s' % f['protect_seconds'])
    print('  RTO                 %8.1f s  (recovery start to servers ACTIVE)'
          % (f['rto_seconds'] or 0))
    print('  recovered workload  %s servers ACTIVE, data volume bytes %s' % (
        sum(s.status == 'ACTIVE' for s in servers.values()),
        'equal' if digest == expected else 'DIFFERENT'))
    print()
    say('bringing %s back' % story_mod.PRIMARY)
    cloud.up()
    primary.up()
    horizon = HorizonSite(layout).ensure_up(say)
    say('done. The recovered workload runs in %s; clients: export '
        'OS_CLIENT_CONFIG_FILE=%s OS_CLOUD=demo; stop: make cloud-down'
        % (story_mod.BACKUP, layout.clouds_yaml))
    print()
    print('Dashboard  %s  (Project > Disaster Recovery)' % horizon.url)
    print('  user demo, domain Default, password: cat %s' % (
        layout.home / 'password'))
    return 0 if ok else 1


def main():
    sys.stdout.reconfigure(line_buffering=True)   # progress shows live in logs
    say = Say()
    try:
        return run(say)
    except (SetupError, TimeoutError) as exc:
        print('demo: error: %s' % exc, file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())

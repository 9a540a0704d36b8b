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

"""Options of the ``[protection]`` group: how data actions run and wait."""

from oslo_config import cfg

GROUP = cfg.OptGroup('protection', title='Protection data actions')

opts = [
    cfg.FloatOpt(
        'poll_interval',
        default=2.0,
        min=0.0,
        help='Seconds between two status checks of an image, snapshot, '
             'volume or backup that a checkpoint waits for. Lower notices '
             'sooner but makes more API calls; 0 checks again at once. '
             'Recovery reads [recovery] poll_interval, which falls back '
             'to this value when it is not set (deprecated for recovery: '
             'set it there).'),
    cfg.IntOpt(
        'server_snapshot_timeout',
        default=600,
        min=1,
        help='Seconds a server may take after createImage to finish taking '
             'its disk snapshot (the image createImage made is saving or '
             'active in Glance); the point in time is fixed then and the '
             'workflow resumes a paused server as soon as Nova accepts '
             'it. Past it the checkpoint fails.'),
    cfg.IntOpt(
        'image_active_timeout',
        default=3600,
        min=1,
        help='Seconds a Glance image (server snapshot or volume upload) may '
             'take to become active before the checkpoint fails. Recovery '
             'reads [recovery] image_active_timeout.'),
    cfg.FloatOpt(
        'image_watch_interval',
        default=0.5,
        min=0.05,
        help='Seconds between two checks of the Glance images a checkpoint '
             'waits for (server snapshots and volume uploads Nova and Cinder '
             'are writing). One Glance list call checks up to 50 of them, so '
             'the calls grow with the time waited, not with the number of '
             'servers; an image is read within this time of becoming '
             'active.'),
    cfg.IntOpt(
        'volume_timeout',
        default=1800,
        min=1,
        help='Seconds a Cinder snapshot or temporary volume may take to '
             'become available (or usable again after an upload) before '
             'the checkpoint fails.'),
    cfg.IntOpt(
        'backup_timeout',
        default=7200,
        min=1,
        help='Seconds a cinder-backup backup may take to become available '
             'before the checkpoint fails. Recovery reads [recovery] '
             'backup_timeout.'),
    cfg.IntOpt(
        'delete_timeout',
        default=600,
        min=1,
        help='Seconds cleanup waits for a temporary volume or snapshot to be '
             'gone before it moves on to the next one; one still there '
             'then is recorded as an error event and fails the run once '
             'the others are cleaned up. Recovery reads [recovery] '
             'delete_timeout.'),
    cfg.IntOpt(
        'download_read_size',
        default=1024 * 1024,
        min=4096,
        help='Bytes asked from the HTTP response in one read while an image '
             'streams into the checkpoint. Memory use is about the chunk '
             'size times the upload workers plus this.'),
    cfg.IntOpt(
        'parallel_resources',
        default=2,
        min=1,
        help='Resources whose data one checkpoint transfers at the same '
             'time, one thread each. More makes a checkpoint of many servers '
             'and volumes finish sooner, at the cost of more load on the '
             'source\'s Glance, Cinder and Swift and more memory (each '
             'stream holds up to [checkpoint] upload_workers chunks).'),
    cfg.IntOpt(
        'parallel_captures',
        default=16,
        min=1,
        help='Resources whose capture (createImage, volume snapshot, '
             'backup) one checkpoint starts and waits for at the same time, '
             'one thread each; as many threads again wait for captured '
             'data to become readable (Nova\'s or Cinder\'s upload to '
             'Glance, a backup to finish) before its transfer. Each waiting '
             'thread checks its object every [protection] poll_interval '
             'seconds at most. More takes the snapshots of a large policy '
             'closer together (shorter pauses under ``consistent``) at the '
             'cost of more concurrent requests to Nova, Cinder and '
             'Glance.'),
    cfg.IntOpt(
        'pause_timeout',
        default=120,
        min=1,
        help='Seconds a member server of a policy with the ``consistent`` '
             'option may take to become PAUSED, and to be ACTIVE again '
             'after the unpause (Nova refusing the unpause is retried this '
             'long, plus as long as Nova is still uploading the server\'s '
             'snapshot, up to image_active_timeout; the data transfers '
             'go on meanwhile). A server that does not pause in '
             'time fails the checkpoint; one that does not come back is '
             'named as left paused.'),
    cfg.BoolOpt(
        'skip_unchanged_servers',
        default=True,
        help='Do not snapshot again a server (image_snapshot) that is '
             'SHUTOFF and was already SHUTOFF at the previous available '
             'checkpoint of the policy, with no instance action since and '
             'the same image and flavor: the new checkpoint references the '
             'previous one\'s data (its chunks checked to be still '
             'stored). A member option skip_unchanged=false turns it off '
             'for one server.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)


def list_opts() -> dict:
    return {GROUP: opts}

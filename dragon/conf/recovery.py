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

"""Options of the ``[recovery]`` group: how a recovery runs and waits."""

from oslo_config import cfg

GROUP = cfg.OptGroup('recovery', title='Recovery options')

opts = [
    cfg.IntOpt(
        'stack_timeout',
        default=3600,
        min=60,
        help='Seconds a recovery waits for its Heat stack to be created (or '
             'deleted) when the request names no timeout. Heat is given the '
             'same timeout, so a stuck stack fails instead of hanging.'),
    cfg.FloatOpt(
        'stack_poll_interval',
        default=2.0,
        min=0.1,
        help='Seconds between two reads of the recovery\'s Heat stack and '
             'its resources while it is created or deleted. Shorter shows '
             'progress sooner and ends the wait sooner, at the cost of two '
             'Heat API calls per poll.'),
    cfg.BoolOpt(
        'early_stack',
        default=True,
        help='Create the part of a recovery\'s Heat stack that needs no '
             'restored data (networks, subnets, routers, ports, security '
             'groups, key pairs) while the data is restored, then update '
             'the stack with the rest (servers, volumes, attachments), '
             'which shortens the RTO by the time Heat spends on the first '
             'part. The stack then ends UPDATE_COMPLETE. False: one stack '
             'create after the restore (CREATE_COMPLETE).'),
    cfg.IntOpt(
        'parallel_restores',
        default=2,
        min=1,
        help='Images and volumes one recovery restores into the target at '
             'the same time, one thread each. More shortens the restore of '
             'many resources (the RTO), at the cost of more load on the '
             'target\'s Glance and Cinder and on Swift.'),
    # The waits of restored data. Until this release they were read from
    # [protection]; a value set there still applies here when [recovery]
    # does not set it. (The name is repeated so that the sample names the
    # old place.)
    cfg.FloatOpt(
        'poll_interval',
        default=2.0,
        min=0.0,
        deprecated_name='poll_interval', deprecated_group='protection',
        help='Seconds between two status checks of an image, volume or '
             'backup import that a recovery waits for.'),
    cfg.IntOpt(
        'image_active_timeout',
        default=3600,
        min=1,
        deprecated_name='image_active_timeout', deprecated_group='protection',
        help='Seconds a restored Glance image may take to become active '
             'after its last chunk is uploaded before the recovery fails.'),
    cfg.IntOpt(
        'backup_timeout',
        default=7200,
        min=1,
        deprecated_name='backup_timeout', deprecated_group='protection',
        help='Seconds a cinder-backup import, and then the restore of the '
             'backup into a new volume, may each take before the recovery '
             'fails.'),
    cfg.IntOpt(
        'in_place_commit_window',
        default=60,
        min=1,
        max=10080,
        help='Minutes an in-place restore waits in awaiting_commit after '
             'its swap, with the replaced volumes kept, for the user to '
             'commit or roll back (a request may name its own window). '
             'When it ends, in_place_window_expiry decides.'),
    cfg.StrOpt(
        'in_place_window_expiry',
        default='keep',
        choices=[('keep', 'the restored volumes stay in place and the '
                          'replaced ones are kept, detached and tagged, '
                          'for the user to delete (status expired)'),
                 ('commit', 'as a commit: the replaced volumes are '
                            'deleted (status committed)'),
                 ('rollback', 'as a rollback: the replaced volumes go '
                              'back in place (status rolled_back)')],
        help='What happens to an in-place restore whose commit window '
             'ends without a commit or rollback. The default deletes '
             'nothing: no data is lost until someone says so.'),
    cfg.IntOpt(
        'swap_timeout',
        default=600,
        min=1,
        help='Seconds an in-place restore waits for a server to stop or '
             'start, or for a volume to be detached, attached or made from '
             'a restored image, before it fails (and puts back what it '
             'had swapped).'),
    cfg.IntOpt(
        'failback_quiesce_timeout',
        default=120,
        min=1,
        help='Seconds the engine running a failback waits for all the '
             'servers of the workload at the backup site (asked '
             'together) to be paused or stopped for the final checkpoint '
             'before the run fails (and releases them).'),
    cfg.IntOpt(
        'failback_checkpoint_timeout',
        default=3600,
        min=1,
        help='Seconds a failback run waits for its final checkpoint to be '
             'available before it fails.'),
    cfg.IntOpt(
        'failback_replication_timeout',
        default=600,
        min=1,
        help='Seconds a failback run waits for its final checkpoint to be '
             'replicated to the home region\'s Swift (retries included, '
             'see [replication]) before it fails, nothing changed at '
             'home.'),
    cfg.FloatOpt(
        'failback_poll_interval',
        default=2.0,
        min=0.01,
        help='Seconds between two looks of a failback run at the servers '
             'it quiesces, its final checkpoint and its copy.'),
    cfg.IntOpt(
        'delete_timeout',
        default=600,
        min=1,
        deprecated_name='delete_timeout', deprecated_group='protection',
        help='Seconds the teardown of a recovery (a drill, a failure, a '
             'delete) waits for a restored volume to be gone before it '
             'moves on to the next one.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)


def list_opts() -> dict:
    return {GROUP: opts}

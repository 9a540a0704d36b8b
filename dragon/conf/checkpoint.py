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

"""Options of the ``[checkpoint]`` group: how checkpoint data is stored in Swift."""

from oslo_config import cfg

GROUP = cfg.OptGroup('checkpoint', title='Checkpoint storage options')

opts = [
    cfg.IntOpt(
        'chunk_size_mib',
        default=8,
        min=1, max=1024,
        help='Size of the chunks image and volume data is cut into, in MiB. '
             'A chunk is the unit of deduplication: smaller chunks find more '
             'unchanged data, larger ones make fewer Swift requests (each '
             'costs a Swift proxy and object server some 10 ms of CPU: at 8 '
             'MiB a GiB of data costs Swift a quarter less CPU than at 4). '
             'Changing it makes the next checkpoints share no chunks with '
             'older ones (images already in the chunk index excepted).'),
    cfg.IntOpt(
        'upload_workers',
        default=3,
        min=1, max=64,
        help='Chunks uploaded to Swift in parallel per stream (threads). '
             'More makes a stream faster until Swift or the network is the '
             'limit, and opens as many Swift connections. Memory used '
             'is at most 2 x chunk_size x (upload_workers + 1) per stream.'),
    cfg.StrOpt(
        'upload_md5',
        default='auto',
        choices=[
            ('auto', 'always when the object-store endpoint is plain http; '
                     'never over https, where TLS already refuses a body '
                     'changed on the way'),
            ('always', 'the engine hashes each stored chunk with md5 and '
                       'sends it as the ETag: Swift refuses (422) a body '
                       'that differs from what the engine sent'),
            ('never', 'the md5 Swift computed of the body it received (its '
                      'ETag answer) is recorded; only TCP, or TLS, checks '
                      'the way from the engine to Swift')],
        help='Whether the engine sends an md5 of each chunk it stores for '
             'Swift to check it against. It costs about a third of the '
             'engine\'s CPU per byte stored (md5 runs near 0.8 GB/s per core). '
             'Whatever this says, a chunk is named by the sha256 of its '
             'bytes, checked on every read (recovery, verification with '
             'read_data), and the md5 recorded for it is compared with '
             'Swift\'s listing by every verification.'),
    cfg.StrOpt(
        'compression',
        default='zstd',
        choices=[('none', 'Store chunks as they are.'),
                 ('zstd', 'Compress chunks with zstd (level 3); chunks '
                          'that do not shrink are stored as they are.')],
        help='Compression of stored chunks.'),
    cfg.IntOpt(
        'gc_interval',
        default=3600,
        min=0,
        help='Seconds between two runs of the engine\'s chunk garbage '
             'collection over the projects with checkpoints; 0 disables it '
             '(``dragon-manage chunks gc`` still runs it by hand).'),
    cfg.IntOpt(
        'incomplete_grace',
        default=24 * 3600,
        min=600,
        help='Seconds after which a checkpoint container without a manifest '
             'is taken for the leftover of a crashed run: garbage collection '
             'removes it. Until then it is treated as being written, and '
             'garbage collection does not sweep that project\'s chunks. '
             'Lower reclaims crashed runs\' space sooner but must stay above '
             'the longest protection, or a slow run\'s container is '
             'removed under it.'),
    cfg.IntOpt(
        'gc_stale_mark',
        default=6 * 3600,
        min=600,
        help='Seconds after which the "collecting" mark a chunk garbage '
             'collection puts on a project\'s chunk container is taken for '
             'the leftover of a crashed collector and ignored. Until then a '
             'checkpoint of that project refuses to start and another '
             'collection skips the project. Keep it well above the longest '
             'collection of one project: a checkpoint that ignores the mark '
             'of a collection still running may lose chunks to its sweep.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)


def list_opts() -> dict:
    return {GROUP: opts}

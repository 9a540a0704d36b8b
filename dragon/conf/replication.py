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

"""Options of the ``[replication]`` group: copying checkpoints to another Swift."""

from oslo_config import cfg

GROUP = cfg.OptGroup('replication', title='Checkpoint replication options')

opts = [
    cfg.IntOpt(
        'workers',
        default=4,
        min=1,
        max=64,
        help='Objects (chunks, then the checkpoint\'s own objects) one '
             'replication copies to the target region\'s Swift at the same '
             'time, one thread and two Swift connections each. Memory per '
             'replication stays below 2 * workers MiB (objects are '
             'streamed in 1 MiB pieces). More copies faster over a long '
             'link, at the cost of more load on both Swift clusters.'),
    cfg.IntOpt(
        'max_bytes_per_second',
        default=0,
        min=0,
        help='Bytes per second an engine sends to target regions\' Swift, '
             'all its replications and workers together (0: no cap). The '
             'link between sites is often the workload\'s too: cap it so '
             'a first copy of a large policy does not fill it. Up to one '
             'second of traffic may go at once; the copies of one engine '
             'share the cap, each engine has its own.'),
    cfg.FloatOpt(
        'progress_interval',
        default=5.0,
        min=0.0,
        help='Seconds between two writes of a replication\'s progress '
             '(bytes copied) to the database.'),
    cfg.IntOpt(
        'retry_interval',
        default=30,
        min=1,
        help='Seconds after a failed replication (the target\'s Swift '
             'unreachable, a collection running there) before an engine '
             'copies it again; doubled after each failure, up to an hour. '
             'What the target already holds is not copied again.'),
    cfg.IntOpt(
        'max_attempts',
        default=12,
        min=1,
        help='Copies of one checkpoint tried before its replication stays '
             'failed (with the defaults, about seven hours of target '
             'outage). The run\'s trust is kept until then.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)


def list_opts() -> dict:
    return {GROUP: opts}

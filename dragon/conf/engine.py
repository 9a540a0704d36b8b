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

"""Options of the ``[engine]`` group: the engine's RPC identity and liveness."""

import socket

from oslo_config import cfg

GROUP = cfg.OptGroup('engine', title='Dragon engine options')

opts = [
    cfg.StrOpt(
        'topic',
        default='dragon-engine',
        help='RPC topic the engines listen on. All engines of one '
             'deployment share it; requests are spread over them.'),
    cfg.StrOpt(
        'host',
        default=socket.gethostname(),
        sample_default='<current_hostname>',
        help='Name of this engine: its RPC server name and its row in the '
             'engine service table. Must be unique per engine process.'),
    cfg.StrOpt(
        'region_name',
        default='RegionOne',
        help='Region this Dragon protects: the primary site whose servers '
             'and volumes are taken into checkpoints. Recovery names its '
             'target region per request.'),
    cfg.IntOpt(
        'rpc_response_timeout',
        default=60,
        min=1,
        help='Seconds an RPC call to an engine (a ping, as dragon-status '
             'does) waits for the answer before it fails as timed out. '
             'Protections and recoveries are cast and do not wait.'),
    cfg.IntOpt(
        'heartbeat_interval',
        default=10,
        min=1,
        help='Seconds between two heartbeats an engine writes to the '
             'database. Lower notices a dead engine no sooner by itself '
             '(service_down_time decides) but writes more often; keep it '
             'several times below service_down_time.'),
    cfg.IntOpt(
        'service_down_time',
        default=60,
        min=1,
        help='An engine whose last heartbeat is older than this many '
             'seconds is considered dead and its runs are taken over. '
             'Lower takes over sooner; too close to heartbeat_interval and '
             'a busy engine is taken for dead. Keep it several times '
             'heartbeat_interval.'),
    cfg.IntOpt(
        'broker_connect_retries',
        default=2,
        min=0,
        help='How many times dragon-engine retries reaching the message '
             'broker at startup (1 to 2 seconds apart) before it exits '
             'with an error; 0: it exits at the first failure.'),
    cfg.IntOpt(
        'max_concurrent_runs',
        default=2,
        min=1,
        help='How many checkpoints (protect or delete) one engine runs at '
             'the same time; more requests wait in its queue. Higher runs '
             'more at once at the cost of memory (see [checkpoint] '
             'upload_workers) and bandwidth.'),
    cfg.IntOpt(
        'orphan_check_interval',
        default=60,
        min=1,
        help='Seconds between two checks for checkpoints left in '
             'protecting or deleting by an engine that stopped '
             'heartbeating (older than service_down_time); they are taken '
             'over. Lower finds them sooner at the cost of a database query '
             'per check.'),
    cfg.IntOpt(
        'trust_expiry_hours',
        default=24,
        min=1,
        help='Lifetime, in hours, of the Keystone trust the API creates '
             'from the caller for one checkpoint or recovery; a run still '
             'going when it expires fails. Higher lets longer runs finish, '
             'and a trust that is not deleted lives as long.'),
    cfg.IntOpt(
        'max_takeovers',
        default=3,
        min=0,
        help='How many times a protection whose engine stopped mid-run is '
             'requeued for another engine; once more and it ends in error '
             '(a checkpoint that kills its engine every time is not retried '
             'forever). 0 fails such a protection at once. A failback run '
             'whose engine stopped before its recovery at home began is '
             'resumed as many times, then rolled back.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)


def list_opts() -> dict:
    return {GROUP: opts}

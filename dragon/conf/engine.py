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
    cfg.IntOpt(
        'rpc_response_timeout',
        default=60,
        min=1,
        help='Seconds an RPC call to the engine waits for the answer.'),
    cfg.IntOpt(
        'heartbeat_interval',
        default=10,
        min=1,
        help='Seconds between two heartbeats an engine writes to the '
             'database.'),
    cfg.IntOpt(
        'service_down_time',
        default=60,
        min=1,
        help='An engine whose last heartbeat is older than this many '
             'seconds is considered dead. Keep it several times '
             'heartbeat_interval.'),
    cfg.IntOpt(
        'broker_connect_retries',
        default=2,
        min=0,
        help='How many times dragon-engine retries reaching the message '
             'broker at startup before it gives up with an error.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)


def list_opts() -> dict:
    return {GROUP: opts}

"""Options of the ``[recovery]`` group: how long recovery waits for the target."""

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
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(opts, group=GROUP)


def list_opts() -> dict:
    return {GROUP: opts}

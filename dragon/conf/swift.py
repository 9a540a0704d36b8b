"""Options of the ``[swift]`` group: how Dragon reaches the object-store service."""

from oslo_config import cfg

from dragon.conf import _ksa

GROUP = 'swift'
SERVICE_TYPE = 'object-store'


def register_opts(conf: cfg.ConfigOpts) -> None:
    _ksa.register_opts(conf, GROUP, SERVICE_TYPE)


def list_opts() -> dict:
    return _ksa.list_opts(GROUP, SERVICE_TYPE)

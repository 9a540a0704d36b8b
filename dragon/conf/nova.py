"""Options of the ``[nova]`` group: how Dragon reaches the compute service."""

from oslo_config import cfg

from dragon.conf import _ksa

GROUP = 'nova'
SERVICE_TYPE = 'compute'


def register_opts(conf: cfg.ConfigOpts) -> None:
    _ksa.register_opts(conf, GROUP, SERVICE_TYPE)


def list_opts() -> dict:
    return _ksa.list_opts(GROUP, SERVICE_TYPE)

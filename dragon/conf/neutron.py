"""Options of the ``[neutron]`` group: how Dragon reaches the network service."""

from oslo_config import cfg

from dragon.conf import _ksa

GROUP = 'neutron'
SERVICE_TYPE = 'network'


def register_opts(conf: cfg.ConfigOpts) -> None:
    _ksa.register_opts(conf, GROUP, SERVICE_TYPE)


def list_opts() -> dict:
    return _ksa.list_opts(GROUP, SERVICE_TYPE)

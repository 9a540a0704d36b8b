"""Options of the ``[cinder]`` group: how Dragon reaches the block-storage service."""

from oslo_config import cfg

from dragon.conf import _ksa

GROUP = 'cinder'
SERVICE_TYPE = 'block-storage'


def register_opts(conf: cfg.ConfigOpts) -> None:
    _ksa.register_opts(conf, GROUP, SERVICE_TYPE)


def list_opts() -> dict:
    return _ksa.list_opts(GROUP, SERVICE_TYPE)

"""Aggregates Dragon's options for ``oslo-config-generator`` (namespace ``dragon``)."""

from oslo_config import cfg

from dragon import conf as dragon_conf
from dragon.conf import database
from dragon.conf import default


def list_opts() -> list[tuple[str | cfg.OptGroup, list[cfg.Opt]]]:
    """Return ``[(group, options)]`` of every Dragon option module."""
    merged: dict = {}
    for module in dragon_conf.MODULES:
        for group, opts in module.list_opts().items():
            merged.setdefault(group, []).extend(opts)
    return list(merged.items())


def update_defaults() -> None:
    """Hook (``oslo.config.opts.defaults``) that applies Dragon's library defaults."""
    database.update_defaults()
    default.update_defaults()

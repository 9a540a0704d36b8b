"""Serves oslo.middleware's healthcheck at ``/healthcheck``, unauthenticated.

oslo.middleware's Healthcheck answers every request it sees (it expects a
paste urlmap in front), so this mounts it on its one path.
"""

from typing import Any

from oslo_config import cfg
from oslo_middleware import healthcheck

PATH = '/healthcheck'


class HealthcheckMount:

    def __init__(self, application: Any, conf: cfg.ConfigOpts) -> None:
        self.application = application
        self.healthcheck = healthcheck.Healthcheck(None, conf)

    def __call__(self, environ: dict, start_response: Any) -> Any:
        if environ.get('PATH_INFO', '').rstrip('/') == PATH:
            return self.healthcheck(environ, start_response)
        return self.application(environ, start_response)

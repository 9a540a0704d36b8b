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

"""Builds the dragon-api WSGI pipeline in code (no paste.deploy).

Outermost first: RequestId → Healthcheck (/healthcheck, no auth) → fault
(JSON errors) → body size limit → ``GET /`` versions (no auth) → auth_token
or noauth → request context → the /v1 router.
"""

import os
from typing import Any

from oslo_config import cfg
from oslo_middleware import request_id

from dragon.api.middleware import auth
from dragon.api.middleware import context
from dragon.api.middleware import fault
from dragon.api.middleware import healthcheck
from dragon.api.middleware import sizelimit
from dragon.api.v1 import router as v1_router
from dragon.api import versions
from dragon.common import config
from dragon import conf as dragon_conf

CONFIG_FILE_ENV = 'DRAGON_CONFIG_FILE'
CONFIG_DIR_ENV = 'DRAGON_CONFIG_DIR'
DEFAULT_CONFIG_FILE = '/etc/dragon/dragon.conf'


def build_app(conf: cfg.ConfigOpts) -> Any:
    """Return the API application for an already parsed ``conf``."""
    app: Any = v1_router.build()
    app = context.ContextMiddleware(app)
    app = auth.wrap(app, conf)
    app = versions.VersionsMiddleware(app)
    app = sizelimit.BodySizeLimit(app, conf)
    app = fault.FaultMiddleware(app)
    app = healthcheck.HealthcheckMount(app, conf)
    app = request_id.RequestId(app)
    return app


def init_application(environ: dict[str, str] | None = None) -> Any:
    """Parse configuration the way a WSGI server needs it, then build the app.

    uwsgi and gunicorn own ``sys.argv``, so the config file comes from
    ``$DRAGON_CONFIG_FILE`` (or ``/etc/dragon/dragon.conf`` if present) and
    an optional ``$DRAGON_CONFIG_DIR``, never from the command line.
    """
    environ = os.environ if environ is None else environ
    config_file = environ.get(CONFIG_FILE_ENV)
    if config_file:
        files = [config_file]
    elif os.path.exists(DEFAULT_CONFIG_FILE):
        files = [DEFAULT_CONFIG_FILE]
    else:
        files = []
    config_dir = environ.get(CONFIG_DIR_ENV)
    conf = dragon_conf.CONF
    config.parse_args(conf, [], prog='dragon-api', default_config_files=files,
                      default_config_dirs=[config_dir] if config_dir else [])
    return build_app(conf)

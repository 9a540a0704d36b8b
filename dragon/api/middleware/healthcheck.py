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

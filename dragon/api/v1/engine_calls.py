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

"""Controllers that hand work to the engines: RPC client, 202 answer."""

from typing import Any

from oslo_config import cfg
import webob

from dragon import conf as dragon_conf
from dragon.engine import rpcapi


class EngineController:
    """A controller that casts to the engines (client made on first use)."""

    def __init__(self, conf: cfg.ConfigOpts | None = None) -> None:
        self._conf = conf
        self._engine: rpcapi.EngineAPI | None = None

    def engine(self) -> rpcapi.EngineAPI:
        if self._engine is None:
            self._engine = rpcapi.EngineAPI(self._conf or dragon_conf.CONF)
        return self._engine


def accepted(key: str, view: dict[str, Any]) -> webob.Response:
    """202 with ``{key: view}``: the engine took the request over."""
    return webob.Response(status=202, content_type='application/json',
                          charset='UTF-8', json_body={key: view})

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

"""The engines as operators see them: heartbeat, liveness, runs held."""

import datetime
from typing import Any

from oslo_config import cfg

from dragon.common import timeutils
from dragon import conf as dragon_conf
from dragon.db import api as db_api


def engine_list(context: Any, conf: cfg.ConfigOpts | None = None
                ) -> list[dict[str, Any]]:
    """Every known engine, most recent heartbeat first.

    An engine is alive when its last heartbeat is younger than
    ``[engine] service_down_time``, the same rule the takeover of its
    runs follows.

    :returns: dicts with ``service`` (the heartbeat row), ``alive`` and
        ``runs`` (``{"checkpoints": n, "recoveries": n}`` in progress).
    """
    conf = conf or dragon_conf.CONF
    since = timeutils.utcnow() - datetime.timedelta(
        seconds=conf.engine.service_down_time)
    held = db_api.engine_service_runs_held(context)
    return [{'service': service,
             'alive': bool(service.updated_at and service.updated_at >= since),
             'runs': held.get(service.host,
                              {'checkpoints': 0, 'recoveries': 0})}
            for service in db_api.engine_service_get_all(context)]

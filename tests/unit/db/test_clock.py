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

"""Liveness by the database's clock, not each engine's."""

import datetime

from dragon import context
from dragon.db import api as db_api
from dragon.db.api import clock
from dragon.db import models


def test_the_database_clock_is_utc_now(db):
    before = models.utcnow() - datetime.timedelta(seconds=2)
    now = db_api.database_utcnow(context.get_admin_context())
    after = models.utcnow() + datetime.timedelta(seconds=2)
    # On MariaDB (DRAGON_TEST_DB_URL) this is the server's UTC clock: a
    # zone mix-up would be hours off.
    assert now.tzinfo is None and before <= now <= after


def test_a_heartbeat_is_stamped_by_the_database_not_the_engine(
        db, monkeypatch):
    ctx = context.get_admin_context()
    server_time = datetime.datetime(2026, 12, 4, 1, 0, 0)
    monkeypatch.setattr(clock, 'now', lambda session: server_time)
    # The engine's own clock is an hour fast; it does not matter.
    monkeypatch.setattr(models, 'utcnow', lambda: server_time +
                        datetime.timedelta(hours=1))
    db_api.engine_service_heartbeat(ctx, 'e1', 'dragon-engine', '1')
    (engine,) = db_api.engine_service_get_all(ctx)
    assert engine.updated_at == server_time

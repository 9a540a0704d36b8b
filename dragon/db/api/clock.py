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

"""The database's clock: the one every engine's liveness is judged by.

Heartbeats written with each engine's own clock make a skewed engine look
dead to its peers (or a dead one alive), and the peers would take over
runs it is still working on. Heartbeats and the "dead before" pivot are
both read from the database server instead, so engines only need to agree
with one clock. SQLite is a file on one machine, so its engines already
share that machine's clock.
"""

import datetime
from typing import Any

import sqlalchemy as sa

from dragon.db.api.connection import main_context_manager
from dragon.db import models

# The current UTC time, naive, per SQL dialect.
_UTC_NOW = {
    'mysql': 'SELECT UTC_TIMESTAMP(6)',
    'postgresql': "SELECT NOW() AT TIME ZONE 'utc'",
}


def now(session: Any) -> datetime.datetime:
    """Naive UTC now by the database server (the local clock for SQLite)."""
    query = _UTC_NOW.get(session.get_bind().dialect.name)
    if query is None:
        return models.utcnow()
    value = session.execute(sa.text(query)).scalar_one()
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value.replace(tzinfo=None)


@main_context_manager.reader
def database_utcnow(context: Any) -> datetime.datetime:
    """Naive UTC now by the database server, for liveness comparisons."""
    return now(context.session)

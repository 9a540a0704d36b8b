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

"""Schema migrations (alembic), run in code by dragon-manage and the tests."""

import pathlib

from alembic import command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script
import sqlalchemy as sa

from dragon.db import api as db_api
from dragon import exception

MIGRATIONS_DIR = pathlib.Path(__file__).parent / 'migrations'


def _config() -> alembic_config.Config:
    config = alembic_config.Config()
    config.set_main_option('script_location', str(MIGRATIONS_DIR))
    return config


def upgrade(revision: str = 'head', engine: sa.Engine | None = None) -> None:
    """Upgrade the database schema to ``revision``.

    :param engine: defaults to the engine of ``[database] connection``.
    """
    config = _config()
    engine = engine or db_api.get_engine()
    with engine.begin() as connection:
        config.attributes['connection'] = connection
        command.upgrade(config, revision)


def version(engine: sa.Engine | None = None) -> str | None:
    """Return the schema revision of the database, ``None`` if never migrated."""
    engine = engine or db_api.get_engine()
    with engine.connect() as connection:
        context = alembic_migration.MigrationContext.configure(connection)
        return context.get_current_revision()


def head() -> str:
    """Return the newest revision this code ships."""
    return alembic_script.ScriptDirectory.from_config(_config()).get_current_head()


def check_current(engine: sa.Engine | None = None) -> None:
    """Refuse to run a service on a schema other than the one this code ships.

    :raises dragon.exception.SchemaOutOfDate: run ``dragon-manage db sync``.
    """
    current, newest = version(engine), head()
    if current != newest:
        raise exception.SchemaOutOfDate(current=current, head=newest)

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

from alembic import autogenerate
from alembic import migration as alembic_migration
import pytest
import sqlalchemy as sa

from dragon.db import migration
from dragon.db import models
from dragon import exception


def test_fresh_database_has_no_version(db_engine):
    assert migration.version(db_engine) is None


def test_upgrade_brings_schema_to_head(db_engine):
    migration.upgrade(engine=db_engine)
    assert migration.version(db_engine) == migration.head()
    assert 'engine_services' in sa.inspect(db_engine).get_table_names()


def test_upgrade_twice_is_harmless(db_engine):
    migration.upgrade(engine=db_engine)
    migration.upgrade(engine=db_engine)
    assert migration.version(db_engine) == migration.head()


def test_models_match_migrations(db):
    with db.connect() as connection:
        context = alembic_migration.MigrationContext.configure(
            connection, opts={'compare_type': True})
        diff = autogenerate.compare_metadata(context, models.Base.metadata)
    assert diff == []


def test_check_current_refuses_an_unmigrated_database(db_engine):
    with pytest.raises(exception.SchemaOutOfDate, match='dragon-manage db sync'):
        migration.check_current(db_engine)
    migration.upgrade(engine=db_engine)
    migration.check_current(db_engine)

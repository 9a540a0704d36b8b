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

"""Fixtures shared by Dragon's unit tests: configuration, a real database, commands.

The database fixture uses SQLite in a temporary directory unless
``DRAGON_TEST_DB_URL`` names another server (e.g.
``mysql+pymysql://root@127.0.0.1/dragon_test``); the tables are dropped
after each test, so that database must be dedicated to tests.
"""

import os

from oslo_config import cfg
from oslo_db.sqlalchemy import enginefacade
import oslo_messaging as messaging
import pytest
import sqlalchemy as sa

from dragon import conf as dragon_conf
from dragon.conf import default as default_conf
from dragon.db import api as db_api
from dragon.db import migration
from dragon import rpc

TEST_DB_URL_ENV = 'DRAGON_TEST_DB_URL'


@pytest.fixture(scope='session', autouse=True)
def global_conf():
    """Parse the process-wide CONF once, without reading any file."""
    default_conf.update_defaults()
    _parse_global()
    return dragon_conf.CONF


@pytest.fixture
def conf():
    """A fresh, parsed ConfigOpts with every Dragon option registered."""
    result = cfg.ConfigOpts()
    dragon_conf.register_opts(result)
    result([], project='dragon', default_config_files=[],
           default_config_dirs=[])
    yield result
    result.reset()


def _drop_all(engine: sa.Engine) -> None:
    metadata = sa.MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)


@pytest.fixture
def db_engine(tmp_path):
    """An empty database that ``dragon.db.api`` uses for the test's duration."""
    url = os.environ.get(TEST_DB_URL_ENV) or 'sqlite:///%s' % (
        tmp_path / 'dragon.sqlite')
    manager = enginefacade.transaction_context()
    manager.configure(connection=url)
    restore = db_api.main_context_manager.patch_factory(manager)
    engine = manager.writer.get_engine()
    _drop_all(engine)
    try:
        yield engine
    finally:
        _drop_all(engine)
        restore()
        manager.dispose_pool()


@pytest.fixture
def db(db_engine):
    """A database migrated to head."""
    migration.upgrade(engine=db_engine)
    return db_engine


def _parse_global():
    dragon_conf.CONF([], project='dragon', default_config_files=[],
                     default_config_dirs=[])


@pytest.fixture
def rpc_conf(global_conf):
    """The process-wide CONF, reset afterwards.

    oslo.messaging registers some options (tracing, metrics) on cfg.CONF
    only and reads them from the transport's conf, so RPC tests use CONF.
    """
    messaging.TransportURL.parse(global_conf, 'fake:/')  # registers options
    yield global_conf
    global_conf.reset()
    _parse_global()


@pytest.fixture
def fake_transport(rpc_conf):
    transport = messaging.get_rpc_transport(rpc_conf, url='fake:/')
    yield transport
    transport.cleanup()


@pytest.fixture
def notifications(conf):
    """``conf`` sends notifications to oslo's ``test`` driver; the list of
    them as ``(event_type, priority, payload, publisher_id)``, in order.
    """
    from oslo_messaging.notify import _impl_test

    from dragon.notifications import notifier

    messaging.TransportURL.parse(conf, 'fake:/')  # registers options
    conf.set_override('transport_url', 'fake:/')
    rpc.notification_drivers(conf)                 # registers options
    conf.set_override('driver', ['test'], group='oslo_messaging_notifications')
    conf.set_override('host', 'engine-1', group='engine')
    notifier.reset()
    _impl_test.reset()

    class Sent(list):
        def refresh(self):
            self[:] = [(m['event_type'], m['priority'].lower(), m['payload'],
                        m['publisher_id'])
                       for _ctxt, m, _prio, _retry in _impl_test.NOTIFICATIONS]
            return self

        def types(self):
            return [n[0] for n in self.refresh()]

    yield Sent()
    notifier.reset()
    _impl_test.reset()

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

"""The database connection: oslo.db's enginefacade, startup check, retries.

Every ``dragon.db.api`` module opens its transactions on
``main_context_manager``; tests swap its factory for a temporary database.
"""

from oslo_config import cfg
from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from dragon.common import urls
from dragon import exception

# Configured lazily from [database] on first use (oslo.db reads cfg.CONF).
main_context_manager = enginefacade.transaction_context()


def get_engine() -> sa.Engine:
    """Return the writer engine of ``[database] connection``."""
    return main_context_manager.writer.get_engine()


def check_connection(conf: cfg.ConfigOpts) -> None:
    """Connect once to ``[database] connection``, without oslo.db's long retry.

    Used by the commands at startup so a wrong URL or a stopped server ends
    in one clear error instead of minutes of retries.

    :raises dragon.exception.ConfigInvalid: the URL cannot be used at all.
    :raises dragon.exception.DatabaseUnavailable: the server cannot be reached.
    """
    url = conf.database.connection
    if not url:
        raise exception.ConfigInvalid(reason='[database] connection is not set')
    shown = urls.mask_password(url)
    try:
        # Plain SQLAlchemy: oslo.db's engine retries and logs warnings.
        engine = sa.create_engine(url)
    except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError, ImportError) as e:
        raise exception.ConfigInvalid(
            reason='[database] connection %s: %s' % (shown, _reason(e)))
    except (db_exc.DBError, sa_exc.SQLAlchemyError) as e:
        raise exception.DatabaseUnavailable(url=shown, reason=_reason(e))
    try:
        with engine.connect() as connection:
            connection.execute(sa.text('SELECT 1'))
    except (db_exc.DBError, sa_exc.SQLAlchemyError) as e:
        raise exception.DatabaseUnavailable(url=shown, reason=_reason(e))
    finally:
        engine.dispose()


def _reason(error: BaseException) -> str:
    """Return the driver's own words for ``error``, without SQLAlchemy's wrapping."""
    while isinstance(error, (db_exc.DBError, sa_exc.StatementError)):
        inner = getattr(error, 'inner_exception', None) or getattr(
            error, 'orig', None)
        if inner is None or inner is error:
            break
        error = inner
    args = getattr(error, 'args', ())
    # PyMySQL: (2003, "Can't connect to MySQL server on ... (timed out)")
    if len(args) == 2 and isinstance(args[0], int):
        return str(args[1])
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _is_locked(error: Exception) -> bool:
    """SQLite's answer when two read-then-write transactions collide.

    SQLite refuses one at once (no waiting) to avoid a deadlock; running
    the whole transaction again is the cure. Other databases wait on the
    row lock instead.
    """
    return isinstance(error, (sa_exc.OperationalError, db_exc.DBError)) and (
        'database is locked' in str(error))


# A deadlock victim (MySQL/MariaDB: two transactions' locking reads of
# one range, then both insert) is run again the same way: the request
# that lost the race then sees the winner's row, never a 500.
retry_if_locked = oslo_db_api.wrap_db_retry(
    max_retries=10, retry_interval=0.05, inc_retry_interval=True,
    max_retry_interval=0.5, retry_on_deadlock=True,
    exception_checker=_is_locked)


def shown(value: str) -> str:
    """An id from a URL, cut short for an error message."""
    return value if len(value) <= 64 else value[:64] + '...'

"""The one database module: every query Dragon makes, on oslo.db's enginefacade.

Functions are named ``<entity>_<verb>[_by_<key>]`` and take a request
context first; the enginefacade decorators open the transaction on it.
"""

from typing import Any

from oslo_config import cfg
from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
from oslo_log import log as logging
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from dragon.common import urls
from dragon import exception
from dragon.db import models

LOG = logging.getLogger(__name__)

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


@oslo_db_api.wrap_db_retry(
    max_retries=3,
    exception_checker=lambda e: isinstance(e, db_exc.DBDuplicateEntry))
@main_context_manager.writer
def engine_service_heartbeat(context: Any, host: str, topic: str,
                             version: str) -> models.EngineService:
    """Record that the engine ``host`` on ``topic`` is alive now.

    Creates the row on the first beat, revives a row an operator deleted.
    Two first beats racing for the same row retry as an update.
    """
    session = context.session
    now = models.utcnow()
    service = session.execute(
        sa.select(models.EngineService).filter_by(host=host, topic=topic)
    ).scalar_one_or_none()
    if service is None:
        service = models.EngineService(host=host, topic=topic, created_at=now)
        session.add(service)
    service.version = version
    service.deleted = False
    service.updated_at = now
    session.flush()
    return service


@main_context_manager.reader
def engine_service_get_all(context: Any, include_deleted: bool = False
                           ) -> list[models.EngineService]:
    """Return the known engines, most recent heartbeat first."""
    query = sa.select(models.EngineService).order_by(
        models.EngineService.updated_at.desc(), models.EngineService.id)
    if not include_deleted:
        query = query.filter_by(deleted=False)
    return list(context.session.execute(query).scalars())

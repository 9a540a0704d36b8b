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
from sqlalchemy import orm
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


def _is_locked(error: Exception) -> bool:
    """SQLite's answer when two read-then-write transactions collide.

    SQLite refuses one at once (no waiting) to avoid a deadlock; running
    the whole transaction again is the cure. Other databases wait on the
    row lock instead.
    """
    return isinstance(error, (sa_exc.OperationalError, db_exc.DBError)) and (
        'database is locked' in str(error))


_retry_if_locked = oslo_db_api.wrap_db_retry(
    max_retries=10, retry_interval=0.05, inc_retry_interval=True,
    max_retry_interval=0.5, exception_checker=_is_locked)


@oslo_db_api.wrap_db_retry(
    max_retries=10, retry_interval=0.05, inc_retry_interval=True,
    max_retry_interval=0.5,
    exception_checker=lambda e: (isinstance(e, db_exc.DBDuplicateEntry) or
                                 _is_locked(e)))
@main_context_manager.writer
def engine_service_heartbeat(context: Any, host: str, topic: str,
                             version: str) -> models.EngineService:
    """Record that the engine ``host`` on ``topic`` is alive now.

    Creates the row on the first beat, revives a row an operator deleted.
    Two first beats racing for the same row retry as an update; a beat
    refused by a locked SQLite database is tried again.
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


# Workload policies and their members.

POLICY_SORT_KEYS = ('name', 'created_at', 'updated_at')


def _shown(value: str) -> str:
    """An id from a URL, cut short for an error message."""
    return value if len(value) <= 64 else value[:64] + '...'


def _policy_query(project_id: str | None) -> sa.Select:
    query = sa.select(models.WorkloadPolicy).filter_by(deleted='')
    if project_id is not None:
        query = query.filter_by(project_id=project_id)
    return query


def _live_policy(session: Any, policy_id: str) -> models.WorkloadPolicy:
    """The live policy ``policy_id`` of any project, or PolicyNotFound."""
    policy = session.execute(
        _policy_query(None).filter_by(id=policy_id)).scalar_one_or_none()
    if policy is None:
        raise exception.PolicyNotFound(id=_shown(policy_id))
    return policy


def _sort_column(sort_key: str) -> Any:
    if sort_key not in POLICY_SORT_KEYS:
        raise exception.Invalid(reason='sort_key must be one of %s' %
                                ', '.join(POLICY_SORT_KEYS))
    if sort_key == 'updated_at':
        # A never-updated policy sorts by its creation, on every database.
        return sa.func.coalesce(models.WorkloadPolicy.updated_at,
                                models.WorkloadPolicy.created_at)
    return getattr(models.WorkloadPolicy, sort_key)


def _duplicate_to_error(error: db_exc.DBDuplicateEntry,
                        values: dict[str, Any]) -> exception.DragonException:
    columns = set(error.columns or ())
    if 'name' in columns or 'uniq_workload_policies0project_id0name0deleted' in columns:
        return exception.PolicyNameExists(name=values.get('name'))
    if columns & {'exclusive_resource_id',
                  'uniq_workload_policy_members0exclusive_resource_id'}:
        return exception.ResourceProtectedElsewhere(
            resource_id=values.get('resource_id'), policy_name='?',
            policy_id='?')
    return exception.MemberExists(resource_id=values.get('resource_id'),
                                  policy_id=values.get('policy_id'))


def _check_exclusive(session: Any, member: dict[str, Any],
                     policy_id: str) -> None:
    """Refuse a second exclusive (non template_only) claim on a resource."""
    if member.get('exclusive_resource_id') is None:
        return
    other = session.execute(
        sa.select(models.PolicyMember).filter_by(
            exclusive_resource_id=member['resource_id'])
    ).scalar_one_or_none()
    if other is not None and other.policy_id != policy_id:
        raise exception.ResourceProtectedElsewhere(
            resource_id=member['resource_id'], policy_name=other.policy.name,
            policy_id=other.policy_id)


def _check_not_member(session: Any, member: dict[str, Any],
                      policy_id: str) -> None:
    exists = session.execute(
        sa.select(models.PolicyMember.id).filter_by(
            policy_id=policy_id, resource_id=member['resource_id'])
    ).first()
    if exists is not None:
        raise exception.MemberExists(resource_id=member['resource_id'],
                                     policy_id=policy_id)




@_retry_if_locked
@main_context_manager.writer
def workload_policy_create(context: Any, values: dict[str, Any]
                           ) -> models.WorkloadPolicy:
    """Create a policy and its ``members`` (a list of member values) at once.

    :raises dragon.exception.PolicyNameExists: the project has a live policy
        of that name.
    :raises dragon.exception.MemberExists: a resource is listed twice.
    :raises dragon.exception.ResourceProtectedElsewhere: a member is
        exclusively protected by another policy.
    """
    session = context.session
    values = dict(values)
    members = values.pop('members', [])
    name_taken = session.execute(
        _policy_query(values['project_id']).filter_by(name=values['name'])
    ).first()
    if name_taken is not None:
        raise exception.PolicyNameExists(name=values['name'])
    policy = models.WorkloadPolicy(members=[], **values)
    session.add(policy)
    try:
        session.flush()
        for member in members:
            _check_not_member(session, member, policy.id)
            _check_exclusive(session, member, policy.id)
            policy.members.append(models.PolicyMember(
                policy_id=policy.id, project_id=policy.project_id, **member))
            session.flush()
    except db_exc.DBDuplicateEntry as e:
        raise _duplicate_to_error(e, {**values, 'policy_id': policy.id})
    return policy


@main_context_manager.reader
def workload_policy_get(context: Any, policy_id: str
                        ) -> models.WorkloadPolicy:
    """Return the live policy ``policy_id`` of any project.

    Callers check that the caller may see its project.

    :raises dragon.exception.PolicyNotFound:
    """
    return _live_policy(context.session, policy_id)


@main_context_manager.reader
def workload_policy_get_all(context: Any, project_id: str | None = None,
                            name: str | None = None, limit: int | None = None,
                            marker: str | None = None,
                            sort_key: str = 'created_at',
                            sort_dir: str = 'asc'
                            ) -> list[models.WorkloadPolicy]:
    """Return live policies, of ``project_id`` or of every project (``None``).

    Keyset pagination: the page after the policy ``marker`` in the order of
    (``sort_key``, id).

    :raises dragon.exception.Invalid: unknown sort key or direction.
    :raises dragon.exception.InvalidMarker: ``marker`` is not in the list.
    """
    if sort_dir not in ('asc', 'desc'):
        raise exception.Invalid(reason='sort_dir must be asc or desc')
    column = _sort_column(sort_key)
    id_column = models.WorkloadPolicy.id
    query = _policy_query(project_id)
    if name is not None:
        query = query.filter_by(name=name)
    if marker is not None:
        mark = context.session.execute(
            _policy_query(project_id).filter_by(id=marker)
        ).scalar_one_or_none()
        if mark is None:
            raise exception.InvalidMarker(marker=marker)
        mark_value = (mark.updated_at or mark.created_at
                      if sort_key == 'updated_at' else getattr(mark, sort_key))
        if sort_dir == 'asc':
            query = query.where(sa.or_(
                column > mark_value,
                sa.and_(column == mark_value, id_column > mark.id)))
        else:
            query = query.where(sa.or_(
                column < mark_value,
                sa.and_(column == mark_value, id_column < mark.id)))
    if sort_dir == 'asc':
        query = query.order_by(column.asc(), id_column.asc())
    else:
        query = query.order_by(column.desc(), id_column.desc())
    if limit is not None:
        query = query.limit(limit)
    return list(context.session.execute(query).scalars())


@_retry_if_locked
@main_context_manager.writer
def workload_policy_update(context: Any, policy_id: str,
                           values: dict[str, Any]) -> models.WorkloadPolicy:
    """Change the name, description or options of a live policy.

    :raises dragon.exception.PolicyNotFound:
    :raises dragon.exception.PolicyNameExists:
    """
    session = context.session
    policy = _live_policy(session, policy_id)
    new_name = values.get('name')
    if new_name is not None and new_name != policy.name:
        taken = session.execute(
            _policy_query(policy.project_id).filter_by(name=new_name)).first()
        if taken is not None:
            raise exception.PolicyNameExists(name=new_name)
    for key, value in values.items():
        setattr(policy, key, value)
    try:
        session.flush()
    except db_exc.DBDuplicateEntry as e:
        raise _duplicate_to_error(e, values)
    return policy


@_retry_if_locked
@main_context_manager.writer
def workload_policy_delete(context: Any, policy_id: str) -> None:
    """Delete a live policy: its members go, its row stays for checkpoints.

    :raises dragon.exception.PolicyNotFound:
    """
    session = context.session
    policy = _live_policy(session, policy_id)
    policy.members.clear()
    policy.deleted = policy.id
    policy.deleted_at = models.utcnow()
    session.flush()


@main_context_manager.reader
def checkpoint_count_by_policy(context: Any, policy_id: str) -> int:
    """Return how many checkpoints were taken under ``policy_id``.

    Always 0 until the checkpoint index table exists; its count query
    replaces this body then.
    """
    return 0


def _member_query(policy_id: str) -> sa.Select:
    return sa.select(models.PolicyMember).filter_by(policy_id=policy_id)


@_retry_if_locked
@main_context_manager.writer
def policy_member_create(context: Any, policy_id: str,
                         values: dict[str, Any]) -> models.PolicyMember:
    """Add a member to the live policy ``policy_id``.

    ``values`` holds resource_type, resource_id, resource_name, action,
    options and exclusive_resource_id.

    :raises dragon.exception.PolicyNotFound:
    :raises dragon.exception.MemberExists:
    :raises dragon.exception.ResourceProtectedElsewhere:
    """
    session = context.session
    policy = _live_policy(session, policy_id)
    _check_not_member(session, values, policy_id)
    _check_exclusive(session, values, policy_id)
    member = models.PolicyMember(policy_id=policy_id,
                                 project_id=policy.project_id, **values)
    session.add(member)
    try:
        session.flush()
    except db_exc.DBDuplicateEntry as e:
        raise _duplicate_to_error(e, {**values, 'policy_id': policy_id})
    return member


@main_context_manager.reader
def policy_member_get_all(context: Any, policy_id: str
                          ) -> list[models.PolicyMember]:
    """Return the members of ``policy_id`` in the order they were added."""
    return list(context.session.execute(
        _member_query(policy_id).order_by(models.PolicyMember.id)).scalars())


@main_context_manager.reader
def policy_member_get_all_by_project(context: Any, project_id: str
                                     ) -> list[models.PolicyMember]:
    """Return every member of the live policies of ``project_id``."""
    query = (sa.select(models.PolicyMember)
             .join(models.WorkloadPolicy)
             .where(models.WorkloadPolicy.deleted == '',
                    models.WorkloadPolicy.project_id == project_id)
             .options(orm.contains_eager(models.PolicyMember.policy))
             .order_by(models.PolicyMember.id))
    return list(context.session.execute(query).unique().scalars())


def _get_member(session: Any, policy_id: str,
                resource_id: str) -> models.PolicyMember:
    member = session.execute(
        _member_query(policy_id).filter_by(resource_id=resource_id)
    ).scalar_one_or_none()
    if member is None:
        raise exception.MemberNotFound(policy_id=policy_id,
                                       resource_id=_shown(resource_id))
    return member


@main_context_manager.reader
def policy_member_get(context: Any, policy_id: str,
                      resource_id: str) -> models.PolicyMember:
    """:raises dragon.exception.MemberNotFound:"""
    return _get_member(context.session, policy_id, resource_id)


@_retry_if_locked
@main_context_manager.writer
def policy_member_update(context: Any, policy_id: str, resource_id: str,
                         values: dict[str, Any]) -> models.PolicyMember:
    """Change the action or options of a member.

    :raises dragon.exception.MemberNotFound:
    :raises dragon.exception.ResourceProtectedElsewhere: the new action is
        exclusive and another policy holds the resource.
    """
    session = context.session
    member = _get_member(session, policy_id, resource_id)
    if 'exclusive_resource_id' in values:
        _check_exclusive(session, {'resource_id': resource_id, **values},
                         policy_id)
    for key, value in values.items():
        setattr(member, key, value)
    try:
        session.flush()
    except db_exc.DBDuplicateEntry as e:
        raise _duplicate_to_error(e, {'resource_id': resource_id,
                                      'policy_id': policy_id})
    return member


@_retry_if_locked
@main_context_manager.writer
def policy_member_delete(context: Any, policy_id: str,
                         resource_id: str) -> None:
    """:raises dragon.exception.MemberNotFound:"""
    session = context.session
    session.delete(_get_member(session, policy_id, resource_id))
    session.flush()

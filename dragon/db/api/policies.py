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

"""Workload policies and their members."""

from typing import Any, Callable

from oslo_db import exception as db_exc
import sqlalchemy as sa
from sqlalchemy import orm

from dragon.db.api.connection import main_context_manager
from dragon.db.api.connection import retry_if_locked as _retry_if_locked
from dragon.db.api.connection import shown as _shown
from dragon.db import models
from dragon import exception

POLICY_SORT_KEYS = ('name', 'created_at', 'updated_at')


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
            exclusive_resource_id=member['exclusive_resource_id'])
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
    policy = models.WorkloadPolicy(members=[], schedules=[], **values)
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
def workload_policy_merge_failback_run(
        context: Any, policy_id: str, values: dict[str, Any],
        may_claim: Callable[[dict[str, Any]], bool] | None = None
) -> dict[str, Any]:
    """Merge ``values`` into a reverse policy's ``failback.run``, row locked.

    The API (starting a run) and the engines (recording its steps) write
    the same JSON column; a plain read-modify-write would let one drop the
    other's keys.  With ``may_claim``, it is the start of a run: the run
    recorded now is replaced only if ``may_claim(run)`` says so, under the
    lock, so of two requests at once one claims the run and the other gets
    409 before it pauses or stops anything.

    :returns: the run record as written.
    :raises dragon.exception.PolicyNotFound:
    :raises dragon.exception.FailbackRunInProgress: ``may_claim`` refused.
    """
    policy = context.session.execute(
        _policy_query(None).filter_by(id=policy_id).with_for_update()
    ).scalar_one_or_none()
    if policy is None:
        raise exception.PolicyNotFound(id=_shown(policy_id))
    record = dict(policy.failback or {})
    run = dict(record.get('run') or {})
    if may_claim is not None and not may_claim(run):
        raise exception.FailbackRunInProgress(
            id=policy_id, recovery=run.get('recovery_id'),
            status=run.get('status'))
    run.update(values)
    record['run'] = run
    policy.failback = record
    context.session.flush()
    return run


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


@_retry_if_locked
@main_context_manager.writer
def workload_policy_set_rpo_state(context: Any, policy_id: str,
                                  expected: str | None, state: str) -> bool:
    """Move a policy's announced RPO state by compare-and-swap.

    :returns: whether this caller made the change (and may announce it).
    """
    column = models.WorkloadPolicy.rpo_state
    result = context.session.execute(
        sa.update(models.WorkloadPolicy)
        .where(models.WorkloadPolicy.id == policy_id,
               column.is_(None) if expected is None else column == expected)
        .values(rpo_state=state)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


@_retry_if_locked
@main_context_manager.writer
def workload_policy_set_readiness(context: Any, policy_id: str,
                                  readiness: dict[str, Any]) -> None:
    """Store what the last check of a policy's keys found.

    ``updated_at`` is kept: a check is not a change of the policy.
    """
    policy = models.WorkloadPolicy
    context.session.execute(
        sa.update(policy).where(policy.id == policy_id)
        .values(readiness=readiness, updated_at=policy.updated_at)
        .execution_options(synchronize_session=False))


@main_context_manager.reader
def workload_policy_get_project_ids(context: Any) -> list[str]:
    """Every project that has or had a workload policy, deleted ones included.

    Deleted policies keep their rows, so a project whose checkpoints are
    all gone is still known (chunk gc needs it).
    """
    return sorted(context.session.execute(
        sa.select(models.WorkloadPolicy.project_id).distinct()).scalars())

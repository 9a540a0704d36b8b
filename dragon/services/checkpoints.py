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

"""The rules of checkpoints and recovery points; the API's service layer.

Protecting and deleting are handed to an engine by RPC cast, with a
Keystone trust made from the caller (``dragon.identity``) so the engine
acts on the project with the caller's roles after the request is gone.
Reading a checkpoint's template and the recovery points goes to Swift with
the caller's own token.
"""

from typing import Any

from oslo_log import log as logging

from dragon.checkpoint import keyring
from dragon.checkpoint import store
from dragon.cloud import caller
from dragon import conf as dragon_conf
from dragon.conf import barbican as barbican_conf
from dragon.db import api as db_api
from dragon.db import models
from dragon.db import run_kinds
from dragon import exception
from dragon.services import runs
from dragon import statuses

LOG = logging.getLogger(__name__)

STATUS = statuses.Checkpoint
DELETABLE = (STATUS.AVAILABLE, STATUS.ERROR)
_check_scope = runs.check_scope
_read_swift = runs.read_swift


def protect(context: Any, policy: models.WorkloadPolicy,
            engine: Any) -> models.Checkpoint:
    """Start a checkpoint of ``policy`` and hand it to an engine.

    :param engine: a ``dragon.engine.rpcapi.EngineAPI``.
    :raises dragon.exception.ProjectScopeRequired: another project's policy.
    :raises dragon.exception.PolicyHasNoMembers:
    :raises dragon.exception.ProtectionInProgress: one is queued or
        running (of two protects racing, the second).
    :raises dragon.exception.TrustRefused: Keystone refused the delegation.
    :raises dragon.exception.TrustFailed: Keystone failed.
    :raises dragon.exception.TrustConflict:
    :raises dragon.exception.EngineUnavailable: the cast failed; the
        checkpoint is left ``error``.
    """
    _check_scope(context, policy.project_id)
    check_protectable(context, policy)
    checkpoint = runs.start(
        context, run_kinds.CHECKPOINT,
        lambda trust_id: db_api.checkpoint_create(context, {
            'project_id': policy.project_id,
            'user_id': context.user_id,
            'policy_id': policy.id,
            'policy_name': policy.name,
            'trust_id': trust_id,
        }),
        lambda _row: 'protection of policy %s requested by user %s' % (
            policy.name, context.user_id),
        engine.protect, 'protect')
    LOG.info("checkpoint %s of policy %s handed to the engines",
             checkpoint.id, policy.id)
    return checkpoint


def check_protectable(context: Any, policy: models.WorkloadPolicy) -> None:
    """Refuse early a checkpoint that could not start, before any trust.

    The unique key in ``checkpoint_create`` is what settles a race.

    :raises dragon.exception.PolicyHasNoMembers:
    :raises dragon.exception.ProtectionInProgress: one is queued or
        running.
    """
    if not policy.members:
        raise exception.PolicyHasNoMembers(id=policy.id)
    for status in STATUS.ACTIVE:
        if db_api.checkpoint_get_all(context, policy_id=policy.id,
                                     status=status, limit=1):
            raise exception.ProtectionInProgress(policy_id=policy.id)


def queue_position(checkpoint_id: str) -> int | None:
    """1-based place of a queued checkpoint among all queued ones."""
    from dragon import context as dragon_context
    queue = db_api.checkpoint_queue(dragon_context.get_admin_context())
    return queue.index(checkpoint_id) + 1 if checkpoint_id in queue else None


def checkpoint_list(context: Any, all_projects: bool = False,
                    **filters: Any) -> list[models.Checkpoint]:
    project_id = None if all_projects else context.project_id
    return db_api.checkpoint_get_all(context, project_id=project_id,
                                     **filters)


def checkpoint_get(context: Any, checkpoint_id: str) -> models.Checkpoint:
    """Return a checkpoint of any project; callers check visibility."""
    return db_api.checkpoint_get(context, checkpoint_id)


HOLDABLE = (STATUS.QUEUED, STATUS.PROTECTING, STATUS.AVAILABLE,
            STATUS.ERROR)


def checkpoint_update(context: Any, checkpoint: models.Checkpoint,
                      values: dict[str, Any]) -> models.Checkpoint:
    """Put a checkpoint on hold or release it (``values['hold']``).

    :raises dragon.exception.CheckpointBusy: it is being deleted.
    """
    updated = db_api.checkpoint_update(
        context, checkpoint.id, {'hold': bool(values['hold'])},
        expected_status=HOLDABLE)
    LOG.info("checkpoint %s: hold %s by user %s", checkpoint.id,
             updated.hold, context.user_id)
    db_api.checkpoint_event_add(
        context, checkpoint.id, 'info',
        '%s by user %s' % ('put on hold' if updated.hold else
                           'hold released', context.user_id))
    return updated


def checkpoint_delete(context: Any, checkpoint: models.Checkpoint,
                      engine: Any) -> models.Checkpoint:
    """Mark an ended checkpoint ``deleting`` and hand it to an engine.

    :raises dragon.exception.ProjectScopeRequired: another project's.
    :raises dragon.exception.CheckpointOnHold: release the hold first.
    :raises dragon.exception.CheckpointBusy: queued, protecting or already
        deleting (of two deletes racing, the second).
    :raises dragon.exception.CheckpointNotFound: deleted meanwhile.
    :raises dragon.exception.TrustRefused:
    :raises dragon.exception.TrustFailed:
    :raises dragon.exception.TrustConflict:
    :raises dragon.exception.EngineUnavailable: the cast failed; the
        checkpoint is left ``error`` and may be deleted again.
    """
    if checkpoint.hold:
        raise exception.CheckpointOnHold(id=checkpoint.id)
    return runs.request_delete(context, run_kinds.CHECKPOINT, checkpoint,
                               DELETABLE, engine.delete_checkpoint)


def event_list(context: Any, checkpoint: models.Checkpoint
               ) -> list[models.CheckpointEvent]:
    return db_api.checkpoint_event_get_all(context, checkpoint.id)


def template_get(context: Any, checkpoint: models.Checkpoint
                 ) -> tuple[str, dict[str, Any]]:
    """The HOT template and parameters of an available checkpoint, from Swift.

    :raises dragon.exception.CheckpointBusy: not ``available`` (the
        template is written at the end of a successful run).
    :raises dragon.exception.RecoveryPointNotFound: the container lost it.
    :raises: ``dragon.cloud.keys``'s errors for an encrypted checkpoint
        whose key the caller cannot read (400, 403, 503).
    """
    if checkpoint.status != STATUS.AVAILABLE or not checkpoint.container:
        raise exception.CheckpointBusy(
            id=checkpoint.id, status=checkpoint.status,
            action='reading its template', allowed=STATUS.AVAILABLE)
    return _read_swift('template of checkpoint %s' % checkpoint.id,
                       _read_template, context, checkpoint.container)


def _read_template(context: Any, container: str
                   ) -> tuple[str, dict[str, Any]]:
    """The template, opened with the caller's own key if it is encrypted.

    The key is read with the caller's token in the protected region, so
    Barbican's rules for the caller decide, as for ``policy show``.
    """
    swift = caller.swift_connection(context)
    conf = dragon_conf.CONF
    _manifest, domain = keyring.open_checkpoint(
        conf, lambda: caller.session(context, barbican_conf.GROUP), swift,
        conf.engine.region_name, container)
    return store.read_template(swift, container, domain)


def recovery_point_list(context: Any, policy: str | None = None
                        ) -> list[dict[str, Any]]:
    """Complete checkpoints in the caller's Swift account, no database."""
    return _read_swift('recovery points', store.list_recovery_points,
                       caller.swift_connection(context),
                       context.project_id, policy=policy)

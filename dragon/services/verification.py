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

"""Verify requests: a checkpoint's handed to an engine, a recovery point's answered at once.

A checkpoint's verification may read every byte (``read_data``): it runs
in an engine with a Keystone trust made from the caller, and its result
lands in the checkpoint's ``verification``.  A recovery point has no row
to hold a result, so its verification is the listing check only, done in
the request with the caller's token (a few Swift requests per 10 000
chunks); reading a recovery point's every byte is an operator's job
(``dragon-manage chunks check --read-data``) or a checkpoint's.
"""

from typing import Any
import uuid

from oslo_log import log as logging
from swiftclient import exceptions as swift_exc

from dragon.checkpoint import naming
from dragon.checkpoint import store
from dragon.checkpoint import verify
from dragon.cloud import caller
from dragon.db import api as db_api
from dragon.db import models
from dragon import exception
from dragon import identity
from dragon.services import runs
from dragon import statuses

LOG = logging.getLogger(__name__)

VERIFIABLE = (statuses.Checkpoint.AVAILABLE,)


def verify_checkpoint(context: Any, checkpoint: models.Checkpoint,
                      read_data: bool, engine: Any) -> models.Checkpoint:
    """Record a running verification and hand it to an engine.

    A verification already running is superseded (its result is dropped).

    :raises dragon.exception.ProjectScopeRequired: another project's.
    :raises dragon.exception.CheckpointBusy: not ``available``.
    :raises dragon.exception.TrustRefused:
    :raises dragon.exception.TrustFailed:
    :raises dragon.exception.VerificationUnavailable: the cast failed;
        the verification is recorded as ``error``.
    """
    runs.check_scope(context, checkpoint.project_id)
    if checkpoint.status not in VERIFIABLE:
        raise exception.CheckpointBusy(
            id=checkpoint.id, status=checkpoint.status, action='verifying',
            allowed=' or '.join(VERIFIABLE))
    trust_id = identity.create_trust(context)
    verification_id = uuid.uuid4().hex
    try:
        # Same transaction as the status check: a delete that won the
        # race is a 409, not a verification of a vanishing container.
        row = db_api.checkpoint_update(
            context, checkpoint.id,
            {'verification': verify.running(read_data, verification_id)},
            expected_status=VERIFIABLE)
    except Exception:
        identity.delete_trust(context, trust_id)
        raise
    try:
        engine.verify_checkpoint(context, checkpoint.id, verification_id,
                                 read_data, trust_id)
    except Exception as e:  # noqa: BLE001 - any broker failure is a 503
        reason = ('the message broker did not take the verify request (%s)'
                  % type(e).__name__)
        LOG.error("checkpoint %s: %s", checkpoint.id, reason)
        identity.delete_trust(context, trust_id)
        db_api.checkpoint_update(context, checkpoint.id, {
            'verification': {**verify.failed(read_data, None, reason),
                             'id': verification_id}})
        raise exception.VerificationUnavailable(reason=reason,
                                                id=checkpoint.id)
    LOG.info("verification of checkpoint %s (read_data=%s) handed to the "
             "engines", checkpoint.id, read_data)
    return row


def verify_recovery_point(context: Any, container: str,
                          read_data: bool = False) -> dict[str, Any]:
    """The listing check of a complete checkpoint in the caller's account.

    :raises dragon.exception.Invalid: ``read_data`` asked.
    :raises dragon.exception.RecoveryPointNotFound: not a complete
        checkpoint of the caller's project.
    :raises dragon.exception.UnsupportedCheckpoint:
    :raises dragon.exception.SwiftForbidden:
    """
    if read_data:
        raise exception.Invalid(reason=(
            'read_data is not done in a request: verify the checkpoint '
            '(openstack dr checkpoint verify --read-data) or ask an '
            'operator (dragon-manage chunks check --read-data)'))
    parsed = naming.parse(container)
    if parsed is None:
        raise exception.Invalid(
            reason='%s is not the name of a checkpoint container '
                   '(dragon_<project>_<policy>_<time>); see GET '
                   '/v1/recovery-points' % container)
    if parsed.project != naming.sanitize(context.project_id):
        # Another project's containers are not the caller's to know of.
        raise exception.RecoveryPointNotFound(container=container,
                                              missing='the container')

    def check() -> dict[str, Any]:
        swift = caller.swift_connection(context)
        meta = store.container_metadata(swift, container)
        if meta is None or not meta.get(store.COMPLETE):
            raise exception.RecoveryPointNotFound(
                container=container,
                missing='the container' if meta is None else store.MANIFEST)
        try:
            result = verify.verify_container(
                lambda: caller.swift_connection(context), container)
        except swift_exc.ClientException as e:
            raise exception.CheckpointStoreError(
                operation='verify', container=container,
                reason=e.http_status or e.msg)
        return {'container': container, **result.to_dict()}

    return runs.read_swift('recovery point %s' % container, check)

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

"""The engine's verification of a checkpoint: Swift read through a trust, result on the row.

The API records ``{"status": "running", "id": ...}`` in the checkpoint's
``verification`` and casts; this job verifies (``dragon.checkpoint.
verify``) and writes the result only while the row still holds that id, so
a newer request supersedes an older one, and a checkpoint deleted
meanwhile is left alone.  The trust made for the job is deleted at the end
whatever happens.
"""

from typing import Any

from oslo_config import cfg
from oslo_log import log as logging

from dragon.checkpoint import keyring
from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import store
from dragon.checkpoint import verify
from dragon.cloud import clients as clients_mod
from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon import exception
from dragon import identity
from dragon import statuses

LOG = logging.getLogger(__name__)


def _record(admin: Any, checkpoint_id: str, verification_id: str,
            value: dict[str, Any]) -> bool:
    """Store ``value`` if the row still waits for this verification."""
    try:
        checkpoint = db_api.checkpoint_get(admin, checkpoint_id)
        if (checkpoint.verification or {}).get('id') != verification_id:
            LOG.info("checkpoint %s: verification %s superseded; result "
                     "dropped", checkpoint_id, verification_id)
            return False
        db_api.checkpoint_update(admin, checkpoint_id, {
            'verification': {**value, 'id': verification_id}})
    except exception.CheckpointNotFound:
        return False
    return True


def _event(admin: Any, checkpoint_id: str, value: dict[str, Any]) -> None:
    depth = 'reading every chunk' if value['read_data'] else 'by listing'
    if value['status'] == statuses.Verification.ERROR:
        level, what = 'error', 'failed: %s' % value.get('error')
    else:
        level = ('info' if value['status'] == statuses.Verification.OK
                 else 'warning')
        what = '%d chunks checked, %d problems' % (value['chunks_checked'],
                                                   value['problem_count'])
    try:
        db_api.checkpoint_event_add(admin, checkpoint_id, level,
                                    'verification (%s): %s' % (depth, what))
    except exception.CheckpointNotFound:
        pass


def run(conf: cfg.ConfigOpts, checkpoint_id: str, verification_id: str,
        read_data: bool, trust_id: str, host: str = '',
        keep_trust: bool = False) -> dict | None:
    """Verify checkpoint ``checkpoint_id``; the stored result (or ``None``).

    Never raises: a failure is recorded as status ``error``.

    :param keep_trust: the trust is a schedule's standing one (scheduled
        verification), not made for this job: it is not deleted.
    """
    admin = dragon_context.get_admin_context()
    started = None
    try:
        checkpoint = db_api.checkpoint_get(admin, checkpoint_id)
        started = (checkpoint.verification or {}).get('started_at')
        if (checkpoint.status != statuses.Checkpoint.AVAILABLE
                or not checkpoint.container):
            raise exception.CheckpointBusy(
                id=checkpoint_id, status=checkpoint.status,
                action='verifying', allowed=statuses.Checkpoint.AVAILABLE)
        clients = clients_mod.ServiceClients(
            identity.trust_session(conf, trust_id), conf.engine.region_name,
            conf)
        manifest = store.read_manifest(clients.swift(), checkpoint.container)
        domain = None
        if read_data and manifest_mod.is_envelope(manifest):
            # Reading an encrypted checkpoint's data needs its key, read
            # in this region with the owner's trust.
            manifest, domain = keyring.open_envelope(
                conf, clients.base_session, clients.region_name, manifest,
                checkpoint.container)
        result = verify.verify(
            verify.reader_store(clients.swift, manifest,
                                workers=conf.checkpoint.upload_workers,
                                domain=domain),
            manifest, read_data=read_data, container=checkpoint.container)
        value = result.to_dict()
        LOG.info("checkpoint %s verified on %s (read_data=%s): %s, %d "
                 "chunks, %d problems", checkpoint_id, host, read_data,
                 value['status'], value['chunks_checked'],
                 value['problem_count'])
    except exception.CheckpointNotFound:
        value = None
    except Exception as e:  # noqa: BLE001 - recorded, never raised
        LOG.exception("checkpoint %s: verification failed", checkpoint_id)
        value = verify.failed(read_data, started, exception.one_line(e))
    finally:
        if not keep_trust:
            release(conf, checkpoint_id, trust_id)
    if value is not None and _record(admin, checkpoint_id, verification_id,
                                     value):
        _event(admin, checkpoint_id, value)
    return value


def abandon(conf: cfg.ConfigOpts, checkpoint_id: str, verification_id: str,
            read_data: bool, trust_id: str, reason: str) -> None:
    """Record that the verification will not run, and drop its trust."""
    admin = dragon_context.get_admin_context()
    release(conf, checkpoint_id, trust_id)
    try:
        _record(admin, checkpoint_id, verification_id,
                verify.failed(read_data, None, reason))
    except Exception:  # noqa: BLE001 - best effort while stopping
        LOG.exception("checkpoint %s: cannot record the abandoned "
                      "verification", checkpoint_id)


def release(conf: cfg.ConfigOpts, checkpoint_id: str,
            trust_id: str | None) -> None:
    """Delete the verification's trust (best effort: it expires anyway)."""
    if not trust_id:
        return
    try:
        identity.delete_trust(identity.trust_session(conf, trust_id),
                              trust_id, conf)
    except Exception as e:  # noqa: BLE001 - an unused trust expires
        LOG.warning("checkpoint %s: verification trust %s not deleted: %s",
                    checkpoint_id, trust_id, type(e).__name__)

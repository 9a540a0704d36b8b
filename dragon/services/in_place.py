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

"""The API's rules of in-place restores: checked before any trust, and their window.

An in-place restore goes into the region the checkpoint was taken in, over
its own resources: the manifest is read from Swift with the caller's token
(so a checkpoint of another project is not found), its region is the
target, and the selection must name its members.  Mappings are refused:
in place, every resource keeps its own network, flavor and key pair.  A
real (not dry-run) restore is planned here too, with the caller's view of
the region, and refused with every reason (409) when it cannot be done
safely (``dragon.recovery.in_place.checks``); one of a workload whose
previous in-place restore is not closed yet is refused as well.

``close_window`` commits or rolls back a restore awaiting commit.
"""

import types
from typing import Any

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc

from dragon.checkpoint import keyring
from dragon.cloud import caller
from dragon import conf as dragon_conf
from dragon.conf import barbican as barbican_conf
from dragon.db import api as db_api
from dragon import exception
from dragon.protection import graph as graph_mod
from dragon.recovery.in_place import checks
from dragon.recovery.in_place import lineage
from dragon.recovery.in_place import lookup as lookup_mod
from dragon.recovery.in_place import run as in_place_run
from dragon.recovery.in_place import window
from dragon.services import runs
from dragon import statuses

IN_PLACE = 'in_place'
# A failback run (dragon.recovery.failback) waits for its commit too.
FAILBACK = 'failback'
STATUS = statuses.Recovery


def check(context: Any, request: dict[str, Any],
          source: dict[str, Any]) -> str:
    """The region an in-place restore of source goes into.

    :param request: the validated recovery object of the request.
    :param source: the checkpoint's container and policy (the recovery
        service's _from_checkpoint or _from_recovery_point).
    :raises dragon.exception.Invalid: mappings given.
    :raises dragon.exception.InPlaceRefused: not a dry run, and it cannot
        be done safely (every reason).
    :raises dragon.exception.InPlaceInWindow: not a dry run, and an
        in-place restore of the same workload is not closed yet.
    :raises dragon.exception.InPlaceWrongRegion: target_region is not
        the checkpoint's.
    :raises dragon.exception.SelectionInvalid: a resource that is not a
        member of the checkpoint.
    :raises dragon.exception.RecoveryPointNotFound: another project's.
    :raises dragon.exception.SwiftForbidden:
    """
    if request.get('mappings'):
        raise exception.Invalid(
            reason='an in-place restore keeps every resource\'s own '
                   'networks, flavors and key pairs: mappings are for '
                   'failover and drill')
    container = source['recovery_point']
    manifest = runs.read_swift('checkpoint %s' % container, read_manifest,
                               context, container)
    if manifest.get('project_id') != context.project_id:
        raise exception.RecoveryPointNotFound(
            container=container, missing='a checkpoint of this project')
    region = request.get('target_region') or manifest.get('source_region')
    in_place_run.check_region(manifest, region)
    current_ids = lineage.load(context, context.project_id, region,
                               manifest)
    in_place_run.select(manifest, request.get('resources'), current_ids)
    if not request.get('dry_run'):
        _refuse_unsafe(context, manifest, request, current_ids)
        busy = db_api.recovery_get_in_window(
            context, context.project_id, region, source.get('policy_id'),
            container)
        if busy is not None:
            raise exception.InPlaceInWindow(id=busy.id, status=busy.status)
    return region


class _CallerClients:
    """Nova, Cinder and Neutron of the caller's token, as plan lookups read them."""

    def __init__(self, context: Any) -> None:
        self.connection = types.SimpleNamespace(
            compute=caller.connection(context, 'compute').compute,
            block_storage=caller.connection(
                context, 'block-storage').block_storage,
            network=caller.connection(context, 'network').network)


def _refuse_unsafe(context: Any, manifest: dict[str, Any],
                   request: dict[str, Any],
                   current_ids: dict[str, str]) -> None:
    """The plan as the caller sees the region, and its refusals.

    :param current_ids: lineage.load's.
    :raises dragon.exception.InPlaceRefused:
    :raises dragon.exception.RemoteServiceUnavailable: Nova or Cinder
        failed (a member must not be called gone by mistake).
    """
    clients = _CallerClients(context)
    lookup = lookup_mod.remembered(lookup_mod.current(clients, current_ids))
    try:
        plan = in_place_run.compute(manifest, request.get('resources'),
                                    lookup, current_ids)
        checks.refuse(graph_mod.ResourceGraph.from_dict(manifest['graph']),
                      manifest, plan, lookup,
                      bool(request.get('shrink_volumes')),
                      bool(request.get('keep_current_flavor')),
                      in_place_run.missing_in(clients, manifest),
                      in_place_run.reimage_in(clients))
    except (sdk_exc.SDKException, ks_exc.ClientException) as e:
        raise exception.RemoteServiceUnavailable(
            service='Nova, Cinder or Neutron', reason=exception.one_line(e))


def close_window(context: Any, recovery: Any, action: str,
                 engine: Any) -> Any:
    """Commit or roll back an in-place restore or failback awaiting commit.

    The row moves to committing or rolling_back in one compare-and-swap,
    so of two requests racing (or a request and the window's expiry) one
    wins; the engine does the work with the trust the restore kept.

    :param action: window.COMMIT or window.ROLLBACK.
    :raises dragon.exception.ProjectScopeRequired: another project's.
    :raises dragon.exception.RecoveryBusy: not awaiting commit.
    :raises dragon.exception.RecoveryEngineUnavailable: the cast failed;
        the recovery awaits commit again.
    """
    runs.check_scope(context, recovery.project_id)
    verb = 'committing' if action == window.COMMIT else 'rolling back'
    windowed = recovery.mode in (IN_PLACE, FAILBACK)
    allowed = STATUS.AWAITING_COMMIT + (
        '' if windowed else
        ' (only in-place restores and failback runs have a commit window)')
    status = (STATUS.COMMITTING if action == window.COMMIT
              else STATUS.ROLLING_BACK)
    if not windowed:
        raise exception.RecoveryBusy(id=recovery.id, status=recovery.status,
                                     action=verb + ' it', allowed=allowed)
    try:
        row = db_api.recovery_update(context, recovery.id, {
            'status': status, 'window_action': action, 'host': None,
            'claim': None, 'error': None},
            expected_status=(STATUS.AWAITING_COMMIT,))
    except exception.RecoveryBusy as e:
        raise exception.RecoveryBusy(
            id=recovery.id, status=e.kwargs.get('status', recovery.status),
            action=verb + ' it', allowed=allowed)
    db_api.recovery_event_add(context, recovery.id, 'info', '%s requested '
                              'by user %s' % (action, context.user_id))
    try:
        engine.close_window(context, recovery.id)
    except Exception as e:  # noqa: BLE001 - any broker failure is a 503
        reason = ('the message broker did not take the %s request (%s)' %
                  (action, type(e).__name__))
        db_api.recovery_update(context, recovery.id, {
            'status': STATUS.AWAITING_COMMIT, 'window_action': None,
            'error': 'Dragon engines unreachable: ' + reason},
            expected_status=(status,))
        raise exception.RecoveryEngineUnavailable(reason=reason,
                                                  id=recovery.id)
    return row


def read_manifest(context: Any, container: str) -> dict[str, Any]:
    """The manifest, opened with the caller's key if it is encrypted.

    The key is read with the caller's token in this Dragon's region (the
    checkpoint's own, for an in-place restore; the backup's, for a
    failback), so Barbican's rules for the caller decide.
    """
    conf = dragon_conf.CONF
    manifest, _domain = keyring.open_checkpoint(
        conf, lambda: caller.session(context, barbican_conf.GROUP),
        caller.swift_connection(context), conf.engine.region_name, container)
    return manifest

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

"""The API's checks of an in-place restore, made before any trust exists.

An in-place restore goes into the region the checkpoint was taken in, over
its own resources: the manifest is read from Swift with the caller's token
(so a checkpoint of another project is not found), its region is the
target, and the selection must name its members.  Mappings are refused:
in place, every resource keeps its own network, flavor and key pair.
"""

from typing import Any

from dragon.checkpoint import keyring
from dragon.cloud import caller
from dragon import conf as dragon_conf
from dragon.conf import barbican as barbican_conf
from dragon import exception
from dragon.protection import graph as graph_mod
from dragon.recovery.in_place import run as in_place_run
from dragon.recovery import selection
from dragon.services import runs

IN_PLACE = 'in_place'


def check(context: Any, request: dict[str, Any],
          source: dict[str, Any]) -> str:
    """The region an in-place restore of source goes into.

    :param request: the validated recovery object of the request.
    :param source: the checkpoint's container and policy (the recovery
        service's _from_checkpoint or _from_recovery_point).
    :raises dragon.exception.Invalid: mappings given, or not a dry run
        (the swap is not built yet).
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
    selection.select(graph_mod.ResourceGraph.from_dict(manifest['graph']),
                     request.get('resources') or ())
    if not request.get('dry_run'):
        raise exception.Invalid(reason=in_place_run.NOT_BUILT)
    return region


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

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

"""Recoveries: start, list, show, delete, events; the target's choices."""

from typing import Any

from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
import openstack
from openstack_dashboard.api import base

from dragon.client import exceptions as client_exceptions
from dragon.client.v1 import recoveries as client_recoveries
from dragon.dashboard import api
from dragon.dashboard import exceptions
from dragon import statuses

FAILOVER, DRILL = client_recoveries.FAILOVER, client_recoveries.DRILL
IN_PLACE = client_recoveries.IN_PLACE
FAILBACK = client_recoveries.FAILBACK
RECREATE = 'recreate'


class Recovery(api.Resource):
    """A recovery with what its row and page show."""

    @property
    def percent(self) -> float:
        return float((self._apidict.get('progress') or {}).get('percent')
                     or 0)

    @property
    def running(self) -> bool:
        return self._apidict.get('status') == statuses.Recovery.RECOVERING


def regions(request: Any, service_type: str | None = None) -> list[str]:
    """Regions of the user's catalog (of one service type if given), sorted."""
    found = set()
    for service in request.user.service_catalog or ():
        if service_type and service.get('type') != service_type:
            continue
        for endpoint in service.get('endpoints') or ():
            region = endpoint.get('region_id') or endpoint.get('region')
            if region:
                found.add(region)
    return sorted(found)


@api.translated
def recovery_list(request: Any, all_projects: bool = False,
                  region: str | None = None) -> list[Recovery]:
    return [Recovery(r) for r in api.client(request, region).recoveries.list(
        all_projects=all_projects, all_pages=True)]


@api.translated
def recovery_get(request: Any, recovery_id: str,
                 region: str | None = None) -> Recovery:
    return Recovery(api.client(request, region).recoveries.get(recovery_id))


@api.translated
def recovery_create(request: Any, *, target_region: str | None,
                    checkpoint_id: str | None = None,
                    recovery_point: str | None = None,
                    mode: str = FAILOVER, mappings: dict | None = None,
                    resources: list[str] | None = None,
                    timeout: int | None = None,
                    region: str | None = None,
                    **in_place: bool) -> Recovery:
    """Ask the Dragon of ``region`` to recover into ``target_region``.

    :param in_place: ``dry_run``, ``shrink_volumes``,
        ``keep_current_flavor`` of an ``IN_PLACE`` restore (the API
        refuses them for the other modes).
    """
    return Recovery(api.client(request, region).recoveries.create(
        checkpoint_id=checkpoint_id, recovery_point=recovery_point,
        target_region=target_region, mode=mode, mappings=mappings,
        resources=resources, timeout=timeout, **in_place))


@api.translated
def recovery_delete(request: Any, recovery_id: str,
                    region: str | None = None) -> None:
    api.client(request, region).recoveries.delete(recovery_id)


@api.translated
def recovery_commit(request: Any, recovery_id: str,
                    region: str | None = None) -> None:
    """Keep an in-place restore: the volumes it replaced are deleted."""
    api.client(request, region).recoveries.commit(recovery_id)


@api.translated
def recovery_rollback(request: Any, recovery_id: str,
                      region: str | None = None) -> None:
    """Undo an in-place restore: the replaced volumes go back."""
    api.client(request, region).recoveries.rollback(recovery_id)


@api.translated
def recovery_events(request: Any, recovery_id: str,
                    region: str | None = None) -> list[api.Resource]:
    return [api.Resource(e) for e in
            api.client(request, region).recoveries.events(recovery_id)]


def target_networks(request: Any, region: str) -> list[dict[str, Any]]:
    """The networks the user sees in ``region``, for the mapping chooser.

    The Dragon API lists no target networks, so Neutron is asked directly
    with the user's token, through openstacksdk as Horizon's own
    ``openstack_dashboard.api.neutron`` does, but in the target region.

    :raises dragon.dashboard.exceptions.DragonError: no Neutron there, or
        it failed; the message says which.
    """
    try:
        endpoint = base.url_for(request, 'network', region=region)
    except Exception as err:  # Horizon's ServiceCatalogException
        raise exceptions.unreachable(
            'No network service in region %s.' % region) from err
    session = ks_session.Session(
        auth=token_endpoint.Token(endpoint, request.user.token.id),
        verify=api._verify(), app_name='dragon-dashboard')
    conn = openstack.connection.Connection(session=session,
                                           region_name=region)
    try:
        found = list(conn.network.networks())
    except openstack.exceptions.SDKException as err:
        raise exceptions.DragonError(
            getattr(err, 'status_code', None) or 503,
            'Listing the networks of %s failed: %s' % (region, err)) from err
    return sorted(({'id': n.id, 'name': n.name or n.id,
                    'external': bool(n.is_router_external),
                    'shared': bool(n.is_shared)} for n in found),
                  key=lambda n: (n['name'], n['id']))


# Template parameter kinds (the checkpoint's parameter index) → the key of
# the recovery's ``mappings`` that maps their source values.
MAPPING_OF_KIND = {'network': 'networks',
                   'external_network': 'external_network',
                   'flavor': 'flavors',
                   'availability_zone': 'availability_zones',
                   'volume_type': 'volume_types',
                   'key_name': 'key_pairs',
                   'image': 'images'}


@api.translated
def recover_source(request: Any, kind: str, source: str,
                   region: str) -> dict[str, Any]:
    """What the Recover pages know of a checkpoint or recovery point.

    :returns: ``kind``, ``source``, ``region`` (the Dragon that knows
        it), ``source_region``, ``label``, ``resources`` (the
        checkpoint's resources with an id, if this Dragon knows the
        checkpoint) and ``sources`` (mapping key → the source values the
        checkpoint's template names; ``None`` when it cannot be read).
    :raises dragon.dashboard.exceptions.DragonNotFound: no such checkpoint
        or recovery point.
    """
    client = api.client(request, region)
    checkpoint = None
    if kind == 'checkpoint':
        checkpoint = client.checkpoints.get(source)
        source_region = region
        label = '%s (%s)' % (checkpoint.get('policy_name') or '-', source)
    elif kind == 'recovery_point':
        points = [p for p in client.recovery_points.list()
                  if p.get('container') == source]
        if not points:
            raise exceptions.DragonNotFound(
                404, 'Recovery point %s could not be found in %s.' % (
                    source, region))
        point = points[0]
        source_region = point.get('source_region') or region
        label = '%s (%s)' % (point.get('policy_name') or '-', source)
        if point.get('checkpoint_id'):
            checkpoint = _known_checkpoint(client, point['checkpoint_id'])
    else:
        raise exceptions.DragonError(400, 'Nothing to recover: %r is '
                                          'neither a checkpoint nor a '
                                          'recovery point.' % kind)
    resources, sources = [], None
    if checkpoint is not None:
        resources = [r for r in checkpoint.get('resources') or ()
                     if r.get('id')]
        sources = _template_sources(client, checkpoint)
    return {'kind': kind, 'source': source, 'region': region,
            'source_region': source_region, 'label': label,
            'resources': resources, 'sources': sources}


def _known_checkpoint(client: Any, checkpoint_id: str) -> dict | None:
    """The checkpoint, if this region's Dragon has its row.

    A backup site's database may not: then ``None``.
    """
    try:
        return client.checkpoints.get(checkpoint_id)
    except client_exceptions.ClientError as err:
        if err.status == 404:
            return None
        raise


def _template_sources(client: Any, checkpoint: dict
                      ) -> dict[str, list[str]] | None:
    """Mapping key → the source values of the checkpoint's parameters."""
    if checkpoint.get('status') != statuses.Checkpoint.AVAILABLE:
        return None
    try:
        parameters = client.checkpoints.template(checkpoint['id']).get(
            'parameters') or {}
    except client_exceptions.ClientError:
        return None    # the choices fall back to free-form mappings
    sources: dict[str, set[str]] = {}
    for entry in parameters.values():
        key = MAPPING_OF_KIND.get((entry or {}).get('kind'))
        default = (entry or {}).get('default')
        if key and default:
            sources.setdefault(key, set()).add(str(default))
    return {key: sorted(values) for key, values in sources.items()}

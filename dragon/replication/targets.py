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

"""Which replication targets a policy may name: another region's own Swift.

Checked against the caller's catalog when the policy is created or
changed, with the endpoints the engine will use (``[swift]`` interface
and endpoint override, the protected region ``[engine] region_name``): a
target whose catalog has no object store cannot be copied to, and one
whose object store is the protected region's (a shared or global Swift)
would copy every checkpoint onto itself.
"""

from typing import Any
from typing import Iterable

from keystoneauth1 import exceptions as ks_exc
from oslo_config import cfg

from dragon.cloud import caller
from dragon.cloud import clients as clients_mod
from dragon import conf as dragon_conf
from dragon import exception

SERVICE = 'object-store'


def object_store_url(context: Any, region: str,
                     conf: cfg.ConfigOpts) -> str | None:
    """The object-store URL the engine would use in ``region``; ``None``
    if the caller's catalog has none there.
    """
    options = clients_mod.service_options(conf, SERVICE, region)
    if options.endpoint_override:
        return options.endpoint_override.rstrip('/')
    interfaces = options.interface
    if not isinstance(interfaces, list):
        interfaces = [interfaces]
    auth = caller.CallerAuth(context.auth_token,
                             getattr(context, 'service_catalog', None) or [])
    for interface in interfaces:
        try:
            url = auth.get_endpoint(None, service_type=SERVICE,
                                    interface=interface, region_name=region)
        except ks_exc.EndpointNotFound:
            url = None
        if url:
            return url.rstrip('/')
    return None


def normalize(context: Any, value: dict[str, Any] | None,
              conf: cfg.ConfigOpts | None = None) -> dict[str, Any] | None:
    """The ``replication`` to store for a validated request value.

    :raises dragon.exception.ReplicationTargetInvalid: (400) the target
        has no object store, or shares the protected region's.
    """
    if not value:
        return None
    conf = conf or dragon_conf.CONF
    target = value['target_region']
    source = conf.engine.region_name
    if target == source:
        raise exception.ReplicationTargetInvalid(
            region=target, reason='it is the region this Dragon protects')
    target_url = object_store_url(context, target, conf)
    if target_url is None:
        raise exception.ReplicationTargetInvalid(
            region=target, reason='the catalog has no object-store '
            'endpoint in that region')
    if target_url == object_store_url(context, source, conf):
        raise exception.ReplicationTargetInvalid(
            region=target, reason='its object store is the same Swift as '
            '%s\'s (%s): a shared Swift already holds every checkpoint at '
            'both sites, there is nothing to replicate' % (source,
                                                           target_url))
    return {'target_region': target}


# Member actions whose data lives outside the checkpoint's containers, in an
# object store replication does not copy: cinder-backup writes into its own
# container of the protected region's Swift, lost with that region.
UNREPLICATED_ACTIONS = frozenset({'cinder_backup'})


def refuse_unreplicated_members(replication: dict[str, Any] | None,
                                members: Iterable[Any]) -> None:
    """Refuse a replicating policy whose members keep data out of reach.

    A copy of such a checkpoint at the target would be listed there as a
    recovery point although its volume data is gone with the primary.

    :param members: dicts or ``PolicyMember`` rows (``resource_id``,
        ``action``).
    :raises dragon.exception.ReplicationTargetInvalid: (400)
    """
    if not replication:
        return
    for member in members:
        action = _field(member, 'action')
        if action in UNREPLICATED_ACTIONS:
            raise exception.ReplicationTargetInvalid(
                region=replication['target_region'],
                reason='member %s uses %s, whose data cinder-backup keeps '
                'in its own container of this region\'s Swift, which '
                'replication does not copy: a replicated checkpoint could '
                'not restore it at the target. Use snapshot_data for it, '
                'or no replication' % (_field(member, 'resource_id'),
                                       action))


def _field(member: Any, name: str) -> Any:
    return member[name] if isinstance(member, dict) else getattr(member,
                                                                 name)

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

"""A failback's fencing: the stale workload at home stopped, never deleted.

Step 3 of a failback run (``failback``): so that two copies of the
workload never serve at once, the servers at home the failover left
behind are stopped before anything is recovered there; what each was is
recorded, so that a rollback starts again only those that ran.
"""

from typing import Any, Callable

from openstack import exceptions as sdk_exc

from dragon.common import timeutils
from dragon.recovery.in_place import swap as swap_mod

SERVER_TYPES = ('server', 'OS::Nova::Server')
VOLUME_TYPES = ('volume', 'OS::Cinder::Volume')


def stale_servers(cloud: swap_mod.Cloud, members: list[dict[str, Any]]
                  ) -> list[str]:
    """The servers at home to fence, each once, in order.

    The server members, and the servers their volume members are
    attached to.
    """
    found: list[str] = []
    for member in members:
        source_id = member.get('source_id')
        if member.get('resource_type') in SERVER_TYPES:
            found.append(source_id)
        elif member.get('resource_type') in VOLUME_TYPES:
            volume = cloud.volume(source_id)
            for attachment in getattr(volume, 'attachments', None) or ():
                if attachment.get('server_id'):
                    found.append(attachment['server_id'])
    return list(dict.fromkeys(s for s in found if s))


def fence(cloud: swap_mod.Cloud, members: list[dict[str, Any]],
          event: Callable[..., None],
          known: list[dict[str, Any]] | None = None,
          save: Callable[[list[dict[str, Any]]], None] | None = None
          ) -> list[dict[str, Any]]:
    """Step 3: stop the stale servers at home; what each was.

    A server already gone is recorded as such (nothing serves from it).

    :param known: what an earlier attempt fenced (a run resumed after
        its engine died): their status before is kept, not the
        ``SHUTOFF`` this attempt finds.
    :param save: called with the list after each server, so that an
        engine dying mid-way leaves a record of what it stopped.
    :raises dragon.exception.DragonException: a server did not stop.
    """
    earlier = {e['server_id']: e for e in known or ()}
    fenced: list[dict[str, Any]] = []
    for server_id in stale_servers(cloud, members):
        try:
            before = cloud.stop(server_id)
        except sdk_exc.NotFoundException:
            event('info', 'stale server %s: not found at home (nothing to '
                  'fence)' % server_id)
            fenced.append(dict(earlier.get(server_id) or {
                'server_id': server_id, 'status_before': None}, status='gone'))
            continue
        if before not in (swap_mod.ACTIVE, swap_mod.SHUTOFF):
            # PAUSED, SUSPENDED, ...: Nova stops these too.
            cloud.compute.stop_server(server_id)
            cloud._wait_server(server_id, swap_mod.SHUTOFF,
                               'server %s' % server_id)
        if server_id in earlier:
            # Fenced by an earlier attempt: what it was then counts.
            before = earlier[server_id].get('status_before')
            event('info', 'fenced: stale server %s stopped (was %s before '
                  'the first attempt), not deleted' % (server_id, before))
        else:
            event('info', 'fenced: stale server %s stopped (was %s), not '
                  'deleted' % (server_id, before))
        fenced.append({'server_id': server_id, 'status_before': before,
                       'status': swap_mod.SHUTOFF,
                       'at': timeutils.utcnow().isoformat() + 'Z'})
        if save is not None:
            save(fenced)
    return fenced

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

"""Which object store a recovery reads its checkpoint from.

The target region's own first.  With one Swift per site that is the copy
replication made, and the only one left once the primary site is lost;
with one Swift for every region it is the only one there is, and nothing
else is asked.  When it does not hold the checkpoint complete -- a policy
that does not replicate there, recovered while the primary is alive (a
drill, most often) -- the object store of the region this Dragon protects,
where the checkpoint was written, is read instead, and the recovery's
events say so.  A checkpoint in neither fails the recovery saying where
it was looked for and why it may not be there, not merely that a manifest
is missing.
"""

from typing import Any, Callable

from oslo_config import cfg

from dragon.checkpoint import store
from dragon import exception

NOT_REPLICATED = ('a checkpoint reaches the object store of another region '
                  'only when its policy replicates to that region')


def _complete(swift: Any, container: str) -> bool:
    meta = store.container_metadata(swift, container)
    return bool(meta and meta.get(store.COMPLETE))


def checkpoint_swift(conf: cfg.ConfigOpts, clients: Any, container: str,
                     event: Callable[[str, str], None]) -> Callable[[], Any]:
    """The factory of Swift connections to read ``container`` through.

    :param clients: ``ServiceClients`` of the recovery's target region.
    :param event: ``(level, message)``: told when another region's store
        is read.
    :raises dragon.exception.RecoveryPointNotStored: complete in neither.
    """
    if _complete(clients.swift(), container):
        return clients.swift
    target = clients.region_name
    home = conf.engine.region_name
    regions = [target]
    if home and home != target:
        regions.append(home)
        at_home = clients.in_region(home)
        if _complete(at_home.swift(), container):
            event('info', 'checkpoint read from the object store of %s: '
                          'the one of %s does not hold it (%s)' % (
                              home, target, NOT_REPLICATED))
            return at_home.swift
    raise exception.RecoveryPointNotStored(
        container=container, regions=' or '.join(regions),
        hint=NOT_REPLICATED)

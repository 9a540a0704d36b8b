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

"""A failback's recovery at home into the surviving workload, in place.

The final checkpoint was taken at the backup site: its graph names the
backup site's resources.  Those are the failover's copies of resources at
home, and two records say which: the reverse policy's members (each with
the original's ``source_id``) and the failover recovery's
``resource_status`` (each original's ``id`` and what was made of it,
``target_id``).  ``home_ids`` turns them into ``{id at the backup site:
id at home}``, which is exactly what the in-place machinery already
takes as ``current_ids`` ("this checkpoint member has that id now"), so
the plan, its checks and the swap (``in_place.plan``, ``checks``,
``apply``) run unchanged over the home region; a member without an id at
home is looked up nowhere (it is gone for the plan).

``choose`` decides before anything at home changes, per resource: **in
place** when some of the workload survives at home and the in-place
checks find nothing against the plan.  A surviving server (fenced, so
stopped) is rebuilt from its final image keeping its ports and
addresses, and started; a surviving volume is replaced (a new volume
with the final bytes at its device).  A server gone at home is booted
again in place (``recreate``) where it stood before the failover
(``failback_places``: its networks, subnets, security groups, key pair
and flavor at home, by id); a volume gone at home, or made at the
backup site after the failover, is made anew and attached to its
server.  Only when in place cannot be done (a gone server with no place
at home or whose network, subnet, ... is gone too, a gone server that
booted from a volume, a boot volume, nothing surviving at home, or
anything the checks refuse) is the workload recovered as a **new
stack** (``relaunch``), with every reason in the events and on
``failback.run.home_restore``.  In place, the replaced volumes and the
servers' former disks (images) are kept until the failback is committed
(then deleted, the recreated servers kept: ``window.settle``) or rolled
back (put back, the recreated servers deleted: ``closing``).  The
recovery's ``plan`` says it went in place (``chosen``), for the commit,
the rollback and the engine that takes a dead one's run over.
"""

import copy
import dataclasses
import time
from typing import Any

from oslo_config import cfg

from dragon.common import timeutils
from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon import exception
from dragon.protection import graph as graph_mod
from dragon.protection import recorder as rec
from dragon.recovery import failback_places
from dragon.recovery.in_place import apply as apply_mod
from dragon.recovery.in_place import checks
from dragon.recovery.in_place import closing
from dragon.recovery.in_place import lookup as lookup_mod
from dragon.recovery.in_place import plan as plan_mod
from dragon.recovery.in_place import run as run_mod
from dragon.recovery.in_place import swap as swap_mod
from dragon.recovery.in_place import window
from dragon.recovery import selection
from dragon import statuses

STATUS = statuses.Recovery
IN_PLACE, NEW_STACK = 'in_place', 'new_stack'


@dataclasses.dataclass
class Choice:
    """How the workload is recovered at home, and what in place needs."""

    mode: str
    reason: str | None = None
    plan: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    manifest: dict[str, Any] | None = None
    domain: Any = None
    lookup: plan_mod.Lookup | None = None
    places: failback_places.Places | None = None

    @property
    def in_place(self) -> bool:
        return self.mode == IN_PLACE

    def _count(self, action: str, kind: str) -> int:
        return sum(e['action'] == action and e['type'] == kind
                   for e in self.plan)

    def record(self) -> dict[str, Any]:
        """``failback.run.home_restore``."""
        return {'mode': self.mode, 'reason': self.reason,
                'servers': self._count(plan_mod.REBUILD, plan_mod.SERVER),
                'volumes': self._count(plan_mod.REPLACE, plan_mod.VOLUME),
                'new_servers': self._count(plan_mod.RECREATE,
                                           plan_mod.SERVER),
                'new_volumes': self._count(plan_mod.RECREATE,
                                           plan_mod.VOLUME)}

    def describe(self) -> str:
        """'in place into 1 surviving server(s) and 2 volume(s), 1
        server(s) recreated', or 'as a new stack (why)'.
        """
        if not self.in_place:
            return 'as a new stack (%s)' % self.reason
        said = self.record()
        made = ''.join(', %d %s' % (said[k], what) for k, what in (
            ('new_servers', 'server(s) recreated'),
            ('new_volumes', 'volume(s) made anew')) if said[k])
        return 'in place into %d surviving server(s) and %d volume(s)%s' % (
            said['servers'], said['volumes'], made)


def home_ids(members: list[dict[str, Any]],
             failover_status: list[dict[str, Any]]) -> dict[str, str]:
    """{id at the backup site: id at home} of the failed-over workload.

    :param members: the reverse policy's ``failback.members``
        (``resource_id`` here, ``source_id`` at home).
    :param failover_status: the failover recovery's ``resource_status``
        (``id`` at home, ``target_id`` here): also the resources the
        members depend on (a server's volumes).  A member's pair wins.
    """
    found = {r['target_id']: r['id'] for r in failover_status
             if r.get('id') and r.get('target_id')}
    found.update({m['resource_id']: m['source_id'] for m in members
                  if m.get('resource_id') and m.get('source_id')})
    return found


def failover_row(record: dict[str, Any]) -> Any:
    """The failover recovery (None once it is deleted)."""
    try:
        return db_api.recovery_get(dragon_context.get_admin_context(),
                                   record['recovery_id'])
    except exception.RecoveryNotFound:
        return None


def failover_status(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The failover recovery's ``resource_status`` ([] once it is deleted)."""
    return list(getattr(failover_row(record), 'resource_status', None)
                or [])


def home_lookup(clients: Any, ids: dict[str, str]) -> plan_mod.Lookup:
    """What a checkpoint member is at home, by its id there; None without one.

    A backup site's id is never asked of the home region's services.
    """
    read = lookup_mod.current(clients, ids)
    return lookup_mod.remembered(
        lambda node: read(node) if node.resource.id in ids else None)


def _against(plan: list[dict[str, Any]], home: str,
             graph: graph_mod.ResourceGraph) -> list[str]:
    """Why the plan is not a failback in place (before the checks).

    A boot volume is re-imaged in place by an in-place restore, not by a
    failback yet: that path (its copy, its rollback) has not been run
    through a failback's takeover and commit.  A gone server is the
    checks' (``failback_places.Places.missing``).
    """
    def label(entry: dict[str, Any]) -> str:
        # The id at home (the plan's current one), as the checks say it.
        resource_id = entry.get('current_id') or entry['id']
        return ('%s (%s)' % (entry['name'], resource_id) if entry.get('name')
                else resource_id)

    boots = plan_mod.boot_volumes(graph)
    found = ['volume %s is the boot volume of server %s: a failback does '
              'not re-image boot volumes in place' % (label(e), boots[e['key']])
              for e in plan if e['key'] in boots and
              e['action'] == plan_mod.REPLACE]
    # An in-place restore recreates one (its boot volume's data in a new
    # volume); a failback has not been run through that path yet.
    found += ['server %s is gone from the region and booted from a volume: '
              'a failback does not recreate it in place yet' % label(e)
              for e in plan if e['action'] == plan_mod.RECREATE and
              e['type'] == plan_mod.SERVER and
              not graph.get(e['key']).properties.get('image')]
    if not any(e['action'] in (plan_mod.REPLACE, plan_mod.REBUILD)
               for e in plan):
        found.append('none of the workload\'s servers and volumes '
                     'survives at %s' % home)
    return found


def plan(manifest: dict[str, Any], lookup: plan_mod.Lookup,
         ids: dict[str, str], home: str) -> list[dict[str, Any]]:
    """The in-place plan of the whole checkpoint at home."""
    graph = graph_mod.ResourceGraph.from_dict(manifest['graph'])
    return plan_mod.build(
        graph, selection.select(graph, None), lookup, ids,
        followed_because='the one at %s the failover recovered it from'
        % home)


def choose(conf: cfg.ConfigOpts, recovery: Any, clients: Any,
           record: dict[str, Any]) -> Choice:
    """In place or a new stack; reads only, never raises.

    :param clients: the home region's.
    :param record: the reverse policy's ``failback`` record.
    """
    home = recovery.target_region
    try:
        failover = failover_row(record)
        ids = home_ids(record.get('members') or [], list(
            getattr(failover, 'resource_status', None) or []))
        manifest, domain = run_mod.open_own(conf, clients,
                                            recovery.recovery_point)
        graph = graph_mod.ResourceGraph.from_dict(manifest['graph'])
        lookup = home_lookup(clients, ids)
        entries = plan(manifest, lookup, ids, home)
        why = _against(entries, home, graph)
        places = None
        if not why:
            places = failback_places.find(
                conf, clients, getattr(failover, 'recovery_point', None),
                entries, ids)
            why = checks.reasons(graph, manifest, entries, lookup,
                                 missing=places.missing(clients))
    except Exception as e:  # noqa: BLE001 - a new stack says why
        return Choice(NEW_STACK, 'the in-place plan could not be made: %s'
                      % exception.one_line(e))
    if why:
        return Choice(NEW_STACK, '; '.join(why))
    return Choice(IN_PLACE, plan=entries, manifest=manifest, domain=domain,
                  lookup=lookup, places=places)


def chosen(recovery: Any) -> bool:
    """The failback recovery ``recovery`` went in place (its plan is kept)."""
    return bool(getattr(recovery, 'plan', None))


class HomeRestore(apply_mod.Restore):
    """The in-place swap of a failback: servers started, no deadline.

    The fenced servers were stopped before; rebuilt, they run the
    workload at home and are started.  A server gone at home is booted
    where it stood there (``failback_places``), not on the backup site's
    networks its final checkpoint names.  The window is the failback's:
    only the user closes it (``failback.finish``).
    """

    def __init__(self, *args: Any,
                 places: failback_places.Places | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places = places or failback_places.Places()
        self._started = time.monotonic()

    def place(self, key: str) -> tuple[graph_mod.ResourceGraph,
                                       graph_mod.Node]:
        return self.places.of(key)

    def _swap_all(self) -> None:
        super()._swap_all()
        rebuilt = {r['server_id'] for r in self.replaced
                   if r['kind'] == window.SERVER}
        for server_id in self._server_order(rebuilt):
            self.cloud.start(server_id)
            self.event('info', 'server %s started: it runs the workload at '
                       '%s' % (server_id, self.recovery.target_region))

    def open_window(self) -> None:
        rto = time.monotonic() - self._started
        self.event('info', 'workload running in %s in place: %s; RTO %.1f '
                   's; the replaced volumes and the servers\' former disks '
                   '(images) are kept until the failback is committed '
                   '(deleted) or rolled back (put back)' % (
                       self.recovery.target_region, self.swapped(), rto))
        self.recorder.flush(force=True, status=STATUS.AWAITING_COMMIT,
                            rto_seconds=rto, commit_deadline=None,
                            error=None)


def recover(conf: cfg.ConfigOpts, recovery: Any, clients: Any,
            recorder: rec.RunRecorder, choice: Choice) -> bool:
    """Step 4 in place; never raises but a takeover.

    :returns: whether it is awaiting commit (else ``error``, everything
        at home put back).
    """
    with recorder.batched():
        for entry in choice.plan:
            recorder.event('info', '%s: %s%s' % (
                entry['action'], entry['detail'],
                ''.join('; changed since the checkpoint: %s' % c
                        for c in entry['changes'])), entry['key'])
    try:
        HomeRestore(conf, recovery, clients, recorder, choice.manifest,
                    choice.domain, choice.lookup,
                    places=choice.places).run(choice.plan)
    except exception.RunTakenOver:
        raise
    except Exception as e:  # noqa: BLE001 - every failure ends the run
        reason = exception.one_line(e)
        recorder.event('error', 'the recovery in place at %s failed: %s' % (
            recovery.target_region, reason))
        recorder.flush(force=True, status=STATUS.ERROR, error=reason,
                       finished_at=timeutils.utcnow())
        return False
    return True


def kept_servers(recovery: Any) -> set[str]:
    """The servers at home the failback restored into: the workload.

    Those it rebuilt, and those a restored volume was attached to in
    place of the old one: neither is stale.
    """
    replaced = getattr(recovery, 'replaced', None) or ()
    return {e['server_id'] for e in replaced
            if window.kind_of(e) in (window.SERVER, window.VOLUME) and
            e.get('server_id')}


def commit(conf: cfg.ConfigOpts, recovery: Any, clients: Any,
           recorder: rec.RunRecorder) -> str:
    """The swap made the workload's own: what in-place commit deletes goes.

    The replaced volumes and the servers' former disk images are deleted;
    the servers (rebuilt or recreated) and the new volumes stay.

    :returns: a note for the closing message.
    :raises dragon.exception.DragonException: a step failed (saved so
        far: done again, it goes on).
    """
    replaced = copy.deepcopy(recovery.replaced or [])
    window.settle(swap_mod.Cloud(clients, conf), replaced, False,
                  closing.saver(recorder), recorder.event)
    servers = sum(window.kind_of(e) == window.SERVER for e in replaced)
    made = sum(window.kind_of(e) == window.NEW_SERVER for e in replaced)
    volumes = sum(window.kind_of(e) == window.VOLUME for e in replaced)
    return ('in place (%d server(s) rebuilt, %s%d volume(s) restored; the '
            'replaced volumes and former disks deleted)' % (
                servers, '%d server(s) recreated, ' % made if made else '',
                volumes))


def put_back(conf: cfg.ConfigOpts, recovery: Any, clients: Any,
             recorder: rec.RunRecorder) -> None:
    """What the run swapped at home put back (a rollback, a takeover).

    The servers it booted again there are deleted (also one whose id the
    engine that died did not record: found by its restore tags).

    :raises dragon.exception.DragonException: a step failed (saved so
        far: done again, it goes on).
    """
    closing.put_everything_back(conf, recovery, clients, recorder)

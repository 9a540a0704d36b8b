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

"""Find a run's temporaries by name and mark, not by recorded id, and remove them.

An engine killed between a create call and the row write that records the
new object's id leaves a temporary the recorded ids do not name.  Its
name was on the row before the call (``base.intend``), and every
temporary of checkpoint ``<id>`` is named ``dragon-tmp-<id>-...`` (Glance
images Nova makes also carry ``dragon_checkpoint=<id>``), so the sweep of
a dead run lists the project's volumes, snapshots, backups and images and
removes what is provably that checkpoint's: an intended name, the name
prefix or the property -- never anything else, never a member's own
resource.  Removal waits where Cinder deletes asynchronously, images
first (Cinder may be uploading a volume into one), then volumes, then the
snapshots they were made from.
"""

import dataclasses
from typing import Any, Iterable

from oslo_config import cfg

from dragon import exception
from dragon.protection.data import base
from dragon.protection.data import cinder
from dragon.protection.data import glance

# Removal order: an image before the volume uploading into it, a volume
# before the snapshot it was made from.
ORDER = ('image', 'volume', 'snapshot', 'backup')
_GONE = ('deleted', 'pending_delete', 'killed')


@dataclasses.dataclass(frozen=True)
class Found:
    kind: str
    id: str
    name: str


def intended(states: Iterable[dict]) -> dict[str, set[str]]:
    """``{kind: names}`` the states say were about to be created."""
    names: dict[str, set[str]] = {}
    for state in states:
        for kind, name in ((state or {}).get(base.INTENTS) or {}).items():
            if kind in ORDER and name:
                names.setdefault(kind, set()).add(name)
    return names


def _provable(kind: str, run_id: str, name: str, marks: dict) -> bool:
    """Whether the name or metadata carries the checkpoint's id."""
    if kind == 'backup':
        # Kept, not temporary (see backup.backup_name): only by its name.
        return name.startswith('dragon-backup-%s-' % run_id)
    return (name.startswith(base.run_prefix(run_id)) or
            marks.get(base.TEMPORARY_RUN_PROPERTY) == run_id)


def _listing(clients: Any, kind: str, project_id: str | None) -> Iterable:
    if kind == 'image':
        query = {'owner': project_id} if project_id else {}
        return clients.connection.image.images(**query)
    # The SDK follows the pages; no filters, which a deployment's
    # resource_filters.json may refuse (Cinder answers 400).
    return getattr(clients.connection.block_storage, kind + 's')(
        details=True)


def _marks(obj: Any) -> dict:
    marks = dict(getattr(obj, 'metadata', None) or {})
    marks.update(getattr(obj, 'properties', None) or {})
    return marks


def find(clients: Any, run_id: str, names: dict[str, set[str]], *,
         by_prefix: bool, project_id: str | None = None,
         spare: Iterable[str] = (), kinds: Iterable[str] = ORDER
         ) -> list[Found]:
    """The objects of checkpoint ``run_id`` that still exist, in ``ORDER``.

    :param names: ``{kind: intended names}`` (``intended``).
    :param by_prefix: also what only the name prefix or the property marks
        (the sweep of a dead run); otherwise only the intended names (a
        live run: other resources' temporaries are not for this call).
    :param project_id: the project whose Glance images are listed.
    :param spare: ids never removed (the members' own resources).
    :raises ValueError: no ``run_id``: nothing could be proved the run's.
    """
    if not run_id:
        raise ValueError('a sweep needs the checkpoint id')
    spare = frozenset(spare)
    found = []
    for kind in ORDER:
        wanted = names.get(kind, set())
        if kind not in kinds or not (wanted or by_prefix):
            continue
        for obj in _listing(clients, kind, project_id):
            name = obj.name or ''
            marks = _marks(obj)
            if (obj.id in spare or (obj.status or '') in _GONE or
                    not _provable(kind, run_id, name, marks)):
                continue
            if name in wanted or (by_prefix and kind != 'backup'):
                found.append(Found(kind, obj.id, name))
    return found


def remove(clients: Any, conf: cfg.ConfigOpts, found: Iterable[Found],
           resource: str) -> tuple[list[Found], list[str]]:
    """Delete each object, waiting until Cinder's are gone; try them all.

    :param resource: how errors name what is being cleaned (the run).
    :returns: what was removed, and one message per failure.
    """
    protection = conf.protection
    removed, errors = [], []
    for item in found:
        try:
            with base.failing_as(resource, 'removing %s %s (%s)' % (
                    item.kind, item.id, item.name)):
                if item.kind == 'image':
                    glance.delete_image(clients, item.id)
                else:
                    cinder.delete_and_wait(
                        clients, item.kind, item.id,
                        timeout=(protection.backup_timeout
                                 if item.kind == 'backup'
                                 else protection.delete_timeout),
                        interval=protection.poll_interval,
                        resource=resource)
            removed.append(item)
        except exception.DragonException as e:
            errors.append(str(e))
    return removed, errors


def unrecorded(ctx: base.DataContext, node: Any, state: dict) -> None:
    """Remove what a live run meant to create but has no id of.

    A create call that failed after the service made the object (a lost
    answer) leaves the intent without its id; only those names, and only
    this node's, are looked for.

    :raises dragon.exception.DataActionFailed: one was not removed.
    """
    names = {kind: {name} for kind, name in
             (state.get(base.INTENTS) or {}).items()
             if kind in ORDER and not state.get(base.id_field(kind))}
    if not names or not ctx.run_id:
        return
    label = base.label(node)
    with base.failing_as(node, 'looking for unrecorded temporaries'):
        found = find(ctx.clients, ctx.run_id, names, by_prefix=False,
                     spare=(node.resource.id,), kinds=names)
    removed, errors = remove(ctx.clients, ctx.conf, found, label)
    for item in removed:
        ctx.event('info', '%s: temporary %s %s (%s) whose id was never '
                  'recorded removed' % (label, item.kind, item.id,
                                        item.name))
    if errors:
        raise exception.DataActionFailed(resource=label,
                                         reason='; '.join(errors))

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

"""Whether a stopped server's disk may be referenced, not snapshotted again.

A server that is SHUTOFF now, was SHUTOFF when the previous available
checkpoint of the policy captured it, has had no instance action since
(Nova's ``os-instance-actions``, newest first: the newest is the one
recorded then) and still has the same image
and flavor has the same disk: a new createImage would upload the same
bytes through Nova and Glance only for the chunk store to find them all
stored.  The new checkpoint's record is then the previous one's, marked
``reused_from`` (the previous checkpoint) and ``data_captured_by`` (the
checkpoint whose snapshot the bytes are), after checking that every chunk
it names is still in the chunk container: gc may have swept chunks no
manifest referenced any more, or a chunk may be damaged.

Every "no" has a reason, which the checkpoint's events show, so an
operator can tell why a server that looks idle was snapshotted again.
"""

import dataclasses
from typing import Any

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc

from dragon.checkpoint import chunks as chunk_mod
from dragon.protection.data import base
from dragon.protection.data import index
from dragon.protection.data import nova

SHUTOFF = 'SHUTOFF'
# Instance actions that leave the disk as it was: Dragon's own createImage
# of the previous checkpoint is one (it comes after the capture instant).
HARMLESS_ACTIONS = frozenset(('createImage', 'lock', 'unlock'))
# Instance actions looked at before giving up (newest first).
MAX_ACTIONS = 100


@dataclasses.dataclass(frozen=True)
class Previous:
    """The previous available checkpoint's record of one resource.

    :param checkpoint_id: that checkpoint's id.
    :param record: its data record of the resource (manifest ``data``).
    """

    checkpoint_id: str
    record: dict


@dataclasses.dataclass(frozen=True)
class Decision:
    """``reuse`` or not, and why (for the checkpoint's events)."""

    reuse: bool
    reason: str


def server_facts(server: Any) -> dict:
    """What a server's record keeps to compare the next checkpoint with."""
    flavor = server.flavor
    return {'status': server.status,
            'image_id': nova.image_id(server),
            'flavor': {name: getattr(flavor, name, None)
                       for name in ('original_name', 'disk', 'ephemeral',
                                    'swap')}}


def enabled(ctx: base.DataContext, node: Any) -> bool:
    """``[protection] skip_unchanged_servers`` and the member's option."""
    return bool(ctx.protection.skip_unchanged_servers and
                base.option(ctx, node, 'skip_unchanged', True))


def last_action(clients: Any, server_id: str) -> dict | None:
    """The server's newest instance action that may change its disk.

    Compared by Nova's request id, not by time: Dragon's clock and Nova's
    may differ, and an action seconds after a checkpoint must not pass
    for one before it.

    :returns: ``{"action", "request_id", "start_time"}``, ``None`` if none.
    :raises openstack.exceptions.SDKException: Nova refused the list.
    :raises LookupError: none among the newest ``MAX_ACTIONS``.
    """
    actions = clients.connection.compute.server_actions(server_id)
    for seen, action in enumerate(actions):
        if seen >= MAX_ACTIONS:
            raise LookupError('none of its newest %d instance actions is '
                              'one that may change its disk' % MAX_ACTIONS)
        if action.action not in HARMLESS_ACTIONS:
            return {'action': action.action,
                    'request_id': action.request_id,
                    'start_time': action.start_time}
    return None


def current_facts(ctx: base.DataContext, server: Any) -> dict:
    """``server_facts`` with the newest instance action, when reuse is on.

    An action list Nova refuses only means no reuse next time (the facts
    say ``last_action_unknown``), never a failed checkpoint.
    """
    facts = server_facts(server)
    try:
        facts['last_action'] = last_action(ctx.clients, server.id)
    except (sdk_exc.SDKException, ks_exc.ClientException,
            LookupError) as e:
        facts['last_action_unknown'] = str(e)[:200]
    return facts


def decide(ctx: base.DataContext, server: Any, facts: dict,
           previous: Previous | None) -> Decision:
    """Whether ``server``'s data in ``previous`` may be referenced as is.

    :param facts: ``current_facts()`` of the server now.
    """
    def no(reason: str) -> Decision:
        return Decision(False, reason)

    if previous is None:
        return no('no previous available checkpoint holds its disk')
    old = previous.record
    where = 'checkpoint %s' % previous.checkpoint_id
    if server.status != SHUTOFF:
        return no('it is %s, not SHUTOFF' % server.status)
    if (old.get('action') != 'image_snapshot' or
            old.get('kind') != base.IMAGE):
        return no('%s holds no snapshot of its disk' % where)
    before = old.get('server') or {}
    if before.get('status') != SHUTOFF:
        return no('it was %s at %s' % (before.get('status') or 'not known',
                                       where))
    if before.get('image_id') != facts['image_id']:
        return no('its image changed since %s' % where)
    if before.get('flavor') != facts['flavor']:
        return no('its flavor changed since %s' % where)
    if 'last_action_unknown' in facts:
        return no('its instance actions could not be read: %s'
                  % facts['last_action_unknown'])
    if 'last_action' not in before:
        return no('its instance actions were not recorded at %s' % where)
    now = facts['last_action']
    if now != before['last_action']:
        return no("instance action '%s' at %s since %s" % (
            now['action'], now['start_time'], where))
    if not index.chunks_intact(ctx.chunks, old.get('chunks') or []):
        return no('chunks of %s are missing or damaged' % where)
    return Decision(True, 'SHUTOFF and unchanged since %s' % where)


def reused_record(previous: Previous, facts: dict) -> dict:
    """The new checkpoint's record: the previous one's data, referenced.

    :param facts: ``server_facts()`` of the server now.
    """
    old = previous.record
    stored = sum(c.get('sha256') != chunk_mod.ZERO
                 for c in old.get('chunks') or [])
    return {**old, 'uploaded_bytes': 0, 'reused_chunks': stored,
            'index_hit': False, 'stopped_server': True,
            'server': facts, 'reused_from': previous.checkpoint_id,
            'data_captured_by': old.get('data_captured_by') or
            previous.checkpoint_id}

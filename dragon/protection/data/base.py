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

"""The data action interface: how one resource's bytes get into a checkpoint.

A data action works in three steps so the workflow can keep the point in
time short: ``capture`` (quick: start a snapshot, createImage or backup
while servers may be paused), ``transfer`` (slow: stream the data into the
chunk store) and ``cleanup`` (remove what capture and transfer made, on
success and on failure alike).  Every temporary is named in the ``state``
dict as soon as it exists -- transfer adds its own temporaries to the same
dict in place -- so ``cleanup(ctx, node, state)`` always knows what to
remove, however far the action got.
"""

import abc
import contextlib
import dataclasses
import functools
from typing import Any, Callable, Iterator

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc
from oslo_config import cfg
import requests
from swiftclient import exceptions as swift_exc

from dragon import exception

# Data record kinds (the manifest's ``data[<key>]["kind"]``).
IMAGE = 'image'
VOLUME = 'volume'
CINDER_BACKUP = 'cinder_backup'
REPLICATED = 'replicated'
NONE = 'none'

# Name prefix and image property of everything Dragon creates temporarily,
# so an operator (or a sweeper) can find leftovers of a crashed engine.
TEMPORARY_PREFIX = 'dragon-tmp'
TEMPORARY_PROPERTY = 'dragon_temporary'


def _ignore(*_args: Any) -> None:
    """Default progress/event sink: a context used outside a workflow."""


def _conf() -> cfg.ConfigOpts:
    from dragon import conf as dragon_conf
    return dragon_conf.CONF


@dataclasses.dataclass
class DataContext:
    """What a data action may use while it runs for one resource.

    :param clients: ``dragon.cloud.clients.ServiceClients`` of the source
        region, scoped to the project being protected.
    :param chunks: the project's ``dragon.checkpoint.chunks.ChunkStore``.
    :param progress: called with a number of bytes each time that many
        more bytes of this resource have been streamed (or found stored).
    :param event: ``event(level, message)`` adds a line to the
        checkpoint's events (``level``: ``info``, ``warning``, ``error``).
    :param options: the member's action options (policy member row).
    :param conf: the configuration (``[protection]`` is read at call time).
    :param temporaries: ``temporaries(state)`` records at once what the
        action made so far (called right after each temporary exists), so
        that the engine taking over after a crash can remove it.
    :param warn: ``warn(code, message)`` lists something this resource's
        record does not carry, or that another site may not be able to
        use, in the checkpoint's warnings (codes: ``dragon.protection.
        warnings``).
    """

    clients: Any
    chunks: Any
    progress: Callable[[int], None] = _ignore
    event: Callable[[str, str], None] = _ignore
    options: dict = dataclasses.field(default_factory=dict)
    conf: cfg.ConfigOpts = dataclasses.field(default_factory=_conf)
    warn: Callable[[str, str], None] = _ignore
    temporaries: Callable[[dict], None] = _ignore

    @property
    def protection(self) -> Any:
        """The ``[protection]`` option group."""
        return self.conf.protection


def option(ctx: DataContext, node: Any, name: str, default: Any) -> Any:
    """An action option: the context's over the node's, else ``default``."""
    for source in (ctx.options, getattr(node, 'options', None)):
        if source and name in source:
            return source[name]
    return default


def label(node: Any) -> str:
    """How errors and events name the resource: ``<type> <name> (<id>)``."""
    resource = node.resource
    kind = resource.type.split('::')[-1].lower()
    if resource.name:
        return '%s %s (%s)' % (kind, resource.name, resource.id)
    return '%s %s' % (kind, resource.id)


def temporary_name(node: Any, what: str) -> str:
    return '%s-%s-%s' % (TEMPORARY_PREFIX, what, node.key)


def record(action: str, kind: str, **fields: Any) -> dict:
    """A data record with every common field present (empty when no data)."""
    result = {'action': action, 'kind': kind, 'size': 0, 'sha256': None,
              'chunk_size': None, 'chunks': [], 'uploaded_bytes': 0,
              'reused_chunks': 0, 'zero_chunks': 0}
    result.update(fields)
    return result


@contextlib.contextmanager
def failing_as(node: Any, step: str,
               error: type = exception.DataActionFailed) -> Iterator[None]:
    """Turn a client library error into ``error`` naming the resource.

    Dragon's own exceptions pass through unchanged: they already say what
    went wrong, and the workflow stores their message as the reason.

    :param node: the graph node, or the resource's label when there is none
        (recovery restores data records, which need no node).
    :param error: a ``DataActionFailed``-like class taking ``resource`` and
        ``reason`` (recovery passes ``RecoveryFailed``).
    """
    try:
        yield
    except exception.DragonException:
        raise
    except (ks_exc.ClientException, sdk_exc.SDKException,
            swift_exc.ClientException,
            requests.exceptions.RequestException) as e:
        resource = node if isinstance(node, str) else label(node)
        raise error(resource=resource, reason='%s: %s' % (step, e)) from e


def _wrapped(step: str, method: Callable) -> Callable:
    @functools.wraps(method)
    def run(self: 'DataAction', ctx: DataContext, node: Any,
            *args: Any) -> Any:
        with failing_as(node, '%s %s' % (self.name, step)):
            return method(self, ctx, node, *args)
    return run


class DataAction(abc.ABC):
    """One way of putting one resource type's data into a checkpoint.

    A resource type's plugin (``dragon.resource_types``) names its data
    actions in ``data_actions``; ``dragon.protection.data.get()`` loads
    them.  Instances keep no per-resource state: everything a
    later step needs is in the ``state`` dict, which is JSON-able so the
    workflow may store it.
    """

    #: The resource type (``server``, ``volume``) and action name.
    resource_type: str = ''
    action: str = ''

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Every step reports client errors as DataActionFailed(resource=...).
        for step in ('estimate', 'capture', 'transfer'):
            if step in cls.__dict__:
                setattr(cls, step, _wrapped(step, cls.__dict__[step]))

    @property
    def name(self) -> str:
        return '%s.%s' % (self.resource_type, self.action)

    def estimate(self, ctx: DataContext, node: Any) -> int:
        """The number of bytes ``transfer`` is expected to stream.

        Only used for progress and ETA; it may be off.

        :param ctx: the context of this run.
        :param node: the resource's ``dragon.protection.graph.Node``.
        :returns: bytes, ``0`` when the action moves no data.
        :raises dragon.exception.DataActionFailed: the resource cannot be read.
        """
        return 0

    @abc.abstractmethod
    def capture(self, ctx: DataContext, node: Any) -> dict:
        """Fix the point in time (snapshot, createImage, backup start).

        Quick: the workflow may hold servers paused around it.

        :returns: a JSON-able state naming every temporary made so far.
        :raises dragon.exception.DataActionFailed: (or a subclass) with the
            reason; temporaries made before the failure are in no state, so
            capture removes them itself before raising.
        """

    @abc.abstractmethod
    def transfer(self, ctx: DataContext, node: Any, state: dict) -> dict:
        """Stream the captured data into ``ctx.chunks``.

        Adds every temporary it makes to ``state`` (in place) as soon as it
        exists, so ``cleanup`` removes it even when transfer fails.

        :param state: what ``capture`` returned.
        :returns: the data record (``record()`` fields plus kind specifics).
        :raises dragon.exception.DataActionFailed: (or a subclass).
        """

    @abc.abstractmethod
    def cleanup(self, ctx: DataContext, node: Any, state: dict) -> None:
        """Remove the temporaries named in ``state``.

        Safe to call twice, after a failed capture (``state`` empty) or a
        failed transfer; "already gone" is success.  Options such as
        ``keep_image`` keep a temporary only when ``transfer`` completed.

        :raises dragon.exception.DataActionFailed: a temporary could not be
            removed (it is left, and the message names it).
        """


class NoData(DataAction):
    """``template_only``: the resource is in the template, no data is kept."""

    action = 'template_only'
    reason = 'template_only: the resource is recreated empty from the template'

    def capture(self, ctx: DataContext, node: Any) -> dict:
        return {}

    def transfer(self, ctx: DataContext, node: Any, state: dict) -> dict:
        return record(self.action, NONE, reason=self.reason)

    def cleanup(self, ctx: DataContext, node: Any, state: dict) -> None:
        return None

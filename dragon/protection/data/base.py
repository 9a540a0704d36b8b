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
remove, however far the action got.  Before each create call the name the
temporary will get is in the state too (``intend``), and the state is on
the run's row: an engine killed between the call and the row write leaves
a name the sweep of the dead run (``sweep``) finds the temporary by.
"""

import abc
import contextlib
import dataclasses
import functools
import os
import signal
from typing import Any, Callable, Iterator

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc
from oslo_config import cfg
import requests
from swiftclient import exceptions as swift_exc

from dragon import exception
from dragon.protection.data import glance

# Data record kinds (the manifest's ``data[<key>]["kind"]``).
IMAGE = 'image'
VOLUME = 'volume'
CINDER_BACKUP = 'cinder_backup'
REPLICATED = 'replicated'
NONE = 'none'

# Name prefix and properties of everything Dragon creates temporarily, so
# an operator (or the sweep of a crashed run, ``sweep``) can find
# leftovers: ``dragon-tmp-<checkpoint id>-<what>-<node key>``, and where
# the create call takes metadata, the checkpoint's id under
# ``TEMPORARY_RUN_PROPERTY``.
TEMPORARY_PREFIX = 'dragon-tmp'
TEMPORARY_PROPERTY = 'dragon_temporary'
TEMPORARY_RUN_PROPERTY = 'dragon_checkpoint'
# The state's ``{kind: name}`` of the temporaries about to be created
# (kinds: ``INTENT_KINDS``), on the row before each create call.
INTENTS = 'intended'
INTENT_KINDS = ('image', 'volume', 'snapshot', 'backup')

# TEST ONLY: ``<kind>:<marker file>`` makes the engine kill itself with
# SIGKILL right after creating a temporary of that kind, before recording
# its id -- once, the first process to create the marker file.  It is
# read from the engine's environment only: no option, API or policy
# reaches it.  The functional takeover test uses it to prove that a
# temporary whose id never reached the row is still removed.
FAULT_ENV = 'DRAGON_TEST_KILL_AFTER_CREATE'


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
        action made so far and what it is about to make (called before
        and right after each create call: ``intend``, ``created``), so
        that the engine taking over after a crash can remove it.
    :param run_id: the checkpoint's id, in every temporary's name.
    :param warn: ``warn(code, message)`` lists something this resource's
        record does not carry, or that another site may not be able to
        use, in the checkpoint's warnings (codes: ``dragon.protection.
        warnings``).
    :param previous: the previous available checkpoint's record of this
        resource (``dragon.protection.data.reuse.Previous``), if any: what
        an unchanged stopped server reuses.
    """

    clients: Any
    chunks: Any
    progress: Callable[[int], None] = _ignore
    event: Callable[[str, str], None] = _ignore
    options: dict = dataclasses.field(default_factory=dict)
    conf: cfg.ConfigOpts = dataclasses.field(default_factory=_conf)
    warn: Callable[[str, str], None] = _ignore
    temporaries: Callable[[dict], None] = _ignore
    run_id: str = ''
    previous: Any = None
    # The run's ``image_watch.ImageWatch``: one Glance call checks every
    # image the run waits for.  Without one, each image is polled alone.
    images: Any = None

    @property
    def protection(self) -> Any:
        """The ``[protection]`` option group."""
        return self.conf.protection

    def image_active(self, image_id: str, resource: str) -> dict:
        """Wait for an image this action made to be ``active``; the image.

        :raises dragon.exception.ResourceFailed: it failed or was deleted.
        :raises dragon.exception.ResourceTimeout: ``[protection]
            image_active_timeout`` passed.
        """
        conf = self.protection
        if self.images is not None:
            return self.images.wait_active(
                image_id, timeout=conf.image_active_timeout,
                resource=resource)
        return glance.wait_active(
            self.clients, image_id, timeout=conf.image_active_timeout,
            interval=conf.poll_interval, resource=resource)


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


def run_prefix(run_id: str) -> str:
    """What the name of every temporary of checkpoint ``run_id`` starts with."""
    return '%s-%s-' % (TEMPORARY_PREFIX, run_id)


def temporary_name(ctx: DataContext, node: Any, what: str) -> str:
    """``dragon-tmp-<checkpoint id>-<what>-<node key>``.

    Deterministic (a run taken over knows the names of what it may have
    made) and unique per checkpoint and resource: node keys are unique in
    a graph, and ``what`` differs between the temporaries of one node.
    """
    return '%s%s-%s' % (run_prefix(ctx.run_id), what, node.key)


def temporary_metadata(ctx: DataContext) -> dict[str, str]:
    """Metadata (properties) marking a temporary as the checkpoint's."""
    return {TEMPORARY_PROPERTY: 'true', TEMPORARY_RUN_PROPERTY: ctx.run_id}


def intend(ctx: DataContext, state: dict, kind: str, name: str) -> str:
    """Record on the row that a ``kind`` named ``name`` is about to exist.

    Called before the create call: an engine killed between the call and
    ``created`` leaves a row naming it, so cleanup finds it by its name.

    :returns: ``name``.
    """
    if kind not in INTENT_KINDS:
        raise ValueError('unknown temporary kind %r' % kind)
    # A new dict, never changed in place: the row's copy of the state is
    # shallow, and another thread may be writing it.
    state[INTENTS] = {**state.get(INTENTS, {}), kind: name}
    ctx.temporaries(state)
    return name


def id_field(kind: str) -> str:
    """The state's key of a temporary's id: ``<kind>_id``."""
    return '%s_id' % kind


def created(ctx: DataContext, state: dict, kind: str, obj_id: str) -> None:
    """Record the id of the ``kind`` just created (``state[<kind>_id]``)."""
    _test_fault(kind)
    state[id_field(kind)] = obj_id
    ctx.temporaries(state)


def _test_fault(kind: str) -> None:
    """TEST ONLY (``FAULT_ENV``): die as ``kill -9`` would, once."""
    value = os.environ.get(FAULT_ENV)
    if not value:
        return
    wanted, _, marker = value.partition(':')
    if wanted != kind or not marker:
        return
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return          # fired already, in this or another engine
    os.kill(os.getpid(), signal.SIGKILL)


def record(action: str, kind: str, **fields: Any) -> dict:
    """A data record with every common field present (empty when no data)."""
    # ``sha256`` (of the whole stream) is null since the manifest feature
    # ``chunk-list-sha256``: ``chunk_list_sha256`` pins the stream.
    result = {'action': action, 'kind': kind, 'size': 0, 'sha256': None,
              'chunk_list_sha256': None,
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
        for step in ('estimate', 'capture', 'prepare', 'transfer'):
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

    def prepare(self, ctx: DataContext, node: Any, state: dict) -> None:
        """Wait until the captured data can be read, making it readable.

        Nova's or Cinder's upload to Glance, a backup finishing: the
        long waits in which no byte reaches the checkpoint.  The workflow
        runs it outside the bounded transfer slots, so one resource's
        upload overlaps another's transfer.  Adds the temporaries it makes
        to ``state`` like ``transfer``; ``transfer`` still works (and
        waits) if it was not called.

        :param state: what ``capture`` returned.
        :raises dragon.exception.DataActionFailed: (or a subclass).
        """
        return None

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

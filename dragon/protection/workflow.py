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

"""One protection run: from a policy's members to a complete checkpoint in Swift.

The flow is a straight line of small steps, each leaving a record that lets
the failure path undo it: discover the resource graph → generate the HOT
template and let Heat validate it (once per identical template and
hour: ``validation``) → create the checkpoint container →
capture every data-carrying resource at one point in time (servers paused
if the policy asks for consistency) → stream the data into the project's
chunk store → remove the temporaries → write ``template.yaml``,
``parameters.json``, ``events.json`` and, last, ``checkpoint.json``.
Any failure leaves status ``error`` with per-resource reasons, no
temporaries and no container (so no manifest).  Whatever the checkpoint
does not carry is in its ``warnings`` (row and manifest); with the policy
option ``strict`` any warning is such a failure.
"""

import concurrent.futures
import datetime
import threading
import time
from typing import Any

from oslo_config import cfg
from oslo_log import log as logging

from dragon.checkpoint import chunks as chunks_mod
from dragon.checkpoint import gc
from dragon.checkpoint import keyring
from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import naming
from dragon.checkpoint import readiness as readiness_mod
from dragon.checkpoint import store
from dragon.cloud import clients as clients_mod
from dragon.cloud import keys
from dragon.common import progress
from dragon.common import timeutils
from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon import exception
from dragon.notifications import notifier
from dragon.protection import consistency
from dragon.protection import data
from dragon.protection.data import backup_chain
from dragon.protection.data import base as data_base
from dragon.protection.data import image_watch
from dragon.protection.data import reuse
from dragon.protection.data import sweep
from dragon.protection import discovery
from dragon.protection import encrypted
from dragon.protection import graph as graph_mod
from dragon.protection import pipeline
from dragon.protection import recorder as rec
from dragon.protection import template as template_mod
from dragon.protection import validation
from dragon.protection import warnings as warnings_mod
from dragon import resource_types
from dragon import statuses
from dragon import version

LOG = logging.getLogger(__name__)

# The statuses of the run's resources and of the run.
RESOURCE = statuses.Resource
STATUS = statuses.Checkpoint

# Tries of the final database write before the run gives up on it (the
# container is complete by then: see Protection._record_available).
FINAL_WRITE_ATTEMPTS = 5


def _notify(send: Any, conf: cfg.ConfigOpts, checkpoint_id: str,
            fallback: Any = None) -> None:
    """``send`` about the checkpoint row as it is now; never raises."""
    notifier.send_current(send, conf, lambda: db_api.checkpoint_get(
        dragon_context.get_admin_context(), checkpoint_id), fallback)


def _member_rows(policy: Any) -> list[dict[str, Any]]:
    return [{'resource_type': m.resource_type, 'resource_id': m.resource_id,
             'resource_name': m.resource_name, 'action': m.action,
             'options': dict(m.options or {})} for m in policy.members]


def _schedule_rows(policy: Any) -> list[dict[str, Any]]:
    """The policy's schedules as a request would give them again: a
    failback at the backup site copies them into its reverse policy.
    """
    return [{'cron': s.cron, 'timezone': s.timezone,
             'enabled': bool(s.enabled),
             'start_at': s.start_at.isoformat() + 'Z' if s.start_at else None,
             'end_at': s.end_at.isoformat() + 'Z' if s.end_at else None,
             'jitter': int(s.jitter or 0),
             'misfire_grace': int(s.misfire_grace or 0)}
            for s in getattr(policy, 'schedules', None) or ()]


class _Step:
    """One data-carrying resource: its node, action, context and state."""

    def __init__(self, node: graph_mod.Node, action: data.DataAction,
                 ctx: data.DataContext) -> None:
        self.node = node
        self.action = action
        self.ctx = ctx
        self.state: dict[str, Any] = {}
        self.record: dict[str, Any] | None = None


class Protection:
    """The run of one checkpoint; ``run()`` never raises.

    :param clients: ``ServiceClients`` of the source region, scoped to the
        checkpoint's project (trust-scoped in the engine).
    """

    def __init__(self, conf: cfg.ConfigOpts, checkpoint: Any, policy: Any,
                 clients: clients_mod.ServiceClients,
                 recorder: rec.RunRecorder, host: str = '') -> None:
        self.conf = conf
        self.checkpoint = checkpoint
        self.policy = policy
        self.clients = clients
        self.recorder = recorder
        self.host = host
        self.steps: list[_Step] = []
        self._failed = threading.Event()
        # The state each data action last recorded (see _temporaries).
        self._live: dict[str, dict[str, Any]] = {}
        # Set once the manifest and completion mark are in Swift: from
        # then on no failure may remove the container (it recovers).
        self._complete = False
        # The servers paused for a consistent point in time, if any.
        self._pause: consistency.Pause | None = None
        # The project's key domain when the policy is encrypted.
        self.domain: Any = None

    # -- the flow
    def run(self) -> bool:
        """Protect; returns whether the checkpoint is ``available``."""
        started = timeutils.utcnow()
        self.recorder.flush(force=True, started_at=started)
        self.recorder.phase(progress.PREPARING)
        self.recorder.event('info', 'protection of policy %s started%s' % (
            self.policy.name, ' on engine %s' % self.host if self.host else ''))
        _notify(notifier.checkpoint_start, self.conf, self.checkpoint.id,
                self.checkpoint)
        writer = None
        try:
            self.open_key_domain()
            graph = self.discover()
            template_yaml, parameters, writer = self.build_template(
                graph, started)
            self.plan(graph)
            try:
                try:
                    self.capture_and_transfer()
                except BaseException as e:
                    self.wait_unpaused(e)
                    raise
                self.wait_unpaused()
            finally:
                self.cleanup_all()
            self.finish(writer, graph, parameters, template_yaml, started)
        except Exception as e:  # noqa: BLE001 - every failure ends the run
            self.fail(e, writer)
            if not (self._complete or
                    isinstance(e, exception.RunTakenOver)):
                _notify(notifier.checkpoint_error, self.conf,
                        self.checkpoint.id, self.checkpoint)
            return False
        _notify(notifier.checkpoint_end, self.conf, self.checkpoint.id,
                self.checkpoint)
        return True

    def open_key_domain(self) -> None:
        """Unwrap the data key of an encrypted policy, first.

        A customer key that cannot be read fails the run here, naming its
        reference, before anything is captured or written.
        """
        encryption = getattr(self.policy, 'encryption', None)
        if not encryption:
            return
        self.domain = keyring.protect_domain(
            self.conf, self.clients.base_session, self.clients.swift(),
            self.clients.region_name, self.checkpoint.project_id, encryption,
            self.policy.id, self.recorder.event)
        self.recorder.event('info', 'data encrypted with data key %s (%s '
                            'scope), wrapped by key %s' % (
                                self.domain.key_id, self.domain.scope,
                                self.domain.wrap_ref))

    def discover(self) -> graph_mod.ResourceGraph:
        # A large policy may warn about each of hundreds of resources:
        # their events are stored in one call at the end.
        with self.recorder.batched():
            graph = discovery.discover(self.clients,
                                       _member_rows(self.policy),
                                       self.recorder.warn)
        counts: dict[str, int] = {}
        for node in graph.nodes():
            kind = node.resource.type.split('::')[-1]
            counts[kind] = counts.get(kind, 0) + 1
        self.recorder.event('info', 'discovered %d resources (%s)' % (
            len(graph), ', '.join('%d %s' % (n, k)
                                  for k, n in sorted(counts.items()))))
        return graph

    def build_template(self, graph: graph_mod.ResourceGraph,
                       started: datetime.datetime
                       ) -> tuple[str, dict[str, Any], store.CheckpointWriter]:
        """The template, validated by Heat, and the checkpoint's container.

        Heat's validation of a large template takes seconds; the
        container is created meanwhile, on a thread of its own, and
        removed again when Heat (or ``strict``) refuses the run.
        """
        with self.recorder.batched():
            template, parameters = template_mod.build(graph,
                                                      self.recorder.warn)
        template_yaml = template_mod.to_yaml(template)
        with concurrent.futures.ThreadPoolExecutor(
                1, thread_name_prefix='container') as pool:
            opening = pool.submit(self.open_container, started)
            try:
                self.validate_template(template, template_yaml)
            except BaseException:
                self._discard_opening(opening)
                raise
            writer = opening.result()
        return template_yaml, parameters, writer

    def _discard_opening(self, opening: concurrent.futures.Future) -> None:
        """Remove the container made while Heat refused the template."""
        try:
            writer = opening.result()
        except Exception:  # noqa: BLE001 - Heat's refusal is the error
            return
        self._discard(writer)

    def _discard(self, writer: Any) -> None:
        """Remove an incomplete container; what is left, gc removes."""
        try:
            writer.discard()
        except Exception as e:  # noqa: BLE001
            self.recorder.event('warning', 'incomplete container %s left '
                                'for gc: %s' % (writer.container,
                                                exception.one_line(e)))

    def validate_template(self, template: dict[str, Any],
                          template_yaml: str) -> None:
        asked = validation.VALIDATED.validate(
            self.clients, template_yaml, template_mod.validate)
        self.recorder.event('info', 'template of %d resources validated by '
                            'Heat in %s%s' % (
                                len(template['resources']),
                                self.clients.region_name,
                                '' if asked else ' (the same template, '
                                'accepted by Heat within the hour)'))
        self.check_strict()     # before any data is taken

    def check_strict(self) -> None:
        """With the policy option ``strict``, any warning fails the run.

        :raises dragon.exception.StrictProtection: naming every warning.
        """
        found = self.recorder.warnings.items()
        if not found or not (self.policy.options or {}).get('strict'):
            return
        for step in self.steps:
            # No checkpoint will reference what transfer made: cleanup
            # removes it all (backups, kept snapshots included).
            step.state.pop('done', None)
        raise exception.StrictProtection(
            warnings=warnings_mod.summary(found))

    def open_container(self, started: datetime.datetime
                       ) -> store.CheckpointWriter:
        swift = self.clients.swift()
        writer = store.CheckpointWriter(swift, self.checkpoint.project_id,
                                        self.policy.id, self.policy.name)
        container = writer.create(started)
        self.recorder.flush(force=True, container=container)
        # After the container exists a new gc run sees this run and waits.
        try:
            gc.check_not_collecting(swift, self.checkpoint.project_id,
                                    gc.stale_mark(self.conf))
        except exception.ChunkGcRunning:
            writer.discard()
            raise
        return writer

    def plan(self, graph: graph_mod.ResourceGraph) -> None:
        chunk_store = chunks_mod.project_store(
            self.clients.swift, self.checkpoint.project_id, self.conf,
            domain=self.domain)
        chunk_store.ensure_container()
        previous = self.previous_records()
        images = image_watch.ImageWatch(
            self.clients, self.conf.protection.image_watch_interval)
        for node in graph.nodes():
            # The Heat type of a node names the resource type whose data
            # action it has (members, and volumes a server brings along).
            resource_type = resource_types.by_heat_type(node.resource.type)
            if resource_type is None or node.action is None:
                continue
            key = node.key
            ctx = data.DataContext(
                clients=self.clients, chunks=chunk_store,
                progress=lambda n, key=key: self.recorder.add_bytes(key, n),
                event=lambda level, msg, key=key: self.recorder.event(
                    level, msg, key),
                options=dict(node.options), conf=self.conf,
                temporaries=lambda state, key=key: self._temporaries(
                    key, state),
                run_id=self.checkpoint.id,
                warn=lambda code, msg, key=key: self.recorder.warn(
                    key, code, msg),
                previous=previous.get((node.resource.type,
                                       node.resource.id)),
                images=images)
            step = _Step(node, data.get(resource_type.name, node.action),
                         ctx)
            self.recorder.track(node, step.action.estimate(ctx, node))
            self.steps.append(step)
        if self.domain is not None:
            encrypted.refuse_clear_actions(self.policy.id,
                                           [s.node for s in self.steps])
        done, total = self.recorder.totals()
        self.recorder.event('info', '%d resources carry data, about %d '
                            'bytes' % (len(self.steps), total))

    def previous_records(self) -> dict[tuple[str, str], reuse.Previous]:
        """The newest available checkpoint's records, by resource.

        What a stopped, unchanged server reuses (``data.reuse``); keyed by
        (Heat type, id), not by node key, which follows a renamed
        resource's name.  A previous checkpoint that cannot be read only
        means nothing is reused.
        """
        if not (self.conf.protection.skip_unchanged_servers and
                any(m.action == 'image_snapshot'
                    for m in self.policy.members)):
            return {}
        newest = db_api.checkpoint_newest_available(
            dragon_context.get_admin_context(), [self.policy.id])
        row = newest.get(self.policy.id)
        if row is None or row.id == self.checkpoint.id or not row.container:
            return {}
        try:
            manifest = store.read_manifest(self.clients.swift(),
                                           row.container, self.domain)
        except Exception as e:  # noqa: BLE001 - only an optimisation lost
            self.recorder.event('warning', 'previous checkpoint %s not read, '
                                'no data is reused: %s' % (
                                    row.id, exception.one_line(e)))
            return {}
        if keyring.domain_id(manifest) != (self.domain and
                                           self.domain.key_id):
            # Another key domain (or clear and encrypted): its chunks are
            # not this run's to reference.
            return {}
        records = manifest.get('data') or {}
        found = {}
        for node in (manifest.get('graph') or {}).get('nodes') or ():
            record = records.get(node['key'])
            if record:
                found[(node['type'], node['id'])] = reuse.Previous(
                    row.id, record)
        return found

    def _temporaries(self, key: str, state: dict[str, Any]) -> None:
        """Record a temporary before it is created and once it exists.

        The name is written at once, before the create call: an engine
        killed right after the call leaves a row naming what it made
        (crash cleanup).  The id that follows is written within a second:
        until then the name finds it.  The live state is kept too, for
        the cleanup of a capture that raised.
        """
        self._live[key] = state
        self.recorder.set(key, temporaries=dict(state))
        about_to_create = any(
            not state.get(data_base.id_field(kind))
            for kind in state.get(data_base.INTENTS) or ())
        self.recorder.flush(force=about_to_create, soon=True)

    def capture_and_transfer(self) -> None:
        """Capture, prepare and transfer every resource, as a pipeline.

        All captures start at once (``[protection] parallel_captures`` at a
        time), so the policy's snapshots are taken together; each resource
        then waits for its data to be readable (Nova's or Cinder's upload)
        and is transferred as soon as it is (``parallel_resources`` at a
        time), while other resources are still being captured or uploaded
        (``pipeline``).  Paused servers (``consistent``) are released once
        every capture is taken, not after any upload or transfer.
        """
        # What the RPO counts from: nothing written after this instant is
        # sure to be in the checkpoint.
        self.recorder.flush(force=True, captured_at=timeutils.utcnow())
        self.recorder.phase(progress.CAPTURING, len(self.steps))
        conf = self.conf.protection
        servers = [s.node for s in self.steps
                   if s.node.member and s.node.resource.type ==
                   'OS::Nova::Server']
        if self.policy.options.get('consistent') and servers:
            self._pause = consistency.Pause(
                self.clients.connection.compute, servers,
                self.recorder.event, poll=min(conf.poll_interval, 0.5),
                timeout=conf.pause_timeout,
                busy_timeout=conf.image_active_timeout)
            self._pause.pause()
        # Transfers done while the phase still counts captures.
        self._early = 0
        stages = [
            pipeline.Stage('capture', self._capture, conf.parallel_captures,
                           all_done=self._captured),
            pipeline.Stage('prepare', self._prepare, conf.parallel_captures),
            pipeline.Stage('transfer', self._transfer,
                           conf.parallel_resources, done=self._transferred),
        ]
        try:
            pipeline.run(self.steps, stages, on_error=self._stop)
        except BaseException:
            self._release()
            raise
        self.check_strict()     # before cleanup, which then removes all

    def _release(self) -> None:
        """Start unpausing the paused servers (at most once)."""
        if self._pause is not None:
            # Unpaused as soon as Nova lets it (it refuses while it still
            # uploads a snapshot), while the transfers go on.
            self._pause.release()

    def _stop(self, error: BaseException) -> None:
        """The first failure: no new transfer, paused servers released."""
        self._failed.set()
        self._release()

    def _captured(self) -> None:
        """Every capture taken: the point in time is fixed."""
        self._release()
        self.recorder.event('info', 'point in time captured')
        self.recorder.phase(progress.TRANSFERRING, len(self.steps))
        for _ in range(self._early):
            self.recorder.advance()
        self._early = -1

    def _transferred(self, step: _Step) -> None:
        if self._early < 0:
            self.recorder.advance()
        else:
            self._early += 1

    def wait_unpaused(self, error: BaseException | None = None) -> None:
        """Wait for the servers ``capture_and_transfer`` paused to be back.

        :param error: the transfers' failure, named with the servers.
        :raises dragon.exception.ServersLeftPaused: one did not come back.
        """
        if self._pause is not None:
            self._pause.wait(error)

    def _capture(self, step: _Step) -> None:
        self.recorder.status(step.node.key, RESOURCE.CAPTURING)
        try:
            step.state = step.action.capture(step.ctx, step.node)
        except Exception as e:
            self.recorder.status(step.node.key, RESOURCE.ERROR,
                                 exception.one_line(e))
            raise
        # On the row, so an engine that dies mid-run leaves a record
        # the next start cleans up from (cleanup_orphan).
        self.recorder.set(step.node.key, temporaries=dict(step.state))
        self.recorder.advance()

    def _prepare(self, step: _Step) -> None:
        """Wait until the captured data is readable.

        Outside the transfer slots: a Nova upload does not hold one.
        """
        if self._failed.is_set():
            return
        key = step.node.key
        self.recorder.status(key, RESOURCE.TRANSFERRING)
        try:
            step.action.prepare(step.ctx, step.node, step.state)
        except Exception as e:
            self.recorder.status(key, RESOURCE.ERROR, exception.one_line(e))
            raise
        finally:
            self.recorder.set(key, temporaries=dict(step.state))

    def _transfer(self, step: _Step) -> None:
        try:
            self._transfer_one(step)
        finally:
            # Transfer adds its own temporaries (volumes, images) to state.
            self.recorder.set(step.node.key, temporaries=dict(step.state))

    def _transfer_one(self, step: _Step) -> None:
        key = step.node.key
        if self._failed.is_set():
            self.recorder.status(key, RESOURCE.ERROR,
                                 'not transferred: another resource failed')
            return
        self.recorder.status(key, RESOURCE.TRANSFERRING)
        try:
            step.record = step.action.transfer(step.ctx, step.node,
                                               step.state)
        except Exception as e:
            self._failed.set()
            self.recorder.status(key, RESOURCE.ERROR, exception.one_line(e))
            LOG.exception("checkpoint %s: transfer of %s failed",
                          self.checkpoint.id, key)
            raise
        self.recorder.status(key, RESOURCE.DONE)
        if step.record.get('kind') == 'none':
            # Nothing moved (template_only): its status says it all, and an
            # event row per resource is what made 300-server policies slow.
            return
        if step.record.get('reused_from'):
            self.recorder.event('info', '%s: %d bytes of checkpoint %s '
                                'referenced (stopped server, unchanged), '
                                '0 uploaded' % (
                                    step.record.get('kind'),
                                    step.record.get('size') or 0,
                                    step.record['reused_from']), key)
            return
        self.recorder.event('info', '%s: %d bytes, %d uploaded, %d chunks '
                            'reused, %d zero' % (
                                step.record.get('kind'),
                                step.record.get('size') or 0,
                                step.record.get('uploaded_bytes') or 0,
                                step.record.get('reused_chunks') or 0,
                                step.record.get('zero_chunks') or 0), key)

    def cleanup_all(self) -> None:
        self.recorder.phase(progress.FINISHING)
        for step in self.steps:
            # A capture that raised returned no state: what it recorded.
            state = step.state or self._live.get(step.node.key) or {}
            try:
                step.action.cleanup(step.ctx, step.node, state)
                # A create call whose answer was lost: found by its name.
                sweep.unrecorded(step.ctx, step.node, state)
                self.recorder.set(step.node.key, temporaries={})
            except Exception as e:  # noqa: BLE001 - report, keep cleaning
                self.recorder.event(
                    'warning', 'temporary left behind: %s' % exception.one_line(e),
                    step.node.key)

    def finish(self, writer: store.CheckpointWriter,
               graph: graph_mod.ResourceGraph, parameters: dict[str, Any],
               template_yaml: str, started: datetime.datetime) -> None:
        records = {s.node.key: s.record for s in self.steps}
        stats = {
            'uploaded_bytes': sum(r.get('uploaded_bytes') or 0
                                  for r in records.values()),
            'reused_chunks': sum(r.get('reused_chunks') or 0
                                 for r in records.values()),
            'zero_chunks': sum(r.get('zero_chunks') or 0
                               for r in records.values()),
            'stored_bytes': sum(r.get('size') or 0 for r in records.values()),
            'reused_records': sum(bool(r.get('reused_from'))
                                  for r in records.values()),
            'api_calls': dict(self.clients.calls),
            # Engines that died running it before this one finished it.
            'takeovers': int((self.checkpoint.stats or {}).get(
                'takeovers') or 0),
        }
        finished = timeutils.utcnow()
        warnings = self.recorder.warnings.items()
        self.recorder.event('info', 'checkpoint complete: %d bytes of data, '
                            '%d uploaded%s' % (
                                stats['stored_bytes'],
                                stats['uploaded_bytes'],
                                ', %d warning(s)' % len(warnings)
                                if warnings else ''))
        manifest = manifest_mod.build(
            checkpoint_id=self.checkpoint.id,
            project_id=self.checkpoint.project_id,
            policy={'id': self.policy.id, 'name': self.policy.name,
                    'description': self.policy.description,
                    'options': dict(self.policy.options or {}),
                    'members': _member_rows(self.policy),
                    'schedules': _schedule_rows(self.policy)},
            source_region=self.clients.region_name,
            graph=graph.to_dict(), data=records, parameters=parameters,
            chunk_container=naming.chunk_container(self.checkpoint.project_id),
            chunk_size=self.conf.checkpoint.chunk_size_mib * 1024 * 1024,
            started_at=started.isoformat() + 'Z',
            finished_at=finished.isoformat() + 'Z',
            dragon_version=version.version_string(), stats=stats,
            warnings=warnings)
        writer.finish(manifest, template_yaml, self.recorder.events,
                      self.domain, keyring.key_refs(
                          self.policy.encryption, self.clients.region_name)
                      if self.domain else None)
        self._complete = True
        self._record_available(finished, stats)
        self.record_readiness(writer.container)

    def record_readiness(self, container: str) -> None:
        """Whether each recovery region could open this checkpoint now.

        Measured with the owner's trust, as a recovery there would (the
        key the checkpoint names for the region must read and unwrap its
        data key), and kept on the policy: ``dragon-status`` has no way to
        read a project's keys itself.  Never fails the run, which is
        complete: a key manager that does not answer is recorded as such.
        """
        if self.domain is None:
            return
        try:
            swift = self.clients.swift()
            newest = (container, store.read_manifest(swift, container))
            session = self.clients.base_session
            regions, ready = readiness_mod.readiness(
                lambda region, ref: keys.read_customer_key(
                    session, region, ref, self.conf),
                self.clients.region_name, self.policy.encryption, newest)
            db_api.workload_policy_set_readiness(
                dragon_context.get_admin_context(), self.policy.id,
                readiness_mod.stored(regions, ready,
                                     readiness_mod.BY_PROTECTION))
        except Exception as e:  # noqa: BLE001 - the checkpoint is done
            LOG.warning("checkpoint %s: DR readiness of policy %s not "
                        "recorded: %s", self.checkpoint.id, self.policy.id,
                        exception.one_line(e))
            return
        if not ready:
            LOG.warning("policy %s is not DR-ready after checkpoint %s: %s",
                        self.policy.id, self.checkpoint.id, '; '.join(
                            '%s: %s' % (region, state['reason'])
                            for region, state in sorted(regions.items())
                            if state['reason']) or 'no recovery region key')

    def _record_available(self, finished: datetime.datetime,
                          stats: dict[str, Any]) -> None:
        """The final write, retried through a short database outage.

        The container is complete whatever happens here: if the database
        stays away, the row keeps ``protecting`` and the engines reconcile
        it from Swift when it is back (``reconcile``).
        """
        for attempt in range(FINAL_WRITE_ATTEMPTS):
            try:
                self.recorder.flush(force=True, status=STATUS.AVAILABLE,
                                    error=None, finished_at=finished,
                                    stats=stats)
                return
            except exception.RunTakenOver:
                raise
            except Exception:  # noqa: BLE001 - retried, then reconciled
                if attempt == FINAL_WRITE_ATTEMPTS - 1:
                    raise
                LOG.warning("checkpoint %s: final status not stored yet "
                            "(attempt %d); retrying", self.checkpoint.id,
                            attempt + 1)
                time.sleep(min(2 ** attempt, 10))

    def fail(self, error: BaseException,
             writer: store.CheckpointWriter | None) -> None:
        if isinstance(error, exception.RunTakenOver):
            # Another engine owns the run now: write nothing, leave its
            # container and temporaries to the new owner's cleanup.
            LOG.warning("checkpoint %s: %s", self.checkpoint.id, error)
            return
        if self._complete:
            # The checkpoint is in Swift, whole: only the database missed
            # it. Never delete it; the engines reconcile the row.
            LOG.error("checkpoint %s is complete in Swift (%s) but its "
                      "row could not be updated: %s; it is reconciled "
                      "when the database answers", self.checkpoint.id,
                      writer.container if writer else '?', error)
            return
        reason = exception.one_line(error)
        if not isinstance(error, exception.DragonException):
            LOG.error("checkpoint %s failed", self.checkpoint.id,
                      exc_info=error)
        self.recorder.event('error', 'protection failed: %s' % reason)
        for entry in self.recorder.resources():
            if entry['status'] in (RESOURCE.PENDING, RESOURCE.CAPTURING,
                                   RESOURCE.TRANSFERRING):
                self.recorder.status(entry['key'], RESOURCE.ERROR,
                                     'not completed: %s' % reason)
        if writer is not None and not self._complete:
            self._discard(writer)
        try:
            self.recorder.flush(force=True, status=STATUS.ERROR, error=reason,
                                finished_at=timeutils.utcnow())
        except exception.RunTakenOver as e:
            LOG.warning("checkpoint %s: %s", self.checkpoint.id, e)


def _trust_clients(conf: cfg.ConfigOpts, checkpoint: Any
                   ) -> clients_mod.ServiceClients:
    from dragon import identity
    session = identity.trust_session(conf, checkpoint.trust_id)
    return clients_mod.ServiceClients(session, conf.engine.region_name,
                                      conf)


def run(conf: cfg.ConfigOpts, checkpoint_id: str, host: str = '') -> bool:
    """Protect checkpoint ``checkpoint_id`` (already claimed by ``host``).

    :returns: whether the checkpoint became ``available``.
    """
    context = dragon_context.get_admin_context()
    checkpoint = db_api.checkpoint_get(context, checkpoint_id)
    recorder = rec.RunRecorder(context, checkpoint_id, claim=checkpoint.claim)
    try:
        policy = db_api.workload_policy_get(context, checkpoint.policy_id)
        clients = _trust_clients(conf, checkpoint)
    except Exception as e:  # noqa: BLE001 - the row must leave 'protecting'
        LOG.warning("checkpoint %s cannot start: %s", checkpoint_id, e)
        recorder.event('error', 'protection cannot start: %s' % exception.one_line(e))
        recorder.flush(force=True, status=STATUS.ERROR,
                       error=exception.one_line(e),
                       finished_at=timeutils.utcnow())
        _notify(notifier.checkpoint_error, conf, checkpoint_id, checkpoint)
        return False
    return Protection(conf, checkpoint, policy, clients, recorder,
                      host).run()


def _unpause_left(conf: cfg.ConfigOpts, context: Any,
                  clients: clients_mod.ServiceClients,
                  recorder: rec.RunRecorder, checkpoint_id: str,
                  resources: list[dict[str, Any]]) -> None:
    """Unpause the servers the dead run paused for its point in time.

    A consistent protection whose engine is killed between pausing its
    servers and releasing them would leave production servers paused for
    good.  Only servers its own events show paused and not unpaused are
    touched, and only while they are still ``PAUSED``.
    """
    events = db_api.checkpoint_event_get_all(context, checkpoint_id)
    keys = consistency.left_paused((e.resource, e.message) for e in events)
    ids = {r.get('key'): r.get('id') for r in resources}
    group = conf.protection
    for key in keys:
        server_id = ids.get(key)
        if not server_id:
            recorder.event('warning', 'paused by the interrupted run, but '
                           'its id was not recorded: check it is running',
                           key)
            continue
        try:
            if consistency.unpause_if_paused(
                    clients.connection.compute, server_id,
                    min(group.poll_interval, 0.5), group.pause_timeout,
                    group.image_active_timeout):
                recorder.event('warning', 'unpaused: the run that paused it '
                               'stopped with its engine', key)
        except Exception as e:  # noqa: BLE001 - named, cleanup goes on
            recorder.event('error', 'paused by the interrupted run and '
                           'could not be unpaused: %s; unpause it by hand'
                           % exception.one_line(e), key)


def cleanup_orphan(conf: cfg.ConfigOpts, checkpoint_id: str) -> None:
    """Remove what a run that died with its engine left: temporaries, container.

    Called for checkpoints failed as orphans and by the takeover of a
    protection, while their trust still works.  The temporaries are those
    the sweep finds by the names recorded before each create call and by
    the checkpoint's name prefix and property (``data.sweep``: an engine
    killed between a create call and its row write leaves no id), then
    what the ids the run recorded on the row still name; the container
    goes unless it is complete.
    """
    context = dragon_context.get_admin_context()
    checkpoint = db_api.checkpoint_get(context, checkpoint_id)
    resources = list(checkpoint.resources or ())
    leftovers = [r for r in resources if r.get('temporaries')]
    if not resources and not checkpoint.container:
        return
    recorder = rec.RunRecorder(context, checkpoint_id)
    clients = _trust_clients(conf, checkpoint)
    _unpause_left(conf, context, clients, recorder, checkpoint_id, resources)
    if _interrupted(resources):
        # First: it removes across resources in dependency order (images,
        # volumes, then their snapshots), recorded or not.
        _sweep_orphan(conf, clients, recorder, checkpoint, resources)
    for entry in leftovers:
        node = graph_mod.Node(entry['key'], graph_mod.Resource(
            entry['type'], entry['id'], entry.get('name') or ''),
            action=entry['action'])
        ctx = data.DataContext(clients=clients, chunks=None, conf=conf)
        try:
            resource_type = resource_types.by_heat_type(entry['type'])
            data.get(resource_type.name if resource_type else entry['type'],
                     entry['action']).cleanup(ctx, node,
                                              entry['temporaries'])
            recorder.event('info', 'temporaries of the interrupted run '
                           'removed', entry['key'])
        except Exception as e:  # noqa: BLE001 - report, keep cleaning
            recorder.event('warning', 'temporaries of the interrupted run '
                           'left behind: %s' % exception.one_line(e), entry['key'])
    if checkpoint.container:
        swift = clients.swift()
        meta = store.container_metadata(swift, checkpoint.container)
        if meta is not None and not meta.get(store.COMPLETE):
            store.delete(swift, checkpoint.container)
            recorder.event('info', 'incomplete container %s removed'
                           % checkpoint.container)


def _interrupted(resources: list[dict[str, Any]]) -> bool:
    """Whether the run died with temporaries possibly made.

    A run that ended (``available``, or ``error`` after its own cleanup)
    cleared every resource's temporaries and left none mid-step: what of
    it still carries the checkpoint's id was kept on purpose
    (``keep_snapshot``, ``keep_image``) and is not swept -- for instance
    when the engine deleting the checkpoint died.
    """
    return any(r.get('temporaries') or r.get('status') in (
        RESOURCE.PENDING, RESOURCE.CAPTURING, RESOURCE.TRANSFERRING)
        for r in resources)


def _sweep_orphan(conf: cfg.ConfigOpts, clients: Any, recorder: Any,
                  checkpoint: Any, resources: list[dict[str, Any]]) -> None:
    """The temporaries of a dead run its recorded ids did not name."""
    names = sweep.intended(r.get('temporaries') for r in resources)
    try:
        found = sweep.find(clients, checkpoint.id, names, by_prefix=True,
                           project_id=checkpoint.project_id,
                           spare={r['id'] for r in resources if r.get('id')})
    except Exception as e:  # noqa: BLE001 - report, the container is next
        recorder.event('warning', 'temporaries of the interrupted run not '
                       'looked for: %s' % exception.one_line(e))
        return
    removed, errors = sweep.remove(clients, conf, found,
                                   'checkpoint %s' % checkpoint.id)
    for item in removed:
        recorder.event('info', 'temporary %s %s (%s) of the interrupted run '
                       'removed' % (item.kind, item.id, item.name))
    for error in errors:
        recorder.event('warning', 'temporary of the interrupted run left '
                       'behind: %s' % error)


def release_backups(conf: cfg.ConfigOpts, clients: Any,
                    checkpoint: Any) -> None:
    """Delete the cinder-backup backups of a checkpoint being deleted.

    Before its container: the manifest names them.  A backup later
    incrementals depend on is marked and deleted with its last dependent
    (``data.backup_chain``).  A container without a manifest (a failed
    run) references no backup: its run's cleanup deleted it.

    :raises dragon.exception.DragonException: a backup could not be
        deleted; the checkpoint stays, to be deleted again.
    """
    try:
        manifest = store.read_manifest(clients.swift(), checkpoint.container)
    except exception.RecoveryPointNotFound:
        return
    if manifest_mod.is_envelope(manifest):
        # Encrypted: it references no backup (encrypted.CLEAR_ACTIONS).
        return
    for line in backup_chain.release_checkpoint(clients, conf, manifest):
        LOG.info("checkpoint %s: %s", checkpoint.id, line)


def delete(conf: cfg.ConfigOpts, checkpoint_id: str, host: str = '') -> None:
    """Remove a checkpoint's backups, container, then its row (``deleting``).

    Chunks stay until the next gc pass: another checkpoint may share them.
    """
    context = dragon_context.get_admin_context()
    checkpoint = db_api.checkpoint_get(context, checkpoint_id)
    if checkpoint.container:
        clients = _trust_clients(conf, checkpoint)
        release_backups(conf, clients, checkpoint)
        from dragon.replication import engine as replication
        replication.delete_copy(conf, clients, checkpoint)
        store.delete(clients.swift(), checkpoint.container)
    db_api.checkpoint_delete(context, checkpoint_id)
    notifier.checkpoint_deleted(conf, checkpoint)

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

"""A checkpoint relaunched as a new Heat stack in the target region.

The ``Recovery`` of a failover, of a drill, and of a failback's recovery
at home.  Everything that can be checked without creating anything comes
first (manifest format, selection, mappings), so a bad request fails
before the target is touched.  Then the data is restored (images and
volume bytes streamed from the chunk store into the target's Glance,
verified chunk by chunk), the template is rewritten and validated by the
target's Heat, and the stack is created and watched until its servers are
ACTIVE.  The RTO is measured from the start of the run to that moment.  A
drill then tears everything down again and records its RTO on the policy.

Only Swift and the target region are used: the primary site may be gone,
and this Dragon's database may never have seen the checkpoint.

``trust_clients`` and ``notify`` are the run's own, and the entry points
(``workflow``) and the takeovers (``takeover``) reach the target region
and send their notifications with the same two.
"""

import concurrent.futures
import threading
import time
from typing import Any

from oslo_config import cfg
from oslo_log import log as logging

from dragon.checkpoint import chunks as chunks_mod
from dragon.checkpoint import keyring
from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import naming
from dragon.checkpoint import store
from dragon.cloud import clients as clients_mod
from dragon.common import progress
from dragon.common import timeutils
from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon import exception
from dragon.notifications import notifier
from dragon.protection import graph as graph_mod
from dragon.protection import recorder as rec
from dragon.recovery import early_stack
from dragon.recovery import mappings as mappings_mod
from dragon.recovery import modes
from dragon.recovery import restore as restore_mod
from dragon.recovery import rewrite as rewrite_mod
from dragon.recovery import selection
from dragon.recovery import source
from dragon.recovery import stack as stack_mod
from dragon import statuses

LOG = logging.getLogger(__name__)

# The statuses of the run's resources and of the run.
RESOURCE = statuses.Resource
STATUS = statuses.Recovery

SERVER = 'OS::Nova::Server'


def trust_clients(conf: cfg.ConfigOpts, recovery: Any
                  ) -> clients_mod.ServiceClients:
    """The target region's clients, with the recovery's trust."""
    from dragon import identity
    session = identity.trust_session(conf, recovery.trust_id)
    return clients_mod.ServiceClients(session, recovery.target_region,
                                      conf)


def notify(send: Any, conf: cfg.ConfigOpts, recovery_id: str,
           fallback: Any = None) -> None:
    """``send`` about the recovery row as it is now; never raises."""
    notifier.send_current(send, conf, lambda: db_api.recovery_get(
        dragon_context.get_admin_context(), recovery_id), fallback)


def record_drill(recovery: Any, rto: float | None, status: str) -> None:
    """The policy's ``last_drill``, when this site's database has the policy."""
    policy_id = getattr(recovery, 'policy_id', None)
    if not policy_id:
        return
    try:
        db_api.workload_policy_set_last_drill(
            dragon_context.get_admin_context(), policy_id, {
                'recovery_id': recovery.id, 'status': status,
                'at': timeutils.utcnow().isoformat() + 'Z',
                'rto_seconds': rto})
    except exception.PolicyNotFound:
        # The policy lives in another site's database (or is gone).
        pass


class Recovery:
    """The run of one recovery; ``run()`` never raises.

    :param clients: ``ServiceClients`` of the **target** region, scoped to
        the recovery's project.
    """

    def __init__(self, conf: cfg.ConfigOpts, recovery: Any,
                 clients: clients_mod.ServiceClients,
                 recorder: rec.RunRecorder, host: str = '') -> None:
        self.conf = conf
        self.recovery = recovery
        self.clients = clients
        self.recorder = recorder
        self.host = host
        self.restored: dict[str, dict[str, Any]] = {}
        self._restored_lock = threading.Lock()
        self.stack_id: str | None = None
        # Set when launch() starts: a stack failing from then on is Heat's
        # failure (kept for diagnosis); before, only the early part of the
        # stack exists (early_stack) and goes with the failed restore.
        self._launching = False
        # The checkpoint's template (text) and parameter index, read once.
        self._template_source: tuple[Any, Any] | None = None
        self._failed = threading.Event()
        self._started = time.monotonic()
        # An encrypted checkpoint's key domain, unwrapped in the target
        # region by prepare().
        self.domain: Any = None
        # Makes Swift connections to the store holding the checkpoint
        # (chosen by prepare(): the target region's, else this site's).
        self._checkpoint_swift: Any = None

    @classmethod
    def from_row(cls, conf: cfg.ConfigOpts, recovery: Any,
                 clients: clients_mod.ServiceClients,
                 recorder: rec.RunRecorder, host: str = '') -> 'Recovery':
        """The run as its row recorded it: the stack and the restored data
        it made, for ``teardown()`` (a delete, a takeover's cleanup).
        """
        run_ = cls(conf, recovery, clients, recorder, host)
        run_.stack_id = recovery.stack_id
        run_.restored = dict(recovery.restored or {})
        return run_

    @property
    def drill(self) -> bool:
        return self.recovery.mode == modes.DRILL

    @property
    def template_mode(self) -> str:
        """How mappings and the template are made: a failback's recovery
        at home is a failover's (same networks by name, nothing recreated).
        """
        return (modes.FAILOVER if self.recovery.mode == modes.FAILBACK
                else self.recovery.mode)

    def swift(self) -> Any:
        """A Swift connection to the store that holds the checkpoint."""
        return (self._checkpoint_swift or self.clients.swift)()

    # -- the flow
    def run(self) -> bool:
        started_at = timeutils.utcnow()
        self.recorder.flush(force=True, started_at=started_at)
        self.recorder.phase(progress.PREPARING)
        self.recorder.event('info', '%s of %s into %s started%s' % (
            self.recovery.mode, self.recovery.recovery_point,
            self.recovery.target_region,
            ' on engine %s' % self.host if self.host else ''))
        # A failback's recovery at home is one step of a run with a window,
        # which dragon.recovery.workflow notifies (modes.WINDOWED).
        notifies = self.recovery.mode not in modes.WINDOWED
        if notifies:
            notify(notifier.recovery_start, self.conf, self.recovery.id,
                   self.recovery)
        try:
            manifest, graph, keys, values = self.prepare()
            self.start_early_stack(manifest, keys, values)
            self.restore_all(manifest, graph, keys)
            template, params = self.rewrite(manifest, keys, values)
            self.launch(manifest, template, params)
            rto = time.monotonic() - self._started
            self.recorder.event('info', 'workload running in %s: RTO %.1f s'
                                % (self.recovery.target_region, rto))
            self.recorder.flush(force=True, rto_seconds=rto)
            if self.drill:
                self.recorder.phase(progress.VERIFYING)
                self.verify_restored(manifest)
                self.recorder.phase(progress.TEARING_DOWN)
                self.teardown()
                self.recorder.flush(force=True, torn_down=True)
                record_drill(self.recovery, rto, STATUS.SUCCEEDED)
            if self.recovery.mode == modes.FAILBACK:
                # The window stays open until the user commits or rolls
                # back (dragon.recovery.failback.finish).
                self.recorder.flush(force=True,
                                    status=STATUS.AWAITING_COMMIT,
                                    error=None)
            else:
                self.recorder.flush(force=True, status=STATUS.SUCCEEDED,
                                    error=None,
                                    finished_at=timeutils.utcnow())
        except Exception as e:  # noqa: BLE001 - every failure ends the run
            self.fail(e)
            if notifies:
                notify(notifier.recovery_error, self.conf, self.recovery.id,
                       self.recovery)
            return False
        if notifies:
            notify(notifier.recovery_end, self.conf, self.recovery.id,
                   self.recovery)
        return True

    def prepare(self) -> tuple[dict, graph_mod.ResourceGraph, set, dict]:
        """Read and check everything; nothing is created in the target."""
        # An encrypted checkpoint's key is read in the target region first:
        # a key that cannot be read fails here, before anything is made.
        self._checkpoint_swift = source.checkpoint_swift(
            self.conf, self.clients, self.recovery.recovery_point,
            self.recorder.event)
        manifest = store.read_manifest(self.swift(),
                                       self.recovery.recovery_point)
        if manifest_mod.is_envelope(manifest):
            manifest, self.domain = keyring.open_envelope(
                self.conf, self.clients.base_session,
                self.clients.region_name, manifest,
                self.recovery.recovery_point)
            self.recorder.event('info', 'checkpoint decrypted with key %s '
                                'of region %s' % (
                                    manifest['encryption']['key_refs'][
                                        self.clients.region_name],
                                    self.clients.region_name))
        if manifest['project_id'] != self.clients.project_id:
            raise exception.RecoveryPointNotFound(
                container=self.recovery.recovery_point,
                missing='a checkpoint of this project')
        graph = graph_mod.ResourceGraph.from_dict(manifest['graph'])
        keys = selection.select(graph, list(self.recovery.resources or ()))
        values = mappings_mod.resolve(manifest, self.clients,
                                      dict(self.recovery.mappings or {}),
                                      keys, mode=self.template_mode)
        self.recorder.event('info', 'checkpoint of policy %s from %s taken '
                            '%s: %d of %d resources selected, mappings '
                            'resolved' % (
                                manifest['policy']['name'],
                                manifest['source_region'],
                                manifest['finished_at'], len(keys),
                                len(graph)))
        # What the checkpoint does not carry, said again where it is
        # recovered (the backup site may have no database row): one line
        # per warning, hundreds for a large policy, stored in one call.
        with self.recorder.batched():
            for warning in manifest_mod.warnings(manifest):
                if warning.get('resource') in (None, *keys):
                    self.recorder.event('warning', 'the checkpoint does not '
                                        'carry everything: %s' %
                                        warning.get('message'),
                                        warning.get('resource'))
        for node in graph.nodes():
            record = manifest['data'].get(node.key)
            if node.key in keys and (record or node.resource.type == SERVER):
                self.recorder.track(
                    node, restore_mod.estimate(record) if record else 0)
        self.recorder.flush(force=True, policy_id=manifest['policy']['id'],
                            policy_name=manifest['policy']['name'])
        return manifest, graph, keys, values

    @staticmethod
    def data_work(manifest: dict, keys: set) -> dict[str, dict]:
        """``{key: data record}`` of what the restore puts back."""
        return {key: record for key, record in manifest['data'].items()
                if key in keys and record.get('kind') not in (None, 'none')}

    def start_early_stack(self, manifest: dict, keys: set,
                          values: dict) -> None:
        """The stack's resources that need no restored data, created now.

        ``[recovery] early_stack`` (``dragon.recovery.early_stack``).  An
        early part that cannot be prepared (the rewrite with placeholders
        fails, Heat finds the part invalid) only means the stack is made
        in one piece after the restore, as with the option off.
        """
        work = self.data_work(manifest, keys)
        if not work or not self.conf.recovery.early_stack:
            return
        try:
            template, params = self._rewritten(
                manifest, keys, values, early_stack.placeholders(work))
            first = early_stack.split(template, params, work)
            if first is not None:
                stack_mod.validate(self.clients, first[0])
        except Exception as e:  # noqa: BLE001 - the one-piece path remains
            self.recorder.event('info', 'the stack is made in one piece '
                                'once the data is restored: its part that '
                                'needs no data could not be prepared (%s)'
                                % exception.one_line(e))
            return
        if first is None:
            return
        name = self._stack_name(manifest)
        self.recorder.flush(force=True, stack_name=name)
        self.stack_id = stack_mod.create(self.clients, name, first[0],
                                         first[1], self._timeout())
        self.recorder.flush(force=True, stack_id=self.stack_id,
                            stack_name=name)
        early = first[0]['resources']
        self.recorder.event('info', 'stack %s (%s) created with the %d '
                            'resources that need no restored data (%s) '
                            'while the data is restored; the others follow '
                            'once it is' % (
                                name, self.stack_id, len(early),
                                ', '.join(sorted(early))[:300]))

    def restore_all(self, manifest: dict, graph: graph_mod.ResourceGraph,
                    keys: set) -> None:
        chunk_store = chunks_mod.project_store(
            self.swift, manifest['project_id'], self.conf,
            domain=self.domain)
        # Largest first: the pool's last restore to finish is then a small
        # one, not a large one started after the small ones.
        work = sorted(self.data_work(manifest, keys).items(),
                      key=lambda item: -restore_mod.estimate(item[1]))
        self.recorder.phase(progress.RESTORING, len(work))
        with concurrent.futures.ThreadPoolExecutor(
                self.conf.recovery.parallel_restores) as pool:
            futures = [pool.submit(self._restore, chunk_store, manifest,
                                   graph.get(key), record)
                       for key, record in work]
            errors = [f.exception() for f in futures if f.exception()]
        if errors:
            raise errors[0]
        if work:
            self.recorder.event('info', 'data of %d resources restored'
                                % len(work))

    def _restore(self, chunk_store: Any, manifest: dict,
                 node: graph_mod.Node, record: dict) -> None:
        key = node.key
        if self._failed.is_set():
            self.recorder.status(key, RESOURCE.ERROR,
                                 'not restored: another resource failed')
            return
        self.recorder.status(key, RESOURCE.TRANSFERRING)
        ctx = restore_mod.RestoreContext(
            clients=self.clients, chunks=chunk_store,
            progress=lambda n: self.recorder.add_bytes(key, n),
            event=lambda level, msg: self.recorder.event(level, msg, key),
            conf=self.conf, recovery_id=self.recovery.id,
            checkpoint_time=manifest['started_at'],
            checkpoint=self.recovery.recovery_point,
            name_prefix=(self.recovery.mappings or {}).get('name_prefix')
            or '')
        try:
            result = restore_mod.restore(ctx, key, record, node=node)
        except Exception as e:
            self._failed.set()
            self.recorder.status(key, RESOURCE.ERROR, exception.one_line(e))
            raise
        with self._restored_lock:
            self.restored[key] = result
        self.recorder.set(key, target_id=result.get('image_id') or
                          result.get('volume_id') or result.get('target_id'))
        self.recorder.flush(force=True, restored=dict(self.restored))
        self.recorder.status(key, RESOURCE.RESTORED)
        self.recorder.advance()

    def _rewritten(self, manifest: dict, keys: set, values: dict,
                   restored: dict) -> tuple[dict, dict]:
        """The checkpoint's template rewritten with ``restored``."""
        if self._template_source is None:
            self._template_source = store.read_template(
                self.swift(), self.recovery.recovery_point, self.domain)
        template_yaml, index = self._template_source
        mappings = dict(self.recovery.mappings or {})
        return rewrite_mod.rewrite(
            template_yaml, index, values, restored, keys,
            self.template_mode, mappings.get('name_prefix') or '',
            graph=manifest['graph'])

    def rewrite(self, manifest: dict, keys: set,
                values: dict) -> tuple[dict, dict]:
        template, params = self._rewritten(manifest, keys, values,
                                           self.restored)
        stack_mod.validate(self.clients, template)
        self.recorder.event('info', 'template rewritten for %s and validated'
                            % self.recovery.target_region)
        return template, params

    def _stack_name(self, manifest: dict) -> str:
        return stack_mod.stack_name(
            manifest['policy']['name'],
            naming.parse(self.recovery.recovery_point).time,
            (self.recovery.mappings or {}).get('name_prefix') or
            ('drill-' if self.drill else ''))

    def _timeout(self) -> float:
        return self.recovery.timeout or self.conf.recovery.stack_timeout

    def _wait_stack(self, action: str) -> str:
        return stack_mod.wait(
            self.clients, self.stack_id, self._timeout(),
            self._stack_progress,
            interval=self.conf.recovery.stack_poll_interval, action=action)

    def launch(self, manifest: dict, template: dict, params: dict) -> None:
        """The whole stack: created, or the early part updated to it."""
        name = self._stack_name(manifest)
        self.recorder.phase(progress.LAUNCHING)
        self._launching = True
        if self.stack_id:
            self._wait_stack('CREATE')
            stack_mod.update(self.clients, name, self.stack_id, template,
                             params, self._timeout())
            self.recorder.event('info', 'stack %s updated with the %d '
                                'resources of the template' % (
                                    name, len(template.get('resources')
                                              or {})))
            action = 'UPDATE'
        else:
            # Named before it exists: an engine that dies between Heat's
            # answer and the next write leaves a stack its successor finds
            # by name.
            self.recorder.flush(force=True, stack_name=name)
            self.stack_id = stack_mod.create(self.clients, name, template,
                                             params, self._timeout())
            self.recorder.flush(force=True, stack_id=self.stack_id,
                                stack_name=name)
            self.recorder.event('info', 'stack %s (%s) created' % (
                name, self.stack_id))
            action = 'CREATE'
        status = self._wait_stack(action)
        self.recorder.flush(force=True, stack_status=status)
        if status != action + '_COMPLETE':
            raise exception.StackFailed(stack=name, status=status,
                                        reason='see the recovery events')

    def _stack_progress(self, resources: list[dict[str, Any]]) -> None:
        """Per-resource stack status into the servers' progress entries."""
        tracked = {r['key'] for r in self.recorder.resources()}
        for resource in resources:
            key = resource.get('resource_name')
            if key in tracked:
                self.recorder.set(key, target_id=resource.get(
                    'physical_resource_id'))
                status = resource.get('resource_status') or ''
                if status.endswith('FAILED'):
                    self.recorder.status(key, RESOURCE.ERROR,
                                         resource.get('resource_status_reason'))
                elif status in ('CREATE_COMPLETE', 'UPDATE_COMPLETE'):
                    self.recorder.status(key, RESOURCE.DONE)

    def verify_restored(self, manifest: dict) -> None:
        """A drill checks what it restored is what the checkpoint holds.

        The bytes were verified chunk by chunk and as a whole while they
        were uploaded; here Glance's own size of each restored image must
        match the manifest's, so a truncated upload cannot pass.
        """
        image = self.clients.adapter('image')
        for key, restored in self.restored.items():
            if 'image_id' not in restored:
                continue
            found = image.get('/v2/images/%s' % restored['image_id']).json()
            if found.get('size') != manifest['data'][key].get('size'):
                raise exception.RecoveryFailed(
                    resource=key, reason='restored image has %s bytes, the '
                    'checkpoint %s' % (found.get('size'),
                                       manifest['data'][key].get('size')))
        self.recorder.event('info', 'restored data verified (%d images)'
                            % sum('image_id' in r
                                  for r in self.restored.values()))

    def teardown(self) -> None:
        """Remove the stack and everything restored (drills, failures, delete)."""
        if self.stack_id:
            stack_mod.delete(self.clients, self.stack_id, self._timeout(),
                             interval=self.conf.recovery.stack_poll_interval)
            self.recorder.event('info', 'stack %s deleted' % self.stack_id)
        if self.restored:
            restore_mod.cleanup(self._restore_context(), self.restored)
            self.recorder.event('info', 'restored data removed')

    def _restore_context(self) -> Any:
        return restore_mod.RestoreContext(
            clients=self.clients, chunks=None, conf=self.conf,
            recovery_id=self.recovery.id,
            checkpoint=self.recovery.recovery_point)

    def fail(self, error: BaseException) -> None:
        reason = exception.one_line(error)
        if not isinstance(error, exception.DragonException):
            LOG.error("recovery %s failed", self.recovery.id, exc_info=error)
        self.recorder.event('error', '%s failed: %s' % (self.recovery.mode,
                                                         reason))
        for entry in self.recorder.resources():
            if entry['status'] in (RESOURCE.PENDING, RESOURCE.TRANSFERRING):
                self.recorder.status(entry['key'], RESOURCE.ERROR,
                                     'not completed: %s' % reason)
        values: dict[str, Any] = {}
        if self.drill or not self.stack_id or not self._launching:
            # Nothing of a drill stays; a failover that made no stack (or
            # only its early part, before the restore failed) keeps no
            # half-restored data.  A failed stack stays for diagnosis.
            try:
                self.teardown()
                values['torn_down'] = True
            except Exception as e:  # noqa: BLE001
                self.recorder.event('warning', 'cleanup incomplete: %s; '
                                    'delete the recovery to retry'
                                    % exception.one_line(e))
        else:
            self.recorder.event('info', 'the failed stack %s is kept for '
                                'diagnosis; delete the recovery to remove it '
                                'and the restored data' % self.stack_id)
        if self.drill:
            record_drill(self.recovery, None, STATUS.ERROR)
        self.recorder.flush(force=True, status=STATUS.ERROR, error=reason,
                            finished_at=timeutils.utcnow(), **values)

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

"""A failback run whose engine died: resumed, or rolled back cleanly.

The dead engine left the workload here quiesced (or some of it, if it
died while quiescing) and, perhaps, the stale servers at home fenced:
two sites that serve nothing. The engine that takes the run over
(``dragon.engine.takeover``) never leaves it so:

* **resumed** while the recovery at home had not begun
  (``failback.run.step`` is not ``recover``): steps 1 to 4 are the
  quiesce, waits and fencing, each done again without harm from the top
  (``failback_quiesce``: a server quiesced before keeps its entry and
  the status it had first, the final checkpoint once recorded is not
  started again; a checkpoint and a copy that are there are not waited
  for long; a server fenced before keeps the status it had first). The
  row is handed back to the engines (``recover`` cast) and any engine
  runs it from the top; at most ``[engine] max_takeovers`` times.
* **rolled back** once the recovery at home had begun (Heat half-way
  through a stack is not resumed), after too many takeovers, or when the
  run cannot be handed back: what it made at home is removed (in place:
  the volumes and disks it swapped are put back, the servers it booted
  again there deleted, found by their tags if the dead engine did not
  record them), the fenced
  servers that were ``ACTIVE`` start again, those quiesced here run
  again and the original policy at home is active again; the recovery
  ends ``error`` saying so, and the failback can be run again.
"""

from typing import Any, Callable

from oslo_config import cfg
from oslo_log import log as logging

from dragon.common import timeutils
from dragon import context as dragon_context
from dragon.db import run_kinds
from dragon import exception
from dragon.protection import recorder as rec
from dragon.recovery import failback
from dragon import statuses

LOG = logging.getLogger(__name__)

STATUS = statuses.Recovery


def take_over(conf: cfg.ConfigOpts, recovery: Any, claim: str,
              recorder: rec.RunRecorder, dead_host: str, host: str,
              remove_made: Callable[[Any], None],
              trust_clients: Callable[[], Any],
              recast: Callable[[str], None] | None) -> bool:
    """Resume or roll back failback run ``recovery`` (claimed: ``claim``).

    :param remove_made: removes what the recovery made at home, given
        the home region's clients (``takeover.remove_made``).
    :param trust_clients: the home region's clients of the run's trust.
    :param recast: hands a recovery to the engines (the engine's RPC
        ``recover`` cast); without it the run is rolled back.
    :returns: whether it was resumed or rolled back completely.
    """
    started = dict((failback.policy_of(recovery).failback or {})
                   .get('run') or {})
    takeovers = int(started.get('takeovers') or 0) + 1
    failback.save_run(recovery.policy_id, takeovers=takeovers)
    limit = conf.engine.max_takeovers
    began = started.get('step') == failback.RECOVER_STEP
    if not began and takeovers <= limit and recast is not None:
        try:
            _hand_back(recovery, claim, recorder, dead_host, host,
                       takeovers, limit, recast)
            return True
        except exception.RunTakenOver:
            raise
        except Exception as e:  # noqa: BLE001 - then rolled back
            LOG.exception("failback %s not handed back", recovery.id)
            recorder.event('warning', 'the failback cannot be handed back '
                           'to the engines (%s)' % exception.one_line(e))
    why = ('its recovery at %s had begun' % recovery.target_region if began
           else 'it was taken over %d times' % takeovers if
           takeovers > limit else 'it could not be resumed')
    return _roll_back(conf, recovery, started, recorder, dead_host, host,
                      why, remove_made, trust_clients)


def _hand_back(recovery: Any, claim: str, recorder: rec.RunRecorder,
               dead_host: str, host: str, takeovers: int, limit: int,
               recast: Callable[[str], None]) -> None:
    """Release the row (compare-and-swap of our claim) and cast it again."""
    admin = dragon_context.get_admin_context()
    recorder.event('warning', 'the engine running the failback (host %s) '
                   'stopped before the recovery at %s began; engine %s '
                   'resumes it (takeover %d of %d): the servers quiesced '
                   'here stay so, the final checkpoint (if started) and '
                   'its copy are kept, the servers fenced stay fenced'
                   % (dead_host, recovery.target_region, host or '?',
                      takeovers, limit))
    run_kinds.RECOVERY.update(admin, recovery.id,
                              {'host': None, 'claim': None},
                              expected_status=(STATUS.RECOVERING,),
                              expected_claim=claim)
    recast(recovery.id)
    LOG.warning("failback %s of dead engine %s resumed by %s", recovery.id,
                dead_host, host)


def _roll_back(conf: cfg.ConfigOpts, recovery: Any, started: dict[str, Any],
               recorder: rec.RunRecorder, dead_host: str, host: str,
               why: str, remove_made: Callable[[Any], None],
               trust_clients: Callable[[], Any]) -> bool:
    """Both sites as before the run; the recovery ``error`` saying so."""
    reason = ('the engine running the failback (host %s) stopped and %s'
              % (dead_host, why))
    recorder.event('warning', '%s; engine %s rolls it back' % (
        reason, host or '?'))
    clean = True
    try:
        clients = trust_clients()
        failback.undo_run(conf, recovery, clients, started, recorder,
                          lambda: remove_made(clients))
        message = ('%s; rolled back by engine %s: what it made at %s is '
                   'removed, the fenced servers are as they were and the '
                   'workload runs here again; run the failback again'
                   % (reason, host or '?', recovery.target_region))
    except exception.RunTakenOver:
        raise
    except Exception as e:  # noqa: BLE001 - say what is left
        # one_line() says "see the engine log" of an unexpected error.
        LOG.exception("failback %s not rolled back completely",
                      recovery.id)
        clean = False
        message = ('%s; roll back incomplete (%s): look at the events, '
                   'start the servers yourself, then delete the recovery'
                   % (reason, exception.one_line(e)))
    recorder.event('error', message)
    recorder.flush(force=True, status=STATUS.ERROR, error=message,
                   finished_at=timeutils.utcnow(), torn_down=clean)
    failback.save_run(recovery.policy_id, status=failback.ERROR,
                      error=message)
    return clean

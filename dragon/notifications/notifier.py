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

"""Sending Dragon's notifications, best effort: a broker outage never fails a run.

``notify`` sends one event; the functions below it are what the engine
calls, one per event type, with the row the event is about.  Nothing is
built or sent while ``[oslo_messaging_notifications] driver`` is oslo's
default ``noop``.
"""

import threading
from typing import Any, Callable

from oslo_config import cfg
from oslo_log import log as logging

from dragon.common import urls
from dragon.notifications import payloads
from dragon.notifications.payloads import EventType
from dragon import rpc

LOG = logging.getLogger(__name__)

PUBLISHER = 'dragon-engine'
# oslo's default retry (-1) resends forever: a run would hang on a broker
# outage.  A negative setting is capped at this many retries.
MAX_RETRY = 2

# The one piece of module state: each process keeps the notifier of its
# configuration (a transport holds a connection pool; creating one per
# event would connect per event).  Keyed by id(); the conf is kept with it
# so the id is never reused while cached.
_lock = threading.Lock()
# Values hold an oslo_messaging.Notifier (only dragon.rpc imports the
# library).
_notifiers: dict[int, tuple[cfg.ConfigOpts, Any]] = {}


def _retry(conf: cfg.ConfigOpts) -> int:
    try:
        retry = conf.oslo_messaging_notifications.retry
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
        retry = -1
    return MAX_RETRY if retry is None or retry < 0 else retry


def get_notifier(conf: cfg.ConfigOpts) -> Any:
    """The process's notifier for ``conf``, created on first use."""
    with _lock:
        entry = _notifiers.get(id(conf))
        if entry is None:
            # Registers [oslo_messaging_notifications] before it is read.
            transport = rpc.get_notification_transport(conf)
            notifier = rpc.get_notifier(conf, publisher_id=PUBLISHER,
                                        transport=transport,
                                        retry=_retry(conf))
            entry = _notifiers[id(conf)] = (conf, notifier)
        return entry[1]


def reset() -> None:
    """Forget every cached notifier and close its transport (tests, reload)."""
    with _lock:
        cached = list(_notifiers.values())
        _notifiers.clear()
    for _conf, notifier in cached:
        try:
            notifier.transport.cleanup()
        except Exception:  # noqa: BLE001 - closing is best effort too
            LOG.debug("notification transport not closed", exc_info=True)


def publisher_id(conf: cfg.ConfigOpts) -> str:
    """``dragon-engine.<[engine] host>``, the usual ``<service>.<host>``."""
    try:
        return '%s.%s' % (PUBLISHER, conf.engine.host)
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
        return PUBLISHER


def _drivers(conf: cfg.ConfigOpts) -> set[str]:
    # oslo's is_enabled() is true for an empty driver list, which sends
    # nothing: read the option instead (no notifier made while off).
    return set(rpc.notification_drivers(conf)) - {'noop'}


def enabled(conf: cfg.ConfigOpts) -> bool:
    """Whether a driver other than ``noop`` is configured."""
    try:
        return bool(_drivers(conf))
    except Exception as e:  # noqa: BLE001 - a bad URL must not fail a run
        LOG.warning("notifications disabled: %s", _scrubbed(conf, e))
        return False


def _scrubbed(conf: cfg.ConfigOpts, error: BaseException) -> str:
    """``error`` in one line without the broker passwords."""
    text = '%s: %s' % (type(error).__name__, error)
    secrets = urls.password_of(getattr(conf, 'transport_url', None))
    try:
        secrets += urls.password_of(
            conf.oslo_messaging_notifications.transport_url)
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
        pass
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, urls.MASK)
    return ' '.join(text.split())


def notify(conf: cfg.ConfigOpts, event_type: EventType | str,
           payload: dict[str, Any], priority: str | None = None,
           publisher: str | None = None) -> bool:
    """Send one notification; never raises.

    :param priority: ``info``, ``warn`` or ``error``; by default the event
        type's own (``payloads.EVENTS``).
    :param publisher: the publisher id; ``dragon-engine.<host>`` by default.
    :returns: whether it was handed to the driver.
    """
    try:
        event_type = EventType(event_type)
        priority = payloads.Priority(
            priority or payloads.EVENTS[event_type][1])
        if not _drivers(conf):
            return False
        notifier = get_notifier(conf)
        sender = notifier.prepare(publisher_id=publisher or
                                  publisher_id(conf))
        getattr(sender, str(priority))({}, str(event_type), payload)
        return True
    except Exception as e:  # noqa: BLE001 - never fail the caller
        LOG.warning("notification %s not sent: %s", event_type,
                    _scrubbed(conf, e))
        return False


def _send(conf: cfg.ConfigOpts, event_type: EventType,
          build: Callable[..., dict[str, Any]], *args: Any) -> bool:
    """Build the payload only when enabled; a bad row never fails a run."""
    if not enabled(conf):
        return False
    try:
        payload = build(*args)
    except Exception:  # noqa: BLE001
        LOG.exception("notification %s: payload not built", event_type)
        return False
    return notify(conf, event_type, payload)


def send_current(send: Callable[[cfg.ConfigOpts, Any], bool],
                 conf: cfg.ConfigOpts, read: Callable[[], Any],
                 fallback: Any = None) -> bool:
    """Call ``send(conf, row)`` with the row as ``read()`` returns it now.

    For runs, whose row object is older than what they wrote; the row is
    read only while notifications are enabled, and ``fallback`` is sent
    when it cannot be read.  Never raises.
    """
    if not enabled(conf):
        return False
    try:
        row = read()
    except Exception:  # noqa: BLE001 - a notification never fails a run
        LOG.debug("notification about a row not read", exc_info=True)
        row = fallback
    return send(conf, row)


# -- what the engine calls, one function per event type

def checkpoint_start(conf: cfg.ConfigOpts, row: Any) -> bool:
    """A protection run started (``row``: the checkpoint)."""
    return _send(conf, EventType.CHECKPOINT_CREATE_START,
                 payloads.checkpoint, row)


def checkpoint_end(conf: cfg.ConfigOpts, row: Any) -> bool:
    """A checkpoint became ``available``."""
    return _send(conf, EventType.CHECKPOINT_CREATE_END,
                 payloads.checkpoint, row)


def checkpoint_error(conf: cfg.ConfigOpts, row: Any) -> bool:
    """A protection run ended in ``error`` (``row.error`` says why)."""
    return _send(conf, EventType.CHECKPOINT_CREATE_ERROR,
                 payloads.checkpoint, row)


def checkpoint_deleted(conf: cfg.ConfigOpts, row: Any) -> bool:
    """A checkpoint's container and row are gone (``row``: as it was)."""
    return _send(conf, EventType.CHECKPOINT_DELETE_END,
                 payloads.checkpoint, row)


def recovery_start(conf: cfg.ConfigOpts, row: Any) -> bool:
    """A recovery (failover or drill) started."""
    return _send(conf, EventType.RECOVERY_CREATE_START,
                 payloads.recovery, row)


def recovery_end(conf: cfg.ConfigOpts, row: Any) -> bool:
    """A recovery succeeded (``row.rto_seconds`` set)."""
    return _send(conf, EventType.RECOVERY_CREATE_END,
                 payloads.recovery, row)


def recovery_error(conf: cfg.ConfigOpts, row: Any) -> bool:
    """A recovery ended in ``error``."""
    return _send(conf, EventType.RECOVERY_CREATE_ERROR,
                 payloads.recovery, row)


def schedule_skipped(conf: cfg.ConfigOpts, schedule_row: Any,
                     reason: str) -> bool:
    """A schedule's tick did not start a protection (``reason``: why)."""
    return _send(conf, EventType.SCHEDULE_SKIPPED, payloads.schedule,
                 schedule_row, reason)


def schedule_error(conf: cfg.ConfigOpts, schedule_row: Any,
                   reason: str) -> bool:
    """A schedule failed (e.g. its trust no longer works)."""
    return _send(conf, EventType.SCHEDULE_ERROR, payloads.schedule,
                 schedule_row, reason)


def rpo_missed(conf: cfg.ConfigOpts, policy_row: Any,
               rpo_status: dict[str, Any]) -> bool:
    """A policy's newest available checkpoint is older than its RPO."""
    return _send(conf, EventType.POLICY_RPO_MISSED, payloads.policy_rpo,
                 policy_row, rpo_status)


def retention_pruned(conf: cfg.ConfigOpts, policy_row: Any,
                     result: Any) -> bool:
    """A retention pass over a policy finished.

    :param result: see ``payloads.retention_prune``.
    """
    return _send(conf, EventType.RETENTION_PRUNE_END,
                 payloads.retention_prune, policy_row, result)

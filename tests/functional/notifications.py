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

"""A listener for Dragon's notifications on a deployment's broker vhost (functional tests).

``NotificationCollector`` listens with its own pool name, so it gets a copy
of every notification without taking them from any other listener.
"""
import threading
import time
import uuid

from oslo_config import cfg
import oslo_messaging as messaging

from dragon.conf import default as default_conf
from dragon import rpc

TOPIC = 'notifications'


class _Endpoint:
    """Every priority goes to the collector."""

    def __init__(self, collector):
        self._collector = collector

    def _record(self, priority, publisher_id, event_type, payload):
        self._collector.add(priority, event_type, payload, publisher_id)

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self._record('info', publisher_id, event_type, payload)

    def warn(self, ctxt, publisher_id, event_type, payload, metadata):
        self._record('warn', publisher_id, event_type, payload)

    def error(self, ctxt, publisher_id, event_type, payload, metadata):
        self._record('error', publisher_id, event_type, payload)


class NotificationCollector:
    """Collect ``(event_type, payload, publisher_id, priority)`` while open.

    :param transport_url: the deployment's broker URL (its vhost), e.g.
        ``layout.rabbit_url(dragon.vhost)``.
    """

    def __init__(self, transport_url, exchange=default_conf.CONTROL_EXCHANGE,
                 topic=TOPIC):
        self.transport_url = transport_url
        self.exchange, self.topic = exchange, topic
        self.pool = 'dragon-ft-%s' % uuid.uuid4().hex[:8]
        self._lock = threading.Condition()
        self._received = []
        self._transport = self._listener = None

    def add(self, priority, event_type, payload, publisher_id):
        with self._lock:
            self._received.append(
                (event_type, payload, publisher_id, priority))
            self._lock.notify_all()

    def received(self):
        with self._lock:
            return list(self._received)

    def __enter__(self):
        conf = cfg.ConfigOpts()
        conf([], project='dragon-ft', default_config_files=[],
             default_config_dirs=[])
        messaging.TransportURL.parse(conf, self.transport_url)  # options
        conf.set_override('transport_url', self.transport_url)
        self._transport = rpc.get_notification_transport(conf)
        self._listener = messaging.get_notification_listener(
            self._transport,
            [messaging.Target(topic=self.topic, exchange=self.exchange)],
            [_Endpoint(self)], pool=self.pool)
        self._listener.start()
        # The pool's queue is declared by start(): only what is sent from
        # now on is seen.
        return self

    def __exit__(self, *exc_info):
        try:
            self._listener.stop()
            self._listener.wait()
        finally:
            self._transport.cleanup()

    def wait_for(self, event_type, predicate=lambda payload: True,
                 timeout=120):
        """The first ``(event_type, payload, publisher_id, priority)`` of
        ``event_type`` whose payload satisfies ``predicate``.

        :raises AssertionError: none arrived within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for entry in self._received:
                    if entry[0] == event_type and predicate(entry[1]):
                        return entry
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError('no %s within %ss; received: %s' % (
                        event_type, timeout,
                        [e[0] for e in self._received]))
                self._lock.wait(left)


def data_of(payload):
    """The ``dragon_object.data`` of a payload."""
    return payload['dragon_object.data']


def about(object_id):
    """A ``wait_for`` predicate: the payload is about ``object_id``."""
    return lambda payload: data_of(payload).get('id') == object_id

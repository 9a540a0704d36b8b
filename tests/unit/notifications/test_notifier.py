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

"""Sending: nothing while the driver is noop, never an exception, never a secret."""

import logging

from dragon.notifications import notifier
from dragon.notifications.payloads import EventType
from dragon import rpc
from tests.unit.notifications import rows


def test_the_engine_functions_send_their_event(conf, notifications):
    assert notifier.checkpoint_start(conf, rows.checkpoint())
    assert notifier.recovery_error(conf, rows.recovery(error='boom'))
    assert notifier.schedule_skipped(conf, rows.schedule(), 'busy')
    [start, error, skipped] = notifications.refresh()
    assert start[:2] == ('dragon.checkpoint.create.start', 'info')
    assert start[3] == 'dragon-engine.engine-1'
    assert error[:2] == ('dragon.recovery.create.error', 'error')
    assert error[2]['dragon_object.data']['error'] == 'boom'
    assert skipped[1] == 'warn'
    assert skipped[2]['dragon_object.data']['reason'] == 'busy'


def test_notify_takes_a_priority_and_a_publisher(conf, notifications):
    assert notifier.notify(conf, EventType.CHECKPOINT_DELETE_END, {'a': 1},
                           priority='error', publisher='dragon-api.h')
    assert notifications.refresh() == [
        ('dragon.checkpoint.delete.end', 'error', {'a': 1}, 'dragon-api.h')]


def test_nothing_is_made_while_the_driver_is_noop(conf, monkeypatch):
    monkeypatch.setattr(notifier.payloads, 'checkpoint', _explode)
    monkeypatch.setattr(notifier, 'get_notifier', _explode)
    assert not notifier.checkpoint_end(conf, rows.checkpoint())
    conf.set_override('driver', ['noop'], group='oslo_messaging_notifications')
    assert not notifier.checkpoint_end(conf, rows.checkpoint())


def _explode(*args):
    raise RuntimeError('must not be called')


def test_a_bad_row_is_logged_not_raised(conf, notifications, monkeypatch,
                                        caplog):
    monkeypatch.setattr(notifier.payloads, 'recovery', _explode)
    assert not notifier.recovery_end(conf, rows.recovery())
    assert notifications.refresh() == []
    assert 'payload not built' in caplog.text


def test_a_broker_failure_is_a_warning_without_the_password(
        conf, notifications, monkeypatch, caplog):
    conf.set_override('transport_url', 'fake://guest:s3cr3t@host:5672/',
                      group='oslo_messaging_notifications')

    class Broken:
        def prepare(self, publisher_id):
            return self

        def info(self, ctxt, event_type, payload):
            raise OSError('cannot reach fake://guest:s3cr3t@host:5672/')

    monkeypatch.setattr(notifier, 'get_notifier', lambda conf: Broken())
    with caplog.at_level(logging.WARNING):
        assert not notifier.checkpoint_start(conf, rows.checkpoint())
    assert 'not sent' in caplog.text and 'OSError' in caplog.text
    assert 's3cr3t' not in caplog.text


def test_an_unknown_event_type_is_refused_quietly(conf, notifications):
    assert not notifier.notify(conf, 'dragon.nothing', {})
    assert notifications.refresh() == []


def test_one_notifier_per_conf_until_reset(conf, notifications):
    first = notifier.get_notifier(conf)
    assert notifier.get_notifier(conf) is first
    notifier.reset()
    assert notifier.get_notifier(conf) is not first


def test_retry_forever_is_capped(conf):
    rpc.notification_drivers(conf)
    assert notifier._retry(conf) == notifier.MAX_RETRY
    conf.set_override('retry', 0, group='oslo_messaging_notifications')
    assert notifier._retry(conf) == 0


def test_an_empty_driver_list_sends_nothing(conf, notifications,
                                            monkeypatch):
    conf.set_override('driver', [], group='oslo_messaging_notifications')
    monkeypatch.setattr(notifier.payloads, 'checkpoint', _explode)
    assert not notifier.checkpoint_start(conf, rows.checkpoint())

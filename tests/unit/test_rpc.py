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

import datetime
import time

import pytest

from dragon import context
from dragon import exception
from dragon import rpc
from tests.unit import utils


def test_serializer_carries_the_request_context():
    serializer = rpc.RequestContextSerializer()
    original = context.RequestContext(user_id='u', project_id='p',
                                      roles=['member'])
    wire = serializer.serialize_context(original)
    assert isinstance(wire, dict)
    restored = serializer.deserialize_context(wire)
    assert isinstance(restored, context.RequestContext)
    assert (restored.user_id, restored.project_id, restored.roles) == (
        'u', 'p', ['member'])


def test_serializer_turns_entities_into_json_primitives():
    serializer = rpc.RequestContextSerializer()
    entity = serializer.serialize_entity(None, {'at': datetime.datetime(2026, 1, 2)})
    assert isinstance(entity['at'], str)


def test_check_broker_fails_fast_on_a_closed_port(rpc_conf):
    with utils.refusing_port() as port:
        rpc_conf.set_override('transport_url',
                              'rabbit://guest:topsecret@127.0.0.1:%d/' % port)
        started = time.monotonic()
        with pytest.raises(exception.MessagingUnavailable) as error:
            rpc.check_broker(rpc_conf, max_retries=1)
    assert time.monotonic() - started < 15
    message = error.value.message
    assert 'topsecret' not in message
    assert 'rabbit://guest:***@127.0.0.1:%d/' % port in message
    assert 'refused' in message.lower()


def test_check_broker_skips_drivers_it_cannot_check(rpc_conf):
    rpc_conf.set_override('transport_url', 'fake:/')
    rpc.check_broker(rpc_conf, max_retries=0)


def test_check_broker_rejects_malformed_url(rpc_conf):
    rpc_conf.set_override('transport_url', 'rabbit://a:b@host:notaport/')
    with pytest.raises(exception.ConfigInvalid, match="transport_url"):
        rpc.check_broker(rpc_conf, max_retries=0)


def test_notifier_follows_the_notifications_options(rpc_conf):
    rpc_conf.set_override('transport_url', 'fake:/')
    transport = rpc.get_notification_transport(rpc_conf)
    try:
        rpc_conf.set_override('driver', ['messagingv2'],
                              group='oslo_messaging_notifications')
        notifier = rpc.get_notifier(rpc_conf, 'dragon-engine.h',
                                    transport=transport, retry=1)
        assert notifier.is_enabled() and notifier.retry == 1
        assert notifier.publisher_id == 'dragon-engine.h'
        rpc_conf.set_override('driver', ['noop'],
                              group='oslo_messaging_notifications')
        assert not rpc.get_notifier(rpc_conf, 'p',
                                    transport=transport).is_enabled()
    finally:
        transport.cleanup()

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

"""Every event type has a sample in doc/notification_samples and every payload matches it."""

import json

import pytest

from dragon.notifications import notifier
from dragon.notifications import payloads
from dragon.notifications.payloads import EventType
from dragon.notifications import samples
from tests.unit.notifications import rows


def _send(conf, sent, event_type):
    name, args = rows.EVENTS[event_type]
    assert getattr(notifier, name)(conf, *args)
    [found] = sent.refresh()
    return found


def test_every_event_type_has_a_sample_and_every_sample_an_event_type():
    files = {p.name for p in samples.SAMPLES_DIR.glob('*.json')}
    assert files == {'%s.json' % e for e in EventType}
    assert set(rows.EVENTS) == set(EventType)


@pytest.mark.parametrize('event_type', list(EventType))
def test_a_sample_is_the_envelope_of_its_event_type(event_type):
    sample = samples.load_sample(event_type)
    assert tuple(sample) == samples.ENVELOPE
    assert sample['event_type'] == str(event_type)
    payload_name, priority = payloads.EVENTS[event_type]
    assert sample['priority'] == priority.upper()
    assert sample['publisher_id'].startswith(notifier.PUBLISHER + '.')
    assert sample['payload']['dragon_object.name'] == payload_name
    assert sample['payload']['dragon_object.version'] == \
        payloads.VERSIONS[payload_name]


@pytest.mark.parametrize('event_type', list(EventType))
def test_a_sent_notification_matches_its_sample(conf, notifications,
                                                event_type):
    sent_type, priority, payload, publisher = _send(conf, notifications,
                                                    event_type)
    assert sent_type == event_type
    samples.check_against_sample(event_type, payload, priority=priority,
                                 publisher_id=publisher)
    # Exactly the sample's keys, not only compatible types.
    sample = samples.load_sample(event_type)['payload']
    assert payload.keys() == sample.keys()
    assert payload['dragon_object.data'].keys() == \
        sample['dragon_object.data'].keys()


def test_samples_of_one_payload_have_the_same_fields():
    fields = {}
    for event_type in EventType:
        payload = samples.load_sample(event_type)['payload']
        fields.setdefault(payload['dragon_object.name'], set()).add(
            tuple(payload['dragon_object.data']))
    assert all(len(keys) == 1 for keys in fields.values()), fields


def _payload():
    return samples.load_sample(EventType.CHECKPOINT_CREATE_END)['payload']


@pytest.mark.parametrize('change, problem', [
    (lambda d: d.pop('status'), "keys missing ['status']"),
    (lambda d: d.update(extra=1), "not in the sample ['extra']"),
    (lambda d: d.update(bytes_total='12'), 'bytes_total: string, the '
                                           'sample has integer'),
    (lambda d: d.update(warnings=[3]), 'warnings[0]: integer'),
    (lambda d: d.update(trigger=True), 'trigger: boolean'),
])
def test_the_checker_names_what_differs(change, problem):
    payload = _payload()
    change(payload['dragon_object.data'])
    with pytest.raises(samples.SampleMismatch, match=problem.replace(
            '[', r'\[').replace(']', r'\]')):
        samples.check_against_sample(EventType.CHECKPOINT_CREATE_END,
                                     payload)


def test_the_checker_accepts_null_fields_and_types_from_sibling_samples():
    payload = _payload()
    data = payload['dragon_object.data']
    data.update(container=None, captured_at=None, error='disk full')
    samples.check_against_sample(EventType.CHECKPOINT_CREATE_END, payload)
    data['error'] = 7       # the error sample shows a string
    with pytest.raises(samples.SampleMismatch, match='error: integer'):
        samples.check_against_sample(EventType.CHECKPOINT_CREATE_END,
                                     payload)


def test_the_checker_refuses_another_version_priority_or_envelope():
    payload = _payload()
    payload['dragon_object.version'] = '2.0'
    with pytest.raises(samples.SampleMismatch, match='version'):
        samples.check_against_sample(EventType.CHECKPOINT_CREATE_END,
                                     payload)
    with pytest.raises(samples.SampleMismatch, match='priority'):
        samples.check_against_sample(EventType.CHECKPOINT_CREATE_END,
                                     _payload(), priority='error')
    payload = _payload()
    payload['dragon_object.data'] = None
    with pytest.raises(samples.SampleMismatch, match='null'):
        samples.check_against_sample(EventType.CHECKPOINT_CREATE_END,
                                     payload)


def test_a_sample_file_is_json_with_a_trailing_newline():
    for event_type in EventType:
        text = samples.sample_path(event_type).read_text()
        assert text.endswith('}\n') and json.loads(text)


def test_the_admin_guide_shows_every_sample():
    guide = (samples.SAMPLES_DIR.parent / 'source' / 'admin' /
             'notifications.rst').read_text()
    for event_type in EventType:
        assert ('.. literalinclude:: ../../notification_samples/%s.json'
                % event_type) in guide

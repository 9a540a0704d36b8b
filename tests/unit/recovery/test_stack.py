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

from keystoneauth1 import exceptions as ks_exc
import pytest
import yaml

from dragon import exception
from dragon.recovery import stack
from tests.unit.recovery import fakes

IN, DONE, FAIL = 'CREATE_IN_PROGRESS', 'CREATE_COMPLETE', 'CREATE_FAILED'


@pytest.fixture
def target():
    return fakes.Target()


@pytest.mark.parametrize('policy,when,prefix,expected', [
    ('three tier', datetime.datetime(2026, 11, 23, 15, 4, 5), '',
     'three-tier-20261123T150405Z'),
    ('app', '2026-11-23T15:04:05.123456Z', 'drill-',
     'drill-app-20261123T150405Z'),
    ('été/db', '20261123T150405Z', '', 't-db-20261123T150405Z'),
    ('1st', None, '', 'dragon-1st'),
    ('', None, '', 'dragon'),
    ('x' * 300, None, '', 'x' * stack.NAME_LIMIT),
])
def test_stack_name(policy, when, prefix, expected):
    assert stack.stack_name(policy, when, prefix) == expected


def test_create_sends_template_parameters_and_timeout(target):
    template = {'heat_template_version': '2021-04-16', 'resources': {}}
    stack_id = stack.create(target, 'n', template, {'a': 'b', 'c': None},
                            timeout=61)
    assert stack_id == 's1'
    method, service, path, body = target.writes()[0]
    assert (method, service, path) == ('POST', 'orchestration', '/stacks')
    assert yaml.safe_load(body['template']) == template
    assert body['parameters'] == {'a': 'b', 'c': ''}
    assert body['timeout_mins'] == 2
    assert body['disable_rollback'] is True  # kept for diagnosis


def test_update_sends_the_whole_template_to_the_named_stack(target):
    template = {'heat_template_version': '2021-04-16', 'resources': {}}
    stack.update(target, 'n', 's1', template, {'a': 'b'}, timeout=600)
    [(method, service, path, body)] = target.writes()
    # name/id: Heat answers a bare id with a redirect.
    assert (method, service, path) == ('PUT', 'orchestration', '/stacks/n/s1')
    assert yaml.safe_load(body['template']) == template
    assert body['parameters'] == {'a': 'b'}
    assert body['timeout_mins'] == 10
    assert body['disable_rollback'] is True


def test_update_refused(target):
    target.update_answer = fakes.Response(
        400, {'error': {'message': 'Property error: image'}})
    with pytest.raises(exception.StackFailed) as e:
        stack.update(target, 'n', 's1', 'heat_template_version: 2021-04-16\n',
                     {}, 60)
    assert 'Property error: image (HTTP 400)' in str(e.value)
    assert e.value.status == 'not updated'


def test_create_refused(target):
    target.create_answer = fakes.Response(
        400, {'error': {'message': 'Property error: flavor'}})
    with pytest.raises(exception.StackFailed) as e:
        stack.create(target, 'n', 'heat_template_version: 2021-04-16\n',
                     {}, 60)
    assert 'Property error: flavor (HTTP 400)' in str(e.value)
    assert e.value.status == 'not created'


def test_create_refused_without_a_heat_message(target, monkeypatch):
    monkeypatch.setattr(stack, 'CREATE_RETRY_DELAY', 0)
    target.create_answer = fakes.Response(409, {'title': 'Conflict'})
    with pytest.raises(exception.StackFailed, match=r'Conflict \(HTTP 409'):
        stack.create(target, 'n', 'heat_template_version: 2021-04-16\n',
                     {}, 60)
    target.create_answer = fakes.Response(500)
    with pytest.raises(exception.StackFailed, match=r': HTTP 500$'):
        stack.create(target, 'n', 'heat_template_version: 2021-04-16\n',
                     {}, 60)


def test_get_reads_the_stack_without_resolving_outputs(target):
    target.stacks['s1'] = [(IN, [])]
    assert stack.get(target, 's1')['stack_status'] == IN
    assert stack.get(target, 'nope') is None
    assert target.log[0][1:] == ('orchestration', '/stacks/s1',
                                 {'resolve_outputs': False})
    assert target.calls == {'orchestration': 2}


def test_a_heat_error_while_reading_is_a_service_error(target):
    def broken(service, path, params):
        return fakes.Response(503, {'error': {'message': 'down'}})

    target.answer_get = broken
    with pytest.raises(exception.RemoteServiceUnavailable,
                       match=r'reading stack s1: down \(HTTP 503\)'):
        stack.get(target, 's1')
    with pytest.raises(exception.RemoteServiceUnavailable,
                       match=r'listing resources of s1: down'):
        stack.resources(target, {'id': 's1', 'stack_name': 'n'})


def test_validate_refused(target):
    target.validate_answer = fakes.Response(
        400, {'error': {'message': 'Unknown resource Type'}})
    with pytest.raises(exception.TemplateInvalid,
                       match='Unknown resource Type$'):
        stack.validate(target, {'heat_template_version': '2021-04-16'})
    target.validate_answer = fakes.Response(422, {})
    with pytest.raises(exception.TemplateInvalid, match='HTTP 422'):
        stack.validate(target, {'heat_template_version': '2021-04-16'})


def test_wait_reports_each_change_and_returns_the_status(target):
    server = fakes.resource('server_web', IN)
    target.stacks['s1'] = [
        (IN, []), (IN, [server]), (IN, [server]),
        (DONE, [fakes.resource('server_web', DONE, physical='p1')])]
    seen = []
    status = stack.wait(target, 's1', timeout=10, progress_cb=seen.append,
                        interval=0)
    assert status == DONE
    assert [[r['resource_status'] for r in items] for items in seen] == [
        [], [IN], [DONE]]
    assert seen[-1][0]['physical_resource_id'] == 'p1'


def test_wait_failure_names_the_failed_resources(target):
    target.stacks['s1'] = [(FAIL, [
        fakes.resource('server_web', FAIL, 'No valid host was found'),
        fakes.resource('port_web', DONE, type_='OS::Neutron::Port')])]
    with pytest.raises(exception.StackFailed) as e:
        stack.wait(target, 's1', timeout=10, interval=0)
    assert 'server_web: No valid host was found' in str(e.value)
    assert 'port_web' not in str(e.value)
    assert e.value.status == FAIL
    assert len(e.value.resources) == 2


def test_wait_timeout_names_what_is_in_progress(target):
    target.stacks['s1'] = [(IN, [fakes.resource('server_web', IN)])]
    with pytest.raises(exception.StackTimeout) as e:
        stack.wait(target, 's1', timeout=0, interval=0)
    assert 'in progress: server_web' in str(e.value)
    assert isinstance(e.value, exception.StackFailed)


def test_wait_for_an_action_ignores_the_previous_one(target):
    target.stacks['s1'] = [(DONE, []), ('DELETE_IN_PROGRESS', []),
                           ('DELETE_COMPLETE', [])]
    assert stack.wait(target, 's1', 10, interval=0,
                      action='DELETE') == 'DELETE_COMPLETE'


def test_wait_on_a_vanished_stack(target):
    with pytest.raises(exception.StackFailed) as e:
        stack.wait(target, 'nope', 10, interval=0)
    assert e.value.status == 'gone'


def test_delete_waits_until_gone(target):
    target.stacks['s1'] = [(DONE, []), ('DELETE_IN_PROGRESS', []),
                           (None, [])]
    stack.delete(target, 's1', timeout=10, interval=0)
    deletes = [w for w in target.writes() if w[0] == 'DELETE']
    assert [d[2] for d in deletes] == ['/stacks/name-s1/s1']


def test_delete_of_a_stack_already_gone(target):
    stack.delete(target, 'nope', timeout=10, interval=0)
    assert target.writes() == []
    target.stacks['s2'] = [('DELETE_COMPLETE', [])]
    stack.delete(target, 's2', timeout=10, interval=0)
    assert target.writes() == []


def test_delete_failed(target):
    target.stacks['s1'] = [(DONE, []), ('DELETE_FAILED', [
        fakes.resource('volume_db', 'DELETE_FAILED', 'volume is busy',
                       type_='OS::Cinder::Volume')])]
    with pytest.raises(exception.StackFailed) as e:
        stack.delete(target, 's1', timeout=10, interval=0)
    assert 'volume_db: volume is busy' in str(e.value)


def test_heat_unreachable(target):
    def broken(service):
        raise ks_exc.ConnectFailure('no route')

    target.adapter = broken
    with pytest.raises(exception.RemoteServiceUnavailable,
                       match='reading stack s1: no route'):
        stack.get(target, 's1')
    with pytest.raises(exception.RemoteServiceUnavailable,
                       match='creating stack n: no route'):
        stack.create(target, 'n', 'heat_template_version: 2021-04-16\n',
                     {}, 60)
    with pytest.raises(exception.RemoteServiceUnavailable):
        stack.validate(target, 'heat_template_version: 2021-04-16\n')


def test_delete_refused(target):
    target.stacks['s1'] = [(DONE, [])]
    target.answer_delete = lambda service, path: fakes.Response(
        409, {'error': {'message': 'stack is locked'}})
    with pytest.raises(exception.StackFailed,
                       match=r'delete refused: stack is locked \(HTTP 409'):
        stack.delete(target, 's1', timeout=10, interval=0)


def test_a_create_answered_500_is_tried_again(target, monkeypatch):
    """Heat's 500 when Keystone refuses its trust (two stacks at once)."""
    monkeypatch.setattr(stack, 'CREATE_RETRY_DELAY', 0)
    target.create_answer = [fakes.Response(500, {'error': {
        'message': 'Conflict occurred attempting to store trust'}}), None]
    assert stack.create(target, 'n', 'heat_template_version: 2021-04-16\n',
                        {}, 60) == 's1'
    assert [w[:3] for w in target.writes()] == [
        ('POST', 'orchestration', '/stacks')] * 2


def test_a_stack_stored_despite_a_500_is_not_created_twice(target,
                                                          monkeypatch):
    monkeypatch.setattr(stack, 'CREATE_RETRY_DELAY', 0)
    target.create_answer = [fakes.Response(500)]
    target.stacks['n'] = [(IN, [])]      # Heat stored it after all
    assert stack.create(target, 'n', 'heat_template_version: 2021-04-16\n',
                        {}, 60) == 'n'
    assert len(target.writes()) == 1


def test_a_create_failing_every_attempt_is_refused(target, monkeypatch):
    monkeypatch.setattr(stack, 'CREATE_RETRY_DELAY', 0)
    target.create_answer = [fakes.Response(500)] * stack.CREATE_ATTEMPTS
    with pytest.raises(exception.StackFailed, match=r': HTTP 500$'):
        stack.create(target, 'n', 'heat_template_version: 2021-04-16\n',
                     {}, 60)
    assert len(target.writes()) == stack.CREATE_ATTEMPTS

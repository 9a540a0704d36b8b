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

"""``openstack dr checkpoint verify`` and ``recovery point verify``.

The commands are new entry points the test environment may not have
registered yet, so the command classes are run directly on a stub client.
"""

import io
import json
import types

from osc_lib import exceptions as osc_exceptions
import pytest

from dragon.osc.v1 import checkpoint
from dragon.osc.v1 import columns
from dragon.osc.v1 import recovery_point
from tests.unit.osc.waiting import FakeClock

PROBLEM = {'chunk': 'ab' * 32, 'resources': ['volume_db'],
           'problem': 'md5 00, 11 recorded'}


def _verification(status='ok', **extra):
    return {'status': status, 'read_data': False,
            'started_at': '2026-11-23T10:00:00Z',
            'finished_at': '2026-11-23T10:00:02Z', 'chunks_checked': 256,
            'bytes_checked': 1024 ** 3, 'legacy_chunks': 0,
            'problems': [PROBLEM] if status == 'damaged' else [],
            'problem_count': 1 if status == 'damaged' else 0, **extra}


class StubCheckpoints:
    def __init__(self, states):
        self.states = list(states)
        self.verified = []

    def verify(self, checkpoint_id, read_data=False):
        self.verified.append((checkpoint_id, read_data))
        return {'id': checkpoint_id, 'status': 'available',
                'verification': self.states.pop(0)}

    def get(self, checkpoint_id):
        return {'id': checkpoint_id, 'status': 'available',
                'verification': self.states.pop(0)}


def _run(command_class, args, dr):
    app = types.SimpleNamespace(
        client_manager=types.SimpleNamespace(dr=dr), stdout=io.StringIO(),
        stderr=io.StringIO(), options=types.SimpleNamespace(debug=False))
    command = command_class(app, None)
    command.clock = FakeClock()
    parsed = command.get_parser('openstack dr x').parse_args(args)
    # What cliff's run() does before take_action.
    command.formatter = command._formatter_plugins[parsed.formatter].obj
    try:
        shown = command.take_action(parsed)
    except osc_exceptions.CommandError as e:
        return app, None, str(e)
    return app, dict(zip(*shown)), None


def test_verify_without_wait_shows_the_checkpoint_running():
    dr = types.SimpleNamespace(checkpoints=StubCheckpoints(
        [_verification('running', finished_at=None)]))
    _app, shown, error = _run(checkpoint.VerifyCheckpoint, ['c1'], dr)
    assert error is None and dr.checkpoints.verified == [('c1', False)]
    text = shown['verification'].human_readable()
    assert text == 'running (listing) since 2026-11-23T10:00:00Z'


def test_verify_wait_polls_until_done_and_fails_on_problems():
    dr = types.SimpleNamespace(checkpoints=StubCheckpoints([
        _verification('running', finished_at=None),
        _verification('running', finished_at=None),
        _verification('damaged', read_data=True)]))
    app, _shown, error = _run(checkpoint.VerifyCheckpoint,
                              ['c1', '--read-data', '--wait', '-f', 'json'],
                              dr)
    assert dr.checkpoints.verified == [('c1', True)]
    assert error == 'Error: Checkpoint c1 is damaged: 1 problems'
    printed = json.loads(app.stdout.getvalue())
    assert printed['problem_count'] == 1
    assert printed['problems'] == [PROBLEM]
    assert 'reading every chunk' in app.stderr.getvalue()


def test_verify_wait_ok_shows_the_result():
    dr = types.SimpleNamespace(checkpoints=StubCheckpoints([
        _verification('running', finished_at=None), _verification('ok')]))
    _app, shown, error = _run(checkpoint.VerifyCheckpoint, ['c1', '--wait'],
                              dr)
    assert error is None
    assert shown['status'] == 'ok' and shown['chunks_checked'] == 256
    assert shown['bytes_checked'].human_readable() == '1.0 GiB'


def test_checkpoint_show_summarises_the_last_verification():
    column = columns.VerificationColumn(_verification('damaged'))
    assert column.human_readable().splitlines() == [
        'damaged (listing) at 2026-11-23T10:00:02Z: 256 chunks, 1 problems',
        'chunk %s of volume_db: md5 00, 11 recorded' % ('ab' * 32)]
    assert columns.VerificationColumn(None).human_readable() == \
        'never verified'
    failed = _verification('error', error='Swift: 503')
    assert columns.VerificationColumn(failed).human_readable().endswith(
        ': Swift: 503')


@pytest.mark.parametrize('status, error', [
    ('ok', None), ('damaged', 'Error: Recovery point dragon_p_web_x is '
                              'damaged: 1 problems')])
def test_recovery_point_verify(status, error):
    calls = []

    class Points:
        def verify(self, container, read_data=False):
            calls.append((container, read_data))
            return {'container': container, **_verification(status)}

    app, shown, got = _run(recovery_point.VerifyRecoveryPoint,
                           ['dragon_p_web_x'],
                           types.SimpleNamespace(recovery_points=Points()))
    assert got == error and calls == [('dragon_p_web_x', False)]
    if error:
        assert 'md5 00, 11 recorded' in app.stdout.getvalue()
    else:
        assert shown['problems'].human_readable() == ''

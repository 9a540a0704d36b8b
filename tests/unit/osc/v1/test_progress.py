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

"""The progress formatting functions and the wait loop, with a fake clock."""

import functools
import io

import pytest

from dragon.osc.v1 import progress
from tests.unit.osc import waiting

GiB = 1024 ** 3
MiB = 1024 ** 2


@pytest.mark.parametrize('count, text', [
    (None, '?'), (0, '0 B'), (-5, '0 B'), (1, '1 B'), (1023, '1023 B'),
    (1024, '1.0 KiB'), (1536, '1.5 KiB'), (4 * MiB, '4.0 MiB'),
    (1024 * 1024 - 1, '1.0 MiB'), (int(1.5 * GiB), '1.5 GiB'),
    (3 * 1024 ** 4, '3.0 TiB'), (2048 * 1024 ** 5, '2048.0 PiB'),
    (12.6 * MiB, '12.6 MiB'),
])
def test_human_bytes(count, text):
    assert progress.human_bytes(count) == text


@pytest.mark.parametrize('seconds, text', [
    (None, '?'), (float('inf'), '?'), (float('nan'), '?'), (0, '0s'),
    (-3, '0s'), (0.2, '1s'), (45, '45s'), (60, '1m 00s'), (125, '2m 05s'),
    (3599, '59m 59s'), (3600, '1h 00m'), (3720, '1h 02m'),
    (86400 + 4 * 3600 + 59, '1d 04h'),
])
def test_human_duration(seconds, text):
    assert progress.human_duration(seconds) == text


@pytest.mark.parametrize('fraction, width, text', [
    (0, 10, '[----------]'), (0.37, 10, '[###-------]'),
    (1, 10, '[##########]'), (1.7, 4, '[####]'), (-1, 4, '[----]'),
    (None, 4, '[----]'), (0.5, 0, ''),
])
def test_bar(fraction, width, text):
    assert progress.bar(fraction, width) == text


def test_bar_width_is_bounded_and_vanishes_when_narrow():
    assert progress.bar_width(200, 50) == progress.MAX_BAR
    assert progress.bar_width(80, 50) == 26
    assert progress.bar_width(64, 50) == progress.MIN_BAR
    assert progress.bar_width(63, 50) == 0
    assert progress.bar_width(20, 50) == 0


def test_rate_and_eta():
    assert progress.rate([]) is None
    assert progress.rate([(0, 0)]) is None
    assert progress.rate([(5, 0), (5, 100)]) is None
    assert progress.rate([(0, 0), (2, 10 * MiB), (4, 40 * MiB)]) == 10 * MiB
    assert progress.rate([(0, 100), (1, 50)]) == 0
    # The server's estimate wins; else what remains at the current rate.
    assert progress.eta({'eta_seconds': 7, 'bytes_done': 0,
                         'bytes_total': 10}, 1.0) == 7
    assert progress.eta({'bytes_done': 40, 'bytes_total': 100}, 20.0) == 3
    assert progress.eta({'bytes_done': 40, 'bytes_total': 100}, None) is None
    assert progress.eta({'bytes_done': 40, 'bytes_total': 0}, 5.0) is None


def test_percent_falls_back_to_bytes_then_resources():
    assert progress.percent({'percent': 37.9}) == 37
    assert progress.percent({'bytes_done': 1, 'bytes_total': 4}) == 25
    assert progress.percent({'bytes_total': 0, 'resources_done': 1,
                             'resources_total': 2}) == 50
    assert progress.percent({}) == 0


def _item(**progress_fields):
    return {
        'id': 'c1', 'status': 'protecting',
        'progress': dict({'bytes_done': int(1.5 * GiB), 'bytes_total': 4 * GiB,
                          'percent': 37, 'eta_seconds': None,
                          'resources_done': 1, 'resources_total': 3},
                         **progress_fields),
        'resources': [
            {'key': 'server_web_1a2b3c4d', 'type': 'OS::Nova::Server',
             'name': 'web', 'action': 'image_snapshot', 'status': 'done',
             'reason': None, 'bytes_done': GiB, 'bytes_total': GiB},
            {'key': 'volume_data_5e6f7a8b', 'type': 'OS::Cinder::Volume',
             'name': 'data', 'action': 'snapshot_data',
             'status': 'transferring', 'reason': None,
             'bytes_done': 512 * MiB, 'bytes_total': 3 * GiB},
            {'key': 'server_db_9c0d1e2f', 'type': 'OS::Nova::Server',
             'name': 'db', 'action': 'template_only', 'status': 'pending',
             'reason': None, 'bytes_done': 0, 'bytes_total': 0}]}


def test_live_line_has_bar_bytes_rate_eta_and_resource():
    line = progress.live_line(_item(), 12.5 * MiB, 120)
    assert line.startswith('[###')
    assert ' 37%  1.5 GiB/4.0 GiB  12.5 MiB/s  ETA 3m 25s  ' \
           'volume_data_5e6f7a8b (transferring)' in line
    assert len(line) <= 119


def test_live_line_fits_narrow_terminals():
    line = progress.live_line(_item(), 12.5 * MiB, 40)
    assert len(line) == 39
    assert line.startswith(' 37%  1.5 GiB/4.0 GiB')
    assert line.endswith('...')
    assert '[' not in line


def test_live_line_without_bytes_counts_resources():
    line = progress.live_line(_item(bytes_total=0, bytes_done=0, percent=None,
                                    eta_seconds=None), None, 100)
    assert ' 33%  1/3 resources  volume_data_5e6f7a8b' in line
    assert 'ETA' not in line and '/s' not in line


def test_plain_line_reads_well_in_a_log():
    assert progress.plain_line(_item(eta_seconds=200), 2 * MiB, 75) == (
        '[1m 15s] protecting 37%: 1.5 GiB of 4.0 GiB, 2.0 MiB/s, '
        'ETA 3m 20s, 1 of 3 resources done; transferring '
        'volume_data_5e6f7a8b')


def test_progress_text_shows_eta_only_while_running():
    item = _item(eta_seconds=200)
    assert progress.progress_text(item['progress'], 'protecting') == (
        '37% (1.5 GiB of 4.0 GiB), 1 of 3 resources done, ETA 3m 20s')
    assert progress.progress_text(item['progress'], 'error') == (
        '37% (1.5 GiB of 4.0 GiB), 1 of 3 resources done')
    assert progress.progress_text(None) == ''


def test_recovery_rows_target_ids_and_reasons():
    # A recovery's ``resources`` are the selected IDs; its progress rows
    # are ``resource_status``.
    item = {'status': 'recovering', 'resources': ['s1'],
            'resource_status': [
                {'key': 'server_s1', 'type': 'OS::Nova::Server',
                 'name': 'web', 'status': 'done', 'target_id': 'new-1'},
                {'key': 'volume_v1', 'status': 'transferring'},
                {'key': 'volume_v2', 'name': 'data', 'status': 'error',
                 'reason': 'checksum mismatch'}]}
    assert progress.resource_rows(item) == item['resource_status']
    assert progress.current_resource(item)['key'] == 'volume_v1'
    assert progress.resource_line(item['resource_status'][0]) == (
        'done server_s1 (OS::Nova::Server web) -> new-1')
    assert progress.failure_reasons(item) == \
        'volume_v2 (data): checksum mismatch'
    assert progress.resource_rows({'resources': ['s1']}) == []
    assert progress.progress_text(
        {'percent': 5, 'eta_seconds': 60}, 'recovering') == '5%, ETA 1m 00s'


def test_resource_line_and_failure_reasons():
    item = _item()
    assert progress.resource_line(item['resources'][1]) == (
        'transferring volume_data_5e6f7a8b 512.0 MiB of 3.0 GiB '
        '(OS::Cinder::Volume data, snapshot_data)')
    assert progress.resource_line(item['resources'][2]) == (
        'pending server_db_9c0d1e2f (OS::Nova::Server db, template_only)')
    item['resources'][1].update(status='error',
                                reason='Snapshot went\nto error')
    item['resources'][2].update(status='error', reason=None)
    assert progress.resource_line(item['resources'][1]).endswith(
        'snapshot_data): Snapshot went to error')
    assert progress.failure_reasons(item) == (
        'volume_data_5e6f7a8b (data): Snapshot went to error; '
        'server_db_9c0d1e2f (db): no reason given')
    assert progress.failure_reasons(
        {'resources': [], 'error': 'Heat refused\nthe template'}) == \
        'Heat refused the template'
    assert progress.failure_reasons({}) == 'no reason given'


# Started away from zero: nothing may take a time of 0 for "unset".
FakeClock = functools.partial(waiting.FakeClock, 1000.0)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def _states(*steps):
    """Successive states of a checkpoint: (status, bytes_done, resources_done)."""
    for status, done, resources_done in steps:
        item = _item(bytes_done=done, percent=int(100 * done / (4 * GiB)),
                     resources_done=resources_done)
        item['status'] = status
        yield item


def _follow(stream, clock, *steps, **kwargs):
    states = _states(*steps)
    follower = progress.Follower(
        lambda: next(states), stream, clock=progress.Clock(clock.now,
                                                          clock.sleep),
        columns=100, **kwargs)
    return follower.follow(next(states))


def test_follow_draws_one_live_line_on_a_terminal():
    stream, clock = Terminal(), FakeClock()
    last = _follow(stream, clock,
                   ('protecting', 0, 0), ('protecting', GiB, 1),
                   ('protecting', 2 * GiB, 1), ('available', 4 * GiB, 3))
    assert last['status'] == 'available'
    assert clock.sleeps == [2.0, 2.0, 2.0]
    text = stream.getvalue()
    frames = text.split('\r')[1:]
    assert len(frames) == 4
    assert text.endswith('\n') and text.count('\n') == 1
    assert all(len(frame.rstrip('\n')) == 99 for frame in frames)
    assert '512.0 MiB/s' in frames[1]   # 1 GiB in 2 s
    assert frames[-1].rstrip() == (
        '[' + '#' * 30 + '] 100%  4.0 GiB/4.0 GiB  682.7 MiB/s')


def test_follow_writes_plain_lines_when_not_a_terminal():
    stream, clock = io.StringIO(), FakeClock()
    steps = [('protecting', 0, 0)] * 10 + [('protecting', GiB, 1)] + \
        [('protecting', GiB, 1)] * 10 + [('error', GiB, 1)]
    last = _follow(stream, clock, *steps, log_interval=15.0)
    assert last['status'] == 'error'
    lines = stream.getvalue().splitlines()
    assert '\r' not in stream.getvalue()
    # The first poll, every 15 s, when a resource is done, and the end.
    assert [line.split(']')[0] for line in lines] == [
        '[0s', '[16s', '[20s', '[36s', '[42s']
    assert lines[2].startswith('[20s] protecting 25%: 1.0 GiB of 4.0 GiB')
    # The rate is the average of the last 30 s: 1 GiB.
    assert lines[-1] == ('[42s] error 25%: 1.0 GiB of 4.0 GiB, 34.1 MiB/s, '
                         '1 of 3 resources done')


def test_follow_returns_at_once_when_already_done():
    stream, clock = io.StringIO(), FakeClock()
    assert _follow(stream, clock, ('available', 4 * GiB, 3))['status'] == \
        'available'
    assert clock.sleeps == []
    assert len(stream.getvalue().splitlines()) == 1


def test_interrupt_ends_the_live_line_first():
    stream, clock = Terminal(), FakeClock(interrupt_after=1)
    with pytest.raises(KeyboardInterrupt):
        _follow(stream, clock, *[('protecting', 0, 0)] * 5)
    assert stream.getvalue().endswith('\n')
    assert stream.getvalue().count('\r') == 2


def test_follow_retries_transient_errors_only():
    clock = FakeClock()
    answers = iter([ConnectionError('down'), ConnectionError('down'),
                    _item(), ValueError('bad')])

    def get():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer
    follower = progress.Follower(
        get, io.StringIO(), clock=progress.Clock(clock.now, clock.sleep),
        transient=lambda error: isinstance(error, ConnectionError))
    with pytest.raises(ValueError):
        follower.follow(_item())
    # Poll, two retries, poll, then the error that is not retried.
    assert clock.sleeps == [2.0] * 4


def test_follow_gives_up_after_max_failures():
    clock = FakeClock()

    def get():
        raise ConnectionError('down')
    follower = progress.Follower(
        get, io.StringIO(), clock=progress.Clock(clock.now, clock.sleep),
        transient=lambda error: True, max_failures=2)
    with pytest.raises(ConnectionError):
        follower.follow(_item())
    assert clock.sleeps == [2.0] * 3


# -- phases: what the run does now; an ETA only while bytes move

def test_phase_text():
    assert progress.phase_text({'phase': 'capturing', 'phase_done': 2,
                                'phase_total': 3}) == \
        'capturing 2/3 resources'
    assert progress.phase_text({'phase': 'launching', 'phase_done': None,
                                'phase_total': None}) == 'launching stack'
    assert progress.phase_text({'phase': 'tearing_down'}) == 'tearing down'
    assert progress.phase_text({'phase': 'something_new'}) == \
        'something new'
    assert progress.phase_text({'phase': None}) == ''
    assert progress.phase_text({}) == ''
    assert progress.phase_text(None) == ''


def test_an_api_with_phases_is_trusted_with_the_eta():
    # Waiting for snapshots: the API says no ETA; the local rate of the
    # bytes before the wait must not make one up.
    waiting = {'phase': 'capturing', 'eta_seconds': None,
               'bytes_done': 10, 'bytes_total': 10 ** 9}
    assert progress.eta(waiting, 1.0) is None
    moving = dict(waiting, phase='transferring', eta_seconds=42.0)
    assert progress.eta(moving, 1.0) == 42.0
    # An API without phases: the local rate, as before.
    assert progress.eta({'bytes_done': 40, 'bytes_total': 100}, 20.0) == 3


def test_live_line_while_capturing_has_the_phase_no_rate_no_eta():
    item = _item(phase='capturing', phase_done=2, phase_total=3,
                 bytes_per_second=None)
    item['resources'][1]['status'] = 'capturing'
    line = progress.live_line(item, 12.5 * MiB, 120)
    assert ' 37%  1.5 GiB/4.0 GiB  capturing 2/3 resources  ' \
           'volume_data_5e6f7a8b (capturing)' in line
    assert 'ETA' not in line and '/s' not in line


def test_live_line_while_transferring_has_rate_and_the_apis_eta():
    item = _item(phase='transferring', phase_done=1, phase_total=3,
                 eta_seconds=200)
    line = progress.live_line(item, 12.5 * MiB, 140)
    assert ' 37%  1.5 GiB/4.0 GiB  transferring 1/3 resources  ' \
           '12.5 MiB/s  ETA 3m 20s  volume_data_5e6f7a8b (transferring)' \
        in line


def test_plain_line_and_progress_text_name_the_phase_while_running():
    item = _item(phase='restoring', phase_done=0, phase_total=2)
    item['status'] = 'recovering'
    assert progress.plain_line(item, 2 * MiB, 75) == (
        '[1m 15s] recovering 37%: restoring 0/2 resources, 1.5 GiB of '
        '4.0 GiB, 2.0 MiB/s, 1 of 3 resources done; transferring '
        'volume_data_5e6f7a8b')
    assert progress.progress_text(item['progress'], 'recovering') == (
        '37% restoring 0/2 resources (1.5 GiB of 4.0 GiB), 1 of 3 '
        'resources done')
    assert progress.progress_text(item['progress'], 'succeeded') == (
        '37% (1.5 GiB of 4.0 GiB), 1 of 3 resources done')


def test_follow_logs_a_line_when_the_phase_moves_on():
    stream = io.StringIO()
    clock = waiting.FakeClock()
    states = iter([
        _item(phase='capturing', phase_done=1, phase_total=3),
        _item(phase='transferring', phase_done=0, phase_total=3),
        dict(_item(), status='available')])
    follower = progress.Follower(lambda: next(states), stream,
                                 clock=progress.Clock(clock.now, clock.sleep),
                                 log_interval=3600)
    follower.follow(_item(phase='capturing', phase_done=0, phase_total=3))
    lines = stream.getvalue().splitlines()
    assert [line.split(': ', 1)[1].split(',')[0] for line in lines[:3]] == [
        'capturing 0/3 resources', 'capturing 1/3 resources',
        'transferring 0/3 resources']

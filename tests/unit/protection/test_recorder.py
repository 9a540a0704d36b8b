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

"""RunRecorder: resource status writes are coalesced, never lost, never stale."""
import threading
import time
import types

from dragon.protection import recorder as rec
from dragon import statuses

RESOURCE = statuses.Resource


class Rows:
    """Records every row write (a copy of the resources as written)."""

    def __init__(self):
        self.writes = []
        self.lock = threading.Lock()

    def update(self, _context, _row_id, values, expected_claim=None):
        with self.lock:
            self.writes.append({r['key']: r['status']
                                for r in values['resources']} |
                               {k: v for k, v in values.items()
                                if k not in ('resources', 'bytes_done',
                                             'bytes_total')})

    def rows(self):
        return _kind(self.update, lambda *a, **k: None)


def _kind(update, event_add, warnings_field=None, events_add=None):
    """A kind of run whose table is the test's."""
    return types.SimpleNamespace(name='checkpoint', update=update,
                                 event_add=event_add, events_add=events_add,
                                 resources_field='resources',
                                 warnings_field=warnings_field)


def _node(key):
    return types.SimpleNamespace(
        key=key, action='template_only',
        resource=types.SimpleNamespace(type='OS::Nova::Server', id=key,
                                       name=key))


def _recorder(rows, count):
    recorder = rec.RunRecorder(None, 'cp-1', rows.rows())
    for i in range(count):
        recorder.track(_node('server_%d' % i), 0)
    return recorder


def test_hundreds_of_status_changes_make_a_handful_of_writes(monkeypatch):
    monkeypatch.setattr(rec, 'FLUSH_SECONDS', 0.2)
    rows = Rows()
    recorder = _recorder(rows, 300)
    started = time.monotonic()
    for i in range(300):
        for status in (RESOURCE.CAPTURING, RESOURCE.TRANSFERRING,
                       RESOURCE.DONE):
            recorder.status('server_%d' % i, status)
    elapsed = time.monotonic() - started
    # One immediate write, then at most one per interval.
    assert len(rows.writes) <= 2 + elapsed / 0.2
    # The last change is written by the timer within the interval.
    time.sleep(0.5)
    assert set(rows.writes[-1].values()) == {RESOURCE.DONE}


def test_an_error_is_written_at_once():
    rows = Rows()
    recorder = _recorder(rows, 2)
    recorder.status('server_0', RESOURCE.CAPTURING)       # written (first)
    recorder.status('server_1', RESOURCE.CAPTURING)       # deferred
    recorder.status('server_0', RESOURCE.ERROR, 'gone')
    assert rows.writes[-1]['server_0'] == RESOURCE.ERROR
    assert rows.writes[-1]['server_1'] == RESOURCE.CAPTURING


def test_a_final_write_is_not_overtaken_by_a_deferred_one(monkeypatch):
    monkeypatch.setattr(rec, 'FLUSH_SECONDS', 0.1)
    rows = Rows()
    recorder = _recorder(rows, 1)
    recorder.status('server_0', RESOURCE.CAPTURING)
    recorder.status('server_0', RESOURCE.TRANSFERRING)    # deferred: a timer
    recorder.status('server_0', RESOURCE.DONE)
    recorder.flush(force=True, status='available')
    time.sleep(0.3)
    assert rows.writes[-1]['server_0'] == RESOURCE.DONE
    assert any(w.get('status') == 'available' for w in rows.writes)


def test_warnings_are_events_once_and_written_with_every_row():
    events = []
    written = []
    rows = _kind(lambda _c, _i, values, **_k: written.append(values),
                 lambda _c, _i, level, message, resource=None:
                 events.append((level, resource, message)),
                 warnings_field='warnings')
    recorder = rec.RunRecorder(None, 'cp-1', rows)
    recorder.warn('volume_v', 'volume_not_protected', 'recreated empty')
    recorder.warn('volume_v', 'volume_not_protected', 'said again')
    recorder.warn(None, 'backup_import_admin_only', 'admins only')
    assert events == [('warning', 'volume_v', 'recreated empty'),
                      ('warning', None, 'admins only')]
    recorder.flush(force=True, status='available')
    assert written[-1]['warnings'] == [
        {'resource': 'volume_v', 'what': 'volume_not_protected',
         'message': 'recreated empty'},
        {'resource': None, 'what': 'backup_import_admin_only',
         'message': 'admins only'}]


def test_a_table_without_warnings_gets_none_written():
    written = []
    rows = _kind(lambda _c, _i, values, **_k: written.append(values),
                 lambda *a, **k: None)
    recorder = rec.RunRecorder(None, 'r-1', rows)
    recorder.warn('x', 'user_data_not_readable', 'hidden')
    recorder.flush(force=True, status='succeeded')
    assert 'warnings' not in written[-1]


def test_a_recorder_that_tracked_nothing_leaves_the_runs_progress():
    """One made after the run (to commit, roll back or delete it) writes
    its status, not the empty lists that would wipe the run's resources.
    """
    written = []
    rows = _kind(lambda _c, _i, values, **_k: written.append(values),
                 lambda *a, **k: None, warnings_field='warnings')
    closing = rec.RunRecorder(None, 'r-1', rows)
    closing.event('info', 'committed')
    closing.flush(force=True, status='committed')
    assert written == [{'status': 'committed'}]


def test_the_phase_is_written_at_once_and_counts_its_items(monkeypatch):
    monkeypatch.setattr(rec, 'FLUSH_SECONDS', 0.05)
    rows = Rows()
    recorder = _recorder(rows, 3)
    recorder.flush(force=True)
    assert 'phase' not in rows.writes[-1]       # none before the first
    recorder.phase('capturing', 3)
    assert rows.writes[-1]['phase'] == {
        'name': 'capturing', 'done': 0, 'total': 3,
        'bytes_per_second': None, 'bytes_at': None}
    recorder.advance()
    recorder.advance()
    time.sleep(0.2)                             # the deferred write
    assert rows.writes[-1]['phase']['done'] == 2
    recorder.phase('finishing')
    assert rows.writes[-1]['phase'] == {
        'name': 'finishing', 'done': None, 'total': None,
        'bytes_per_second': None, 'bytes_at': None}
    recorder.advance()                          # counts nothing: no change
    recorder.flush(force=True)
    assert rows.writes[-1]['phase']['done'] is None


def test_the_rate_is_written_once_enough_bytes_flowed(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(rec.time, 'monotonic', lambda: clock[0])
    rows = Rows()
    recorder = _recorder(rows, 1)
    recorder.phase('transferring', 1)
    for _ in range(11):                         # 4 MiB/s for 10 s
        recorder.add_bytes('server_0', 4 * 1024 * 1024)
        clock[0] += 1.0
    recorder.flush(force=True)
    phase = rows.writes[-1]['phase']
    assert phase['bytes_per_second'] == 4 * 1024 * 1024
    assert phase['bytes_at'] is not None


def test_batched_events_are_stored_in_one_call_at_the_end():
    """300 warnings of a discovery: one database call, not 300."""
    single, many = [], []
    kind = _kind(Rows().update, lambda *a, **k: single.append(a),
                 warnings_field='warnings',
                 events_add=lambda _c, row_id, events: many.append(
                     (row_id, events)))
    recorder = rec.RunRecorder(None, 'cp-1', kind)
    with recorder.batched():
        for i in range(300):
            recorder.warn('server_%d' % i, 'user_data_not_visible', 'm%d' % i)
        assert single == [] and many == []
    assert single == [] and len(many) == 1
    row_id, events = many[0]
    assert row_id == 'cp-1' and len(events) == 300
    assert [(e['level'], e['resource'], e['message']) for e in events[:2]] \
        == [('warning', 'server_0', 'm0'), ('warning', 'server_1', 'm1')]
    assert events[0]['time'] <= events[-1]['time']
    # Kept for events.json as before, and back to one call per event.
    assert len(recorder.events) == 300
    recorder.event('info', 'after')
    assert len(single) == 1 and len(many) == 1


def test_a_failing_block_still_stores_its_events():
    many = []
    kind = _kind(Rows().update, lambda *a, **k: None,
                 events_add=lambda _c, _r, events: many.append(events))
    recorder = rec.RunRecorder(None, 'cp-1', kind)
    try:
        with recorder.batched():
            recorder.event('warning', 'before the failure')
            raise RuntimeError('discovery failed')
    except RuntimeError:
        pass
    assert [e['message'] for e in many[0]] == ['before the failure']

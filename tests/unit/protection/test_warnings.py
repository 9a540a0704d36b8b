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

"""The warnings collector: each (resource, code) once, in order, thread-safe."""
import threading

from dragon.protection import warnings


def test_each_resource_and_code_once_in_order():
    seen = []
    collector = warnings.Collector(on_add=seen.append)
    collector.warn('a', warnings.VOLUME_NOT_PROTECTED, 'one')
    collector.warn('b', warnings.VOLUME_NOT_PROTECTED, 'two')
    collector.warn('a', warnings.VOLUME_NOT_PROTECTED, 'again')
    collector.warn('a', warnings.USER_DATA_NOT_READABLE, 'three')
    assert [w['message'] for w in collector.items()] == ['one', 'two',
                                                         'three']
    assert seen == collector.items() and len(collector) == 3


def test_threads_lose_nothing():
    collector = warnings.Collector()
    threads = [threading.Thread(target=lambda i=i: [
        collector.warn('r%d-%d' % (i, n), 'x', 'm') for n in range(100)])
        for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(collector) == 800


def test_summary_names_resource_message_and_code():
    assert warnings.summary([
        warnings.warning('volume_v', 'volume_not_protected', 'empty'),
        warnings.warning(None, 'backup_import_admin_only', 'admins')]) == (
        'volume_v: empty (volume_not_protected); admins '
        '(backup_import_admin_only)')


def test_codes_are_unique():
    assert len(set(warnings.CODES)) == len(warnings.CODES)

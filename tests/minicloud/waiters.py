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

"""Polling helpers of the minicloud's users: the workload, the demo, the tests.

Status changes in OpenStack are asynchronous; these wait for them and fail
with the reason the service gives.
"""
import hashlib
import time


class WaitFailed(AssertionError):
    """A resource went bad or did not get there in time.

    An ``AssertionError`` so that pytest reports it as a failed check; the
    demo prints its one line.
    """


def wait_for(fetch, ok, bad=('error',), timeout=180, interval=0.5):
    """Poll ``fetch()`` until its status is in ``ok``; fail on ``bad``."""
    deadline = time.monotonic() + timeout
    while True:
        obj = fetch()
        status = (obj.status or '').lower()
        if status in ok:
            return obj
        if status in bad or time.monotonic() > deadline:
            raise WaitFailed('%s %s is %s (wanted %s): %s' % (
                type(obj).__name__, obj.id, status, ok,
                getattr(obj, 'fail_reason', None) or
                getattr(obj, 'fault', None) or
                getattr(obj, 'status_reason', None) or ''))
        time.sleep(interval)


def image_sha256(conn, image_id, limit=None):
    """sha256 of an image's bytes (first ``limit`` bytes), streamed."""
    digest, seen = hashlib.sha256(), 0
    response = conn.image.download_image(image_id, stream=True)
    for block in response.iter_content(1 << 20):
        if limit is not None:
            block = block[:max(0, limit - seen)]
        digest.update(block)
        seen += len(block)
    return digest.hexdigest(), seen


def wait_gone(fetch, bad=('delete_failed', 'error_deleting'), timeout=300,
              interval=0.5):
    """Poll ``fetch()`` until it raises NotFound (the object is gone)."""
    from openstack import exceptions
    deadline = time.monotonic() + timeout
    while True:
        try:
            obj = fetch()
        except exceptions.NotFoundException:
            return
        status = (getattr(obj, 'status', '') or '').lower()
        if status == 'delete_complete':
            return
        if status in bad or time.monotonic() > deadline:
            raise WaitFailed('%s %s still there: %s' % (
                type(obj).__name__, obj.id, status))
        time.sleep(interval)

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

"""Every image a protection waits for, checked with one Glance list call.

A protection waits for each server's snapshot (and each volume's upload)
to become ``active`` in Glance before it can read it, and no client can
read it sooner.  Polling each image on its own makes the calls grow with
the servers; backing off to keep them down notices a finished upload
late, up to a fifth of the time waited (over a second of a 1 GiB
protect, whose bytes Dragon could have been moving).  The watch instead
lists all the images waited for in one ``GET /v2/images?id=in:...``
(``BATCH`` ids per call) every ``interval`` seconds: an upload is noticed
within ``interval`` however many servers there are, and the calls depend
on the time waited only.

An image missing from the list is read once on its own (Glance answers
404 for one deleted under the run; a list may lag a just-created one).
A failed list call fails every wait it served, as a failed read of one
image did before.
"""

import threading
import time
from typing import Any

from dragon import exception
from dragon.protection.data import glance
from dragon.protection.data import waiting

# Ids per list call: ~2 KB of query string, under the request-line limit
# of a default gunicorn or uwsgi in front of Glance.
BATCH = 50


class _Slot:
    """What the watch last learnt of one image, shared by its waiters."""

    def __init__(self):
        self.waiters = 0
        self.image: dict | None = None
        self.gone = False
        self.error: BaseException | None = None


class ImageWatch:
    """Waits for many images at once; one poller thread while any waits.

    :param clients: ``dragon.cloud.clients.ServiceClients`` of the region.
    :param interval: seconds between two rounds of list calls.
    """

    def __init__(self, clients: Any, interval: float):
        self._clients = clients
        self._interval = interval
        self._changed = threading.Condition()
        self._slots: dict[str, _Slot] = {}
        self._polling = False
        self._counting = threading.Lock()
        self.calls = 0      # Glance calls made, for tests and stats

    def wait_active(self, image_id: str, *, timeout: float,
                    resource: str) -> dict:
        """The image once ``active``, as the watch last listed it.

        :raises dragon.exception.ResourceFailed: the image went to a
            failed status or was deleted.
        :raises dragon.exception.ResourceTimeout: ``timeout`` seconds
            passed.
        """
        deadline = time.monotonic() + timeout
        # Read once at once: an image already active (a transfer after
        # its prepare) is not held until the poller's next round.
        first = _Slot()
        first.image, first.gone, first.error = self._read_one(image_id)
        image = self._settled(first, image_id, resource)
        if image is not None:
            return image
        with self._changed:
            slot = self._slots.setdefault(image_id, first)
            slot.waiters += 1
            if not self._polling:
                self._polling = True
                threading.Thread(target=self._poll, daemon=True,
                                 name='image-watch').start()
            try:
                while True:
                    image = self._settled(slot, image_id, resource)
                    if image is not None:
                        return image
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise exception.ResourceTimeout(
                            resource=resource, what='image', id=image_id,
                            status=(slot.image or {}).get('status', 'unknown'),
                            timeout=timeout, wanted='active')
                    self._changed.wait(left)
            finally:
                slot.waiters -= 1
                if not slot.waiters:
                    del self._slots[image_id]

    @staticmethod
    def _settled(slot: _Slot, image_id: str, resource: str) -> dict | None:
        """The image when its wait is over; raises when it failed."""
        if slot.error is not None:
            raise slot.error
        status = 'deleted' if slot.gone else (
            (slot.image or {}).get('status') or '').lower()
        if status == 'active':
            return slot.image
        if status in glance.FAILED or slot.gone:
            detail = waiting.reason(slot.image or {})
            raise exception.ResourceFailed(
                resource=resource, what='image', id=image_id, status=status,
                wanted='active', detail=': %s' % detail if detail else '')
        return None

    def _poll(self) -> None:
        while True:
            with self._changed:
                ids = sorted(self._slots)
                if not ids:
                    self._polling = False
                    return
            news = self._read(ids)
            with self._changed:
                for image_id, (image, gone, error) in news.items():
                    slot = self._slots.get(image_id)
                    if slot is not None:
                        slot.image = image or slot.image
                        slot.gone, slot.error = gone, error
                self._changed.notify_all()
            time.sleep(self._interval)

    def _read(self, ids: list[str]) -> dict[str, tuple]:
        """id -> (image, gone, error) for every id, from list calls."""
        news: dict[str, tuple] = {}
        for start in range(0, len(ids), BATCH):
            batch = ids[start:start + BATCH]
            try:
                listed = glance.list_by_ids(self._clients, batch)
            except Exception as e:  # noqa: BLE001 - fails the waits it served
                news.update({i: (None, False, e) for i in batch})
                continue
            finally:
                self._count()
            for image_id in batch:
                image = listed.get(image_id)
                news[image_id] = ((image, False, None) if image is not None
                                  else self._read_one(image_id))
        return news

    def _count(self) -> None:
        with self._counting:
            self.calls += 1

    def _read_one(self, image_id: str) -> tuple:
        self._count()
        try:
            return glance.get_image(self._clients, image_id), False, None
        except waiting.Gone:
            return None, True, None
        except Exception as e:  # noqa: BLE001 - fails the wait it served
            return None, False, e

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

"""Items through a line of stages, each stage its own bounded thread pool.

A protection run moves each data-carrying resource through capture (the
snapshot taken), prepare (Nova or Cinder making the data readable) and
transfer (bytes into Swift).  Waiting for the whole policy between the
stages would keep every transfer behind the slowest snapshot and every
Swift slot idle while Nova uploads; here an item enters the next stage the
moment it leaves one, so one server's upload to Glance overlaps another's
transfer, while each stage keeps its own bound on the calls in flight.
"""

import concurrent.futures
import dataclasses
import queue
from typing import Any, Callable, Iterable


@dataclasses.dataclass
class Stage:
    """One step every item goes through.

    :param name: for the threads' names.
    :param run: does the step for one item, in a thread of the stage.
    :param threads: items in this stage at the same time.
    :param done: called in the caller's thread after each item that
        completed the stage.
    :param all_done: called in the caller's thread once, when every item
        has completed the stage (not when the line fails first).
    """

    name: str
    run: Callable[[Any], None]
    threads: int
    done: Callable[[Any], None] | None = None
    all_done: Callable[[], None] | None = None


def run(items: Iterable[Any], stages: list[Stage],
        on_error: Callable[[BaseException], None] | None = None) -> None:
    """Move every item through ``stages`` in order, as soon as it can.

    The first failure stops the line: items not yet started in a stage
    never start it, items under way finish their stage and stop there.

    :param on_error: called in the caller's thread with the first
        failure, at once (before the items under way are waited for).

    :raises: the first exception a stage raised, once no thread runs.
    """
    items = list(items)
    if not items:
        for stage in stages:
            if stage.all_done is not None:
                stage.all_done()
        return
    # The executors start threads only as items come: no cap needed.
    pools = [concurrent.futures.ThreadPoolExecutor(
        stage.threads, thread_name_prefix=stage.name) for stage in stages]
    # future -> (stage index, item): the futures not handled yet; each
    # reports its end on ``ended`` (one queue, not a wait on all of
    # them per step: a policy may hold hundreds of resources).
    pending: dict[concurrent.futures.Future, tuple[int, Any]] = {}
    ended: queue.SimpleQueue = queue.SimpleQueue()
    # Items that have not completed stage i yet, per stage.
    left = [len(items)] * len(stages)
    errors: list[BaseException] = []

    def submit(index: int, item: Any) -> None:
        future = pools[index].submit(stages[index].run, item)
        pending[future] = (index, item)
        future.add_done_callback(ended.put)

    try:
        for item in items:
            submit(0, item)
        while pending:
            future = ended.get()
            index, item = pending.pop(future)
            if future.cancelled():
                continue
            error = future.exception()
            if error is not None:
                errors.append(error)
                if len(errors) == 1:
                    for other in pending:
                        other.cancel()
                    if on_error is not None:
                        on_error(error)
                continue
            if errors:
                continue
            stage = stages[index]
            if stage.done is not None:
                stage.done(item)
            left[index] -= 1
            if left[index] == 0 and stage.all_done is not None:
                stage.all_done()
            if index + 1 < len(stages):
                submit(index + 1, item)
    except BaseException:
        for other in pending:
            other.cancel()
        raise
    finally:
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)
    if errors:
        raise errors[0]

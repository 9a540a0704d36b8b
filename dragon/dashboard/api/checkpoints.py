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

"""Checkpoints: protect, list, show, hold, verify, delete; events, template."""

from typing import Any

from dragon.dashboard import api
from dragon import statuses


class Checkpoint(api.Resource):
    """A checkpoint with the progress figures its row and page show."""

    @property
    def percent(self) -> float:
        return float((self._apidict.get('progress') or {}).get('percent')
                     or 0)

    @property
    def running(self) -> bool:
        return self._apidict.get('status') in statuses.Checkpoint.ACTIVE


@api.translated
def checkpoint_list(request: Any, policy_id: str | None = None,
                    all_projects: bool = False, region: str | None = None,
                    all_pages: bool = True) -> list[Checkpoint]:
    """Newest first; ``all_pages=False``: the API's first page only."""
    return [Checkpoint(c) for c in api.client(request, region).checkpoints.list(
        policy_id=policy_id, all_projects=all_projects, all_pages=all_pages)]


@api.translated
def checkpoint_get(request: Any, checkpoint_id: str,
                   region: str | None = None) -> Checkpoint:
    return Checkpoint(api.client(request, region).checkpoints.get(
        checkpoint_id))


@api.translated
def protect(request: Any, policy_id: str) -> Checkpoint:
    return Checkpoint(api.client(request).checkpoints.protect(policy_id))


@api.translated
def checkpoint_hold(request: Any, checkpoint_id: str,
                    hold: bool) -> Checkpoint:
    return Checkpoint(api.client(request).checkpoints.update(checkpoint_id,
                                                             hold))


@api.translated
def checkpoint_verify(request: Any, checkpoint_id: str,
                      read_data: bool = False) -> Checkpoint:
    return Checkpoint(api.client(request).checkpoints.verify(
        checkpoint_id, read_data=read_data))


@api.translated
def checkpoint_delete(request: Any, checkpoint_id: str) -> None:
    api.client(request).checkpoints.delete(checkpoint_id)


@api.translated
def checkpoint_events(request: Any, checkpoint_id: str) -> list[api.Resource]:
    return [api.Resource(e) for e in
            api.client(request).checkpoints.events(checkpoint_id)]


@api.translated
def checkpoint_template(request: Any, checkpoint_id: str) -> dict:
    """``{"template": <HOT YAML text>, "parameters": {...}}``."""
    return api.client(request).checkpoints.template(checkpoint_id)

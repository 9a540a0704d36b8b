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

"""Recovery points: what Swift holds for the project, read by a region's Dragon."""

from typing import Any

from dragon.dashboard import api
from dragon.dashboard import exceptions


class RecoveryPoint(api.Resource):
    """A complete checkpoint container; its id is the container name."""

    @property
    def id(self) -> str:
        return self._apidict['container']


@api.translated
def recovery_point_list(request: Any, region: str | None = None,
                        policy: str | None = None) -> list[RecoveryPoint]:
    """Read from Swift by the Dragon of ``region`` (no database needed)."""
    return [RecoveryPoint(p) for p in
            api.client(request, region).recovery_points.list(policy=policy)]


@api.translated
def recovery_point_get(request: Any, container: str,
                       region: str | None = None) -> RecoveryPoint:
    """One recovery point, found in the listing (the API has no GET of one).

    :raises dragon.dashboard.exceptions.DragonNotFound: not in the listing.
    """
    for point in recovery_point_list(request, region):
        if point.id == container:
            return point
    raise exceptions.DragonNotFound(
        404, 'Recovery point %s could not be found.' % container)


@api.translated
def recovery_point_verify(request: Any, container: str,
                          region: str | None = None) -> api.Resource:
    return api.Resource(api.client(request, region).recovery_points.verify(
        container))

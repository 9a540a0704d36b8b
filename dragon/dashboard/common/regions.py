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

"""The Dragon region a page talks to: chosen on the page, kept in the session.

Recovery points, recoveries and engines live with the Dragon of one
region (recovery targets the backup site), so those pages say which region
they show and let the user pick another. The choice is kept in the session
so the rows' ajax refreshes and the table actions' posts, which drop the
query string, talk to the same Dragon.
"""

from typing import Any

from dragon.dashboard.api import recoveries as api_recoveries

PARAM = 'region'
SESSION_KEY = 'dragon_dashboard_region'
SERVICE_TYPE = 'dr'


def dr_regions(request: Any) -> list[str]:
    """Regions whose catalog has a Dragon endpoint."""
    return api_recoveries.regions(request, SERVICE_TYPE)


def selected(request: Any) -> str:
    """The region asked for (``?region=``), else the session's, else Horizon's.

    A choice kept in the session holds only while Horizon's own region is
    the one it was made under: switching regions in Horizon's menu is
    obeyed on the next page.
    """
    known = dr_regions(request)
    horizon_region = request.user.services_region
    asked = request.GET.get(PARAM)
    if asked and asked in known:
        request.session[SESSION_KEY] = {'horizon': horizon_region,
                                        'region': asked}
        return asked
    kept = request.session.get(SESSION_KEY)
    if isinstance(kept, dict) and kept.get('horizon') == horizon_region \
            and kept.get('region') in known:
        return kept['region']
    return horizon_region


def context(request: Any) -> dict[str, Any]:
    """What the region selector template needs."""
    return {'dr_regions': dr_regions(request),
            'dr_region': selected(request), 'dr_region_param': PARAM}

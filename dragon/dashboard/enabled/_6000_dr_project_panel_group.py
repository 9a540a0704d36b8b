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

"""The "Disaster Recovery" panel group of the Project dashboard."""

from django.utils.translation import gettext_lazy as _

from dragon.dashboard import exceptions

PANEL_GROUP = 'disaster_recovery'
PANEL_GROUP_NAME = _('Disaster Recovery')
PANEL_GROUP_DASHBOARD = 'project'

# Templates and static files of the panels.
ADD_INSTALLED_APPS = ['dragon.dashboard']

# The Dragon API's failures: its message shown, 404 not found, 401 logout.
ADD_EXCEPTIONS = {
    'recoverable': exceptions.RECOVERABLE,
    'not_found': exceptions.NOT_FOUND,
    'unauthorized': exceptions.UNAUTHORIZED,
}

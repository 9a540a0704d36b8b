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

"""The DR Engines panel (Admin > Disaster Recovery)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
import horizon

from dragon.dashboard import policy


class Engines(horizon.Panel):
    name = _('DR Engines')
    slug = 'dr_engines'
    permissions = ('openstack.services.dr',)
    rule = 'dragon:engine:list'

    def allowed(self, context: Any) -> bool:
        # The API's policy decides; the panel is hidden from whom it refuses.
        return super().allowed(context) and policy.check(
            context['request'], self.rule)

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

"""The Dragon v1 client: one keystoneauth adapter shared by the resource managers."""

from typing import Any

from keystoneauth1 import adapter

from dragon.client.v1 import checkpoints
from dragon.client.v1 import engines
from dragon.client.v1 import members
from dragon.client.v1 import policies
from dragon.client.v1 import protectables
from dragon.client.v1 import recoveries
from dragon.client.v1 import recovery_points
from dragon.client.v1 import resource_types
from dragon.client.v1 import schedules

SERVICE_TYPE = 'dr'


class Client:
    """Talks to the ``dr`` endpoint of the catalog through a keystoneauth session."""

    def __init__(self, session: Any, region_name: str | None = None,
                 interface: str = 'public',
                 endpoint_override: str | None = None, **kwargs: Any) -> None:
        self.adapter = adapter.Adapter(
            session, service_type=SERVICE_TYPE, region_name=region_name,
            interface=interface, endpoint_override=endpoint_override,
            client_name='dragon-client', **kwargs)
        self.policies = policies.PolicyManager(self.adapter)
        self.members = members.MemberManager(self.adapter)
        self.schedules = schedules.ScheduleManager(self.adapter)
        self.resource_types = resource_types.ResourceTypeManager(self.adapter)
        self.protectables = protectables.ProtectableManager(self.adapter)
        self.checkpoints = checkpoints.CheckpointManager(self.adapter)
        self.recovery_points = recovery_points.RecoveryPointManager(
            self.adapter)
        self.recoveries = recoveries.RecoveryManager(self.adapter)
        self.engines = engines.EngineManager(self.adapter)

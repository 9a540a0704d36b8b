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

"""Dragon: workload protection and disaster recovery for OpenStack.

Dragon runs on native threads. oslo.messaging imports oslo.service, whose
default backend is eventlet, so the threading backend is chosen here, before
any Dragon module can import oslo.messaging. futurist still imports eventlet
if it is installed (oslo.service depends on it) and eventlet then warns on
stderr; Dragon never uses it, so that warning is silenced. Tools that load
oslo.messaging before Dragon (oslo-config-generator) keep their choice.
"""

import warnings

from oslo_service import backend as _service_backend

warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
if _service_backend.get_backend_type() is None:
    _service_backend.init_backend(_service_backend.BackendType.THREADING)

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

"""The modes of a recovery (``recoveries.mode``), named once for the package.

Which module runs a recovery depends on its mode: ``failover`` and
``drill`` relaunch the checkpoint as a new stack (``relaunch``),
``in_place`` rolls the workload back where it runs (``in_place``) and
``failback`` brings it home (``failback``, whose recovery at home is a
relaunch too).
"""

DRILL = 'drill'
FAILBACK = 'failback'
FAILOVER = 'failover'
IN_PLACE = 'in_place'
# Modes whose run opens a commit window.  Their notifications are the
# workflow's (start; error if the window never opens; end when it closes),
# never those of a relaunch they run on the way (a failback's at home).
WINDOWED = (IN_PLACE, FAILBACK)

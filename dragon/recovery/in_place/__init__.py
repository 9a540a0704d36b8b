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

"""In-place restore: roll a workload back in its own region.

The plan (``plan``: what it replaces, rebuilds, recreates and leaves
alone) and its refusals (``checks``), the restore and swap (``apply``,
``swap``: volumes swapped, servers rebuilt, deleted volumes recreated;
``recreate``: deleted servers booted again on their networks, from an
image or a new boot volume; ``floating``: their floating IPs associated
again; ``boot``:
boot volumes copied and re-imaged by a rebuild of their server),
and the commit-or-rollback window (``window``, ``closing``).
"""

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

"""The old spellings of ``openstack dr`` commands, kept for one release.

Every command now reads ``openstack dr <noun> <verb>`` like the rest of
``openstack``.  Each old spelling still runs the same command, prints one
line on stderr naming the new one, is marked deprecated in its help and
left out of ``openstack --help`` (cliff skips ``deprecated`` commands).
Remove this module and its ``setup.cfg`` entry points one release after
they were deprecated.
"""

from typing import Any

from dragon.osc.v1 import checkpoint
from dragon.osc.v1 import recovery


def alias(command_class: type, old: str, new: str) -> type:
    """A deprecated ``openstack dr <old>`` that runs ``command_class``."""

    class Deprecated(command_class):
        deprecated = True

        def get_description(self) -> str:
            return 'DEPRECATED: use "openstack dr %s". %s' % (
                new, super().get_description())

        def run(self, parsed_args: Any) -> int:
            self.app.stderr.write(
                'Warning: "openstack dr %s" is deprecated and will be '
                'removed; use "openstack dr %s".\n' % (old, new))
            return super().run(parsed_args)

    Deprecated.__name__ = Deprecated.__qualname__ = (
        'Deprecated' + command_class.__name__)
    Deprecated.__doc__ = command_class.__doc__
    return Deprecated


# Old spelling → new spelling, all deprecated in the same release.
Protect = alias(checkpoint.ProtectPolicy, 'protect', 'policy protect')
CheckpointEvents = alias(checkpoint.ListCheckpointEvent, 'checkpoint events',
                         'checkpoint event list')
CheckpointTemplate = alias(checkpoint.ShowCheckpointTemplate,
                           'checkpoint template', 'checkpoint template show')
Recover = alias(recovery.CreateRecovery, 'recover', 'recovery create')
RecoveryEvents = alias(recovery.ListRecoveryEvent, 'recovery events',
                       'recovery event list')

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

"""Recovery of the ``volume`` type: its parameters' values, restored volumes.

Mapping kinds (``dragon.recovery.mappings`` runs them): a volume's type
(by name or the ``volume_types`` mapping; the target's default type is
the empty value), its block-storage availability zone and the image a
volume without restored data is created from (a bootable volume's source
image, else blank).  In the rewrite, data restored as an image fills the
volume's ``image`` parameter, and a volume restored as a Cinder volume
(a backup restored, a replica adopted) replaces the volume's resource.
"""

from typing import Any

from dragon import exception
from dragon.recovery import mappings

VOLUME = 'OS::Cinder::Volume'


def image(record_kinds: tuple[str, ...]) -> Any:
    """The ``image`` kind of volumes whose data ``record_kinds`` restore."""
    def resolve(resolver: Any, param: str, node: Any, source: str) -> None:
        record = resolver.data.get(node.key) if node else None
        if (record or {}).get('kind') in record_kinds:
            return  # restored: the rewrite takes it from ``restored``
        meta = node.properties.get('image_metadata') or {}
        if not node.properties.get('bootable') or not (
                meta.get('image_id') or meta.get('image_name')):
            resolver.values[param] = ''  # a blank volume
            return
        resolver.image(param, node, meta.get('image_id'),
                       meta.get('image_name'))
    return resolve


def availability_zone(resolver: Any, param: str, node: Any,
                      source: str) -> None:
    resolver.zone(param, node, source, 'block-storage', 'volume')


def volume_type(resolver: Any, param: str, node: Any, source: str) -> None:
    if not source:
        resolver.values[param] = ''
        return
    target = resolver.target

    def fetch() -> tuple[list[Any], str | None]:
        storage = target.conn.block_storage
        types = target.read('block-storage', 'listing volume types',
                            lambda: list(storage.types())) or []
        default = target.read('block-storage',
                              'reading the default volume type',
                              lambda: storage.get_type('default'))
        return types, default.name if default is not None else None
    types, default = target.once('volume_types', fetch)
    ref = resolver.map('volume_types').get(source, source)
    found, why = mappings.one(types, ref)
    if found is None:
        resolver.lack(param, node, 'volume type', source,
                      'volume type %s: %s' % (ref, why),
                      'map it with volume_types')
    elif found.name == default:
        # The default type is what an empty value gives, and it spares
        # Heat a type lookup some Cinder policies refuse to members.
        resolver.values[param] = ''
    else:
        resolver.values[param] = found.id


def restored_volumes(resources: dict[str, Any],
                     restored: dict) -> dict[str, Any]:
    """Volumes restored as Cinder volumes replace their resources."""
    replaced = {}
    for key, what in restored.items():
        if key in resources and (what or {}).get('volume_id'):
            if resources[key]['type'] != VOLUME:
                raise exception.RewriteFailed(
                    reason='%s is restored as a volume but is a %s' % (
                        key, resources[key]['type']))
            replaced[key] = what['volume_id']
    return replaced

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

"""Recovery of the ``server`` type: its parameters' target values, its images.

Mapping kinds (``dragon.recovery.mappings`` runs them): a server's flavor
(by the source flavor's name, or the ``flavors`` mapping), image (by name
or the ``images`` mapping; a restored disk gives it instead), compute
availability zone, and a key pair's name (an existing key pair with the
same public key is used rather than created).  In the rewrite, a restored
disk's image fills the server's ``image`` parameter and an existing key
pair replaces its resource.
"""

from typing import Any

from dragon.recovery import mappings

SERVER = 'OS::Nova::Server'
KEY_PAIR = 'OS::Nova::KeyPair'


def _restored(resolver: Any, node: Any, record_kinds: tuple[str, ...]
              ) -> bool:
    record = resolver.data.get(node.key) if node else None
    return (record or {}).get('kind') in record_kinds


def flavor(resolver: Any, param: str, node: Any, source: str) -> None:
    target = resolver.target
    found_flavors = target.once('flavors', lambda: target.read(
        'compute', 'listing flavors',
        lambda: list(target.conn.compute.flavors(details=True))) or [])
    ref = resolver.map('flavors').get(source)
    found, why = mappings.one(found_flavors, ref or source)
    if found is None:
        resolver.lack(param, node, 'flavor', source,
                      'flavor %s: %s' % (ref or source, why),
                      'map it with flavors')
    else:
        resolver.values[param] = found.id


def image(record_kinds: tuple[str, ...]) -> Any:
    """The ``image`` kind of servers whose disks ``record_kinds`` restore."""
    def resolve(resolver: Any, param: str, node: Any, source: str) -> None:
        if _restored(resolver, node, record_kinds):
            return  # restored: the rewrite takes it from ``restored``
        name = ((node.properties.get('image') or {}).get('name')
                if node else None)
        resolver.image(param, node, source, name)
    return resolve


def availability_zone(resolver: Any, param: str, node: Any,
                      source: str) -> None:
    resolver.zone(param, node, source, 'compute', 'compute')


def key_name(resolver: Any, param: str, node: Any, source: str) -> None:
    target = resolver.target

    def fetch() -> dict[str, Any]:
        found = target.read('compute', 'listing key pairs',
                            lambda: list(target.conn.compute.keypairs()))
        return {k.name: k for k in found or ()}
    existing = target.once('keypairs', fetch)
    values = resolver.values
    mapped = resolver.map('key_pairs').get(source)
    if mapped:
        if mapped in existing:
            values[param] = mapped
            values[mappings.existing_key(node.key)] = mapped
        else:
            resolver.lack(param, node, 'key pair', source,
                          'no key pair %s' % mapped, 'map it with key_pairs '
                          'to one of the user\'s key pairs')
        return
    name = (resolver.mappings.get('name_prefix') or '') + source
    found = existing.get(name)
    public_key = node.properties.get('public_key') if node else None
    if found is None:
        values[param] = name  # the stack creates it
    elif (found.public_key or '').split()[:2] == \
            (public_key or '').split()[:2]:
        values[param] = name
        values[mappings.existing_key(node.key)] = name  # the same key
    else:
        resolver.lack(param, node, 'key pair', source,
                      'a different key pair named %s exists' % name,
                      'map it with key_pairs or set a name_prefix')


def check_flavor_mappings(resolver: Any) -> None:
    """A flavor mapping whose source no server of the checkpoint has.

    Servers record their flavor by name (Nova embeds no flavor id
    since microversion 2.47), so a mapping keyed by anything else
    would be ignored without a word: it is refused instead.
    """
    names = {(node.properties.get('flavor') or {}).get('original_name')
             for node in resolver.graph.nodes()
             if node.resource.type == SERVER}
    for source in resolver.map('flavors'):
        if source not in names:
            resolver.missing.append(
                'flavor mapping %r: no server of the checkpoint has a '
                'flavor named so (flavors are mapped by the source '
                'flavor\'s name: %s)' % (
                    source, ', '.join(sorted(n for n in names if n))
                    or 'none'))


def key_pair_replacements(resources: dict[str, Any], values: dict[str, Any],
                          index: dict[str, Any]) -> dict[str, Any]:
    """Key pairs that exist in the target (``mappings.existing_key``)."""
    return {key: values[key] for key, resource in resources.items()
            if key in values and key not in index and
            resource['type'] == KEY_PAIR}

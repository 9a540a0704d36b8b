"""The protectable resource types, their actions and each action's options schema.

Built in for now; protection plugins (stevedore, one per resource type)
will supply the same ``ResourceType`` values, so callers only use
``resource_types()`` and ``get()``.
"""

import dataclasses
from typing import Any

from dragon import exception

SERVER = 'server'
VOLUME = 'volume'
TEMPLATE_ONLY = 'template_only'
# Server member option: what becomes of volumes attached to the server
# that are not members themselves.
ATTACHED_VOLUMES = 'attached_volumes'
PROTECT = 'protect'
ATTACHED_VOLUMES_SCHEMA = {
    'type': 'string', 'enum': [PROTECT, TEMPLATE_ONLY], 'default': PROTECT,
    'description': 'Attached volumes that are not members themselves: '
                   '"protect" takes their data with the volume type\'s '
                   'default action; "template_only" recreates them empty '
                   '(and the checkpoint names each in its warnings).'}


def _options(properties: dict[str, Any] | None = None) -> dict[str, Any]:
    return {'type': 'object', 'additionalProperties': False,
            'properties': properties or {}}


@dataclasses.dataclass(frozen=True)
class Action:
    """One way of protecting a resource type.

    ``exclusive`` actions own the resource: it may be in only one policy
    with an exclusive action (taking data twice would waste space and
    fight over snapshots); ``template_only`` merely records it.
    """

    name: str
    description: str
    options_schema: dict[str, Any]
    default: bool = False
    exclusive: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {'name': self.name, 'default': self.default,
                'description': self.description,
                'options_schema': self.options_schema}


@dataclasses.dataclass(frozen=True)
class ResourceType:
    """A resource type members may have, e.g. ``server``."""

    name: str
    description: str
    actions: tuple[Action, ...]

    @property
    def default_action(self) -> Action:
        return next(a for a in self.actions if a.default)

    def action(self, name: str | None) -> Action:
        """Return the action ``name`` (the default one for ``None``).

        :raises dragon.exception.UnknownAction:
        """
        if name is None:
            return self.default_action
        for action in self.actions:
            if action.name == name:
                return action
        raise exception.UnknownAction(
            action=name, resource_type=self.name,
            known=', '.join(a.name for a in self.actions))

    def to_dict(self) -> dict[str, Any]:
        return {'name': self.name, 'description': self.description,
                'actions': [a.to_dict() for a in self.actions]}


_BUILTIN = (
    ResourceType(
        name=SERVER,
        description='A Nova server of the project.',
        actions=(
            Action(
                name='image_snapshot', default=True,
                description='Snapshot the running disk with Nova createImage '
                            'and stream the image data into the checkpoint.',
                options_schema=_options({
                    'keep_image': {
                        'type': 'boolean', 'default': False,
                        'description': 'Keep the Glance snapshot image once '
                                       'its data is in the checkpoint.'},
                    ATTACHED_VOLUMES: ATTACHED_VOLUMES_SCHEMA,
                })),
            Action(
                name='image_copy',
                description='Store the server\'s base image once '
                            '(deduplicated); the disk\'s changes are not kept.',
                options_schema=_options({
                    ATTACHED_VOLUMES: ATTACHED_VOLUMES_SCHEMA})),
            Action(
                name=TEMPLATE_ONLY, exclusive=False,
                description='Record the server in the recovery template, '
                            'without any data of its own disk.',
                options_schema=_options({
                    ATTACHED_VOLUMES: ATTACHED_VOLUMES_SCHEMA})),
        )),
    ResourceType(
        name=VOLUME,
        description='A Cinder volume of the project.',
        actions=(
            Action(
                name='snapshot_data', default=True,
                description='Snapshot the volume and stream its data into '
                            'the checkpoint.',
                options_schema=_options({
                    'keep_snapshot': {
                        'type': 'boolean', 'default': False,
                        'description': 'Keep the Cinder snapshot once its '
                                       'data is in the checkpoint.'},
                })),
            Action(
                name='cinder_backup',
                description='Back the volume up with cinder-backup and '
                            'record the backup\'s export in the checkpoint.',
                options_schema=_options({
                    'incremental': {
                        'type': 'boolean', 'default': True,
                        'description': 'Make incremental backups after '
                                       'the first full one.'},
                    'container': {
                        'type': 'string', 'minLength': 1, 'maxLength': 255,
                        'pattern': '^[A-Za-z0-9._-]+$',
                        'description': 'Backup container (cinder-backup\'s '
                                       'default if not set).'},
                })),
            Action(
                name='replicated',
                description='Take no data: the volume is replicated by the '
                            'storage; recovery adopts the replica.',
                options_schema=_options()),
        )),
)


def resource_types() -> tuple[ResourceType, ...]:
    """Return every protectable resource type."""
    return _BUILTIN


def names() -> list[str]:
    return [t.name for t in resource_types()]


def get(name: str) -> ResourceType:
    """Return the resource type ``name``.

    :raises dragon.exception.UnknownResourceType:
    """
    for resource_type in resource_types():
        if resource_type.name == name:
            return resource_type
    raise exception.UnknownResourceType(resource_type=name,
                                        known=', '.join(names()))

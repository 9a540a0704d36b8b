"""Resource types Dragon can protect and the actions each offers."""

from dragon.client.v1 import base


class ResourceTypeManager(base.Manager):

    def list(self) -> list[dict]:
        return self._list('/resource-types', 'resource_types')

"""Resources of the project that a policy could protect."""

from dragon.client.v1 import base


class ProtectableManager(base.Manager):

    def list(self, resource_type: str | None = None) -> list[dict]:
        return self._list('/protectables', 'protectables',
                          {'type': resource_type})

"""Data actions: how each resource type's bytes get into a checkpoint.

One stevedore plugin per ``<resource_type>.<action>`` in the namespace
``dragon.protection.data``; ``get()`` is the only way to load one.
"""

from stevedore import driver
from stevedore import exception as stevedore_exc

from dragon import exception
from dragon.protection.data.base import DataAction
from dragon.protection.data.base import DataContext

NAMESPACE = 'dragon.protection.data'

__all__ = ['DataAction', 'DataContext', 'NAMESPACE', 'get']


def get(resource_type: str, action: str) -> DataAction:
    """The data action ``<resource_type>.<action>``, instantiated.

    :raises dragon.exception.UnknownDataAction: no such plugin installed.
    """
    name = '%s.%s' % (resource_type, action)
    try:
        manager = driver.DriverManager(NAMESPACE, name, invoke_on_load=True)
    except stevedore_exc.NoMatches as e:
        raise exception.UnknownDataAction(name=name) from e
    return manager.driver

"""Data actions: how each resource type's bytes get into a checkpoint.

Each resource type's plugin (``dragon.resource_types``) names its data
actions; ``get()`` is the only way to load one.
"""

from dragon import exception
from dragon.protection.data.base import DataAction
from dragon.protection.data.base import DataContext
from dragon import resource_types

__all__ = ['DataAction', 'DataContext', 'get']


def get(resource_type: str, action: str) -> DataAction:
    """The data action ``<resource_type>.<action>``, instantiated.

    :raises dragon.exception.UnknownDataAction: no such type or action.
    """
    try:
        plugin = resource_types.get(resource_type)
    except exception.UnknownResourceType:
        raise exception.UnknownDataAction(
            name='%s.%s' % (resource_type, action)) from None
    return plugin.data_action(action)

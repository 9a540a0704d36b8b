"""Loading data actions through their stevedore namespace."""
import pytest

from dragon import exception
from dragon.protection import data
from dragon.protection import registry


def test_every_registered_action_has_a_data_action():
    for resource_type in registry.resource_types():
        for action in resource_type.actions:
            loaded = data.get(resource_type.name, action.name)
            assert isinstance(loaded, data.DataAction)
            assert loaded.name == '%s.%s' % (resource_type.name, action.name)


def test_an_unknown_action_is_a_clear_error():
    with pytest.raises(exception.UnknownDataAction, match='server.nope'):
        data.get('server', 'nope')

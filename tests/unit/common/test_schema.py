import pytest

from dragon.common import schema
from dragon import exception


def test_error_names_the_field_and_stays_short():
    spec = {'type': 'object', 'properties': {'n': {
        'type': 'string', 'maxLength': 3}}}
    with pytest.raises(exception.Invalid) as error:
        schema.validate({'n': 'x' * 10000}, spec)
    assert 'field n' in error.value.message
    assert len(error.value.message) < 200


def test_unknown_fields_are_listed():
    spec = {'type': 'object', 'additionalProperties': False,
            'properties': {}}
    with pytest.raises(exception.Invalid, match="unknown field.*'z'"):
        schema.validate({'z': 1}, spec)

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

"""Validates data against a JSON schema; a failure is one ``Invalid`` naming the field."""

from typing import Any

import jsonschema

from dragon import exception

# Long enough to say what is wrong, short enough not to echo a huge input.
MAX_REASON = 300


def shorten(text: str) -> str:
    return text if len(text) <= MAX_REASON else text[:MAX_REASON] + '...'


def validate(instance: Any, schema: dict[str, Any], what: str = 'body') -> None:
    """Validate ``instance`` against ``schema``.

    :raises dragon.exception.Invalid: naming the offending field.
    """
    validator = jsonschema.Draft7Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is None:
        return
    field = '/'.join(str(p) for p in error.absolute_path)
    if error.validator == 'additionalProperties':
        extra = sorted(set(error.instance) - set(error.schema.get(
            'properties', {})))
        message = 'unknown field(s): %s' % ', '.join(
            shorten(repr(e)) for e in extra)
    elif error.validator in ('maxLength', 'minLength', 'pattern', 'allOf'):
        message = {
            'maxLength': 'longer than %s characters' % error.validator_value,
            'minLength': 'shorter than %s characters' % error.validator_value,
        }.get(error.validator, 'contains control characters or is blank')
    else:
        message = shorten(error.message)
    raise exception.Invalid(
        reason='%s%s: %s' % (what, ' field %s' % field if field else '',
                             message))

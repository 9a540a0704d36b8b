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

"""Horizon's ``exceptions.handle`` with the API's message in the line itself.

Horizon puts an exception's text behind a collapsed "Details" link, and
with no message of the page's own it shows the link alone. Whoever reads
the error (at 3 a.m., mid-outage) should read why at once: for a failure
of the Dragon API the line is the page's message followed by the API's
(its text, HTTP status and request id).
"""

import sys
from typing import Any

from horizon import exceptions

from dragon.dashboard import exceptions as dragon_exceptions


def handle(request: Any, message: Any = None, **kwargs: Any) -> Any:
    """``horizon.exceptions.handle`` for a Dragon API failure being handled."""
    error = sys.exc_info()[1]
    if isinstance(error, dragon_exceptions.DragonError):
        text = str(error)
        message = '%s %s' % (message, text) if message else text
        kwargs['details'] = ''
    return exceptions.handle(request, message, **kwargs)

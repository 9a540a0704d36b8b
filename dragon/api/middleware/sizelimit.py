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

"""Refuses request bodies larger than ``[api] max_request_body_size``."""

from typing import Any

from oslo_config import cfg
from oslo_middleware import sizelimit
import webob
import webob.dec

from dragon import exception


class BodySizeLimit:
    """413 before reading a declared-too-large body; caps chunked bodies too."""

    def __init__(self, application: Any, conf: cfg.ConfigOpts) -> None:
        self.application = application
        self.conf = conf

    @webob.dec.wsgify
    def __call__(self, req: webob.Request) -> webob.Response:
        limit = self.conf.api.max_request_body_size
        if req.content_length is not None:
            if req.content_length > limit:
                raise exception.RequestEntityTooLarge(limit=limit)
        elif req.is_body_readable:
            # No length given (chunked): reading past the limit raises 413.
            req.body_file = sizelimit.LimitingReader(req.body_file, limit)
        return req.get_response(self.application)

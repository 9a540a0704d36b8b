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

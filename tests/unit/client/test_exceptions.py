"""ClientError is built from Dragon's error body, or from the HTTP reason."""

import requests

from dragon.client import exceptions


def _response(status, body, reason='Bad Request', headers=None):
    response = requests.Response()
    response.status_code = status
    response.reason = reason
    response._content = body
    response.headers.update(headers or {})
    return response


def test_from_a_dragon_error_body():
    err = exceptions.ClientError.from_response(_response(
        400, b'{"error": {"code": 400, "title": "Bad Request", '
             b'"message": "Unknown action \'x\'.", "request_id": "req-1"}}'))
    assert (err.status, err.message, err.request_id) == (
        400, "Unknown action 'x'.", 'req-1')
    assert str(err) == "Unknown action 'x'. (HTTP 400) (Request-ID: req-1)"


def test_falls_back_to_the_reason_when_the_body_is_not_json():
    err = exceptions.ClientError.from_response(_response(
        502, b'<html>Bad Gateway</html>', reason='Bad Gateway',
        headers={'x-openstack-request-id': 'req-2'}))
    assert (err.status, err.message, err.request_id) == (
        502, 'Bad Gateway', 'req-2')


def test_falls_back_to_the_status_without_a_reason():
    err = exceptions.ClientError.from_response(_response(
        503, b'{"unexpected": 1}', reason=None))
    assert err.message == 'HTTP 503'
    assert err.request_id is None

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

import http

from dragon import exception


def test_message_is_filled_from_keyword_arguments():
    error = exception.NotFound(resource='Policy', id='p-1')
    assert error.message == 'Policy p-1 could not be found.'
    assert str(error) == error.message
    assert error.code == http.HTTPStatus.NOT_FOUND


def test_explicit_message_wins_over_template():
    assert exception.Invalid('bad name').message == 'bad name'


def test_missing_argument_falls_back_to_template_instead_of_raising():
    error = exception.NotFound(resource='Policy')
    assert error.message == exception.NotFound.msg_fmt


def test_http_codes_of_the_families():
    assert exception.BadRequest is exception.Invalid
    assert exception.Invalid.code == 400
    assert exception.NotAuthenticated.code == 401
    assert exception.Forbidden.code == 403
    assert exception.Conflict.code == 409
    assert exception.RequestEntityTooLarge.code == 413
    assert exception.DatabaseUnavailable.code == 503
    assert exception.MessagingUnavailable.code == 503


def test_operator_details_are_not_marked_safe_for_api_users():
    assert not exception.DatabaseUnavailable.safe
    assert not exception.MessagingUnavailable.safe
    assert exception.NotFound.safe


def test_method_not_allowed_carries_allow_header():
    error = exception.MethodNotAllowed(method='PUT', path='/v1', allowed='GET')
    assert error.headers() == [('Allow', 'GET')]


def test_one_line_keeps_dragons_message_and_hides_other_errors():
    from dragon import exception as exc
    assert exc.one_line(exc.DiscoveryFailed(
        resource='server web', reason='gone')) == \
        'Cannot discover server web: gone'
    assert exc.one_line(KeyError('secret-path')) == \
        'internal error (KeyError); see the engine log'

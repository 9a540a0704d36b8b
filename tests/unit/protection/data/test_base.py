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

"""failing_as: client errors become Dragon errors that name the resource."""
from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as sdk_exc
import pytest

from dragon import exception
from dragon.protection.data import base
from tests.unit.protection.data import fakes


def test_a_client_error_becomes_data_action_failed_naming_the_node():
    node = fakes.node('volume', 'volume-1')
    with pytest.raises(exception.DataActionFailed) as e:
        with base.failing_as(node, 'reading'):
            raise ks_exc.NotFound()
    assert e.value.message.startswith('volume web (volume-1): reading: ')


def test_an_openstacksdk_error_becomes_data_action_failed_too():
    node = fakes.node('server', 'server-1')
    with pytest.raises(exception.DataActionFailed) as e:
        with base.failing_as(node, 'snapshotting'):
            raise sdk_exc.ConflictException('server is busy')
    assert e.value.message.startswith('server web (server-1): snapshotting: ')
    assert 'server is busy' in e.value.message


def test_a_label_and_another_error_class_can_be_given():
    with pytest.raises(exception.RecoveryFailed) as e:
        with base.failing_as('volume_db', 'uploading',
                             exception.RecoveryFailed):
            raise ks_exc.BadRequest('no')
    assert not isinstance(e.value, exception.DataActionFailed)
    assert e.value.message.startswith('volume_db: uploading: ')


def test_dragon_errors_pass_through_unchanged():
    error = exception.ResourceNotFound(resource='x')
    with pytest.raises(exception.ResourceNotFound) as e:
        with base.failing_as('x', 'step', exception.RecoveryFailed):
            raise error
    assert e.value is error

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

"""OpenStackClient plugin entry point: builds the Dragon client for ``openstack dr``."""

import argparse
import logging
from typing import Any

from osc_lib import utils

LOG = logging.getLogger(__name__)

DEFAULT_API_VERSION = '1'
API_NAME = 'dr'
API_VERSION_OPTION = 'os_dr_api_version'
API_VERSIONS = {'1': 'dragon.client.v1.client.Client'}


def make_client(instance: Any) -> Any:
    """The Dragon client for OSC's ClientManager ``instance``."""
    client_class = utils.get_client_class(
        API_NAME, instance._api_version[API_NAME], API_VERSIONS)
    LOG.debug('Instantiating dr client: %s', client_class)
    return client_class(session=instance.session,
                        region_name=instance.region_name,
                        interface=instance.interface,
                        endpoint_override=_endpoint_override(instance))


def _endpoint_override(instance: Any) -> str | None:
    # A 'dr_endpoint_override' in clouds.yaml reaches us through the
    # openstacksdk CloudRegion that OSC keeps as _cli_options.
    config = getattr(instance, '_cli_options', None)
    try:
        return config.config.get('dr_endpoint_override')
    except AttributeError:
        return None


def build_option_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``--os-dr-api-version`` to OSC's global options."""
    parser.add_argument(
        '--os-dr-api-version', metavar='<dr-api-version>',
        default=utils.env('OS_DR_API_VERSION', default=DEFAULT_API_VERSION),
        help='Dragon API version, default=%s (Env: OS_DR_API_VERSION)' %
             DEFAULT_API_VERSION)
    return parser

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

"""Rendering of service URLs (database, broker) that is safe to show to a person."""

import urllib.parse

MASK = '***'


def mask_password(url: str) -> str:
    """Return ``url`` with the password of every ``user:password@`` part replaced.

    Broker URLs may list several hosts (``rabbit://u:p@h1,u:p@h2/``), so every
    userinfo segment is masked, not only the one ``urllib`` would parse.
    """
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return MASK
    if '@' not in parts.netloc:
        return url
    hosts = []
    for host in parts.netloc.split(','):
        userinfo, sep, hostport = host.rpartition('@')
        if sep and ':' in userinfo:
            userinfo = userinfo.split(':', 1)[0] + ':' + MASK
        hosts.append(userinfo + sep + hostport)
    return urllib.parse.urlunsplit(parts._replace(netloc=','.join(hosts)))


def password_of(url: str | None) -> list[str]:
    """Return the (unquoted and quoted) passwords found in ``url``, for scrubbing text."""
    if not url:
        return []
    try:
        netloc = urllib.parse.urlsplit(url).netloc
    except ValueError:
        return []
    secrets = []
    for host in netloc.split(','):
        userinfo, sep, _hostport = host.rpartition('@')
        if sep and ':' in userinfo:
            quoted = userinfo.split(':', 1)[1]
            if quoted:
                secrets.extend({quoted, urllib.parse.unquote(quoted)})
    return secrets

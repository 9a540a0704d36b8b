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

"""The installed Dragon release, as pbr computes it from git or package metadata."""

import pbr.version


def version_string() -> str:
    """Return Dragon's release string, e.g. ``1.0.0`` or ``0.0.1.dev3``."""
    return pbr.version.VersionInfo('dragon').version_string()

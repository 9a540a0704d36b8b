"""Options of the ``[DEFAULT]`` group: kept to what every Dragon process shares."""

from oslo_config import cfg

opts = [
    cfg.StrOpt(
        'state_path',
        default='/var/lib/dragon',
        help='Directory (absolute path) for Dragon\'s local state: the '
             'default SQLite database lives here when no [database] '
             'connection is set. It must exist and be writable by the user '
             'Dragon runs as, or the first database access fails. Not used '
             'once [database] connection names a database server.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(opts)


def list_opts() -> dict:
    return {'DEFAULT': opts}

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

"""Run ``openstack`` in-process against the fake Dragon API."""

import configparser
import importlib
import json
import logging
import os
import pathlib

from cliff import commandmanager
from openstackclient import shell
import pytest

from dragon.osc.v1 import progress
from dragon.osc.v1 import waiting
from tests.unit.client import fakes
from tests.unit.osc.waiting import FakeClock


@pytest.fixture
def api(monkeypatch):
    return fakes.FakeDragonAPI().install(monkeypatch)


class Result:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err

    def json(self):
        return json.loads(self.out)


SETUP_CFG = pathlib.Path(__file__).parents[3] / 'setup.cfg'


def _setup_cfg_commands():
    """The ``openstack dr`` commands setup.cfg names: {name: class path}."""
    parser = configparser.ConfigParser()
    parser.read(SETUP_CFG)
    lines = parser['entry_points']['openstack.dr.v1'].strip().splitlines()
    return dict(tuple(part.strip() for part in line.split('=', 1))
                for line in lines if '=' in line)


@pytest.fixture(autouse=True)
def setup_cfg_commands(monkeypatch):
    """The commands of setup.cfg, whatever the installed entry points say.

    The venv's entry points are those of its last ``pip install -e``; a
    command added or moved to another class since would be unknown or
    point at a class that no longer exists until then.
    """
    load = commandmanager.CommandManager.load_commands

    def load_commands(manager, namespace):
        if namespace != 'openstack.dr.v1':
            load(manager, namespace)
            return
        # Not loaded from the installed entry points at all: loading one
        # whose class has moved logs an error on the command's stderr.
        for name, target in _setup_cfg_commands().items():
            module, _, attribute = target.partition(':')
            manager.add_command(name.replace('_', ' '), getattr(
                importlib.import_module(module), attribute))

    monkeypatch.setattr(commandmanager.CommandManager, 'load_commands',
                        load_commands)


@pytest.fixture
def openstack(api, monkeypatch, tmp_path, capsys):
    """``openstack(*args)`` -> Result(code, out, err), authless, no clouds.yaml."""
    for name in list(os.environ):
        if name.startswith('OS_'):
            monkeypatch.delenv(name)
    clouds = tmp_path / 'clouds.yaml'
    clouds.write_text('clouds: {}\n')
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', str(clouds))

    def run(*args):
        capsys.readouterr()
        # The shell adds a console handler bound to this test's stderr.
        handlers, level = logging.root.handlers[:], logging.root.level
        try:
            code = shell.main(['--os-auth-type', 'none',
                               '--os-endpoint', fakes.ENDPOINT, *args])
        except SystemExit as exit_:   # argparse refusing the command line
            code = exit_.code
        finally:
            logging.root.handlers[:] = handlers
            logging.root.setLevel(level)
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


@pytest.fixture
def clock(monkeypatch):
    """The clock of every ``--wait``; ``interrupt_after`` sleeps is Ctrl-C."""
    fake = FakeClock()
    monkeypatch.setattr(waiting.Waiting, 'clock',
                        progress.Clock(fake.now, fake.sleep))
    return fake


@pytest.fixture
def terminal(monkeypatch):
    """stderr is a 100-column terminal: ``--wait`` draws one live line."""
    monkeypatch.setenv('COLUMNS', '100')
    # pytest swaps sys.stderr between fixture setup and the test, so the
    # check is answered rather than the stream patched.
    monkeypatch.setattr(progress, '_is_tty', lambda stream: True)

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

import pytest

from dragon.cmd import common
from dragon import exception


def _run(conf, body, capsys, **kwargs):
    with pytest.raises(SystemExit) as stop:
        common.run('dragon-test', body, conf, **kwargs)
    return stop.value.code, capsys.readouterr().err


def test_return_code_of_the_body_is_the_exit_code(conf, capsys):
    assert _run(conf, lambda: 3, capsys) == (3, '')
    assert _run(conf, lambda: None, capsys) == (0, '')


def test_dragon_errors_print_one_line(conf, capsys):
    def body():
        raise exception.ConfigInvalid(reason='a\nb')
    code, err = _run(conf, body, capsys)
    assert code == 1
    assert err == 'dragon-test: error: invalid configuration: a b\n'


def test_unexpected_errors_print_one_line_without_traceback(conf, capsys):
    def body():
        raise RuntimeError('boom')
    code, err = _run(conf, body, capsys, error_code=255)
    assert code == 255
    assert err == 'dragon-test: error: unexpected error: RuntimeError: boom\n'


def test_configured_passwords_never_reach_the_output(conf, capsys):
    conf.set_override('connection', 'mysql+pymysql://u:pa55word@db/dragon',
                      group='database')

    def body():
        raise RuntimeError('failed with mysql+pymysql://u:pa55word@db/dragon')
    code, err = _run(conf, body, capsys)
    assert 'pa55word' not in err
    assert 'u:***@db' in err


def test_interrupt_exits_quietly(conf, capsys):
    def body():
        raise KeyboardInterrupt()
    assert _run(conf, body, capsys) == (130, '')

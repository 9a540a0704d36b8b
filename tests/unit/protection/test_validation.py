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

import types

import pytest

from dragon import exception
from dragon.protection import validation


def _clients(region='RegionOne', project='p1'):
    return types.SimpleNamespace(region_name=region, project_id=project)


class Heat:
    def __init__(self):
        self.asked = []
        self.reject = False

    def __call__(self, clients, text):
        self.asked.append((clients.region_name, clients.project_id, text))
        if self.reject:
            raise exception.TemplateInvalid(reason='bad')


def test_an_identical_template_is_validated_once_per_region_and_project():
    heat, cache = Heat(), validation.ValidatedTemplates()
    assert cache.validate(_clients(), 'a: 1', heat) is True
    assert cache.validate(_clients(), 'a: 1', heat) is False
    assert cache.validate(_clients(), 'a: 2', heat) is True
    assert cache.validate(_clients(region='RegionTwo'), 'a: 1', heat)
    assert cache.validate(_clients(project='p2'), 'a: 1', heat)
    assert len(heat.asked) == 4


def test_a_rejected_template_is_asked_again():
    heat, cache = Heat(), validation.ValidatedTemplates()
    heat.reject = True
    for _ in range(2):
        with pytest.raises(exception.TemplateInvalid):
            cache.validate(_clients(), 'bad: 1', heat)
    assert len(heat.asked) == 2


def test_acceptances_expire_and_are_bounded():
    now = [0.0]
    heat = Heat()
    cache = validation.ValidatedTemplates(size=2, ttl=10,
                                          clock=lambda: now[0])
    cache.validate(_clients(), 't1', heat)
    now[0] = 9
    assert cache.validate(_clients(), 't1', heat) is False
    now[0] = 10
    assert cache.validate(_clients(), 't1', heat) is True
    cache.validate(_clients(), 't2', heat)
    cache.validate(_clients(), 't3', heat)   # t1, the oldest, goes
    assert cache.validate(_clients(), 't3', heat) is False
    assert cache.validate(_clients(), 't1', heat) is True
    assert len(heat.asked) == 5

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

from dragon import policies
from dragon.policies import base


def test_rule_names_are_unique():
    names = [rule.name for rule in policies.list_rules()]
    assert len(names) == len(set(names))


def test_personas_are_project_scoped_new_defaults():
    rules = {rule.name: rule.check_str for rule in policies.list_rules()}
    assert rules['project_reader'] == 'role:reader and project_id:%(project_id)s'
    assert rules['project_member'] == 'role:member and project_id:%(project_id)s'
    assert rules['admin_api'] == base.ADMIN

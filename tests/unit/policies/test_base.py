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

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

"""``openstack dr policy ...`` against the fake API, through the real shell."""

import pytest


def test_create_minimal(api, openstack):
    result = openstack('dr', 'policy', 'create', 'web', '-f', 'json')
    assert result.code == 0, result.err
    assert api.calls[-1].json == {'policy': {'name': 'web'}}
    shown = result.json()
    assert shown['name'] == 'web'
    assert shown['consistent'] is False
    assert shown['schedules'] == []
    assert shown['rpo'] is None
    assert shown['members'] == []


def test_create_with_everything(api, openstack):
    result = openstack(
        'dr', 'policy', 'create', 'web', '--description', 'front end',
        '--consistent', '--schedule', '0 2 * * *', '--schedule',
        '30 */4 * * *', '--timezone', 'Europe/Berlin', '--rpo', '5h',
        '--keep-last', '7',
        '--max-age', '30d', '--member', 'server:s1',
        '--member', 'volume:v1:snapshot', '-f', 'json')
    assert result.code == 0, result.err
    assert api.calls[-1].json == {'policy': {
        'name': 'web', 'description': 'front end',
        'options': {'consistent': True, 'rpo': '5h',
                    'retention': {'keep_last': 7, 'max_age': '30d'}},
        'schedules': [
            {'cron': '0 2 * * *', 'timezone': 'Europe/Berlin'},
            {'cron': '30 */4 * * *', 'timezone': 'Europe/Berlin'}],
        'members': [
            {'resource_type': 'server', 'resource_id': 's1'},
            {'resource_type': 'volume', 'resource_id': 'v1',
             'action': 'snapshot'}]}}
    shown = result.json()
    assert shown['retention'] == {'keep_last': 7, 'max_age': '30d'}
    assert [m['resource_id'] for m in shown['members']] == ['s1', 'v1']


def test_create_table_is_readable(api, openstack):
    result = openstack('dr', 'policy', 'create', 'web', '--schedule',
                       '0 2 * * *', '--keep-last', '7',
                       '--member', 'server:s1')
    assert result.code == 0, result.err
    assert '0 2 * * * (UTC), next 2026-12-04T02:00:00+00:00' in result.out
    assert 'last 7' in result.out
    assert 'server s1 (name-s1) snapshot' in result.out


@pytest.mark.parametrize('member', ['server', 'server:', ':s1', 'a:b:c:d'])
def test_create_refuses_a_malformed_member(api, openstack, member):
    result = openstack('dr', 'policy', 'create', 'web', '--member', member)
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        "Error: --member '%s' is not TYPE:ID or TYPE:ID:ACTION." % member]
    assert api.requests('POST') == []


def test_api_error_is_one_line_and_non_zero(api, openstack):
    result = openstack('dr', 'policy', 'create', 'web',
                       '--member', 'server:s1:teleport')
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        "Error: Unknown action 'teleport' for server. "
        "(HTTP 400, request req-400)"]
    assert 'Traceback' not in result.err
    assert result.out == ''


def test_list_follows_every_page_and_formats(api, openstack):
    for name in ('a', 'b', 'c'):
        api.add_policy(name, members=[{'resource_type': 'server'}])
    api.page_size = 2
    result = openstack('dr', 'policy', 'list', '-f', 'json')
    assert result.code == 0, result.err
    rows = result.json()
    assert [r['Name'] for r in rows] == ['a', 'b', 'c']
    assert list(rows[0]) == ['ID', 'Name', 'Status', 'Members', 'RPO',
                             'Last Drill RTO']
    assert rows[0]['Members'] == 1


def test_list_with_filters_asks_for_one_page(api, openstack):
    api.add_policy('a')
    result = openstack('dr', 'policy', 'list', '--name', 'a', '--limit', '1',
                       '--marker', 'm', '--sort-key', 'name', '--sort-dir',
                       'desc', '--all-projects', '-f', 'value')
    assert api.requests('GET')[-1].query == {
        'name': 'a', 'limit': '1', 'marker': 'm', 'sort_key': 'name',
        'sort_dir': 'desc', 'all_projects': 'true'}
    # The fake refuses an unknown marker: one line, no traceback.
    assert result.code == 1
    assert len(result.err.strip().splitlines()) == 1


def test_list_long_and_all_projects_columns(api, openstack):
    api.add_policy('a', options={'consistent': True, 'retention': None,
                                 'rpo': 3600},
                   schedules=[{'cron': '@daily', 'timezone': 'UTC',
                               'enabled': False, 'status': 'active',
                               'skipped_count': 2, 'missed_count': 0}],
                   rpo={'target_seconds': 3600, 'achieved_seconds': 3000,
                        'state': 'at_risk', 'checkpoint_id': 'c1',
                        'captured_at': '2026-12-03T10:00:00+00:00'},
                   last_drill={'rto_seconds': 65.2, 'status': 'succeeded'})
    rows = openstack('dr', 'policy', 'list', '--all-projects',
                     '-f', 'json').json()
    assert list(rows[0]) == ['ID', 'Name', 'Status', 'Members', 'RPO',
                             'Last Drill RTO', 'Project']
    assert rows[0]['RPO']['state'] == 'at_risk'
    assert rows[0]['Last Drill RTO'] == 65.2
    rows = openstack('dr', 'policy', 'list', '--long', '-f', 'json').json()
    assert list(rows[0]) == [
        'ID', 'Name', 'Status', 'Members', 'RPO', 'Last Drill RTO',
        'Project', 'Description', 'Consistent', 'Schedules', 'Retention',
        'Last Drill', 'Created At', 'Updated At']
    assert rows[0]['Schedules'][0]['cron'] == '@daily'
    table = openstack('dr', 'policy', 'list', '--long').out
    assert '@daily (UTC), disabled (2 skipped)' in table
    assert 'at_risk: 50m 00s of 1h 00m' in table
    assert '1m 06s' in table  # rounded up, as every duration the CLI shows


def test_show_by_id_and_by_name(api, openstack):
    policy = api.add_policy('web')
    for ref in (policy['id'], 'web'):
        shown = openstack('dr', 'policy', 'show', ref, '-f', 'json').json()
        assert shown['id'] == policy['id']
        assert set(shown) == {
            'id', 'name', 'description', 'project_id', 'status',
            'consistent', 'schedules', 'retention', 'rpo', 'members',
            'last_drill', 'encryption', 'encryption_readiness', 'dr_ready',
            'replication', 'created_at', 'updated_at'}


def test_show_last_drill(api, openstack):
    drill = {'recovery_id': 'r-1', 'at': '2026-11-23T10:01:05',
             'rto_seconds': 65.2, 'status': 'succeeded'}
    api.add_policy('web', last_drill=drill)
    out = openstack('dr', 'policy', 'show', 'web').out
    assert 'succeeded, RTO 1m 06s, at 2026-11-23T10:01:05 (recovery r-1)' \
        in out
    shown = openstack('dr', 'policy', 'show', 'web', '-f', 'json').json()
    assert shown['last_drill'] == drill
    api.add_policy('db')
    assert openstack('dr', 'policy', 'show', 'db', '-f', 'json').json()[
        'last_drill'] is None


def test_show_unknown_and_ambiguous(api, openstack):
    result = openstack('dr', 'policy', 'show', 'nope')
    assert result.code == 1
    assert result.err.strip() == "Error: No policy with a name or ID of " \
                                 "'nope' exists."
    api.add_policy('web')
    api.add_policy('web')
    result = openstack('dr', 'policy', 'show', 'web')
    assert result.code == 1
    assert result.err.strip() == ("Error: More than one policy exists with "
                                  "the name 'web'; use the ID instead.")


def test_set_sends_whole_changed_options(api, openstack):
    policy = api.add_policy('web', options={
        'consistent': False, 'rpo': None,
        'retention': {'keep_last': 3, 'max_age': 864000}})
    result = openstack('dr', 'policy', 'set', 'web', '--name', 'app',
                       '--description', 'd', '--consistent',
                       '--schedule', '0 3 * * *', '--keep-last', '5',
                       '--rpo', '7200')
    assert result.code == 0, result.err
    assert result.out == ''
    patch = api.requests('PATCH')[-1]
    assert patch.path == '/v1/policies/%s' % policy['id']
    assert patch.json == {'policy': {
        'name': 'app', 'description': 'd',
        'options': {'consistent': True, 'rpo': 7200,
                    'retention': {'keep_last': 5,
                                  'max_age': 864000}},
        'schedules': [{'cron': '0 3 * * *'}]}}


def test_set_no_schedule_and_nothing(api, openstack):
    api.add_policy('web')
    assert openstack('dr', 'policy', 'set', 'web', '--no-schedule',
                     '--no-consistent', '--no-rpo').code == 0
    assert api.requests('PATCH')[-1].json == {'policy': {'options': {
        'consistent': False, 'rpo': None}, 'schedules': []}}
    assert openstack('dr', 'policy', 'set', 'web').code == 0
    assert len(api.requests('PATCH')) == 1


def test_set_suspend_and_resume(api, openstack):
    api.add_policy('web')
    assert openstack('dr', 'policy', 'set', 'web', '--suspend').code == 0
    assert openstack('dr', 'policy', 'set', 'web', '--resume').code == 0
    assert [r.json for r in api.requests('PATCH')] == [
        {'policy': {'status': 'suspended'}}, {'policy': {'status': 'active'}}]
    both = openstack('dr', 'policy', 'set', 'web', '--suspend', '--resume')
    assert both.code == 2 and 'not allowed with' in both.err


def test_set_refuses_schedule_with_no_schedule(api, openstack):
    api.add_policy('web')
    result = openstack('dr', 'policy', 'set', 'web', '--schedule', '@daily',
                       '--no-schedule')
    assert result.code == 2
    assert api.requests('PATCH') == []


def test_create_with_every_retention_rule(api, openstack):
    result = openstack(
        'dr', 'policy', 'create', 'web', '--keep-last', '3', '--max-age',
        '36h', '--keep-hourly', '24', '--keep-daily', '7', '--keep-weekly',
        '4', '--keep-monthly', '12', '--keep-yearly', '2',
        '--retention-timezone', 'Europe/Berlin')
    assert result.code == 0, result.err
    assert api.calls[-1].json['policy']['options'] == {'retention': {
        'keep_last': 3, 'max_age': '36h', 'hourly': 24, 'daily': 7,
        'weekly': 4, 'monthly': 12, 'yearly': 2,
        'timezone': 'Europe/Berlin'}}
    assert ('last 3, max age 36h, 24 hourly, 7 daily, 4 weekly, '
            '12 monthly, 2 yearly (Europe/Berlin)') in result.out.replace(
                '\n', '')


def test_retention_column_reads_max_age_in_days(api, openstack):
    api.add_policy('web', options={'consistent': False, 'rpo': None,
                                   'retention': {'max_age': 30 * 86400,
                                                 'daily': 7}})
    out = openstack('dr', 'policy', 'show', 'web').out
    assert 'max age 30d, 7 daily' in out
    shown = openstack('dr', 'policy', 'show', 'web', '-f', 'json').json()
    assert shown['retention'] == {'max_age': 2592000, 'daily': 7}


def test_set_retention_merges_and_zero_removes_a_rule(api, openstack):
    api.add_policy('web', options={'consistent': False, 'rpo': None,
                                   'retention': {'keep_last': 3,
                                                 'daily': 7}})
    assert openstack('dr', 'policy', 'set', 'web', '--keep-daily', '0',
                     '--keep-weekly', '4', '--max-age', '3600').code == 0
    assert api.requests('PATCH')[-1].json == {'policy': {'options': {
        'retention': {'keep_last': 3, 'weekly': 4, 'max_age': 3600}}}}


def test_set_refuses_to_remove_the_last_rule(api, openstack):
    api.add_policy('web', options={'consistent': False, 'rpo': None,
                                   'retention': {'keep_last': 3,
                                                 'timezone': 'UTC'}})
    result = openstack('dr', 'policy', 'set', 'web', '--keep-last', '0')
    assert result.code == 1
    assert result.err.strip() == (
        'Error: retention would keep nothing; use --no-retention to keep '
        'every checkpoint.')
    assert api.requests('PATCH') == []


def test_create_sends_zeros_for_the_api_to_judge(api, openstack):
    openstack('dr', 'policy', 'create', 'web', '--keep-daily', '0')
    assert api.calls[-1].json['policy']['options'] == {
        'retention': {'daily': 0}}


def test_set_no_retention(api, openstack):
    api.add_policy('web', options={'consistent': False, 'rpo': None,
                                   'retention': {'keep_last': 3}})
    assert openstack('dr', 'policy', 'set', 'web',
                     '--no-retention').code == 0
    assert api.requests('PATCH')[-1].json == {'policy': {'options': {
        'retention': None}}}
    result = openstack('dr', 'policy', 'set', 'web', '--no-retention',
                       '--keep-last', '2')
    assert result.code == 1
    assert result.err.strip() == ('Error: --no-retention cannot be combined '
                                  'with retention rules.')
    assert len(api.requests('PATCH')) == 1


def test_old_retention_flags_are_gone(api, openstack):
    for flag in ('--retention-count', '--retention-days'):
        assert openstack('dr', 'policy', 'create', 'web', flag,
                         '3').code == 2
    assert openstack('dr', 'policy', 'create', 'web',
                     '--no-retention').code == 2
    assert api.requests('POST') == []


def test_delete_reports_kept_checkpoints(api, openstack):
    api.add_policy('web')
    api.kept_checkpoints = 4
    result = openstack('dr', 'policy', 'delete', 'web')
    assert result.code == 0, result.err
    assert result.out == 'Deleted policy web; its 4 checkpoints were kept.\n'
    assert api.policies == {}
    api.add_policy('one')
    api.kept_checkpoints = 1
    result = openstack('dr', 'policy', 'delete', 'one')
    assert result.out == 'Deleted policy one; its 1 checkpoint was kept.\n'


def test_delete_several_with_a_failure(api, openstack):
    api.add_policy('a')
    b = api.add_policy('b')
    result = openstack('dr', 'policy', 'delete', 'a', 'nope', b['id'])
    assert result.code == 1
    assert result.out.splitlines() == [
        'Deleted policy a; its 0 checkpoints were kept.',
        'Deleted policy b; its 0 checkpoints were kept.']
    assert result.err.strip().splitlines() == [
        "Error: No policy with a name or ID of 'nope' exists.",
        'Error: 1 of 3 policies failed to delete.']
    assert api.policies == {}


def test_delete_one_unknown_is_one_line(api, openstack):
    result = openstack('dr', 'policy', 'delete', 'nope')
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        "Error: No policy with a name or ID of 'nope' exists."]


def test_unreachable_api_is_one_line(api, openstack, monkeypatch):
    from keystoneauth1 import exceptions as ksa_exceptions

    def refuse(*args, **kwargs):
        raise ksa_exceptions.ConnectFailure('Unable to establish connection '
                                            'to http://dragon.test:8799')

    monkeypatch.setattr(api, 'handle', refuse)
    result = openstack('dr', 'policy', 'list')
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        'Error: Unable to establish connection to http://dragon.test:8799']


def test_timezone_without_a_schedule_line_is_refused(api, openstack):
    api.add_policy('web')
    result = openstack('dr', 'policy', 'set', 'web', '--timezone', 'UTC')
    assert result.code == 1
    assert result.err.strip().startswith(
        'Error: --timezone applies to --schedule lines')
    assert api.requests('PATCH') == []


def test_verify_every_days_is_sent_and_zero_stops_it(api, openstack):
    api.add_policy('web')
    assert openstack('dr', 'policy', 'set', 'web', '--verify-every-days',
                     '7').code == 0
    assert api.requests('PATCH')[-1].json == {'policy': {'options': {
        'verify_every_days': 7}}}
    assert openstack('dr', 'policy', 'set', 'web', '--verify-every-days',
                     '0').code == 0
    assert api.requests('PATCH')[-1].json == {'policy': {'options': {
        'verify_every_days': None}}}


def test_create_with_encryption_keys(api, openstack):
    result = openstack('dr', 'policy', 'create', 'web', '--encryption-key',
                       'k1', '--recovery-key', 'RegionTwo=k2',
                       '--recovery-key', 'RegionThree=k3')
    assert result.code == 0, result.err
    assert api.calls[-1].json == {'policy': {'name': 'web', 'encryption': {
        'key_ref': 'k1',
        'recovery_key_refs': {'RegionTwo': 'k2', 'RegionThree': 'k3'}}}}


@pytest.mark.parametrize('args', [
    ('--recovery-key', 'RegionTwo'),          # no '='
    ('--recovery-key', '=k2', '--encryption-key', 'k1'),
    ('--recovery-key', 'RegionTwo=k2'),       # no key in the source region
])
def test_create_refuses_malformed_recovery_keys(api, openstack, args):
    result = openstack('dr', 'policy', 'create', 'web', *args)
    assert result.code != 0
    assert api.requests('POST') == []


def test_set_merges_recovery_keys_and_removes_encryption(api, openstack):
    api.add_policy('web', encryption={
        'key_ref': 'k1', 'recovery_key_refs': {'RegionTwo': 'k2',
                                               'RegionThree': 'k3'}})
    assert openstack('dr', 'policy', 'set', 'web', '--recovery-key',
                     'RegionTwo=k2b', '--recovery-key',
                     'RegionThree=').code == 0
    assert api.requests('PATCH')[-1].json == {'policy': {'encryption': {
        'key_ref': 'k1', 'recovery_key_refs': {'RegionTwo': 'k2b'}}}}
    assert openstack('dr', 'policy', 'set', 'web', '--no-encryption').code \
        == 0
    assert api.requests('PATCH')[-1].json == {'policy': {'encryption': None}}
    result = openstack('dr', 'policy', 'set', 'web', '--no-encryption',
                       '--encryption-key', 'k9')
    assert result.code != 0
    assert len(api.requests('PATCH')) == 2


def test_show_reports_readiness_per_region(api, openstack):
    api.add_policy(
        'web', encryption={'key_ref': 'k1',
                           'recovery_key_refs': {'RegionTwo': 'k2'}},
        dr_ready=False, encryption_readiness={
            'RegionOne': {'role': 'source', 'key_ref': 'k1',
                          'readable': True, 'reason': None},
            'RegionTwo': {'role': 'recovery', 'key_ref': 'k2',
                          'readable': False,
                          'reason': 'Key k2 was not found'}})
    result = openstack('dr', 'policy', 'show', 'web')
    assert result.code == 0, result.err
    assert 'key k1; RegionTwo: k2' in result.out
    assert 'RegionTwo (recovery): NOT readable: Key k2 was not found' in \
        result.out
    assert 'RegionOne (source): readable' in result.out
    shown = openstack('dr', 'policy', 'show', 'web', '-f', 'json').json()
    assert shown['dr_ready'] is False
    assert shown['encryption']['recovery_key_refs'] == {'RegionTwo': 'k2'}


def test_replication_target_sent_shown_and_removed(api, openstack):
    result = openstack('dr', 'policy', 'create', 'repl',
                       '--replication-target', 'RegionTwo')
    assert result.code == 0, result.err
    sent = api.requests('POST')[-1].json['policy']
    assert sent['replication'] == {'target_region': 'RegionTwo'}
    policy = api.add_policy('shown', replication={
        'target_region': 'RegionTwo'})
    table = openstack('dr', 'policy', 'show', policy['id']).out
    assert 'to RegionTwo' in table
    assert openstack('dr', 'policy', 'set', 'shown',
                     '--no-replication').code == 0
    sent = api.requests('PATCH')[-1].json['policy']
    assert sent == {'replication': None}
    both = openstack('dr', 'policy', 'set', 'shown', '--no-replication',
                     '--replication-target', 'RegionTwo')
    assert both.code != 0 and 'Traceback' not in both.err


def test_show_says_whether_each_key_unwraps_the_newest_checkpoint(
        api, openstack):
    api.add_policy(
        'web', encryption={'key_ref': 'k1',
                           'recovery_key_refs': {'RegionTwo': 'k2'}},
        dr_ready=False, encryption_readiness={
            'RegionOne': {'role': 'source', 'key_ref': 'k1',
                          'readable': True, 'unwraps': True, 'reason': None},
            'RegionTwo': {'role': 'recovery', 'key_ref': 'k2',
                          'readable': True, 'unwraps': False,
                          'reason': 'key k2 is readable in RegionTwo but '
                                    'does not unwrap'}})
    result = openstack('dr', 'policy', 'show', 'web')
    assert result.code == 0, result.err
    assert ('RegionOne (source): readable, unwraps the newest checkpoint'
            in result.out)
    assert ('RegionTwo (recovery): readable, does NOT unwrap: key k2 is '
            'readable in RegionTwo but does not unwrap') in result.out


def test_data_key_scope_sent_kept_and_shown(api, openstack):
    result = openstack('dr', 'policy', 'create', 'own', '--encryption-key',
                       'k1', '--data-key-scope', 'policy')
    assert result.code == 0, result.err
    assert api.requests('POST')[-1].json['policy']['encryption'] == {
        'key_ref': 'k1', 'recovery_key_refs': {}, 'data_key_scope': 'policy'}
    api.add_policy('web', encryption={
        'key_ref': 'k1', 'recovery_key_refs': {}, 'data_key_scope': 'policy'})
    # A rotation sends no scope: the API keeps the policy's.
    assert openstack('dr', 'policy', 'set', 'web', '--encryption-key',
                     'k2').code == 0
    assert api.requests('PATCH')[-1].json == {'policy': {'encryption': {
        'key_ref': 'k2', 'recovery_key_refs': {}}}}
    assert openstack('dr', 'policy', 'set', 'web', '--data-key-scope',
                     'project').code == 0
    assert api.requests('PATCH')[-1].json == {'policy': {'encryption': {
        'key_ref': 'k1', 'recovery_key_refs': {},
        'data_key_scope': 'project'}}}
    assert 'key k1; data key of the policy' in openstack(
        'dr', 'policy', 'show', 'web').out


def test_rotate_data_key_sends_the_policys_keys_and_a_rotation(
        api, openstack):
    api.add_policy('web', encryption={
        'key_ref': 'k1', 'recovery_key_refs': {'RegionTwo': 'k2'},
        'data_key_scope': 'project',
        'data_key_not_before': '2026-01-02T03:04:05.000006Z'})
    result = openstack('dr', 'policy', 'set', 'web', '--rotate-data-key')
    assert result.code == 0, result.err
    assert api.requests('PATCH')[-1].json == {'policy': {'encryption': {
        'key_ref': 'k1', 'recovery_key_refs': {'RegionTwo': 'k2'},
        'rotate_data_key': True}}}
    assert 'data key rotated at 2026-01-02T03:04:05.000006Z' in openstack(
        'dr', 'policy', 'show', 'web').out


def test_rotate_data_key_of_a_policy_without_encryption_is_refused(
        api, openstack):
    api.add_policy('clear')
    result = openstack('dr', 'policy', 'set', 'clear', '--rotate-data-key')
    assert result.code != 0 and 'Traceback' not in result.err
    assert 'no data key to rotate' in result.err
    both = openstack('dr', 'policy', 'set', 'clear', '--rotate-data-key',
                     '--no-encryption')
    assert both.code != 0 and 'Traceback' not in both.err
    assert api.requests('PATCH') == []


@pytest.mark.parametrize('args', [
    ('--data-key-scope', 'policy'),                      # no key
    ('--data-key-scope', 'tenant', '--encryption-key', 'k1'),
])
def test_create_refuses_a_scope_without_key_or_unknown(api, openstack, args):
    result = openstack('dr', 'policy', 'create', 'web', *args)
    assert result.code != 0 and 'Traceback' not in result.err
    assert api.requests('POST') == []


def test_the_clients_scopes_are_the_apis():
    from dragon.checkpoint import envelope
    from dragon.osc.v1 import policy
    assert policy.DATA_KEY_SCOPES == envelope.SCOPES

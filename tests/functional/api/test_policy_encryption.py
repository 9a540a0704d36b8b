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

"""Encrypted policies against dragon-api and the two regions' Barbicans.

The customer key is checked with the caller's token in the protected
region; each recovery region's key is checked at every ``GET`` of the
policy, so deleting it there flips ``dr_ready``; a protection whose
customer key is gone fails naming it, before any data is read.  The policy is a consumer of its
secrets in Barbican while it names them.
"""
import json
import subprocess
import time
import uuid

import pytest

from dragon.checkpoint import store
from dragon.cloud import clients as clients_mod
from tests.functional.api.test_policies import assert_error
from tests.functional.api.test_policies import Http
from tests.functional.key_manager import consumers
from tests.functional.key_manager import delete_secret
from tests.functional.key_manager import delete_secret_guarded
from tests.functional.key_manager import store_secret
from tests.minicloud.layout import REGIONS
from tests.minicloud.waiters import wait_for
from tests.story import session
from tests.story import wait

ONE, TWO = REGIONS


@pytest.fixture(scope='module')
def demo(cloud, dragon):
    return Http(dragon.api_url, cloud.connect('demo').auth_token)


@pytest.fixture
def keys(cloud, unique_name):
    """The same AES-256 key stored by demo in both regions' Barbicans."""
    conns = {r: cloud.connect('demo', region=r) for r in REGIONS}
    one_id, payload = store_secret(conns[ONE], unique_name)
    two_id, _ = store_secret(conns[TWO], unique_name, payload=payload)
    yield {ONE: one_id, TWO: two_id}
    delete_secret(conns[ONE], one_id)
    delete_secret(conns[TWO], two_id)


@pytest.fixture
def volume(cloud, unique_name):
    bs = cloud.connect('demo').block_storage
    made = bs.create_volume(size=1, name=unique_name)
    wait_for(lambda: bs.get_volume(made.id), ('available',), ('error',))
    yield made
    bs.delete_volume(made, ignore_missing=True)


def _create(demo, encryption, **policy):
    return demo('POST', '/v1/policies', {'policy': {
        'name': 'ft-enc-' + uuid.uuid4().hex[:8], 'encryption': encryption,
        **policy}})


def test_readiness_flips_when_the_recovery_key_goes(cloud, demo, keys,
                                                    volume):
    status, body = _create(demo, {
        'key_ref': keys[ONE], 'recovery_key_refs': {TWO: keys[TWO]}},
        members=[{'resource_type': 'volume', 'resource_id': volume.id}])
    assert status == 201, body
    policy = body['policy']
    path = '/v1/policies/' + policy['id']
    try:
        assert policy['dr_ready'] is True
        assert {r: s['readable'] for r, s in
                policy['encryption_readiness'].items()} == {ONE: True,
                                                             TWO: True}
        delete_secret(cloud.connect('demo', region=TWO), keys[TWO])
        status, body = demo('GET', path)
        assert status == 200, body
        shown = body['policy']
        assert shown['dr_ready'] is False
        two = shown['encryption_readiness'][TWO]
        assert two['readable'] is False and keys[TWO] in two['reason']
        assert shown['encryption_readiness'][ONE]['readable'] is True

        # The customer key itself deleted: the run fails naming it, and
        # leaves no container (nothing half-written).
        delete_secret(cloud.connect('demo', region=ONE), keys[ONE])
        status, body = demo('POST', path + '/protect')
        assert status == 202, body
        checkpoint_path = '/v1/checkpoints/' + body['checkpoint']['id']
        done = wait(lambda: demo('GET', checkpoint_path)[1]['checkpoint'],
                    ('error', 'available'), 300)
        assert done['status'] == 'error', done
        assert keys[ONE] in done['error'] and ONE in done['error']
        assert not done['container']
        status, body = demo('GET', path)
        assert body['policy']['encryption_readiness'][ONE]['readable'] is \
            False
    finally:
        demo('DELETE', path)


def test_unreadable_keys_are_refused_naming_them(cloud, dragon, demo, keys):
    missing = str(uuid.uuid4())
    message = assert_error(_create(demo, {'key_ref': missing}), 400)
    assert missing in message and ONE in message
    # RegionTwo's secret id does not exist in RegionOne's Barbican.
    assert keys[TWO] in assert_error(_create(demo, {'key_ref': keys[TWO]}),
                                     400)
    alt = Http(dragon.api_url, cloud.connect('alt_demo').auth_token)
    message = assert_error(_create(alt, {'key_ref': keys[ONE]}), 403)
    assert keys[ONE] in message
    conn = cloud.connect('demo')
    weak_id, _ = store_secret(conn, 'ft-weak', bit_length=128)
    try:
        message = assert_error(_create(demo, {'key_ref': weak_id}), 400)
        assert 'AES-256' in message
    finally:
        delete_secret(conn, weak_id)


def test_the_policy_is_a_consumer_of_its_keys_while_it_names_them(
        cloud, demo, keys):
    conns = {r: cloud.connect('demo', region=r) for r in REGIONS}
    status, body = _create(demo, {
        'key_ref': keys[ONE], 'recovery_key_refs': {TWO: keys[TWO]}})
    assert status == 201, body
    path = '/v1/policies/' + body['policy']['id']
    dragon = ('dragon', 'workload-policy', body['policy']['id'])
    try:
        assert consumers(conns[ONE], keys[ONE]) == {dragon}
        assert consumers(conns[TWO], keys[TWO]) == {dragon}
        # Barbican's guard holds only for a microversion 1.2 delete.
        assert delete_secret_guarded(conns[TWO], keys[TWO]).status_code \
            == 400
        status, body = demo('PATCH', path, {'policy': {'encryption': {
            'key_ref': keys[ONE]}}})
        assert status == 200, body
        assert consumers(conns[TWO], keys[TWO]) == set()
        assert consumers(conns[ONE], keys[ONE]) == {dragon}
    finally:
        demo('DELETE', path)
    assert consumers(conns[ONE], keys[ONE]) == set()


def _protected(demo, path):
    status, body = demo('POST', path + '/protect')
    assert status == 202, body
    checkpoint_path = '/v1/checkpoints/' + body['checkpoint']['id']
    done = wait(lambda: demo('GET', checkpoint_path)[1]['checkpoint'],
                ('error', 'available'), 600)
    assert done['status'] == 'available', done
    return checkpoint_path


def test_a_recovery_key_that_is_another_secret_is_not_dr_ready(
        cloud, demo, keys, volume, unique_name):
    # Readable is not enough: the backup region's key must open what was
    # protected, as a recovery there would (the checkpoint's own ref).
    two = cloud.connect('demo', region=TWO)
    other_id, _payload = store_secret(two, unique_name + '-other')
    status, body = _create(demo, {
        'key_ref': keys[ONE], 'recovery_key_refs': {TWO: other_id}},
        members=[{'resource_type': 'volume', 'resource_id': volume.id}])
    assert status == 201, body
    path = '/v1/policies/' + body['policy']['id']
    checkpoints = []
    try:
        # Nothing protected yet: a readable key is all there is to try.
        assert body['policy']['dr_ready'] is True
        assert body['policy']['encryption_readiness'][TWO]['unwraps'] is None

        checkpoints.append(_protected(demo, path))
        shown = demo('GET', path)[1]['policy']
        assert shown['dr_ready'] is False
        state = shown['encryption_readiness'][TWO]
        assert (state['readable'], state['unwraps']) == (True, False), state
        assert other_id in state['reason'] and 'cannot be recovered there' \
            in state['reason']
        assert shown['encryption_readiness'][ONE]['unwraps'] is True

        # Pointed at the same secret: that checkpoint still names the
        # other one, so readiness waits for a checkpoint that names it.
        status, body = demo('PATCH', path, {'policy': {'encryption': {
            'key_ref': keys[ONE], 'recovery_key_refs': {TWO: keys[TWO]}}}})
        assert status == 200, body
        assert body['policy']['dr_ready'] is False
        checkpoints.append(_protected(demo, path))
        shown = demo('GET', path)[1]['policy']
        assert shown['dr_ready'] is True
        assert shown['encryption_readiness'][TWO]['unwraps'] is True
        # ... and that protection re-pointed the first checkpoint too: its
        # clear envelope (all a backup site has) names the key there now.
        first = demo('GET', checkpoints[0])[1]['checkpoint']
        swift = clients_mod.ServiceClients(session(cloud.layout),
                                           ONE).swift()
        refs = store.read_manifest(swift, first['container'])[
            'encryption']['key_refs']
        # (An id given is kept as Barbican's href of it.)
        assert keys[TWO].rsplit('/', 1)[-1] in refs[TWO], refs
        assert other_id.rsplit('/', 1)[-1] not in refs[TWO], refs
    finally:
        for checkpoint_path in checkpoints:
            demo('DELETE', checkpoint_path)
        deadline = time.monotonic() + 300
        while checkpoints and time.monotonic() < deadline:
            checkpoints = [c for c in checkpoints
                           if demo('GET', c)[0] != 404]
            time.sleep(2)
        demo('DELETE', path)
        delete_secret(two, other_id)


@pytest.mark.parametrize('wrong', ['primary-id', 'alt-project-key'])
def test_a_recovery_key_the_backup_region_cannot_read_is_not_dr_ready(
        cloud, demo, keys, unique_name, wrong):
    # The two usual mistakes: the protected region's secret id given for
    # the backup region (ids differ per Barbican), and a key stored there
    # by another project. Both are accepted (the key may come later) and
    # shown not DR-ready, naming the reference.
    alt = cloud.connect('alt_demo', region=TWO)
    alt_id = None
    if wrong == 'primary-id':
        ref = keys[ONE]
    else:
        alt_id, _payload = store_secret(alt, unique_name)
        ref = alt_id
    status, body = _create(demo, {'key_ref': keys[ONE],
                                  'recovery_key_refs': {TWO: ref}})
    policy = body.get('policy') or {}
    try:
        assert status == 201, body
        assert policy['dr_ready'] is False
        state = policy['encryption_readiness'][TWO]
        assert state['readable'] is False and ref in state['reason']
        assert ('another project' in state['reason']) == (
            wrong == 'alt-project-key')
        assert policy['encryption_readiness'][ONE]['readable'] is True
        # Pointed at the right secret there: ready.
        status, body = demo('PATCH', '/v1/policies/' + policy['id'], {
            'policy': {'encryption': {'key_ref': keys[ONE],
                                      'recovery_key_refs': {
                                          TWO: keys[TWO]}}}})
        assert status == 200, body
        assert body['policy']['dr_ready'] is True
    finally:
        if policy:
            demo('DELETE', '/v1/policies/' + policy['id'])
        if alt_id:
            delete_secret(alt, alt_id)


def _dragon_status(dragon):
    """(exit code, details of the encryption check) of dragon-status."""
    from tests.minicloud.dragon import dragon_bin
    from tests.minicloud.process import clean_environ
    ran = subprocess.run(
        [dragon_bin('dragon-status'), '--config-file',
         str(dragon.config_file), 'upgrade', 'check', '--json'],
        capture_output=True, text=True, env=clean_environ())
    assert ran.returncode in (0, 1), ran.stdout + ran.stderr
    # Log lines (alembic's) may come first.
    [line] = [x for x in ran.stdout.splitlines() if x.startswith('{')]
    [check] = [c for c in json.loads(line)['checks']
               if c['check'] == 'Encryption DR readiness']
    return ran.returncode, check['details']


def test_dragon_status_reports_what_a_protection_measured(
        cloud, dragon, demo, keys, volume):
    status, body = _create(demo, {
        'key_ref': keys[ONE], 'recovery_key_refs': {TWO: keys[TWO]}},
        members=[{'resource_type': 'volume', 'resource_id': volume.id}])
    assert status == 201, body
    policy_id = body['policy']['id']
    path = '/v1/policies/' + policy_id
    checkpoints = []
    try:
        checkpoints.append(_protected(demo, path))
        _code, report = _dragon_status(dragon)
        assert 'cannot read a project\'s keys itself' in report, report
        assert policy_id not in report, report
        # The backup region's key goes; no one looks at the policy, and
        # its next protection (with the owner's trust) measures it.
        delete_secret(cloud.connect('demo', region=TWO), keys[TWO])
        checkpoints.append(_protected(demo, path))
        code, report = _dragon_status(dragon)
        assert code == 1, report
        assert 'not DR-ready when last checked' in report, report
        mine = report[report.index(policy_id):]
        assert keys[TWO] in mine and 'by a protection' in mine, report
    finally:
        for checkpoint_path in checkpoints:
            demo('DELETE', checkpoint_path)
        deadline = time.monotonic() + 300
        while checkpoints and time.monotonic() < deadline:
            checkpoints = [c for c in checkpoints
                           if demo('GET', c)[0] != 404]
            time.sleep(2)
        demo('DELETE', path)

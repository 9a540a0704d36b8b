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

"""Schemathesis against the unit app: no server error, answers as documented.

Every operation of ``/v1/openapi.json`` gets a bounded number of generated
requests: valid ones with made-up ids, valid ones naming objects that
exist (a policy with a member and a schedule, a checkpoint, a recovery;
made anew for each operation) and ones that break the document. The seed
is fixed (``derandomize``), so a failure shows again on the next run.
Keystone trusts, the engines, Swift, Nova and Cinder are faked at their
module boundary as in the other API tests; the database is real. The
functional twin (``tests/functional/api/test_fuzz.py``) runs against the
real dragon-api.
"""

import os

import hypothesis
from hypothesis import HealthCheck
import pytest
import schemathesis
from schemathesis import checks
from schemathesis.generation import GenerationMode
import webob

from dragon.api.middleware import fault
from dragon import context
from dragon.db import api as db_api
from dragon import identity
from tests.unit.api.v1.test_checkpoints import _finish
from tests.unit.api.v1.test_checkpoints import _policy
from tests.unit.api.v1.test_checkpoints import _protect
from tests.unit.api.v1.test_checkpoints import engine  # noqa: F401
from tests.unit.api.v1.test_checkpoints import FakeEngine
from tests.unit.api.v1.test_checkpoints import swift  # noqa: F401
from tests.unit.api.v1.test_recoveries import _delete_cast
from tests.unit.api.v1.test_recoveries import _recover_cast
from tests.unit.api.v1.test_recoveries import CATALOG
from tests.unit.api.v1.test_recoveries import containers  # noqa: F401
from tests.unit.api.v1.test_recoveries import POINT

# Per operation and kind of run; DRAGON_FUZZ_EXAMPLES=150 digs deeper.
EXAMPLES = int(os.environ.get('DRAGON_FUZZ_EXAMPLES') or 20)
# What auth_token would add for a token of alice's (schemathesis makes
# up the token itself, and leaves it out to see a 401).
HEADERS = {'X-Project-Id': 'p1', 'X-User-Id': 'alice',
           'X-Roles': 'member,reader', 'X-Service-Catalog': CATALOG}
CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance,
          checks.response_schema_conformance]
NEGATIVE_CHECKS = CHECKS + [checks.negative_data_rejection]


def _needs_a_token(application):
    """What auth_token does first (noauth does not): no token, no entry."""
    def app(environ, start_response):
        if not environ.get('HTTP_X_AUTH_TOKEN'):
            request = webob.Request(environ)
            response = fault.error_response(request, 401,
                                            'Authentication required.')
            return response(environ, start_response)
        return application(environ, start_response)
    return app


@pytest.fixture
def app(api, fake_cloud, engine, swift, containers,  # noqa: F811
        monkeypatch):
    fake_cloud.add('server', 'srv-1', name='web')
    fake_cloud.add('volume', 'vol-1', name='data')
    monkeypatch.setattr(FakeEngine, 'recover', _recover_cast, raising=False)
    monkeypatch.setattr(FakeEngine, 'delete_recovery', _delete_cast,
                        raising=False)
    made = []

    def create_trust(ctx, conf=None, redelegate=False, expires=True):
        made.append(ctx.user_id)
        return 'trust-%d' % len(made)

    monkeypatch.setattr(identity, 'create_trust', create_trust)
    monkeypatch.setattr(identity, 'delete_trust',
                        lambda *args, **kwargs: True)
    return _needs_a_token(api.application)


def _objects(api, n):
    """One of each object, named by the path parameters of the document."""
    policy = _policy(api, name='fuzz-%d' % n)
    schedule = api('POST', '/v1/policies/%s/schedules' % policy['id'],
                   {'schedule': {'cron': '0 3 * * *'}})
    assert schedule.status_int == 201, schedule.text
    checkpoint = _protect(api, policy).json['checkpoint']
    _finish(checkpoint['id'], container='dragon_p1_fuzz-%d_x' % n)
    recovery = api('POST', '/v1/recoveries', {'recovery': {
        'recovery_point': POINT, 'target_region': 'RegionTwo'}},
        headers={'X-Service-Catalog': CATALOG})
    assert recovery.status_int == 202, recovery.text
    recovery_id = recovery.json['recovery']['id']
    # Ended, so the next operation's recovery of POINT may start.
    db_api.recovery_update(context.get_admin_context(), recovery_id,
                           {'status': 'succeeded'})
    return {'policy_id': policy['id'], 'resource_id': 'srv-1',
            'schedule_id': schedule.json['schedule']['id'],
            'checkpoint_id': checkpoint['id'],
            'recovery_id': recovery_id}


def _run(operation, strategy, checks_run):
    """Run ``strategy``'s cases; return the failure, if any, as text."""
    @hypothesis.settings(
        max_examples=EXAMPLES, derandomize=True, deadline=None,
        database=None, suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
    @hypothesis.given(case=strategy)
    def run(case):
        response = case.call(headers=HEADERS)
        case.validate_response(response, checks=checks_run)

    try:
        run()
    except Exception as e:  # noqa: BLE001 - report every operation
        return '%s: %s' % (operation.label, str(e)[:3000])
    return None


def test_generated_requests_get_documented_answers(api, app):
    schema = schemathesis.openapi.from_wsgi(
        '/v1/openapi.json', app, headers={'X-Auth-Token': 'fuzz', **HEADERS})
    failures = []
    for n, result in enumerate(schema.get_all_operations()):
        operation = result.ok()
        names = {p.name for p in operation.path_parameters}
        known = {k: v for k, v in _objects(api, n).items() if k in names}
        runs = [(GenerationMode.POSITIVE, None, CHECKS),
                (GenerationMode.NEGATIVE, None, NEGATIVE_CHECKS)]
        if known:
            runs.append((GenerationMode.POSITIVE, known, CHECKS))
        for mode, path_parameters, checks_run in runs:
            failures.append(_run(operation, operation.as_strategy(
                generation_mode=mode, path_parameters=path_parameters),
                checks_run))
    failures = [f for f in failures if f]
    assert not failures, '\n\n'.join(failures)

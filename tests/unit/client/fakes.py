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

"""An in-memory Dragon API behind the HTTP boundary, for client and CLI tests.

``FakeDragonAPI.install(monkeypatch)`` replaces the send method of requests'
HTTP adapter, so keystoneauth, the client and the CLI run unchanged down to
the socket.  Routes follow the REST contract of workload policies, of checkpoints
(the "Checkpoint API shape" of issue 4) and of recoveries (issue 5).
"""

import copy
import itertools
import json
import re
from urllib import parse
import uuid

import requests
from requests import adapters

ENDPOINT = 'http://dragon.test:8799'
PROJECT_ID = 'a' * 32

RESOURCE_TYPES = [
    {'name': 'server', 'actions': [
        {'name': 'snapshot', 'default': True,
         'description': 'Glance image of the root disk and volume snapshots',
         'options_schema': {'type': 'object', 'properties': {
             'quiesce': {'type': 'boolean'},
             'copies': {'type': 'integer'}}}},
        {'name': 'backup', 'default': False,
         'description': 'Full copy to the backup site', 'options_schema': {}},
    ]},
    {'name': 'volume', 'actions': [
        {'name': 'snapshot', 'default': True,
         'description': 'Cinder snapshot', 'options_schema': {}},
    ]},
]


class Call:
    def __init__(self, request):
        url = parse.urlsplit(request.url)
        self.method = request.method
        self.url = request.url
        self.path = url.path
        self.query = dict(parse.parse_qsl(url.query))
        self.headers = request.headers
        self.json = json.loads(request.body) if request.body else None

    def __repr__(self):
        return '<%s %s %s>' % (self.method, self.url, self.json)


class Conflict(Exception):
    """Answered with 409."""


def _merge(item, changes):
    """Apply ``changes`` to ``item``; ``progress`` merges, the rest replaces."""
    for key, value in changes.items():
        if key == 'progress':
            item['progress'].update(value)
        else:
            item[key] = value


class FakeDragonAPI:
    """Policies and members in dictionaries; every request is recorded."""

    page_size = 1000

    def __init__(self):
        self.calls: list[Call] = []
        self.policies: dict[str, dict] = {}
        self.protectables: list[dict] = []
        self.kept_checkpoints = 0
        self.reply = None   # (status, body, headers) for the next request
        self.engines = []   # what GET /v1/engines answers
        self.checkpoints: dict[str, dict] = {}
        # Per checkpoint ID, the changes each later GET applies in turn:
        # a checkpoint that moves on while a client polls it.
        self.checkpoint_steps: dict[str, list[dict]] = {}
        # The steps of the checkpoint the next protect request creates.
        self.protect_steps: list[dict] = []
        self.events: dict[str, list[dict]] = {}
        self.templates: dict[str, dict] = {}
        self.recovery_points: list[dict] = []
        self.recoveries: dict[str, dict] = {}
        # As for checkpoints: the changes each later GET of a recovery
        # applies, and those of the recovery the next POST creates.
        self.recovery_steps: dict[str, list[dict]] = {}
        self.recover_steps: list[dict] = []
        self.recovery_events: dict[str, list[dict]] = {}
        # Per policy ID, what GET /v1/policies/{id}/retention answers.
        self.retention_previews: dict[str, dict] = {}
        self._clock = itertools.count()

    def install(self, monkeypatch):
        fake = self

        def send(adapter, request, **kwargs):
            return fake.handle(request)

        monkeypatch.setattr(adapters.HTTPAdapter, 'send', send)
        return self

    # -- helpers for tests
    def add_policy(self, name, **fields):
        policy = {
            'id': str(uuid.uuid4()), 'name': name, 'description': '',
            'project_id': PROJECT_ID,
            'options': {'consistent': False, 'retention': None,
                        'rpo': None},
            'members': [], 'schedules': [], 'rpo': None,
            'status': 'available', 'last_drill': None, 'encryption': None,
            'encryption_readiness': None, 'dr_ready': None,
            'created_at': self._now(), 'updated_at': None}
        policy.update(fields)
        self.policies[policy['id']] = policy
        return policy

    def add_checkpoint(self, policy, **fields):
        """A checkpoint of ``policy``; ``progress``/``resources`` merge in."""
        checkpoint = {
            'id': str(uuid.uuid4()), 'project_id': PROJECT_ID,
            'policy_id': policy['id'], 'policy_name': policy['name'],
            'status': 'protecting', 'container': None,
            'created_at': self._now(), 'started_at': None,
            'finished_at': None, 'duration': None, 'engine': None,
            'error': None, 'hold': False, 'trigger': 'manual',
            'schedule_id': None, 'captured_at': None, 'warnings': [],
            'progress': {'bytes_done': 0, 'bytes_total': 0, 'percent': 0,
                         'eta_seconds': None, 'resources_done': 0,
                         'resources_total': len(policy['members'])},
            'resources': [
                {'key': '%s_%s' % (m['resource_type'], m['resource_id']),
                 'type': {'server': 'OS::Nova::Server',
                          'volume': 'OS::Cinder::Volume'}.get(
                              m['resource_type'], m['resource_type']),
                 'id': m['resource_id'], 'name': m.get('resource_name'),
                 'action': m.get('action'), 'status': 'pending',
                 'reason': None, 'bytes_done': 0, 'bytes_total': 0}
                for m in policy['members']],
            'stats': {'uploaded_bytes': 0, 'reused_chunks': 0,
                      'zero_chunks': 0, 'stored_bytes': 0}}
        checkpoint['container'] = 'dragon_%s_%s_20261123T100000Z' % (
            PROJECT_ID, policy['name'])
        _merge(checkpoint, fields)
        self.checkpoints[checkpoint['id']] = checkpoint
        return checkpoint

    def add_recovery(self, checkpoint=None, **fields):
        """A recovery (of ``checkpoint`` if given); ``progress`` merges in."""
        recovery = {
            'id': str(uuid.uuid4()), 'project_id': PROJECT_ID,
            'status': 'recovering', 'mode': 'failover',
            'checkpoint_id': checkpoint and checkpoint['id'],
            'recovery_point': checkpoint and checkpoint['container'],
            'policy_id': checkpoint and checkpoint['policy_id'],
            'policy_name': checkpoint and checkpoint['policy_name'],
            'target_region': 'RegionTwo', 'mappings': {}, 'resources': [],
            'timeout': None, 'stack_id': None, 'stack_name': None,
            'stack_status': None, 'torn_down': False, 'restored': {},
            'error': None, 'rto_seconds': None, 'created_at': self._now(),
            'started_at': None, 'finished_at': None, 'duration': None,
            'engine': None, 'dry_run': False, 'plan': None,
            'shrink_volumes': False, 'keep_current_flavor': False,
            'commit_deadline': None,
            'window_action': None, 'replaced': [],
            'progress': {'bytes_done': 0, 'bytes_total': 0, 'percent': 0,
                         'eta_seconds': None, 'resources_done': 0,
                         'resources_total': 0},
            'resource_status': []}
        _merge(recovery, fields)
        self.recoveries[recovery['id']] = recovery
        return recovery

    def requests(self, method=None):
        return [c for c in self.calls if method is None or c.method == method]

    def _now(self):
        return '2026-11-23T10:00:%02d.000000' % (next(self._clock) % 60)

    # -- HTTP
    def handle(self, request):
        call = Call(request)
        self.calls.append(call)
        if self.reply is not None:
            status, body, headers = self.reply
            self.reply = None
            return self._response(request, status, body, headers)
        route = self._route(call)
        if route is None:
            return self._error(request, 404, 'No resource at %s.' % call.path)
        handler, args = route
        try:
            status, body = handler(call, *args)
        except LookupError as err:
            return self._error(request, 404, str(err.args[0]))
        except ValueError as err:
            return self._error(request, 400, str(err))
        except Conflict as err:
            return self._error(request, 409, str(err))
        return self._response(request, status, body)

    def _route(self, call):
        routes = (
            ('GET', r'/v1/resource-types', self._resource_types),
            ('GET', r'/v1/engines', self._engines),
            ('GET', r'/v1/protectables', self._protectables),
            ('POST', r'/v1/policies', self._create),
            ('GET', r'/v1/policies', self._list),
            ('GET', r'/v1/policies/([^/]+)', self._show),
            ('PATCH', r'/v1/policies/([^/]+)', self._update),
            ('DELETE', r'/v1/policies/([^/]+)', self._delete),
            ('POST', r'/v1/policies/([^/]+)/members', self._member_add),
            ('GET', r'/v1/policies/([^/]+)/members', self._member_list),
            ('PATCH', r'/v1/policies/([^/]+)/members/([^/]+)',
             self._member_update),
            ('DELETE', r'/v1/policies/([^/]+)/members/([^/]+)',
             self._member_remove),
            ('POST', r'/v1/policies/([^/]+)/protect', self._protect),
            ('GET', r'/v1/policies/([^/]+)/retention',
             self._retention_preview),
            ('PATCH', r'/v1/checkpoints/([^/]+)', self._checkpoint_update),
            ('GET', r'/v1/checkpoints', self._checkpoint_list),
            ('GET', r'/v1/checkpoints/([^/]+)', self._checkpoint_show),
            ('DELETE', r'/v1/checkpoints/([^/]+)', self._checkpoint_delete),
            ('GET', r'/v1/checkpoints/([^/]+)/events', self._events),
            ('GET', r'/v1/checkpoints/([^/]+)/template', self._template),
            ('GET', r'/v1/recovery-points', self._recovery_points),
            ('POST', r'/v1/recoveries', self._recover),
            ('GET', r'/v1/recoveries', self._recovery_list),
            ('GET', r'/v1/recoveries/([^/]+)', self._recovery_show),
            ('DELETE', r'/v1/recoveries/([^/]+)', self._recovery_delete),
            ('GET', r'/v1/recoveries/([^/]+)/events',
             self._recovery_event_list),
            ('POST', r'/v1/recoveries/([^/]+)/failback',
             self._failback_prepare),
            ('POST', r'/v1/policies/([^/]+)/failback', self._failback_run),
            ('POST', r'/v1/recoveries/([^/]+)/commit',
             self._recovery_commit),
            ('POST', r'/v1/recoveries/([^/]+)/rollback',
             self._recovery_rollback),
        )
        path = parse.urlsplit(call.url).path
        for method, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if method == call.method and match:
                return handler, [parse.unquote(g) for g in match.groups()]
        return None

    def _response(self, request, status, body, headers=None):
        response = requests.Response()
        response.status_code = status
        response.reason = requests.status_codes._codes[status][0].replace(
            '_', ' ').title()
        response.url = request.url
        response.request = request
        response.headers['x-openstack-request-id'] = 'req-fake'
        if body is not None:
            response.headers['Content-Type'] = 'application/json'
            response._content = (body if isinstance(body, bytes)
                                 else json.dumps(body).encode())
        else:
            response._content = b''
        response.headers.update(headers or {})
        return response

    def _error(self, request, status, message):
        return self._response(request, status, {'error': {
            'code': status, 'title': 'Error', 'message': message,
            'request_id': 'req-%d' % status}})

    def _policy(self, policy_id):
        try:
            return self.policies[policy_id]
        except KeyError:
            raise LookupError('Policy %s could not be found.' % policy_id)

    # -- handlers
    def _resource_types(self, call):
        return 200, {'resource_types': RESOURCE_TYPES}

    def _engines(self, call):
        return 200, {'engines': self.engines}

    def _protectables(self, call):
        kind = call.query.get('type')
        return 200, {'protectables': [p for p in self.protectables
                                      if kind in (None, p['type'])]}

    def _check_member(self, member):
        types = {t['name']: t for t in RESOURCE_TYPES}
        if member.get('resource_type') not in types:
            raise ValueError("Unknown resource type '%s'." %
                             member.get('resource_type'))
        actions = [a['name'] for a in
                   types[member['resource_type']]['actions']]
        if member.get('action', actions[0]) not in actions:
            raise ValueError("Unknown action '%s' for %s." % (
                member['action'], member['resource_type']))

    def _new_member(self, member):
        self._check_member(member)
        return {'resource_type': member['resource_type'],
                'resource_id': member['resource_id'],
                'resource_name': 'name-' + member['resource_id'],
                'action': member.get('action', 'snapshot'),
                'options': member.get('options', {}),
                'created_at': self._now()}

    def _create(self, call):
        body = call.json['policy']
        options = {'consistent': False, 'retention': None, 'rpo': None}
        options.update(body.get('options') or {})
        policy = self.add_policy(
            body['name'], description=body.get('description', ''),
            options=options,
            members=[self._new_member(m) for m in body.get('members', [])],
            schedules=[self._new_schedule(s)
                       for s in body.get('schedules', [])])
        return 201, {'policy': policy}

    def _new_schedule(self, schedule):
        return {'id': str(uuid.uuid4()), 'cron': schedule['cron'],
                'timezone': schedule.get('timezone', 'UTC'),
                'enabled': schedule.get('enabled', True), 'status': 'active',
                'error': None, 'next_run_at': '2026-12-04T02:00:00+00:00',
                'last_run_at': None, 'last_result': None,
                'run_count': 0, 'skipped_count': 0, 'missed_count': 0}

    def _list(self, call):
        found = sorted(self.policies.values(), key=lambda p: p['created_at'])
        if 'name' in call.query:
            found = [p for p in found if p['name'] == call.query['name']]
        ids = [p['id'] for p in found]
        if 'marker' in call.query:
            found = found[ids.index(call.query['marker']) + 1:]
        limit = int(call.query.get('limit', self.page_size))
        page, links = found[:limit], []
        if len(found) > limit:
            query = dict(call.query, marker=page[-1]['id'])
            links.append({'rel': 'next', 'href': '%s/v1/policies?%s' % (
                ENDPOINT, parse.urlencode(query))})
        return 200, {'policies': copy.deepcopy(page), 'links': links}

    def _show(self, call, policy_id):
        return 200, {'policy': self._policy(policy_id)}

    def _update(self, call, policy_id):
        policy = self._policy(policy_id)
        changes = call.json['policy']
        for key in ('name', 'description'):
            if key in changes:
                policy[key] = changes[key]
        policy['options'].update(changes.get('options') or {})
        if 'schedules' in changes:
            policy['schedules'] = [self._new_schedule(s)
                                   for s in changes['schedules']]
        policy['updated_at'] = self._now()
        return 200, {'policy': policy}

    def _delete(self, call, policy_id):
        self._policy(policy_id)
        del self.policies[policy_id]
        return 200, {'policy_id': policy_id,
                     'kept_checkpoints': self.kept_checkpoints}

    def _member(self, policy, resource_id):
        for member in policy['members']:
            if member['resource_id'] == resource_id:
                return member
        raise LookupError('%s is not a member.' % resource_id)

    def _member_add(self, call, policy_id):
        policy = self._policy(policy_id)
        member = self._new_member(call.json['member'])
        policy['members'].append(member)
        return 201, {'member': member}

    def _member_list(self, call, policy_id):
        return 200, {'members': self._policy(policy_id)['members']}

    def _member_update(self, call, policy_id, resource_id):
        member = self._member(self._policy(policy_id), resource_id)
        changes = call.json['member']
        self._check_member(dict(member, **changes))
        member.update(changes)
        return 200, {'member': member}

    def _member_remove(self, call, policy_id, resource_id):
        policy = self._policy(policy_id)
        policy['members'].remove(self._member(policy, resource_id))
        return 204, None

    # -- checkpoints
    def _checkpoint(self, checkpoint_id):
        try:
            return self.checkpoints[checkpoint_id]
        except KeyError:
            raise LookupError('Checkpoint %s could not be found.' %
                              checkpoint_id)

    def _protect(self, call, policy_id):
        policy = self._policy(policy_id)
        if not policy['members']:
            raise ValueError('Policy %s has no members to protect.' %
                             policy['name'])
        running = [c for c in self.checkpoints.values()
                   if c['policy_id'] == policy_id and
                   c['status'] == 'protecting']
        if running:
            raise Conflict('Policy %s is already being protected by '
                           'checkpoint %s.' % (policy['name'],
                                               running[0]['id']))
        checkpoint = self.add_checkpoint(policy)
        self.checkpoint_steps[checkpoint['id']] = self.protect_steps
        self.protect_steps = []
        return 202, {'checkpoint': copy.deepcopy(checkpoint)}

    def _checkpoint_list(self, call):
        found = sorted(self.checkpoints.values(),
                       key=lambda c: c['created_at'], reverse=True)
        for key in ('policy_id', 'status'):
            if key in call.query:
                found = [c for c in found if c[key] == call.query[key]]
        ids = [c['id'] for c in found]
        if 'marker' in call.query:
            found = found[ids.index(call.query['marker']) + 1:]
        limit = int(call.query.get('limit', self.page_size))
        page, links = found[:limit], []
        if len(found) > limit:
            query = dict(call.query, marker=page[-1]['id'])
            links.append({'rel': 'next', 'href': '%s/v1/checkpoints?%s' % (
                ENDPOINT, parse.urlencode(query))})
        return 200, {'checkpoints': copy.deepcopy(page), 'links': links}

    def _checkpoint_show(self, call, checkpoint_id):
        checkpoint = self._checkpoint(checkpoint_id)
        steps = self.checkpoint_steps.get(checkpoint_id)
        if steps:
            _merge(checkpoint, steps.pop(0))
        return 200, {'checkpoint': copy.deepcopy(checkpoint)}

    def _checkpoint_update(self, call, checkpoint_id):
        checkpoint = self._checkpoint(checkpoint_id)
        changes = call.json['checkpoint']
        if set(changes) != {'hold'} or not isinstance(changes['hold'], bool):
            raise ValueError('Invalid input: hold (a boolean) only.')
        checkpoint['hold'] = changes['hold']
        return 200, {'checkpoint': copy.deepcopy(checkpoint)}

    def _retention_preview(self, call, policy_id):
        policy = self._policy(policy_id)
        if policy_id in self.retention_previews:
            return 200, {'retention': self.retention_previews[policy_id]}
        return 200, {'retention': {
            'rules': policy['options'].get('retention') or {},
            'timezone': 'UTC',
            'checkpoints': [
                {'id': c['id'], 'created_at': c['created_at'],
                 'captured_at': c.get('captured_at'), 'status': c['status'],
                 'hold': c.get('hold', False), 'keep': True,
                 'reasons': ['no retention rules']}
                for c in sorted(self.checkpoints.values(),
                                key=lambda c: c['created_at'], reverse=True)
                if c['policy_id'] == policy_id]}}

    def _checkpoint_delete(self, call, checkpoint_id):
        checkpoint = self._checkpoint(checkpoint_id)
        if checkpoint.get('hold'):
            raise Conflict('Checkpoint %s is on hold; release the hold '
                           'first.' % checkpoint_id)
        if checkpoint['status'] == 'protecting':
            raise Conflict('Checkpoint %s is still being protected.' %
                           checkpoint_id)
        del self.checkpoints[checkpoint_id]
        return 202, {'checkpoint': dict(checkpoint, status='deleting')}

    def _events(self, call, checkpoint_id):
        self._checkpoint(checkpoint_id)
        return 200, {'events': self.events.get(checkpoint_id, [])}

    def _template(self, call, checkpoint_id):
        self._checkpoint(checkpoint_id)
        return 200, self.templates.get(
            checkpoint_id, {'template': '', 'parameters': {}})

    def _recovery_points(self, call):
        wanted = call.query.get('policy')
        return 200, {'recovery_points': [
            p for p in self.recovery_points
            if wanted in (None, p['policy_id'], p['policy_name'])]}

    # -- recoveries
    def _recovery(self, recovery_id):
        try:
            return self.recoveries[recovery_id]
        except KeyError:
            raise LookupError('Recovery %s could not be found.' %
                              recovery_id)

    def _recover(self, call):
        body = call.json['recovery']
        if body.get('mode', 'failover') not in ('failover', 'drill',
                                                'in_place'):
            raise ValueError("Unknown mode '%s'." % body['mode'])
        if 'checkpoint_id' in body:
            checkpoint = self._checkpoint(body['checkpoint_id'])
        else:
            container = body['recovery_point']
            checkpoint = next(
                (c for c in self.checkpoints.values()
                 if c['container'] == container), None)
            if checkpoint is None:
                raise LookupError('Recovery point %s could not be found.' %
                                  container)
        recovery = self.add_recovery(
            checkpoint, target_region=body.get('target_region', 'RegionOne'),
            mode=body.get('mode', 'failover'),
            dry_run=body.get('dry_run', False),
            mappings=body.get('mappings') or {},
            resources=body.get('resources') or [],
            timeout=body.get('timeout'))
        self.recovery_steps[recovery['id']] = self.recover_steps
        self.recover_steps = []
        return 202, {'recovery': copy.deepcopy(recovery)}

    def _recovery_list(self, call):
        found = sorted(self.recoveries.values(),
                       key=lambda r: r['created_at'], reverse=True)
        if 'status' in call.query:
            found = [r for r in found if r['status'] == call.query['status']]
        return 200, {'recoveries': copy.deepcopy(found)}

    def _recovery_show(self, call, recovery_id):
        recovery = self._recovery(recovery_id)
        steps = self.recovery_steps.get(recovery_id)
        if steps:
            _merge(recovery, steps.pop(0))
        return 200, {'recovery': copy.deepcopy(recovery)}

    def _recovery_delete(self, call, recovery_id):
        recovery = self._recovery(recovery_id)
        if recovery['status'] == 'recovering':
            raise Conflict('Recovery %s is still running.' % recovery_id)
        del self.recoveries[recovery_id]
        return 202, {'recovery': dict(recovery, status='deleting')}

    def _failback_prepare(self, call, recovery_id):
        """A reverse policy over the recovery's target ids, protected."""
        recovery = self._recovery(recovery_id)
        if recovery['mode'] != 'failover':
            raise ValueError('Recovery %s cannot be failed back: it is a %s, '
                             'not a failover' % (recovery_id,
                                                 recovery['mode']))
        if recovery['status'] != 'succeeded':
            raise Conflict('Recovery %s is %s; preparing its failback is '
                           'possible only when it is succeeded.' % (
                               recovery_id, recovery['status']))
        body = call.json.get('failback') or {}
        members = [{'resource_type': 'server' if 'Server' in r['type']
                    else 'volume', 'resource_id': r['target_id'],
                    'source_id': r['id'], 'action': 'snapshot_data'}
                   for r in recovery['resource_status'] if r['target_id']]
        policy = self.add_policy(
            body.get('name') or recovery['policy_name'] + '-failback',
            members=[dict(m, resource_name='') for m in members],
            replication={'target_region': 'RegionOne'},
            schedules=[{'cron': '0 * * * *', 'enabled': bool(
                body.get('enable_schedules'))}],
            failback={'recovery_id': recovery_id})
        checkpoint = self.add_checkpoint(policy, status='queued')
        self.checkpoint_steps[checkpoint['id']] = self.protect_steps
        self.protect_steps = []
        return 202, {'failback': {
            'recovery_id': recovery_id, 'source_region': 'RegionOne',
            'policy': copy.deepcopy(policy),
            'checkpoint': copy.deepcopy(checkpoint), 'members': members,
            'left_out': [], 'schedules_copied': 1,
            'notes': ['a note'], 'request': body}}

    def _failback_run(self, call, policy_id):
        """A failback recovery of a reverse policy into RegionOne.

        As the API answers: at once, before its engine quiesced anything
        or started the final checkpoint (no checkpoint yet).
        """
        policy = self._policy(policy_id)
        if not policy.get('failback'):
            raise ValueError('Policy %s cannot be failed back: it is not a '
                             'reverse policy' % policy_id)
        recovery = self.add_recovery(mode='failback',
                                     target_region='RegionOne',
                                     recovery_point='',
                                     policy_id=policy['id'],
                                     policy_name=policy['name'])
        self.recovery_steps[recovery['id']] = self.recover_steps
        self.recover_steps = []
        return 202, {'recovery': copy.deepcopy(recovery)}

    def _close_window(self, recovery_id, action, busy):
        recovery = self._recovery(recovery_id)
        if recovery['status'] != 'awaiting_commit':
            raise Conflict('Recovery %s is %s; %s it is possible only when '
                           'it is awaiting_commit.' % (
                               recovery_id, recovery['status'], action))
        _merge(recovery, {'status': busy, 'window_action': action})
        self.recovery_steps[recovery_id] = self.recover_steps
        self.recover_steps = []
        return 202, {'recovery': copy.deepcopy(recovery)}

    def _recovery_commit(self, call, recovery_id):
        return self._close_window(recovery_id, 'commit', 'committing')

    def _recovery_rollback(self, call, recovery_id):
        return self._close_window(recovery_id, 'rollback', 'rolling_back')

    def _recovery_event_list(self, call, recovery_id):
        self._recovery(recovery_id)
        return 200, {'events': self.recovery_events.get(recovery_id, [])}

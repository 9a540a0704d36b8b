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

"""``GET /v1/openapi.json``: the OpenAPI 3.0 document of the whole API.

Built from the same schemas the controllers validate with, and from the
installed resource-type plugins (their names, and each action's options
as a ``MemberOptions.<type>.<action>`` component); a unit test walks the
router so that every route is documented and nothing else is. Like the
rest of /v1 it needs a token (any role); ``GET /`` stays the only
unauthenticated document besides ``/healthcheck``.
"""

import copy
from typing import Any

import webob

from dragon.api import router
from dragon.api.schemas import checkpoints as checkpoint_schemas
from dragon.api.schemas import engines as engine_schemas
from dragon.api.schemas import policies as request_schemas
from dragon.api.schemas import recoveries as recovery_schemas
from dragon.api.schemas import responses
from dragon.protection import registry
from dragon import version

_PAGING = [
    {'name': 'limit', 'in': 'query', 'schema': {
        'type': 'integer', 'minimum': 1, 'maximum': 1000}},
    {'name': 'marker', 'in': 'query', 'schema': {'type': 'string'},
     'description': 'Id of the last policy of the previous page.'},
    {'name': 'sort_key', 'in': 'query', 'schema': {
        'type': 'string', 'enum': ['name', 'created_at', 'updated_at'],
        'default': 'created_at'}},
    {'name': 'sort_dir', 'in': 'query', 'schema': {
        'type': 'string', 'enum': ['asc', 'desc'], 'default': 'asc'}},
    {'name': 'name', 'in': 'query', 'schema': {'type': 'string'},
     'description': 'Exact name.'},
    {'name': 'all_projects', 'in': 'query', 'schema': {'type': 'boolean'},
     'description': 'Every project\'s policies (administrators).'},
]
# Its enum is the installed resource types, filled in by ``document``.
_TYPE_PARAM = {'name': 'type', 'in': 'query', 'schema': {'type': 'string'},
               'description': 'Only this resource type (default: all).'}
_TYPE = [_TYPE_PARAM]
_POLICY_ID = {'name': 'policy_id', 'in': 'path', 'required': True,
              'schema': {'type': 'string'}}
_RESOURCE_ID = {'name': 'resource_id', 'in': 'path', 'required': True,
                'schema': {'type': 'string'}}
_SCHEDULE_ID = {'name': 'schedule_id', 'in': 'path', 'required': True,
                'schema': {'type': 'string'}}
_CHECKPOINT_ID = {'name': 'checkpoint_id', 'in': 'path', 'required': True,
                  'schema': {'type': 'string'}}
_CHECKPOINT_PAGING = [
    {'name': 'limit', 'in': 'query', 'schema': {
        'type': 'integer', 'minimum': 1, 'maximum': 1000}},
    {'name': 'marker', 'in': 'query', 'schema': {'type': 'string'},
     'description': 'Id of the last checkpoint of the previous page.'},
    {'name': 'sort_dir', 'in': 'query', 'schema': {
        'type': 'string', 'enum': ['asc', 'desc'], 'default': 'desc'},
     'description': 'By creation time; newest first by default.'},
    {'name': 'policy_id', 'in': 'query', 'schema': {'type': 'string'}},
    {'name': 'status', 'in': 'query', 'schema': {
        'type': 'string', 'enum': checkpoint_schemas.STATUSES}},
    {'name': 'all_projects', 'in': 'query', 'schema': {'type': 'boolean'},
     'description': 'Every project\'s checkpoints (administrators).'},
]
_RECOVERY_ID = {'name': 'recovery_id', 'in': 'path', 'required': True,
                'schema': {'type': 'string'}}
_RECOVERY_PAGING = [
    {'name': 'limit', 'in': 'query', 'schema': {
        'type': 'integer', 'minimum': 1, 'maximum': 1000}},
    {'name': 'marker', 'in': 'query', 'schema': {'type': 'string'},
     'description': 'Id of the last recovery of the previous page.'},
    {'name': 'sort_dir', 'in': 'query', 'schema': {
        'type': 'string', 'enum': ['asc', 'desc'], 'default': 'desc'},
     'description': 'By creation time; newest first by default.'},
    {'name': 'status', 'in': 'query', 'schema': {
        'type': 'string', 'enum': recovery_schemas.STATUSES}},
    {'name': 'all_projects', 'in': 'query', 'schema': {'type': 'boolean'},
     'description': 'Every project\'s recoveries (administrators).'},
]
_POLICY_FILTER = [{'name': 'policy', 'in': 'query',
                   'schema': {'type': 'string'},
                   'description': 'A policy name or id.'}]

# (path, method, operationId, summary, policy rule, request body schema,
#  {status: response schema or None}, parameters)
OPERATIONS: list[tuple[str, str, str, str, str | None, str | None,
                       dict[int, str | None], list[dict[str, Any]]]] = [
    ('/v1', 'get', 'showVersion', 'The v1 version document.', None, None,
     {200: 'Version'}, []),
    ('/v1/openapi.json', 'get', 'showOpenAPI', 'This document.', None, None,
     {200: 'OpenAPI'}, []),
    ('/v1/resource-types', 'get', 'listResourceTypes',
     'Protectable resource types, their actions and options schemas.',
     'dragon:resource_type:list', None, {200: 'ResourceTypeList'}, []),
    ('/v1/protectables', 'get', 'listProtectables',
     'The caller\'s servers and volumes, with the policy protecting each.',
     'dragon:protectable:list', None, {200: 'ProtectableList'}, _TYPE),
    ('/v1/policies', 'get', 'listPolicies', 'List workload policies.',
     'dragon:policy:list', None, {200: 'PolicyList'}, _PAGING),
    ('/v1/policies', 'post', 'createPolicy', 'Create a workload policy. '
     'An encryption key must be readable by the caller in the protected '
     'region: 400 if missing or not AES-256, 403 if another project\'s, '
     '503 if the key manager cannot be reached. A replication target must '
     'be another region with an object store of its own: 400 otherwise.',
     'dragon:policy:create', 'PolicyCreateRequest',
     {201: 'PolicyOne', 409: 'Error', 503: 'Error'}, []),
    ('/v1/policies/{policy_id}', 'get', 'showPolicy',
     'Show a workload policy; with encryption, whether its key can be read '
     'now in each region (encryption_readiness, dr_ready).', 'dragon:policy:get', None,
     {200: 'PolicyOne', 404: 'Error'}, [_POLICY_ID]),
    ('/v1/policies/{policy_id}', 'patch', 'updatePolicy',
     'Change name, description or options (options merge by key).',
     'dragon:policy:update', 'PolicyUpdateRequest',
     {200: 'PolicyOne', 404: 'Error', 409: 'Error', 503: 'Error'},
     [_POLICY_ID]),
    ('/v1/policies/{policy_id}', 'delete', 'deletePolicy',
     'Delete a workload policy; its checkpoints are kept.',
     'dragon:policy:delete', None, {200: 'PolicyDeleted', 404: 'Error'},
     [_POLICY_ID]),
    ('/v1/policies/{policy_id}/retention', 'get', 'previewRetention',
     'What retention would delete now, and why each checkpoint is kept '
     '(newest first). Nothing is deleted.', 'dragon:policy:retention',
     None, {200: 'RetentionPreview', 404: 'Error'}, [_POLICY_ID]),
    ('/v1/policies/{policy_id}/members', 'get', 'listMembers',
     'List the members of a policy.', 'dragon:policy_member:list', None,
     {200: 'MemberList', 404: 'Error'}, [_POLICY_ID]),
    ('/v1/policies/{policy_id}/members', 'post', 'createMember',
     'Add a resource of the project (checked with Nova/Cinder).',
     'dragon:policy_member:create', 'MemberCreateRequest',
     {201: 'MemberOne', 404: 'Error', 409: 'Error'}, [_POLICY_ID]),
    ('/v1/policies/{policy_id}/members/{resource_id}', 'patch',
     'updateMember', 'Change a member\'s action or options.',
     'dragon:policy_member:update', 'MemberUpdateRequest',
     {200: 'MemberOne', 404: 'Error', 409: 'Error'},
     [_POLICY_ID, _RESOURCE_ID]),
    ('/v1/policies/{policy_id}/members/{resource_id}', 'delete',
     'deleteMember', 'Remove a member.', 'dragon:policy_member:delete', None,
     {204: None, 404: 'Error'}, [_POLICY_ID, _RESOURCE_ID]),
    ('/v1/policies/{policy_id}/schedules', 'get', 'listSchedules',
     'List the schedules of a policy with their next run, last result and '
     'counts.', 'dragon:schedule:list', None,
     {200: 'ScheduleList', 404: 'Error'}, [_POLICY_ID]),
    ('/v1/policies/{policy_id}/schedules', 'post', 'createSchedule',
     'Add a schedule (cron in a time zone); Dragon keeps a standing trust '
     'of the caller to run it. 400 for a cron line croniter refuses or an '
     'unknown time zone.', 'dragon:schedule:create',
     'ScheduleCreateRequest', {201: 'ScheduleOne', 404: 'Error'},
     [_POLICY_ID]),
    ('/v1/policies/{policy_id}/schedules/{schedule_id}', 'get',
     'showSchedule', 'Show a schedule.', 'dragon:schedule:get', None,
     {200: 'ScheduleOne', 404: 'Error'}, [_POLICY_ID, _SCHEDULE_ID]),
    ('/v1/policies/{policy_id}/schedules/{schedule_id}', 'patch',
     'updateSchedule', 'Change, enable or disable a schedule; the caller '
     'becomes its owner (a new trust) and a schedule in error starts '
     'again.', 'dragon:schedule:update', 'ScheduleUpdateRequest',
     {200: 'ScheduleOne', 404: 'Error'}, [_POLICY_ID, _SCHEDULE_ID]),
    ('/v1/policies/{policy_id}/schedules/{schedule_id}', 'delete',
     'deleteSchedule', 'Delete a schedule and its trust.',
     'dragon:schedule:delete', None, {204: None, 404: 'Error'},
     [_POLICY_ID, _SCHEDULE_ID]),
    ('/v1/policies/{policy_id}/protect', 'post', 'protectPolicy',
     'Start a checkpoint of the policy now (body optional): it waits '
     'queued until an engine admits it within the concurrency caps. 400 '
     'for a policy with an encryption key (not implemented yet: never '
     'stored in clear); 409 while one is queued or protecting; 503 if no engine can be reached '
     '(the checkpoint is then left in error).', 'dragon:policy:protect', 'ProtectRequest',
     {202: 'CheckpointOne', 404: 'Error', 409: 'Error', 503: 'Error'},
     [_POLICY_ID]),
    ('/v1/checkpoints', 'get', 'listCheckpoints',
     'List checkpoints, newest first.', 'dragon:checkpoint:list', None,
     {200: 'CheckpointList'}, _CHECKPOINT_PAGING),
    ('/v1/checkpoints/{checkpoint_id}', 'get', 'showCheckpoint',
     'Show a checkpoint with its progress and per-resource status.',
     'dragon:checkpoint:get', None, {200: 'CheckpointOne', 404: 'Error'},
     [_CHECKPOINT_ID]),
    ('/v1/checkpoints/{checkpoint_id}', 'patch', 'updateCheckpoint',
     'Put a checkpoint on hold (retention never deletes it, nor may '
     'anyone until it is released) or release it. 409 while deleting.',
     'dragon:checkpoint:update', 'CheckpointUpdateRequest',
     {200: 'CheckpointOne', 404: 'Error', 409: 'Error'}, [_CHECKPOINT_ID]),
    ('/v1/checkpoints/{checkpoint_id}', 'delete', 'deleteCheckpoint',
     'Delete an available or failed checkpoint and its container. 409 '
     'while on hold, queued, protecting or already deleting.',
     'dragon:checkpoint:delete', None,
     {202: 'CheckpointOne', 404: 'Error', 409: 'Error', 503: 'Error'},
     [_CHECKPOINT_ID]),
    ('/v1/checkpoints/{checkpoint_id}/events', 'get', 'listCheckpointEvents',
     'The history of a checkpoint, oldest first.',
     'dragon:checkpoint:events', None,
     {200: 'CheckpointEventList', 404: 'Error'}, [_CHECKPOINT_ID]),
    ('/v1/checkpoints/{checkpoint_id}/template', 'get',
     'showCheckpointTemplate',
     'The Heat template and parameters of an available checkpoint, read '
     'from Swift.', 'dragon:checkpoint:template', None,
     {200: 'CheckpointTemplate', 404: 'Error', 409: 'Error'},
     [_CHECKPOINT_ID]),
    ('/v1/checkpoints/{checkpoint_id}/verify', 'post', 'verifyCheckpoint',
     'Verify an available checkpoint\'s data in Swift: the chunk listing '
     'against the recorded size and md5 of each chunk, or (read_data) '
     'every chunk read and hashed. An engine does it; the result lands in '
     'the checkpoint\'s verification. 409 unless available; 503 if no '
     'engine can be reached.', 'dragon:checkpoint:verify', 'VerifyRequest',
     {202: 'CheckpointOne', 400: 'Error', 404: 'Error', 409: 'Error',
      503: 'Error'}, [_CHECKPOINT_ID]),
    ('/v1/recovery-points/{container}/verify', 'post',
     'verifyRecoveryPoint',
     'Verify a complete checkpoint in the caller\'s Swift account against '
     'the chunk listing, in the request (no database). read_data is '
     'refused (400): verify a checkpoint or use dragon-manage chunks '
     'check --read-data.', 'dragon:recovery_point:verify', 'VerifyRequest',
     {200: 'RecoveryPointVerification', 400: 'Error', 404: 'Error'},
     [{'name': 'container', 'in': 'path', 'required': True,
       'schema': {'type': 'string'}}]),
    ('/v1/recovery-points', 'get', 'listRecoveryPoints',
     'Complete checkpoints in the project\'s Swift account, newest first '
     '(no database).', 'dragon:recovery_point:list', None,
     {200: 'RecoveryPointList', 503: 'Error'}, _POLICY_FILTER),
    ('/v1/recoveries', 'post', 'createRecovery',
     'Recover a checkpoint (checkpoint_id) or a recovery point in Swift '
     '(recovery_point) into target_region. 404 for a checkpoint or '
     'container the caller\'s project does not have; 400 for a region '
     'not in the caller\'s catalog; 409 while a recovery of the same '
     'recovery point into the same region runs; 503 if no engine can be '
     'reached (the recovery is then left in error). mode in_place goes '
     'into the checkpoint\'s own region (400 for another), over its own '
     'resources (400 for a resource that is not a member, or mappings). '
     'With dry_run it stores the plan (what would be replaced, '
     'recreated, left alone) in the recovery and changes nothing; '
     'otherwise the selected volumes are restored into new volumes '
     'swapped in at the same attachment, the selected servers rebuilt '
     'from their checkpoint image (a server booted from a volume with '
     'its boot volume re-imaged in place, a copy of it kept), and the '
     'recovery waits '
     'awaiting_commit until commit_deadline. 409 with every reason when '
     'that cannot be done safely (a volume larger now than in the '
     'checkpoint without shrink_volumes; a server whose flavor changed '
     'without keep_current_flavor; a boot volume whose size changed or '
     'whose checkpoint holds no bytes of it, and a gone boot volume or '
     'server booted from a volume, which are not restored in place yet; '
     'a volume not available or in-use, or multi-attached), or while an '
     'in-place '
     'restore of the same workload is not closed.',
     'dragon:recovery:create',
     'RecoveryCreateRequest',
     {202: 'RecoveryOne', 400: 'Error', 404: 'Error', 409: 'Error',
      503: 'Error'}, []),
    ('/v1/recoveries', 'get', 'listRecoveries',
     'List recoveries, newest first.', 'dragon:recovery:list', None,
     {200: 'RecoveryList'}, _RECOVERY_PAGING),
    ('/v1/recoveries/{recovery_id}', 'get', 'showRecovery',
     'Show a recovery with its progress, stack, restored data and RTO.',
     'dragon:recovery:get', None, {200: 'RecoveryOne', 404: 'Error'},
     [_RECOVERY_ID]),
    ('/v1/recoveries/{recovery_id}', 'delete', 'deleteRecovery',
     'Delete an ended recovery: its stack, what it restored, then itself. '
     '409 while recovering, and while an in-place restore awaits commit; '
     'an in-place restore that failed half-way has the volumes it '
     'replaced put back first.', 'dragon:recovery:delete', None,
     {202: 'RecoveryOne', 404: 'Error', 409: 'Error', 503: 'Error'},
     [_RECOVERY_ID]),
    ('/v1/recoveries/{recovery_id}/commit', 'post', 'commitRecovery',
     'Commit an in-place restore awaiting commit (202, committing): the '
     'restored volumes stay and the volumes they replaced are deleted; '
     'committed when done. 409 unless it is awaiting_commit.',
     'dragon:recovery:commit', None,
     {202: 'RecoveryOne', 404: 'Error', 409: 'Error', 503: 'Error'},
     [_RECOVERY_ID]),
    ('/v1/recoveries/{recovery_id}/rollback', 'post', 'rollbackRecovery',
     'Roll back an in-place restore awaiting commit (202, rolling_back): '
     'the replaced volumes go back to their servers at their devices and '
     'the restored ones are deleted; rolled_back when done. 409 unless it '
     'is awaiting_commit.', 'dragon:recovery:rollback', None,
     {202: 'RecoveryOne', 404: 'Error', 409: 'Error', 503: 'Error'},
     [_RECOVERY_ID]),
    ('/v1/recoveries/{recovery_id}/failback', 'post', 'prepareFailback',
     'Failback, first part: make the workload of a succeeded failover '
     'recovery (into this Dragon\'s region) a reverse policy here, with the '
     'checkpoint\'s members found again by their recovered ids, the same '
     'actions, options and keys, its schedules copied (disabled unless '
     'enable_schedules), replicating to the region the checkpoint came '
     'from; then protect it once (chunks already here are not uploaded '
     'again). 400 if the recovery is not a failover, went into another '
     'region than this Dragon\'s, or nothing of it is left; 404 for '
     'another project\'s; 409 unless succeeded, or when its reverse policy '
     'exists (or the name is taken); 503 if no engine can be reached.',
     'dragon:recovery:failback', 'FailbackPrepareRequest',
     {202: 'Failback', 400: 'Error', 404: 'Error', 409: 'Error',
      503: 'Error'}, [_RECOVERY_ID]),
    ('/v1/policies/{policy_id}/failback', 'post', 'runFailback',
     'Failback, second part, on a reverse policy; answers at once with a '
     'recovery of mode failback into the home region, whose engine pauses '
     '(or stops) the servers here, starts a final checkpoint, waits for '
     'its copy at home, stops (fences) the stale servers there, recovers '
     'the checkpoint there (in place or as a new stack) and awaits commit '
     '(POST /v1/recoveries/{id}/commit or rollback); follow it on the '
     'recovery and its events. 400 if the policy is not a reverse policy, '
     'its failback was committed, or a server here is neither running, '
     'paused nor stopped; 404 for another project\'s; 409 while a failback '
     'run of it is open or it is being protected; 503 if no engine can be '
     'reached.',
     'dragon:policy:failback', 'FailbackRunRequest',
     {202: 'RecoveryOne', 400: 'Error', 404: 'Error', 409: 'Error',
      503: 'Error'}, [_POLICY_ID]),
    ('/v1/recoveries/{recovery_id}/events', 'get', 'listRecoveryEvents',
     'The history of a recovery, oldest first.', 'dragon:recovery:events',
     None, {200: 'RecoveryEventList', 404: 'Error'}, [_RECOVERY_ID]),
    ('/v1/engines', 'get', 'listEngines',
     'The engines known by their heartbeats, most recent first: host, '
     'version, last heartbeat, alive, and the runs each holds '
     '(administrators).', 'dragon:engine:list', None,
     {200: 'EngineList'}, []),
]


def json_schemas() -> dict[str, dict[str, Any]]:
    """Every body schema by component name, in JSON-schema (draft 7) form."""
    result = request_schemas.all_schemas()
    result.update(checkpoint_schemas.all_schemas())
    result.update(recovery_schemas.all_schemas())
    result.update(engine_schemas.all_schemas())
    result.update(copy.deepcopy({
        'Error': responses.ERROR,
        'Policy': responses.POLICY,
        'Member': responses.MEMBER,
        'PolicyOne': responses.POLICY_ONE,
        'Failback': responses.FAILBACK,
        'PolicyList': responses.POLICY_LIST,
        'PolicyDeleted': responses.POLICY_DELETED,
        'MemberOne': responses.MEMBER_ONE,
        'Schedule': responses.SCHEDULE,
        'ScheduleOne': responses.SCHEDULE_ONE,
        'ScheduleList': responses.SCHEDULE_LIST,
        'MemberList': responses.MEMBER_LIST,
        'ResourceTypeList': responses.RESOURCE_TYPE_LIST,
        'ProtectableList': responses.PROTECTABLE_LIST,
        'Version': responses.VERSION,
        'OpenAPI': responses.OPENAPI,
    }))
    result.update(member_options())
    return result


def member_options() -> dict[str, dict[str, Any]]:
    """Each resource type's action options, ``MemberOptions.<type>.<action>``.

    A member's ``options`` are checked against the schema of its type and
    action; these components say what each one accepts.
    """
    result = {}
    for resource_type in registry.resource_types():
        for action in resource_type.actions:
            schema = copy.deepcopy(action.options_schema)
            schema.setdefault('description', '%s%s: %s' % (
                resource_type.name, ' (default action)' if action.default
                else '', action.description))
            result['MemberOptions.%s.%s' % (resource_type.name,
                                            action.name)] = schema
    return result


def _parameter(param: dict[str, Any]) -> dict[str, Any]:
    if param is _TYPE_PARAM:
        param = copy.deepcopy(param)
        param['schema']['enum'] = registry.names()
    return param


def to_openapi(schema: Any) -> Any:
    """Rewrite JSON-schema nullability (``type: [x, "null"]``) as OpenAPI 3.0's."""
    if isinstance(schema, list):
        return [to_openapi(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    result = {k: to_openapi(v) for k, v in schema.items()}
    types = result.get('type')
    if isinstance(types, list):
        others = [t for t in types if t != 'null']
        result['type'] = others[0]
        if 'null' in types:
            result['nullable'] = True
    return result


def _json(name: str) -> dict[str, Any]:
    return {'application/json': {
        'schema': {'$ref': '#/components/schemas/%s' % name}}}


def document() -> dict[str, Any]:
    """Return the OpenAPI 3.0 document of API v1."""
    paths: dict[str, dict[str, Any]] = {}
    for (path, method, op_id, summary, rule, request, answers,
         params) in OPERATIONS:
        operation: dict[str, Any] = {
            'operationId': op_id, 'summary': summary,
            'responses': {}}
        if rule:
            operation['description'] = 'Policy rule: ``%s``.' % rule
        if params:
            operation['parameters'] = [_parameter(p) for p in params]
        if request:
            operation['requestBody'] = {'required': True,
                                        'content': _json(request)}
        for status, schema in answers.items():
            answer: dict[str, Any] = {'description': str(status)}
            if schema:
                answer['content'] = _json(schema)
            operation['responses'][str(status)] = answer
        for status in (400, 401, 403):
            operation['responses'].setdefault(
                str(status), {'description': str(status),
                              'content': _json('Error')})
        paths.setdefault(path, {})[method] = operation
    return {
        'openapi': '3.0.3',
        'info': {'title': 'Dragon API', 'version': version.version_string(),
                 'description': 'OpenStack workload protection and disaster '
                                'recovery. Errors are '
                                '{"error": {code, title, message, '
                                'request_id}}.'},
        'servers': [{'url': '/'}],
        'security': [{'keystone': []}],
        'paths': paths,
        'components': {
            'securitySchemes': {'keystone': {
                'type': 'apiKey', 'in': 'header', 'name': 'X-Auth-Token'}},
            'schemas': to_openapi(json_schemas()),
        },
    }


class OpenAPIController:

    def show(self, req: webob.Request) -> dict[str, Any]:
        return document()


def add_routes(api_router: router.Router) -> None:
    api_router.connect('/v1/openapi.json', OpenAPIController(),
                       {'GET': 'show'})

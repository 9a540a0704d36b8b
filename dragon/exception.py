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

"""Dragon's exceptions: a message template and an HTTP status for each.

The API fault middleware (``dragon.api.middleware.fault``) is the one place
that turns them into HTTP responses; the commands print their message.
"""

import http

from dragon.i18n import _


class DragonException(Exception):
    """Base of every error Dragon raises on purpose.

    Subclasses set ``msg_fmt`` (a ``%``-template filled from the keyword
    arguments) and ``code`` (the HTTP status the API answers with).
    ``safe`` marks messages that may be shown to API users as they are.
    """

    msg_fmt = _('An unknown error occurred.')
    code = http.HTTPStatus.INTERNAL_SERVER_ERROR
    safe = False

    def headers(self) -> list[tuple[str, str]]:
        """Extra HTTP headers of the error response (e.g. ``Allow``)."""
        return []

    def __init__(self, message: str | None = None, **kwargs) -> None:
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError, ValueError):
                # A wrong template or missing argument is a programming error;
                # still say something rather than raise from an error path.
                message = self.msg_fmt
        self.message = str(message)
        super().__init__(self.message)


class Invalid(DragonException):
    msg_fmt = _('Invalid input: %(reason)s')
    code = http.HTTPStatus.BAD_REQUEST
    safe = True


BadRequest = Invalid


class NotAuthenticated(DragonException):
    msg_fmt = _('Authentication required.')
    code = http.HTTPStatus.UNAUTHORIZED
    safe = True


class Forbidden(DragonException):
    msg_fmt = _('Policy does not allow %(action)s to be performed.')
    code = http.HTTPStatus.FORBIDDEN
    safe = True


class NotFound(DragonException):
    msg_fmt = _('%(resource)s %(id)s could not be found.')
    code = http.HTTPStatus.NOT_FOUND
    safe = True


class RouteNotFound(NotFound):
    msg_fmt = _('No resource at %(path)s.')


class MethodNotAllowed(DragonException):
    msg_fmt = _('Method %(method)s is not allowed on %(path)s; allowed: '
                '%(allowed)s.')
    code = http.HTTPStatus.METHOD_NOT_ALLOWED
    safe = True

    def headers(self) -> list[tuple[str, str]]:
        return [('Allow', self.kwargs['allowed'])]


class Conflict(DragonException):
    msg_fmt = _('Conflict: %(reason)s')
    code = http.HTTPStatus.CONFLICT
    safe = True


class RequestEntityTooLarge(DragonException):
    msg_fmt = _('Request body is larger than the limit of %(limit)d bytes.')
    code = http.HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    safe = True


class ServiceUnavailable(DragonException):
    msg_fmt = _('Service unavailable: %(reason)s')
    code = http.HTTPStatus.SERVICE_UNAVAILABLE
    safe = True


class ConfigInvalid(DragonException):
    msg_fmt = _('invalid configuration: %(reason)s')


class DatabaseUnavailable(ServiceUnavailable):
    msg_fmt = _('cannot reach the database at %(url)s: %(reason)s')
    safe = False  # names the database host; operators only


class SchemaOutOfDate(DragonException):
    msg_fmt = _('database schema is at %(current)s, this release needs '
                '%(head)s: run "dragon-manage db sync"')


class MessagingUnavailable(ServiceUnavailable):
    msg_fmt = _('cannot reach the message broker at %(url)s: %(reason)s')
    safe = False  # names the broker host; operators only


class ListenFailed(DragonException):
    msg_fmt = _('cannot listen on %(host)s:%(port)s: %(reason)s')


class InvalidMarker(Invalid):
    msg_fmt = _('Marker %(marker)s does not name an item of this list.')


class PolicyNotFound(NotFound):
    msg_fmt = _('Workload policy %(id)s could not be found.')


class RunTakenOver(Conflict):
    msg_fmt = _('Run %(id)s was taken over by another engine (now %(host)s); '
                'this engine stops working on it.')


class ScheduleNotFound(NotFound):
    msg_fmt = _('Schedule %(id)s could not be found.')


class PolicyNameExists(Conflict):
    msg_fmt = _('A workload policy named "%(name)s" already exists in this '
                'project.')


class MemberNotFound(NotFound):
    msg_fmt = _('Resource %(resource_id)s is not a member of workload policy '
                '%(policy_id)s.')


class MemberExists(Conflict):
    msg_fmt = _('Resource %(resource_id)s is already a member of workload '
                'policy %(policy_id)s.')


class ResourceProtectedElsewhere(Conflict):
    msg_fmt = _('Resource %(resource_id)s is already protected by workload '
                'policy "%(policy_name)s" (%(policy_id)s); a resource may be '
                'in several policies only when its action is template_only.')


class ResourceNotFound(Invalid):
    msg_fmt = _('%(resource_type)s %(resource_id)s does not exist in project '
                '%(project_id)s (or is not visible with your credentials).')


class UnknownResourceType(Invalid):
    msg_fmt = _('Unknown resource type %(resource_type)s; known: %(known)s.')


class UnknownAction(Invalid):
    msg_fmt = _('Unknown action %(action)s for resource type '
                '%(resource_type)s; known: %(known)s.')


class RemoteServiceUnavailable(ServiceUnavailable):
    msg_fmt = _('cannot reach %(service)s: %(reason)s')
    safe = False  # may name endpoints; operators only


# -- protection data actions (dragon/protection/data/)

class ResourceTypePluginInvalid(DragonException):
    msg_fmt = _('Resource type plugin %(name)s (entry point namespace '
                'dragon.resource_types) cannot be used: %(reason)s')


class UnknownDataAction(DragonException):
    msg_fmt = _('No data action %(name)s is installed (its resource type '
                'plugin has none of that name).')


class DataActionFailed(DragonException):
    msg_fmt = _('%(resource)s: %(reason)s')


class ServersLeftPaused(DragonException):
    msg_fmt = _('servers left paused after the consistent capture: '
                '%(servers)s; unpause them by hand (openstack server '
                'unpause <id>)%(also)s')


class StrictProtection(DragonException):
    msg_fmt = _('the policy is strict and the checkpoint would not carry '
                'everything: %(warnings)s')


class ResourceTimeout(DataActionFailed):
    msg_fmt = _('%(resource)s: %(what)s %(id)s still %(status)s after '
                '%(timeout)s seconds (wanted %(wanted)s).')


class ResourceFailed(DataActionFailed):
    msg_fmt = _('%(resource)s: %(what)s %(id)s went to status %(status)s '
                '(wanted %(wanted)s)%(detail)s.')


class DataVerificationFailed(DataActionFailed):
    msg_fmt = _('%(resource)s: the bytes read from %(what)s %(id)s do not '
                'match what %(service)s reports: %(reason)s.')


class GraphInvalid(DragonException):
    msg_fmt = _('Invalid resource graph: %(reason)s')


class GraphCycle(GraphInvalid):
    msg_fmt = _('The resource graph has a dependency cycle: %(cycle)s')


class DiscoveryFailed(DragonException):
    msg_fmt = _('Cannot discover %(resource)s: %(reason)s')


class TemplateInvalid(DragonException):
    msg_fmt = _('Heat rejected the generated template: %(reason)s')


class UnsupportedCheckpoint(DragonException):
    msg_fmt = _('Checkpoint %(container)s cannot be read by this Dragon: '
                '%(reason)s')
    code = http.HTTPStatus.BAD_REQUEST
    safe = True


class CheckpointStoreError(DragonException):
    msg_fmt = _('Swift refused %(operation)s on %(container)s: %(reason)s')
    code = http.HTTPStatus.SERVICE_UNAVAILABLE
    safe = True


class ChunkGcRunning(DragonException):
    msg_fmt = _('The chunk garbage collection of project %(project)s has '
                'been running since %(since)s; try again when it is done.')
    code = http.HTTPStatus.CONFLICT
    safe = True


class RecoveryPointNotFound(NotFound):
    msg_fmt = _('No complete checkpoint in container %(container)s '
                '(%(missing)s is missing).')


class RecoveryPointNotStored(NotFound):
    msg_fmt = _('Checkpoint %(container)s is not complete in the object '
                'store of %(regions)s; %(hint)s.')


class ReplicationTargetInvalid(Invalid):
    msg_fmt = _('Replication target %(region)s refused: %(reason)s')


class ReplicationNoTrust(DragonException):
    msg_fmt = _('Checkpoint %(id)s holds no trust any more to copy it with; '
                'protect the policy again.')
    safe = True


# Checkpoints (server side: API, database, engine bookkeeping, trusts).

class CheckpointNotFound(NotFound):
    msg_fmt = _('Checkpoint %(id)s could not be found.')


class ProtectionInProgress(Conflict):
    msg_fmt = _('Workload policy %(policy_id)s is already being protected; '
                'wait until its running checkpoint ends.')


class CheckpointBusy(Conflict):
    msg_fmt = _('Checkpoint %(id)s is %(status)s; %(action)s is possible '
                'only when it is %(allowed)s.')


class CheckpointInRecovery(Conflict):
    msg_fmt = _('Checkpoint %(id)s is being read by recovery %(recovery)s; '
                'delete it once that recovery has ended.')


class CheckpointOnHold(Conflict):
    msg_fmt = _('Checkpoint %(id)s is on hold; release the hold first '
                '(openstack dr checkpoint set --no-hold %(id)s).')


class PolicyHasNoMembers(Invalid):
    msg_fmt = _('Workload policy %(id)s has no members; add a server or a '
                'volume before protecting it.')


class EngineUnavailable(ServiceUnavailable):
    msg_fmt = _('The Dragon engines cannot be reached (%(reason)s); '
                'checkpoint %(id)s was marked error. Try again later.')


class VerificationUnavailable(ServiceUnavailable):
    msg_fmt = _('The Dragon engines cannot be reached (%(reason)s); the '
                'verification of checkpoint %(id)s is recorded as failed. '
                'Try again later.')


class TrustFailed(ServiceUnavailable):
    msg_fmt = _('Keystone refused to delegate your roles to Dragon: '
                '%(reason)s')


class TrustConflict(Conflict):
    msg_fmt = _('Keystone refused to delegate your roles to Dragon as a '
                'duplicate of the trust of a concurrent request of yours; '
                'try again in a moment.')


class TrusteeNotConfigured(ConfigInvalid):
    msg_fmt = _('the [trustee] section (Dragon\'s service user) is not '
                'configured: %(reason)s')


# -- recovery: restoring a checkpoint's data in the target region
# (dragon/recovery/restore/)

class RecoveryFailed(DragonException):
    msg_fmt = _('%(resource)s: %(reason)s')


class RestoreVerificationFailed(RecoveryFailed):
    msg_fmt = _('%(resource)s: the data of checkpoint %(checkpoint)s is not '
                'what was protected: %(reason)s; nothing was restored.')


# Recovery: selection, mappings, template rewrite, Heat stacks
# (dragon/recovery/selection.py, mappings.py, rewrite.py, stack.py).

class SelectionInvalid(Invalid):
    msg_fmt = _('Cannot recover only %(ids)s: %(reason)s')


class MappingMissing(Invalid):
    """Every value the target region lacks, reported at once."""

    msg_fmt = _('The target region lacks what the checkpoint needs; give a '
                'mapping for each: %(missing)s')

    def __init__(self, message: str | None = None, *,
                 missing: list[str] | None = None, **kwargs) -> None:
        self.missing = list(missing or ())
        super().__init__(message, missing='; '.join(self.missing), **kwargs)


class RewriteFailed(DragonException):
    msg_fmt = _('Cannot rewrite the checkpoint\'s template: %(reason)s')
    code = http.HTTPStatus.BAD_REQUEST
    safe = True


class StackFailed(DragonException):
    """A Heat stack operation ended badly; ``resources`` says where."""

    msg_fmt = _('Heat stack %(stack)s is %(status)s: %(reason)s')

    def __init__(self, message: str | None = None, *,
                 resources: list[dict] | None = None, **kwargs) -> None:
        self.resources = list(resources or ())
        self.status = kwargs.get('status')
        super().__init__(message, **kwargs)


class StackTimeout(StackFailed):
    msg_fmt = _('Heat stack %(stack)s is still %(status)s after %(timeout)s '
                'seconds: %(reason)s')


class SwiftForbidden(Forbidden):
    msg_fmt = _('Swift does not let you read this project\'s checkpoints '
                '(%(what)s); ask for a role Swift accepts (e.g. member).')


class TrustRefused(Forbidden):
    msg_fmt = _('Keystone does not let you delegate your roles to Dragon '
                '(%(reason)s); tokens of application credentials and of '
                'trusts cannot create trusts.')


class ProjectScopeRequired(Forbidden):
    msg_fmt = _('This needs a token scoped to project %(project_id)s: '
                'Dragon acts there with your roles on that project.')


# Recoveries (server side: API, database, engine bookkeeping).

class RecoveryNotFound(NotFound):
    msg_fmt = _('Recovery %(id)s could not be found.')


class RecoveryBusy(Conflict):
    msg_fmt = _('Recovery %(id)s is %(status)s; %(action)s is possible only '
                'when it is %(allowed)s.')


class RecoveryInProgress(Conflict):
    msg_fmt = _('Recovery %(id)s of %(recovery_point)s into %(region)s is '
                'still running; wait until it ends.')


class RecoveryEngineUnavailable(EngineUnavailable):
    msg_fmt = _('The Dragon engines cannot be reached (%(reason)s); '
                'recovery %(id)s was marked error. Try again later.')


class InPlaceWrongRegion(Invalid):
    msg_fmt = _('An in-place restore goes into the checkpoint\'s own region '
                '%(source)s, not %(region)s; recover into another region '
                'with mode failover or drill.')


class FailbackNotPossible(Invalid):
    msg_fmt = _('Recovery %(id)s cannot be failed back: %(reason)s')


class FailbackExists(Conflict):
    msg_fmt = _('Recovery %(id)s already has its failback policy %(policy)s '
                '(%(name)s); protect that one, or delete it to prepare '
                'again.')


class FailbackRunRefused(Invalid):
    msg_fmt = _('Policy %(id)s cannot be failed back: %(reason)s')


class FailbackRunInProgress(Conflict):
    msg_fmt = _('Policy %(id)s has a failback run in progress (recovery '
                '%(recovery)s, %(status)s); commit or roll it back first.')


class FailbackRunFailed(DragonException):
    msg_fmt = _('Failback failed at its %(step)s: %(reason)s')


class InPlaceRefused(Conflict):
    msg_fmt = _('In-place restore refused, nothing was changed: '
                '%(reasons)s')


class InPlaceInWindow(Conflict):
    msg_fmt = _('In-place restore %(id)s of the same workload is '
                '%(status)s; commit or roll it back before restoring in '
                'place again.')


class TargetRegionUnknown(Invalid):
    msg_fmt = _('Region %(region)s is not in your service catalog; known '
                'regions: %(known)s.')


# -- customer keys of encrypted policies (dragon/cloud/keys.py)

class KeyNotFound(Invalid):
    msg_fmt = _('Key %(key_ref)s was not found in the key manager of region '
                '%(region)s.')


class KeyRefInvalid(Invalid):
    msg_fmt = _('Key reference %(key_ref)s is neither a Barbican secret '
                'href nor a secret id (a UUID).')


class KeyForbidden(Forbidden):
    msg_fmt = _('Key %(key_ref)s in region %(region)s may not be read by '
                'this project (it belongs to another project, or its ACL '
                'excludes you).')


class KeyInvalid(Invalid):
    msg_fmt = _('Key %(key_ref)s in region %(region)s is not an AES-256 '
                'symmetric key (%(reason)s).')


class KeyManagerUnavailable(ServiceUnavailable):
    msg_fmt = _('The key manager of region %(region)s cannot be reached to '
                'read key %(key_ref)s: %(reason)s')


class CheckpointKeyMismatch(Invalid):
    msg_fmt = _('Checkpoint %(container)s cannot be decrypted with key '
                '%(key_ref)s: it does not unwrap the checkpoint\'s data key '
                '%(key_id)s (not the same secret, or the checkpoint is '
                'damaged).')


class CheckpointKeyMissing(Invalid):
    msg_fmt = _('Checkpoint %(container)s is encrypted and names no key '
                'reference for region %(region)s (it names: %(regions)s); '
                'it can be read only where its customer key is.')


class DataKeyScopeLocked(Conflict):
    msg_fmt = _('Policy %(id)s has %(count)d checkpoint(s) under its '
                '%(scope)s data key: its data_key_scope cannot become '
                '%(new)s (a rotation of its key would no longer re-wrap '
                'them). Create a new policy with that scope, or delete '
                'these checkpoints first.')


class EncryptedActionRefused(Invalid):
    msg_fmt = _('Member %(resource)s of encrypted policy %(id)s uses action '
                '%(action)s, whose data would be stored outside Dragon\'s '
                'encryption; use %(instead)s, or protect it without '
                'encryption.')


def one_line(error: BaseException) -> str:
    """What a run tells its user about ``error``: one line, no internals.

    Dragon's own exceptions carry a message meant for users; anything else
    is named by its kind only, and the full traceback goes to the log.
    """
    if isinstance(error, DragonException):
        return error.message
    return 'internal error (%s); see the engine log' % type(error).__name__

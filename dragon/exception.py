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

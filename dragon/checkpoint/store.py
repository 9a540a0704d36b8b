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

"""Checkpoint containers in Swift: written by the engine, read by anyone with the token.

The engine writes a checkpoint's objects and its manifest last, then marks
the container complete in its metadata; recovery-point listings read only
that metadata, so a backup site with an empty database (or none) sees every
complete checkpoint of the project and never a half-written one.

A checkpoint of an encrypted policy stores every object sealed
(``dragon.checkpoint.envelope``): ``checkpoint.json`` is then a clear
envelope around the sealed manifest, and the container's metadata says
``encrypted`` and the key reference, nothing naming a resource.
"""

import datetime
import json
import time
from typing import Any, Callable
from urllib import parse

from oslo_log import log as logging
from swiftclient import exceptions as swift_exc

from dragon.checkpoint import crypto
from dragon.checkpoint import envelope as envelope_mod
from dragon.checkpoint import manifest as manifest_mod
from dragon.checkpoint import naming
from dragon import exception

LOG = logging.getLogger(__name__)

MANIFEST = 'checkpoint.json'
TEMPLATE = 'template.yaml'
PARAMETERS = 'parameters.json'
EVENTS = 'events.json'
_META = 'x-container-meta-dragon-'
# Written at creation: whose checkpoint this is.
POLICY_ID, POLICY_NAME, STARTED = 'policy-id', 'policy-name', 'started-at'
# Written once the manifest is stored: the container is a recovery point.
COMPLETE, CHECKPOINT_ID, SIZE, REGION, FORMAT_VERSION = (
    'complete', 'checkpoint-id', 'size', 'source-region', 'format-version')
# Written with them for an encrypted checkpoint: its data key's id and the
# customer key reference that wraps it.
ENCRYPTED, KEY_REF = 'encrypted', 'key-ref'
SEALED_TYPE = 'application/octet-stream'


def _headers(values: dict[str, Any]) -> dict[str, str]:
    # Metadata values travel as HTTP headers: quote what is not ASCII.
    return {_META + key: parse.quote(str(value), safe=' -_.:/@')
            for key, value in values.items()}


def _metadata(headers: dict[str, str]) -> dict[str, str]:
    return {key[len(_META):]: parse.unquote(value)
            for key, value in headers.items() if key.lower().startswith(_META)}


def swift_call(operation: str, container: str, call: Callable, *args: Any,
               **kwargs: Any) -> Any:
    """``call(*args, **kwargs)``, a Swift failure as CheckpointStoreError."""
    try:
        return call(*args, **kwargs)
    except swift_exc.ClientException as e:
        raise exception.CheckpointStoreError(
            operation=operation, container=container,
            reason=e.http_status or e.msg)


class CheckpointWriter:
    """Writes one checkpoint's container; ``discard()`` undoes it on failure.

    :param swift: a python-swiftclient connection to the project's account.
    """

    def __init__(self, swift: Any, project_id: str, policy_id: str,
                 policy_name: str) -> None:
        self.swift = swift
        self.project_id = project_id
        self.policy_id = policy_id
        self.policy_name = policy_name
        self.container: str | None = None

    def create(self, started_at: datetime.datetime) -> str:
        """Create the container, named after the policy and ``started_at``.

        A container of that name that already exists (two policies whose
        names sanitize alike, in the same second) is never reused: the
        next second is tried instead.
        """
        when = started_at
        for _attempt in range(60):
            name = naming.checkpoint_container(self.project_id,
                                               self.policy_name, when)
            if not self._exists(name):
                swift_call('create', name, self.swift.put_container, name,
                            headers=_headers({
                                POLICY_ID: self.policy_id,
                                POLICY_NAME: self.policy_name,
                                STARTED: naming.timestamp(started_at)}))
                self.container = name
                return name
            when += datetime.timedelta(seconds=1)
        raise exception.CheckpointStoreError(
            operation='create', container=name,
            reason='60 containers of the same name exist')

    def _exists(self, name: str) -> bool:
        try:
            self.swift.head_container(name)
            return True
        except swift_exc.ClientException as e:
            if e.http_status == 404:
                return False
            raise exception.CheckpointStoreError(
                operation='HEAD', container=name, reason=e.http_status)

    def put(self, name: str, body: bytes, content_type: str) -> None:
        swift_call('PUT ' + name, self.container, self.swift.put_object,
                    self.container, name, body, content_type=content_type,
                    content_length=len(body))

    def _put_document(self, name: str, body: bytes, content_type: str,
                      domain: Any) -> None:
        if domain is not None:
            body = domain.seal(envelope_mod.label(self.container, name), body)
            content_type = SEALED_TYPE
        self.put(name, body, content_type)

    def finish(self, manifest: dict[str, Any], template_yaml: str,
               events: list[dict[str, Any]], domain: Any = None,
               key_refs: dict[str, str] | None = None) -> None:
        """Store template, parameters and events, then the manifest, then mark complete.

        :param domain: the key domain (``envelope.Domain``) of an encrypted
            checkpoint: every object is sealed, the manifest inside its
            clear envelope.
        :param key_refs: with ``domain``, region → the customer key's
            reference there (the envelope records them for recovery).
        """
        self._put_document(TEMPLATE, template_yaml.encode(),
                           'application/x-yaml', domain)
        self._put_document(PARAMETERS, json.dumps(
            manifest['parameters'], sort_keys=True).encode(),
            'application/json', domain)
        self._put_document(EVENTS, json.dumps(events, default=str).encode(),
                           'application/json', domain)
        complete = {}
        if domain is not None:
            self.put(MANIFEST, manifest_mod.dumps(envelope_mod.seal_manifest(
                manifest, domain, key_refs or {}, self.container, MANIFEST)),
                'application/json')
            complete = {ENCRYPTED: domain.key_id, KEY_REF: domain.wrap_ref}
        else:
            self.put(MANIFEST, manifest_mod.dumps(manifest),
                     'application/json')
        size = sum(r.get('size') or 0 for r in manifest['data'].values())
        swift_call('POST', self.container, self.swift.post_container,
                    self.container, headers=_headers({
                        COMPLETE: manifest['finished_at'],
                        CHECKPOINT_ID: manifest['checkpoint_id'],
                        SIZE: size, REGION: manifest['source_region'],
                        FORMAT_VERSION: manifest['format_version'],
                        **complete}))

    def discard(self) -> None:
        """Remove the container and what was written to it (best effort)."""
        if self.container:
            delete(self.swift, self.container)


def delete(swift: Any, container: str) -> None:
    """Delete a checkpoint container: first what makes it a recovery point.

    The completion mark and the manifest go first, so a delete cut short
    leaves an incomplete container (never offered, later swept), not a
    recovery point with missing parts.  Chunks are not touched: gc does.
    """
    try:
        swift.post_container(container, headers={_META + COMPLETE: ''})
        swift.delete_object(container, MANIFEST)
    except swift_exc.ClientException as e:
        if e.http_status != 404:
            raise exception.CheckpointStoreError(
                operation='DELETE', container=container, reason=e.http_status)
    try:
        _headers_, objects = swift.get_container(container, full_listing=True)
    except swift_exc.ClientException as e:
        if e.http_status == 404:
            return
        raise exception.CheckpointStoreError(
            operation='GET', container=container, reason=e.http_status)
    for obj in objects:
        _delete_quietly(swift.delete_object, container, obj['name'])
    _delete_quietly(swift.delete_container, container)


def _delete_quietly(call: Callable, *args: Any) -> None:
    for attempt in range(3):
        try:
            call(*args)
            return
        except swift_exc.ClientException as e:
            if e.http_status == 404:
                return
            if e.http_status != 409 or attempt == 2:
                raise exception.CheckpointStoreError(
                    operation='DELETE', container=args[0],
                    reason=e.http_status)
            time.sleep(1)   # 409: the container listing lags the deletes


def _recovery_point(container: str, meta: dict[str, str],
                    project_id: str) -> dict[str, Any]:
    return {'container': container, 'project_id': project_id,
            'policy_id': meta.get(POLICY_ID),
            'policy_name': meta.get(POLICY_NAME),
            'checkpoint_id': meta.get(CHECKPOINT_ID),
            'created_at': meta.get(STARTED),
            'finished_at': meta.get(COMPLETE),
            'size': int(meta.get(SIZE) or 0),
            'source_region': meta.get(REGION),
            'format_version': int(meta.get(FORMAT_VERSION) or 0),
            'encrypted': bool(meta.get(ENCRYPTED)),
            'key_ref': meta.get(KEY_REF) or None}


def checkpoint_containers(swift: Any, project_id: str) -> list[str]:
    """Names of every checkpoint container of the project, complete or not."""
    _h, containers = swift_call(
        'GET', 'account', swift.get_account,
        prefix=naming.project_prefix(project_id), full_listing=True)
    return [c['name'] for c in containers if naming.parse(c['name'])]


def container_metadata(swift: Any, container: str) -> dict[str, str] | None:
    """The Dragon metadata of a container; ``None`` if it is gone."""
    try:
        return _metadata(swift.head_container(container))
    except swift_exc.ClientException as e:
        if e.http_status == 404:
            return None
        raise exception.CheckpointStoreError(
            operation='HEAD', container=container, reason=e.http_status)


def list_recovery_points(swift: Any, project_id: str,
                         policy: str | None = None) -> list[dict[str, Any]]:
    """The project's complete checkpoints, newest first, straight from Swift.

    :param policy: a policy id or name to keep only its checkpoints.
    """
    points = []
    for container in checkpoint_containers(swift, project_id):
        meta = container_metadata(swift, container)
        if not meta or not meta.get(COMPLETE):
            continue
        if policy and policy not in (meta.get(POLICY_ID),
                                     meta.get(POLICY_NAME)):
            continue
        points.append(_recovery_point(container, meta, project_id))
    return sorted(points, key=lambda p: naming.parse(p['container']).time,
                  reverse=True)


def _get(swift: Any, container: str, name: str) -> bytes:
    try:
        return swift.get_object(container, name)[1]
    except swift_exc.ClientException as e:
        if e.http_status == 404:
            raise exception.RecoveryPointNotFound(container=container,
                                                  missing=name)
        raise exception.CheckpointStoreError(
            operation='GET ' + name, container=container,
            reason=e.http_status)


def read_manifest(swift: Any, container: str,
                  domain: Any = None) -> dict[str, Any]:
    """The checked manifest of a complete checkpoint.

    An encrypted checkpoint's is its clear envelope
    (``manifest.is_envelope``), or, given its ``domain``, the manifest
    sealed inside.

    :raises dragon.exception.RecoveryPointNotFound: no such complete checkpoint.
    :raises dragon.exception.UnsupportedCheckpoint: unreadable by this Dragon.
    """
    manifest = manifest_mod.loads(_get(swift, container, MANIFEST), container)
    if domain is not None and manifest_mod.is_envelope(manifest):
        return envelope_mod.open_manifest(manifest, domain, container,
                                          MANIFEST)
    return manifest


def rewrite_envelope(swift: Any, container: str, envelope: dict[str, Any],
                     key_ref: str) -> None:
    """Store an encrypted checkpoint's re-wrapped envelope (key rotation).

    One PUT replaces the object whole; the container's ``key-ref`` follows.
    """
    body = manifest_mod.dumps(envelope)
    swift_call('PUT ' + MANIFEST, container, swift.put_object, container,
                MANIFEST, body, content_type='application/json',
                content_length=len(body))
    swift_call('POST', container, swift.post_container, container,
                headers=_headers({KEY_REF: key_ref}))


def _document(swift: Any, container: str, name: str, domain: Any) -> bytes:
    body = _get(swift, container, name)
    if domain is None:
        if body[:1] == b'\x01':
            # JSON and YAML never start with that byte; sealed ones do.
            raise exception.UnsupportedCheckpoint(
                container=container,
                reason='%s is encrypted and no key was given' % name)
        return body
    try:
        return domain.open(envelope_mod.label(container, name), body)
    except crypto.CryptoError as e:
        raise exception.UnsupportedCheckpoint(
            container=container, reason='%s does not open with data key %s'
            ' (%s)' % (name, domain.key_id, e))


def read_template(swift: Any, container: str,
                  domain: Any = None) -> tuple[str, dict[str, Any]]:
    """The HOT template text and its parameter index.

    :param domain: the key domain of an encrypted checkpoint.
    """
    template = _document(swift, container, TEMPLATE, domain).decode()
    parameters = json.loads(_document(swift, container, PARAMETERS, domain))
    return template, parameters


def read_events(swift: Any, container: str,
                domain: Any = None) -> list[dict[str, Any]]:
    return json.loads(_document(swift, container, EVENTS, domain))

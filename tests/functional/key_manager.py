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

"""Secrets in a region's Barbican, as a customer would store them.

Plain REST through openstacksdk's key-manager adapter: the SDK's own
``get_secret`` decides from metadata whether to fetch the payload and
decodes it as text, which is wrong for key bytes.
"""
import base64
import os

OCTETS = 'application/octet-stream'


def store_secret(conn, name, payload=None, algorithm='aes', bit_length=256,
                 secret_type='symmetric'):
    """Store ``payload`` (random key bytes by default); returns (id, bytes)."""
    payload = os.urandom(bit_length // 8) if payload is None else payload
    body = {'name': name, 'secret_type': secret_type,
            'payload': base64.b64encode(payload).decode(),
            'payload_content_type': OCTETS,
            'payload_content_encoding': 'base64'}
    if algorithm:
        body.update(algorithm=algorithm, bit_length=bit_length, mode='gcm')
    response = conn.key_manager.post('/secrets', json=body)
    response.raise_for_status()
    return response.json()['secret_ref'].rpartition('/')[2], payload


def read_payload(conn, secret_id):
    response = conn.key_manager.get('/secrets/%s/payload' % secret_id,
                                    headers={'Accept': OCTETS})
    response.raise_for_status()
    return response.content


def delete_secret(conn, secret_id):
    conn.key_manager.delete('/secrets/%s' % secret_id,
                            raise_exc=False)


def consumers(conn, secret_id):
    """The secret's consumers as (service, resource_type, resource_id)."""
    response = conn.key_manager.get(
        '/secrets/%s/consumers' % secret_id,
        headers={'OpenStack-API-Version': 'key-manager 1.1'})
    response.raise_for_status()
    return {(c['service'], c['resource_type'], c['resource_id'])
            for c in response.json()['consumers']}


def delete_secret_guarded(conn, secret_id):
    """A microversion 1.2 delete, which Barbican refuses while consumed."""
    return conn.key_manager.delete(
        '/secrets/%s' % secret_id, raise_exc=False,
        headers={'OpenStack-API-Version': 'key-manager 1.2'})

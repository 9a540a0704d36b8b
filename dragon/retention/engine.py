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

"""Retention in the engine: prune a policy right after it gained a checkpoint.

Retention only ever runs after a success, so a policy whose protections
fail keeps every checkpoint it has. It deletes with the Swift access of
the run that just succeeded (its trust, or its schedule's trust).
"""

from oslo_config import cfg
from oslo_log import log as logging

from dragon.cloud import clients as clients_mod
from dragon import context as dragon_context
from dragon.db import api as db_api
from dragon import identity
from dragon.notifications import notifier
from dragon.protection import workflow
from dragon.retention import prune
from dragon.retention import rules

LOG = logging.getLogger(__name__)


def apply(conf: cfg.ConfigOpts, checkpoint_id: str):
    """Prune the policy of the newly available ``checkpoint_id``.

    :returns: the ``prune.PruneResult``, or ``None`` without retention rules.
    """
    admin = dragon_context.get_admin_context()
    checkpoint = db_api.checkpoint_get(admin, checkpoint_id)
    policy = db_api.workload_policy_get(admin, checkpoint.policy_id)
    if not (policy.options or {}).get('retention'):
        return None
    session = identity.trust_session(conf, checkpoint.trust_id)
    clients = clients_mod.ServiceClients(session, conf.engine.region_name,
                                         conf)
    result = prune.prune(
        admin, conf, policy, clients.swift(),
        release=lambda checkpoint: workflow.release_backups(
            conf, clients, checkpoint),
        timezone=rules.timezone_for(
            policy.options.get('retention'),
            db_api.schedule_get_all(admin, policy_id=policy.id)))
    if result.deleted or result.errors:
        LOG.info("retention of policy %s deleted %d checkpoint(s), kept %d%s",
                 policy.id, len(result.deleted), result.kept,
                 '; errors: %s' % '; '.join(result.errors)
                 if result.errors else '')
    notifier.retention_pruned(conf, policy, result)
    return result

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

"""SQLAlchemy models of Dragon's tables (the schema itself is owned by alembic)."""

import datetime
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy import orm

# Microseconds everywhere: MySQL's plain DATETIME would drop them, and
# heartbeats and event ordering need them.
DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql', 'mariadb')


def utcnow() -> datetime.datetime:
    """Naive UTC now: the database columns hold UTC without a zone."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class Base(orm.DeclarativeBase):
    """Declarative base; every model carries creation and update times."""

    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(
        DateTime, default=utcnow, nullable=False)
    updated_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        DateTime, onupdate=utcnow, nullable=True)


class RunMixin:
    """Columns of a long run (checkpoint, recovery) that one engine claims."""

    id: orm.Mapped[str] = orm.mapped_column(
        sa.String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    project_id: orm.Mapped[str] = orm.mapped_column(sa.String(255),
                                                    nullable=False)
    user_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255),
                                                        nullable=True)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(32),
                                                nullable=False)
    host: orm.Mapped[str | None] = orm.mapped_column(sa.String(255),
                                                     nullable=True)
    trust_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(64),
                                                         nullable=True)
    # A fresh token each time an engine takes the run: its writes carry
    # it and are refused once another engine took the run over (fencing).
    claim: orm.Mapped[str | None] = orm.mapped_column(sa.String(36),
                                                      nullable=True)
    error: orm.Mapped[str | None] = orm.mapped_column(sa.Text, nullable=True)
    bytes_done: orm.Mapped[int] = orm.mapped_column(
        sa.BigInteger, nullable=False, default=0)
    bytes_total: orm.Mapped[int] = orm.mapped_column(
        sa.BigInteger, nullable=False, default=0)
    started_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        DateTime, nullable=True)
    finished_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        DateTime, nullable=True)
    # What the run is doing now and how fast bytes move while they do
    # (``dragon.common.progress``): the API's phase and ETA.
    phase: orm.Mapped[dict | None] = orm.mapped_column(sa.JSON,
                                                       nullable=True)


class EventMixin:
    """Columns of one line of a run's history."""

    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    time: orm.Mapped[datetime.datetime] = orm.mapped_column(
        DateTime, nullable=False, default=utcnow)
    level: orm.Mapped[str] = orm.mapped_column(sa.String(16), nullable=False)
    resource: orm.Mapped[str | None] = orm.mapped_column(sa.String(255),
                                                         nullable=True)
    message: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False)


class EngineService(Base):
    """One running (or once running) engine, found by its heartbeats.

    ``updated_at`` is the last heartbeat. An operator may mark a retired
    engine ``deleted``; it comes back by itself if it heartbeats again.
    """

    __tablename__ = 'engine_services'
    __table_args__ = (
        sa.UniqueConstraint('host', 'topic',
                            name='uniq_engine_services0host0topic'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    host: orm.Mapped[str] = orm.mapped_column(sa.String(255), nullable=False)
    topic: orm.Mapped[str] = orm.mapped_column(sa.String(255), nullable=False)
    version: orm.Mapped[str] = orm.mapped_column(sa.String(64), nullable=False)
    deleted: orm.Mapped[bool] = orm.mapped_column(
        sa.Boolean, default=False, nullable=False)

    def to_dict(self) -> dict:
        return {
            'id': self.id,
            'host': self.host,
            'topic': self.topic,
            'version': self.version,
            'deleted': self.deleted,
            'created_at': self.created_at,
            'updated_at': self.updated_at,
        }


class WorkloadPolicy(Base):
    """A workload policy: the resources of one application and how to protect them.

    Deleting a policy keeps its row (``deleted`` holds its id) so that the
    checkpoints taken under it still name their policy; the unique name
    constraint counts only live policies (``deleted == ''``).
    """

    __tablename__ = 'workload_policies'
    __table_args__ = (
        sa.UniqueConstraint('project_id', 'name', 'deleted',
                            name='uniq_workload_policies0project_id0name0deleted'),
        sa.Index('workload_policies_project_id_idx', 'project_id'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    id: orm.Mapped[str] = orm.mapped_column(
        sa.String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    project_id: orm.Mapped[str] = orm.mapped_column(sa.String(255),
                                                    nullable=False)
    user_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255),
                                                        nullable=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255), nullable=False)
    description: orm.Mapped[str] = orm.mapped_column(
        sa.String(1024), nullable=False, default='')
    options: orm.Mapped[dict] = orm.mapped_column(sa.JSON, nullable=False)
    status: orm.Mapped[str] = orm.mapped_column(
        sa.String(32), nullable=False, default='active')
    deleted: orm.Mapped[str] = orm.mapped_column(
        sa.String(36), nullable=False, default='')
    deleted_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        DateTime, nullable=True)
    # {"recovery_id", "at", "rto_seconds", "status"} of the latest drill.
    last_drill: orm.Mapped[dict | None] = orm.mapped_column(sa.JSON,
                                                            nullable=True)
    # The RPO state last announced (ok / at_risk / missed): one engine
    # moves it by compare-and-swap and sends dragon.policy.rpo.missed.
    rpo_state: orm.Mapped[str | None] = orm.mapped_column(sa.String(16),
                                                          nullable=True)
    # {"key_ref", "recovery_key_refs": {region: ref}} of an encrypted
    # policy (see dragon.services.encryption); key references only, never
    # key material.
    encryption: orm.Mapped[dict | None] = orm.mapped_column(sa.JSON,
                                                            nullable=True)
    # {"checked_at", "by", "dr_ready", "regions": {region: state}}: what
    # the last check of the encryption's keys found (by a protection, or a
    # request that computed readiness); NULL: never checked.
    readiness: orm.Mapped[dict | None] = orm.mapped_column(sa.JSON,
                                                           nullable=True)
    # {"target_region"}: copy each checkpoint to that region's own Swift
    # (see dragon.replication); NULL: no replication.
    replication: orm.Mapped[dict | None] = orm.mapped_column(sa.JSON,
                                                             nullable=True)
    # A reverse policy of a failback (dragon.services.failback): the
    # failover recovery it protects, where that came from, and each
    # member's id at the primary; NULL for every other policy.
    failback: orm.Mapped[dict | None] = orm.mapped_column(sa.JSON,
                                                          nullable=True)

    members: orm.Mapped[list['PolicyMember']] = orm.relationship(
        back_populates='policy', lazy='selectin',
        order_by='PolicyMember.id', cascade='all, delete-orphan')
    schedules: orm.Mapped[list['Schedule']] = orm.relationship(
        lazy='selectin', order_by='Schedule.created_at',
        cascade='all, delete-orphan', passive_deletes=True)


class PolicyMember(Base):
    """A resource protected by a workload policy, with its chosen action.

    ``exclusive_resource_id`` repeats ``resource_id`` unless the action is
    ``template_only``: its unique constraint is what keeps a resource in at
    most one policy even when two requests race.
    """

    __tablename__ = 'workload_policy_members'
    __table_args__ = (
        sa.UniqueConstraint('policy_id', 'resource_id',
                            name='uniq_workload_policy_members0policy_id0resource_id'),
        sa.UniqueConstraint('exclusive_resource_id',
                            name='uniq_workload_policy_members0exclusive_resource_id'),
        sa.Index('workload_policy_members_resource_id_idx', 'resource_id'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    id: orm.Mapped[int] = orm.mapped_column(sa.Integer, primary_key=True)
    policy_id: orm.Mapped[str] = orm.mapped_column(
        sa.String(36), sa.ForeignKey('workload_policies.id',
                                     ondelete='CASCADE'),
        nullable=False)
    project_id: orm.Mapped[str] = orm.mapped_column(sa.String(255),
                                                    nullable=False)
    resource_type: orm.Mapped[str] = orm.mapped_column(sa.String(64),
                                                       nullable=False)
    resource_id: orm.Mapped[str] = orm.mapped_column(sa.String(255),
                                                     nullable=False)
    resource_name: orm.Mapped[str] = orm.mapped_column(
        sa.String(255), nullable=False, default='')
    action: orm.Mapped[str] = orm.mapped_column(sa.String(64), nullable=False)
    options: orm.Mapped[dict] = orm.mapped_column(sa.JSON, nullable=False)
    exclusive_resource_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(255), nullable=True)

    policy: orm.Mapped[WorkloadPolicy] = orm.relationship(
        back_populates='members')


class Checkpoint(RunMixin, Base):
    """One protection run of a workload policy, and the index of its container.

    The Swift container is the truth a backup site recovers from; this row
    is the primary site's bookkeeping: status, progress, engine, trust.
    ``active_policy_id`` holds the policy id while the checkpoint is
    ``protecting`` and ``NULL`` otherwise: its unique constraint is what
    refuses a second concurrent protect of one policy even when two
    requests race (NULLs never collide).
    """

    __tablename__ = 'checkpoints'
    __table_args__ = (
        sa.UniqueConstraint('active_policy_id',
                            name='uniq_checkpoints0active_policy_id'),
        sa.Index('checkpoints_project_id_idx', 'project_id'),
        sa.Index('checkpoints_policy_id_idx', 'policy_id'),
        sa.Index('checkpoints_status_idx', 'status'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    policy_id: orm.Mapped[str] = orm.mapped_column(
        sa.String(36), sa.ForeignKey('workload_policies.id'), nullable=False)
    policy_name: orm.Mapped[str] = orm.mapped_column(sa.String(255),
                                                     nullable=False)
    container: orm.Mapped[str | None] = orm.mapped_column(sa.String(255),
                                                          nullable=True)
    resources: orm.Mapped[list] = orm.mapped_column(sa.JSON, nullable=False,
                                                    default=list)
    stats: orm.Mapped[dict] = orm.mapped_column(sa.JSON, nullable=False,
                                                default=dict)
    active_policy_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(36), nullable=True)
    # What started it: 'manual', or 'schedule' with the schedule's id
    # (its trust is the schedule's: the run must not delete it).
    schedule_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(36),
                                                            nullable=True)
    trigger: orm.Mapped[str] = orm.mapped_column(
        sa.String(16), nullable=False, default='manual',
        server_default='manual')
    # Retention never deletes a checkpoint on hold.
    hold: orm.Mapped[bool] = orm.mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false())
    # The point in time the data was captured: what the RPO counts from.
    captured_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        DateTime, nullable=True)
    # What the checkpoint does not carry: {resource, what, message} each.
    warnings: orm.Mapped[list | None] = orm.mapped_column(sa.JSON,
                                                          nullable=True)
    # The last verification: time, chunks checked, problems.
    verification: orm.Mapped[dict | None] = orm.mapped_column(sa.JSON,
                                                              nullable=True)
    # The copy at the policy's replication target (dragon.replication.
    # state): status, region, bytes, error, and the engine's claim.
    replication: orm.Mapped[dict | None] = orm.mapped_column(sa.JSON,
                                                             nullable=True)

    @property
    def point_in_time(self) -> datetime.datetime:
        """The instant its data holds: the capture, else (older rows) the
        run's start or creation. What the RPO counts from.
        """
        return self.captured_at or self.started_at or self.created_at


class Schedule(Base):
    """When a policy is protected without a person: a cron line in a time zone.

    ``next_tick_at`` is the cron tick the schedule waits for and
    ``next_run_at`` that tick plus the policy's jitter offset: an engine
    takes a due tick by moving ``next_tick_at`` with a compare-and-swap
    UPDATE, so each tick runs once however many engines look. The trust
    (``trust_id``, from ``user_id``) outlives any token: scheduled runs act
    through it.
    """

    __tablename__ = 'schedules'
    __table_args__ = (
        sa.Index('schedules_policy_id_idx', 'policy_id'),
        sa.Index('schedules_next_run_at_idx', 'next_run_at'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    id: orm.Mapped[str] = orm.mapped_column(
        sa.String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    policy_id: orm.Mapped[str] = orm.mapped_column(
        sa.String(36), sa.ForeignKey('workload_policies.id',
                                     ondelete='CASCADE'),
        nullable=False)
    project_id: orm.Mapped[str] = orm.mapped_column(sa.String(255),
                                                    nullable=False)
    user_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255),
                                                        nullable=True)
    cron: orm.Mapped[str] = orm.mapped_column(sa.String(255), nullable=False)
    timezone: orm.Mapped[str] = orm.mapped_column(sa.String(64),
                                                  nullable=False,
                                                  default='UTC')
    enabled: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, nullable=False,
                                                  default=True)
    start_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        DateTime, nullable=True)
    end_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        DateTime, nullable=True)
    # Seconds of the jitter window (0: none); the offset is stable per policy.
    jitter: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False,
                                                default=0)
    misfire_grace: orm.Mapped[int] = orm.mapped_column(sa.Integer,
                                                       nullable=False)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(32),
                                                nullable=False,
                                                default='active')
    error: orm.Mapped[str | None] = orm.mapped_column(sa.Text, nullable=True)
    trust_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(64),
                                                         nullable=True)
    next_tick_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        DateTime, nullable=True)
    next_run_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        DateTime, nullable=True)
    last_tick_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        DateTime, nullable=True)
    last_run_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        DateTime, nullable=True)
    last_result: orm.Mapped[str | None] = orm.mapped_column(sa.String(32),
                                                            nullable=True)
    last_reason: orm.Mapped[str | None] = orm.mapped_column(sa.Text,
                                                            nullable=True)
    last_checkpoint_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(36), nullable=True)
    run_count: orm.Mapped[int] = orm.mapped_column(sa.Integer,
                                                   nullable=False, default=0)
    skipped_count: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0)
    missed_count: orm.Mapped[int] = orm.mapped_column(
        sa.Integer, nullable=False, default=0)


class CheckpointEvent(EventMixin, Base):
    """One line of a checkpoint's history, in the order it happened."""

    __tablename__ = 'checkpoint_events'
    __table_args__ = (
        sa.Index('checkpoint_events_checkpoint_id_idx', 'checkpoint_id'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    checkpoint_id: orm.Mapped[str] = orm.mapped_column(
        sa.String(36), sa.ForeignKey('checkpoints.id', ondelete='CASCADE'),
        nullable=False)


class Recovery(RunMixin, Base):
    """One recovery of a checkpoint into a target region, and its outcome.

    ``recovery_point`` (the container) is what the engine reads; the
    checkpoint and policy ids are only set when this site's database knows
    them: at a backup site the policy lives in the lost site's database, so
    ``policy_id`` has no foreign key.
    """

    __tablename__ = 'recoveries'
    __table_args__ = (
        sa.Index('recoveries_project_id_idx', 'project_id'),
        sa.Index('recoveries_status_idx', 'status'),
        sa.Index('recoveries_commit_deadline_idx', 'commit_deadline'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    mode: orm.Mapped[str] = orm.mapped_column(sa.String(32), nullable=False)
    checkpoint_id: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(36), nullable=True)
    recovery_point: orm.Mapped[str] = orm.mapped_column(sa.String(255),
                                                        nullable=False)
    policy_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(36),
                                                          nullable=True)
    policy_name: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(255), nullable=True)
    target_region: orm.Mapped[str] = orm.mapped_column(sa.String(255),
                                                       nullable=False)
    mappings: orm.Mapped[dict] = orm.mapped_column(sa.JSON, nullable=False,
                                                   default=dict)
    resources: orm.Mapped[list] = orm.mapped_column(sa.JSON, nullable=False,
                                                    default=list)
    timeout: orm.Mapped[int | None] = orm.mapped_column(sa.Integer,
                                                        nullable=True)
    stack_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(64),
                                                         nullable=True)
    stack_name: orm.Mapped[str | None] = orm.mapped_column(sa.String(255),
                                                           nullable=True)
    stack_status: orm.Mapped[str | None] = orm.mapped_column(sa.String(64),
                                                             nullable=True)
    torn_down: orm.Mapped[bool] = orm.mapped_column(
        sa.Boolean, nullable=False, default=False)
    restored: orm.Mapped[dict] = orm.mapped_column(sa.JSON, nullable=False,
                                                   default=dict)
    resource_status: orm.Mapped[list] = orm.mapped_column(
        sa.JSON, nullable=False, default=list)
    # Double: MySQL's FLOAT is single precision, and the policy's
    # last_drill (JSON) keeps the same RTO in full.
    rto_seconds: orm.Mapped[float | None] = orm.mapped_column(sa.Double,
                                                              nullable=True)
    # An in-place restore that only plans (nothing in the region changes).
    dry_run: orm.Mapped[bool] = orm.mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false())
    # In-place: each data-carrying member and what the restore does to it
    # (dragon.recovery.in_place.plan); NULL for failover and drill.
    plan: orm.Mapped[list | None] = orm.mapped_column(sa.JSON, nullable=True)
    # In-place: each volume swapped and its state (swap.Replacement), so a
    # rollback, a commit or the engine that takes over finds them.
    replaced: orm.Mapped[list | None] = orm.mapped_column(sa.JSON,
                                                          nullable=True)
    # In-place: when the commit window of an awaiting_commit restore ends.
    commit_deadline: orm.Mapped[datetime.datetime | None] = \
        orm.mapped_column(sa.DateTime, nullable=True)
    # In-place: how its window is being closed (commit, rollback, keep).
    window_action: orm.Mapped[str | None] = orm.mapped_column(
        sa.String(16), nullable=True)
    # In-place: the user accepts that volumes grown since the checkpoint
    # shrink back to their checkpoint size.
    shrink_volumes: orm.Mapped[bool] = orm.mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false())
    # In-place: the user accepts that servers whose flavor changed since
    # the checkpoint are rebuilt on the flavor they have now.
    keep_current_flavor: orm.Mapped[bool] = orm.mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false())


class RecoveryEvent(EventMixin, Base):
    """One line of a recovery's history, in the order it happened."""

    __tablename__ = 'recovery_events'
    __table_args__ = (
        sa.Index('recovery_events_recovery_id_idx', 'recovery_id'),
        {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8mb4'},
    )

    recovery_id: orm.Mapped[str] = orm.mapped_column(
        sa.String(36), sa.ForeignKey('recoveries.id', ondelete='CASCADE'),
        nullable=False)

"""SQLAlchemy models of Dragon's tables (the schema itself is owned by alembic)."""

import datetime

from sqlalchemy.dialects import mysql
from sqlalchemy import orm
import sqlalchemy as sa

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

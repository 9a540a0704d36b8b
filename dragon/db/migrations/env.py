"""Alembic environment: runs migrations on the connection dragon.db.migration hands in."""

from alembic import context

from dragon.db import models

target_metadata = models.Base.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes['connection']
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit('Dragon migrations run online only (dragon-manage db sync)')
run_migrations_online()

"""Alembic environment: runs the migrations on the connection given in code.

:func:`junheng.store.db.upgrade` passes an open connection in
``config.attributes["connection"]``. Without one, the database at
``JUNHENG_DATABASE_URL`` (or the default SQLite file) is used.
"""

from __future__ import annotations

from alembic import context

from junheng.store.db import database_url, make_engine
from junheng.store.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(database_url())
    with engine.begin() as own:
        context.configure(
            connection=own, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()

"""Alembic's entry: migrate the history on the connection rehearse hands over."""

from __future__ import annotations

from alembic import context

from rehearse.history.schema import METADATA

context.configure(connection=context.config.attributes["connection"],
                  target_metadata=METADATA)
with context.begin_transaction():
    context.run_migrations()

"""Alembic environment: always handed an open connection by `sc_docs.tracker.database`."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached by running the alembic CLI directly
    raise RuntimeError("run tracker migrations through sc_docs.tracker.database.migrate()")

# The caller already holds a BEGIN IMMEDIATE transaction, so the version check and every
# migration step happen under one write lock and commit or roll back together.
context.configure(connection=connection, render_as_batch=True, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()

"""Applicants and the append-only history of every change.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applicants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.Text, nullable=False, unique=True),
        sa.Column("legal_name", sa.Text, nullable=False),
        sa.Column("application_date", sa.Text),
        sa.Column("facts", sa.Text, nullable=False, server_default="{}"),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("applicant_id", sa.Integer, sa.ForeignKey("applicants.id"), nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("requirement", sa.Text),
        sa.Column("old_status", sa.Text),
        sa.Column("new_status", sa.Text),
        sa.Column("effective_date", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("evidence_file", sa.Text),
        sa.Column("evidence_sha256", sa.Text),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.Text, nullable=False),
        sa.Column("requirements_version", sa.Text),
        sa.Column("detail", sa.Text),
        sqlite_autoincrement=True,
    )
    # History is evidence: refuse edits and deletes at the database itself, not only in code.
    op.execute(
        "CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events "
        "BEGIN SELECT RAISE(ABORT, 'the tracker history is append-only'); END"
    )
    op.execute(
        "CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events "
        "BEGIN SELECT RAISE(ABORT, 'the tracker history is append-only'); END"
    )
    op.execute(
        "CREATE TRIGGER applicants_no_delete BEFORE DELETE ON applicants "
        "BEGIN SELECT RAISE(ABORT, 'applicants are never deleted from the tracker'); END"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER applicants_no_delete")
    op.execute("DROP TRIGGER events_append_only_delete")
    op.execute("DROP TRIGGER events_append_only_update")
    op.drop_table("events")
    op.drop_table("applicants")

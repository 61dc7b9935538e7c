"""Generated documents from packets, and the current status of each requirement as a view.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("applicant_id", sa.Integer, sa.ForeignKey("applicants.id"), nullable=False),
        sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), nullable=False),
        sa.Column("packet_date", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("version", sa.Text),
        sa.Column("template_sha256", sa.Text),
        sa.Column("sha256", sa.Text),
        sa.Column("file", sa.Text),
        sqlite_autoincrement=True,
    )
    op.create_index("documents_by_applicant_key", "documents", ["applicant_id", "key", "id"])
    op.execute(
        "CREATE TRIGGER documents_append_only_update BEFORE UPDATE ON documents "
        "BEGIN SELECT RAISE(ABORT, 'recorded documents are append-only'); END"
    )
    op.execute(
        "CREATE TRIGGER documents_append_only_delete BEFORE DELETE ON documents "
        "BEGIN SELECT RAISE(ABORT, 'recorded documents are append-only'); END"
    )
    op.create_index("events_by_requirement", "events", ["applicant_id", "requirement", "id"])
    # The current status is never stored twice: it is the latest mark in the history.
    op.execute(
        "CREATE VIEW current_status AS "
        "SELECT e.* FROM events AS e "
        "WHERE e.action = 'mark' AND e.id = ("
        " SELECT max(l.id) FROM events AS l"
        " WHERE l.applicant_id = e.applicant_id AND l.requirement = e.requirement AND l.action = 'mark')"
    )


def downgrade() -> None:
    op.execute("DROP VIEW current_status")
    op.drop_index("events_by_requirement", table_name="events")
    op.execute("DROP TRIGGER documents_append_only_delete")
    op.execute("DROP TRIGGER documents_append_only_update")
    op.drop_index("documents_by_applicant_key", table_name="documents")
    op.drop_table("documents")

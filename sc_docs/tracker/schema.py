"""The tracker's tables as SQLAlchemy Core objects, for queries (migrations create them)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

applicants = sa.Table(
    "applicants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("slug", sa.Text, nullable=False, unique=True),
    sa.Column("legal_name", sa.Text, nullable=False),
    sa.Column("identity", sa.Text),  # migration 0003: sc_docs.slugs.identity_key(legal_name)
    sa.Column("application_date", sa.Text),
    sa.Column("facts", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
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
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("applicant_id", sa.Integer, sa.ForeignKey("applicants.id"), nullable=False),
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), nullable=False),
    sa.Column("packet_date", sa.Text, nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("version", sa.Text),
    sa.Column("template_sha256", sa.Text),
    sa.Column("sha256", sa.Text),
    sa.Column("file", sa.Text),
)

# A view (migration 0002): the latest `mark` event of each applicant and requirement.
current_status = sa.Table(
    "current_status", metadata, *(sa.Column(c.name, c.type) for c in events.columns)
)

"""Each applicant's identity key (from the normalized legal name), so lookups never go by slug.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sc_docs.slugs import identity_key

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("applicants", sa.Column("identity", sa.Text))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, legal_name FROM applicants")).all()
    for row_id, legal_name in rows:
        conn.execute(sa.text("UPDATE applicants SET identity = :key WHERE id = :id"),
                     {"key": identity_key(legal_name), "id": row_id})
    # Not unique: a database from before this revision may hold one applicant under two slugs;
    # lookups take the oldest row of an identity.
    op.create_index("applicants_by_identity", "applicants", ["identity", "id"])


def downgrade() -> None:
    op.drop_index("applicants_by_identity", table_name="applicants")
    op.drop_column("applicants", "identity")

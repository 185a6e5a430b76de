"""Reviewer assignments (a share of the queue given to two reviewers, for agreement).

The table was first created at run time by ``store.assignments.ensure_schema``; a store
that already has it is left as it is.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("review_assignments"):
        return
    op.create_table(
        "review_assignments",
        sa.Column("content_hash", sa.String(64), primary_key=True),
        sa.Column("reviewer", sa.String(80), primary_key=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_review_assignments_reviewer", "review_assignments", ["reviewer"])


def downgrade() -> None:
    op.drop_index("ix_review_assignments_reviewer", table_name="review_assignments")
    op.drop_table("review_assignments")

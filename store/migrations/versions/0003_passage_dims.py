"""Materialised effective labels: ``passage_dims`` (per live passage) and ``dim_counts`` (per
document and label pair), backfilled here and kept exact by ``store.dims.refresh``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from store.dims import rebuild_all
    from store.schema import dim_counts, passage_dims

    bind = op.get_bind()
    passage_dims.create(bind, checkfirst=True)
    dim_counts.create(bind, checkfirst=True)
    rebuild_all(bind)
    op.execute("ANALYZE passage_dims")
    op.execute("ANALYZE dim_counts")


def downgrade() -> None:
    op.drop_table("dim_counts")
    op.drop_table("passage_dims")

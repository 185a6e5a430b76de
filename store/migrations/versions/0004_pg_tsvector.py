"""PostgreSQL full text: a stored generated ``text_tsv`` column with a GIN index.

The expression index on ``to_tsvector('english', text)`` served bitmap scans, but a page in
reading order is planned as an ordered scan that filtered each row by recomputing its
tsvector (about 0.1 ms a row). A stored column makes that filter cheap and keeps the GIN
path for rare terms. SQLite keeps its FTS5 table; nothing changes there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE passages ADD COLUMN IF NOT EXISTS text_tsv tsvector "
        "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, text)) STORED"
    )
    op.execute("CREATE INDEX IF NOT EXISTS ix_passages_tsv ON passages USING gin (text_tsv)")
    op.execute("DROP INDEX IF EXISTS ix_passages_fts")
    op.execute("ANALYZE passages")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_passages_fts ON passages "
        "USING gin (to_tsvector('english'::regconfig, text))"
    )
    op.execute("DROP INDEX IF EXISTS ix_passages_tsv")
    op.execute("ALTER TABLE passages DROP COLUMN IF EXISTS text_tsv")

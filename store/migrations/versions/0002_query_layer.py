"""Query layer: covering indexes, full-text search, the review_decisions and findings views.

- labels: (kind, assigned, value, passage_id) so a facet filter or a cross-tab reads the index
  only; passages: (passage_id, document_id, retired_at, content_hash) so the joins of a
  cross-tab never read a passage's text; reviews: the newest decision per label by index.
- Full text: SQLite FTS5 external-content table ``passages_fts`` kept in sync by triggers
  (Datasette finds it by name); PostgreSQL a GIN index on ``to_tsvector('english', text)``.
- ``review_decisions``: the newest decision not undone per (content hash, kind, value).
- ``effective_labels``: machine labels as overridden by review decisions (accept adds, reject
  removes); ``findings``: one human-readable row per passage with JSON-array columns themes,
  countries and sectors, for Datasette's ``_facet_array``. ``store.query`` implements the same
  rule in SQLAlchemy (``effective_label_exists``) so that filters use the indexes directly.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REVIEW_DECISIONS = """
CREATE VIEW review_decisions AS
SELECT r.content_hash, r.kind, r.value, r.decision, r.reviewer, r.created_at, r.note
FROM reviews r
WHERE r.undone = {false} AND NOT EXISTS (
    SELECT 1 FROM reviews n
    WHERE n.content_hash = r.content_hash AND n.kind = r.kind AND n.value = r.value
      AND n.undone = {false}
      AND (n.created_at > r.created_at
           OR (n.created_at = r.created_at AND n.review_id > r.review_id)))
"""

EFFECTIVE_LABELS = """
CREATE VIEW effective_labels AS
SELECT l.passage_id, l.kind, l.value, l.score, l.origin, l.model_version
FROM labels l JOIN passages p ON p.passage_id = l.passage_id
WHERE l.origin IN ('model', 'rule') AND (
    (l.assigned = {true} AND NOT EXISTS (
        SELECT 1 FROM review_decisions d
        WHERE d.content_hash = p.content_hash AND d.kind = l.kind AND d.value = l.value
          AND d.decision = 'reject'))
    OR EXISTS (
        SELECT 1 FROM review_decisions d
        WHERE d.content_hash = p.content_hash AND d.kind = l.kind AND d.value = l.value
          AND d.decision = 'accept'))
UNION ALL
SELECT p.passage_id, d.kind, d.value, NULL, 'review', NULL
FROM review_decisions d JOIN passages p ON p.content_hash = d.content_hash
WHERE d.decision = 'accept' AND NOT EXISTS (
    SELECT 1 FROM labels l
    WHERE l.passage_id = p.passage_id AND l.kind = d.kind AND l.value = d.value
      AND l.origin IN ('model', 'rule'))
"""

FINDINGS = """
CREATE VIEW findings AS
SELECT
    p.passage_id,
    p.document_id,
    d.title,
    d.doc_type,
    d.publisher,
    d.date,
    d.year,
    d.source,
    CASE WHEN d.kind = 'pdf' THEN d.source || '#page=' || p.page ELSE d.source END AS link,
    p.page,
    p.text,
    {themes} AS themes,
    {countries} AS countries,
    {sectors} AS sectors,
    (SELECT max(l.score) FROM effective_labels l
     WHERE l.passage_id = p.passage_id AND l.kind = 'theme') AS confidence,
    CASE WHEN EXISTS (SELECT 1 FROM review_decisions r WHERE r.content_hash = p.content_hash)
         THEN 'reviewed' ELSE 'machine' END AS review_status,
    (SELECT max(l.model_version) FROM labels l
     WHERE l.passage_id = p.passage_id AND l.kind = 'theme' AND l.origin = 'model')
        AS model_version,
    CASE WHEN p.retired_at IS NULL AND d.retired_at IS NULL THEN 0 ELSE 1 END AS retired
FROM passages p JOIN documents d ON d.document_id = p.document_id
"""


def _array(kind: str, dialect: str) -> str:
    if dialect == "postgresql":
        return (
            "(SELECT coalesce(json_agg(e.value ORDER BY e.value), '[]'::json) "
            f"FROM effective_labels e WHERE e.passage_id = p.passage_id AND e.kind = '{kind}')"
        )
    return (
        "(SELECT json_group_array(v) FROM (SELECT e.value AS v FROM effective_labels e "
        f"WHERE e.passage_id = p.passage_id AND e.kind = '{kind}' ORDER BY e.value))"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("labels") as batch:
        batch.drop_index("ix_labels_kind_value")
        batch.create_index("ix_labels_kind_value", ["kind", "assigned", "value", "passage_id"])
    with op.batch_alter_table("passages") as batch:
        batch.create_index(
            "ix_passages_live", ["passage_id", "document_id", "retired_at", "content_hash"]
        )
    with op.batch_alter_table("reviews") as batch:
        batch.create_index(
            "ix_reviews_latest", ["content_hash", "kind", "value", "created_at", "review_id"]
        )
    booleans = (
        {"true": "true", "false": "false"}
        if dialect == "postgresql"
        else {"true": "1", "false": "0"}
    )
    op.execute(REVIEW_DECISIONS.format(**booleans))
    op.execute(EFFECTIVE_LABELS.format(**booleans))
    op.execute(
        FINDINGS.format(
            themes=_array("theme", dialect),
            countries=_array("country", dialect),
            sectors=_array("sector", dialect),
        )
    )
    if dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE passages_fts USING fts5(text, content='passages', "
            "content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER passages_fts_ai AFTER INSERT ON passages BEGIN "
            "INSERT INTO passages_fts(rowid, text) VALUES (new.rowid, new.text); END"
        )
        op.execute(
            "CREATE TRIGGER passages_fts_ad AFTER DELETE ON passages BEGIN "
            "INSERT INTO passages_fts(passages_fts, rowid, text) "
            "VALUES ('delete', old.rowid, old.text); END"
        )
        op.execute(
            "CREATE TRIGGER passages_fts_au AFTER UPDATE OF text ON passages BEGIN "
            "INSERT INTO passages_fts(passages_fts, rowid, text) "
            "VALUES ('delete', old.rowid, old.text); "
            "INSERT INTO passages_fts(rowid, text) VALUES (new.rowid, new.text); END"
        )
        op.execute("INSERT INTO passages_fts(passages_fts) VALUES ('rebuild')")
    elif dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_passages_fts ON passages "
            "USING gin (to_tsvector('english'::regconfig, text))"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("passages_fts_ai", "passages_fts_ad", "passages_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS passages_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_passages_fts")
    for view in ("findings", "effective_labels", "review_decisions"):
        op.execute(f"DROP VIEW IF EXISTS {view}")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_index("ix_reviews_latest")
    with op.batch_alter_table("passages") as batch:
        batch.drop_index("ix_passages_live")
    with op.batch_alter_table("labels") as batch:
        batch.drop_index("ix_labels_kind_value")
        batch.create_index("ix_labels_kind_value", ["kind", "value", "assigned"])

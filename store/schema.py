"""The findings store's tables (SQLAlchemy Core), portable between SQLite and PostgreSQL.

Evidence first: a label row names its passage, its origin (model, rule or review) and the
model version that produced it; a passage row names its document, page and character span.
Reviews are keyed by the passage's *content hash*, so they survive re-extraction.

The schema is created and changed by Alembic migrations (``store/migrations``), applied by
``store.connect.connect`` on first use. Besides these tables the migrations create what Core
does not model: the full-text index (SQLite FTS5 table ``passages_fts`` with triggers;
PostgreSQL a stored ``text_tsv`` column with a GIN index) and the views ``review_decisions``,
``effective_labels`` and ``findings`` (one row per passage, JSON arrays for Datasette facets).
A change here needs a new migration in ``store/migrations/versions``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("document_id", String(64), primary_key=True),
    Column("source", Text, nullable=False, unique=True),  # file:// URI or http(s) URL
    Column("path", Text),  # where the bytes were read from
    Column("kind", String(8)),  # pdf | html | txt
    Column("title", Text),
    Column("doc_type", String(40)),
    Column("publisher", Text),
    Column("date", String(32)),  # as given: ISO date or year
    Column("year", Integer),
    Column("content_hash", String(64)),  # of the last version extracted successfully
    Column("attempt_hash", String(64)),  # of the last version tried (ok or not)
    Column("pipeline_version", String(64)),
    Column("status", String(10), nullable=False),  # ok | failed
    Column("error", Text),  # human-readable reason of the last failure
    Column("n_pages", Integer),
    Column("n_passages", Integer),
    Column("first_seen", DateTime(timezone=True)),
    Column("last_seen", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
    Column("retired_at", DateTime(timezone=True)),
)

passages = Table(
    "passages",
    metadata,
    Column("passage_id", String(40), primary_key=True),
    Column(
        "document_id",
        String(64),
        ForeignKey("documents.document_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("content_hash", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("page", Integer, nullable=False),
    Column("char_start", Integer, nullable=False),
    Column("char_end", Integer, nullable=False),
    Column("heading", Text),
    Column("text", Text, nullable=False),
    Column("first_seen", DateTime(timezone=True)),
    Column("retired_at", DateTime(timezone=True)),
    Index("ix_passages_document_seq", "document_id", "seq"),
    Index("ix_passages_content_hash", "content_hash"),
    # cross-tab joins read this index only, never the passage's text
    Index("ix_passages_live", "passage_id", "document_id", "retired_at", "content_hash"),
)

labels = Table(
    "labels",
    metadata,
    Column("label_id", Integer, primary_key=True, autoincrement=True),
    Column(
        "passage_id",
        String(40),
        ForeignKey("passages.passage_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("kind", String(10), nullable=False),  # theme | country | sector
    Column("value", String(40), nullable=False),
    Column("score", Float),  # calibrated probability (themes); NULL for rules
    Column("assigned", Boolean, nullable=False, default=True),  # over threshold / found
    Column("origin", String(10), nullable=False),  # model | rule | review
    Column("model_version", String(64)),
    Column("evidence", JSON),  # spans [[start, end, text], ...] or explaining terms
    Column("created_at", DateTime(timezone=True)),
    UniqueConstraint("passage_id", "kind", "value", "origin", name="uq_labels_passage_value"),
    Index("ix_labels_kind_value", "kind", "assigned", "value", "passage_id"),  # covering
)

reviews = Table(
    "reviews",
    metadata,
    Column("review_id", Integer, primary_key=True, autoincrement=True),
    Column("content_hash", String(64), nullable=False),  # survives re-extraction
    Column("passage_id", String(40)),  # the passage as it was when decided
    Column("kind", String(10), nullable=False),
    Column("value", String(40), nullable=False),
    Column("decision", String(10), nullable=False),  # accept | reject
    Column("reviewer", String(80), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("note", Text),
    Column("model_version", String(64)),  # of the suggestion the reviewer saw
    Column("score", Float),  # the suggestion's score
    Column("undone", Boolean, nullable=False, default=False),
    Index("ix_reviews_content", "content_hash", "kind", "value"),
    Index("ix_reviews_latest", "content_hash", "kind", "value", "created_at", "review_id"),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", String(40), primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(12), nullable=False),  # running | completed | failed
    Column("flow_run_id", String(64)),
    Column("sources", JSON),
    Column("counts", JSON),  # new, changed, unchanged, retired, failed, passages, ...
    Column("label_counts", JSON),  # {"theme": {...}, "country": {...}, "sector": {...}}
    Column("model_version", String(64)),
    Column("pipeline_version", String(64)),
)

model_versions = Table(
    "model_versions",
    metadata,
    Column("version", String(64), primary_key=True),
    Column("created_at", DateTime(timezone=True)),
    Column("card", JSON),
)

leases = Table(
    "leases",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("holder", String(80), nullable=False),
    Column("acquired_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

LABEL_KINDS = ("theme", "country", "sector")

# Effective labels (machine labels with review decisions applied) of live passages, kept in
# step by ``store.dims.refresh`` in the writer's transaction (documents written or retired,
# labels replaced, decisions recorded or undone). Label filters and cross-tabs read these.
passage_dims = Table(
    "passage_dims",
    metadata,
    Column("passage_id", String(40), primary_key=True),
    Column("kind", String(10), primary_key=True),
    Column("value", String(40), primary_key=True),
    Column("document_id", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("score", Float),  # best machine score (themes); NULL for rules and review-only
    Column("accepted", Boolean, nullable=False),  # a reviewer's accept is in force
    # a label filter walks one value's passages in reading order and stops at the limit
    Index("ix_passage_dims_value", "kind", "value", "document_id", "seq", "passage_id"),
    Index("ix_passage_dims_document", "document_id"),
)

# Per live document: passages per (row label, col label) pair of two different label kinds
# (kinds in LABEL_KINDS order), and per single label (col_kind = col_value = ''). The
# unfiltered cross-tab reads only these rows; derived from ``passage_dims`` by the same refresh.
dim_counts = Table(
    "dim_counts",
    metadata,
    Column("row_kind", String(10), primary_key=True),
    Column("col_kind", String(10), primary_key=True),
    Column("row_value", String(40), primary_key=True),
    Column("col_value", String(40), primary_key=True),
    Column("document_id", String(64), primary_key=True),
    Column("passages", Integer, nullable=False),
    Index("ix_dim_counts_document", "document_id"),
)

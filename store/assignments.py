"""Reviewer assignments: a share of the queue given to named reviewers (two, for agreement).

A new table on ``store.schema.metadata``, so ``store.connect.connect`` creates it with the rest.
Keyed by passage content, like the reviews, so an assignment survives re-extraction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Engine, Index, String, Table, insert, select

from store.schema import metadata

review_assignments = Table(
    "review_assignments",
    metadata,
    Column("content_hash", String(64), primary_key=True),
    Column("reviewer", String(80), primary_key=True),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
    Index("ix_review_assignments_reviewer", "reviewer"),
)


_READY: set[int] = set()


def ensure_schema(engine: Engine) -> None:
    """Create the table on stores made before it existed (cheap after the first call)."""
    if id(engine) not in _READY:
        review_assignments.create(engine, checkfirst=True)
        _READY.add(id(engine))


def assign(engine: Engine, content_hashes: Iterable[str], reviewers: Sequence[str]) -> int:
    """Give each content to every reviewer named (existing assignments are kept); rows added."""
    reviewers = [r.strip() for r in reviewers if r and r.strip()]
    hashes = list(dict.fromkeys(content_hashes))
    if not hashes or not reviewers:
        return 0
    ensure_schema(engine)
    stamp = datetime.now(UTC)
    existing = assignments(engine)
    rows = [
        {"content_hash": h, "reviewer": r, "assigned_at": stamp}
        for h in hashes
        for r in reviewers
        if r not in existing.get(h, set())
    ]
    if rows:
        with engine.begin() as conn:
            conn.execute(insert(review_assignments), rows)
    return len(rows)


def assignments(engine: Engine) -> dict[str, set[str]]:
    """content_hash -> reviewers it is assigned to."""
    ensure_schema(engine)
    out: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for row in conn.execute(
            select(review_assignments.c.content_hash, review_assignments.c.reviewer)
        ):
            out.setdefault(row.content_hash, set()).add(row.reviewer)
    return out

"""Write processed documents: one transaction per document, idempotent, history kept.

Passages are diffed by id (derived from their content): unchanged ones keep their rows,
vanished ones are retired (never deleted), new ones are inserted. A failed extraction of a
known document records the reason and keeps its last good passages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Engine, and_, delete, insert, select, update
from sqlalchemy.engine import Connection

from store.dims import refresh as refresh_dims
from store.schema import documents, labels, passages
from store.types import LabelRecord, ProcessedDocument, WriteResult

_YEAR = re.compile(r"\b(19|20)\d{2}\b")


def now() -> datetime:
    return datetime.now(UTC)


def year_of(date: str | None) -> int | None:
    match = _YEAR.search(date or "")
    return int(match.group(0)) if match else None


def write_document(engine: Engine, doc: ProcessedDocument) -> WriteResult:
    """Store one document, its passages and labels atomically."""
    with engine.begin() as conn:
        result = write_document_in(conn, doc)
        refresh_dims(conn, document_ids=[doc.document_id])
        return result


def write_document_in(conn: Connection, doc: ProcessedDocument) -> WriteResult:
    stamp = now()
    src = doc.source
    existing = conn.execute(
        select(documents.c.document_id, documents.c.status, documents.c.content_hash).where(
            documents.c.document_id == doc.document_id
        )
    ).first()
    meta = {
        "source": src.uri,
        "path": src.path,
        "kind": src.kind,
        "title": src.title or doc.title,
        "doc_type": src.doc_type,
        "publisher": src.publisher,
        "date": src.date or doc.date,
        "year": year_of(src.date or doc.date),
        "attempt_hash": src.sha256,
        "pipeline_version": doc.pipeline_version,
        "last_seen": stamp,
        "updated_at": stamp,
        "retired_at": None,
    }

    if doc.status == "failed":
        failed = {**meta, "status": "failed", "error": doc.error}
        if existing is None:
            conn.execute(
                insert(documents).values(
                    document_id=doc.document_id, first_seen=stamp, n_passages=0, **failed
                )
            )
            return WriteResult(doc.document_id, "failed")
        # keep the last good version's metadata and passages; record why this one failed
        conn.execute(
            update(documents)
            .where(documents.c.document_id == doc.document_id)
            .values(
                status="failed",
                error=doc.error,
                attempt_hash=src.sha256,
                pipeline_version=doc.pipeline_version,
                last_seen=stamp,
                updated_at=stamp,
                retired_at=None,
            )
        )
        return WriteResult(doc.document_id, "kept" if existing.content_hash else "failed")

    values = {
        **meta,
        "status": "ok",
        "error": None,
        "content_hash": src.sha256,
        "n_pages": doc.n_pages,
        "n_passages": len(doc.passages),
    }
    if existing is None:
        conn.execute(
            insert(documents).values(document_id=doc.document_id, first_seen=stamp, **values)
        )
        outcome = "new"
    else:
        conn.execute(
            update(documents).where(documents.c.document_id == doc.document_id).values(**values)
        )
        outcome = "unchanged" if existing.content_hash == src.sha256 else "changed"

    added, retired = _sync_passages(conn, doc, stamp)
    _replace_labels(conn, [p.passage_id for p in doc.passages], doc.labels, stamp)
    return WriteResult(doc.document_id, outcome, added, retired)


def _sync_passages(conn: Connection, doc: ProcessedDocument, stamp: datetime) -> tuple[int, int]:
    old = {
        row.passage_id: row.retired_at
        for row in conn.execute(
            select(passages.c.passage_id, passages.c.retired_at).where(
                passages.c.document_id == doc.document_id
            )
        )
    }
    new_ids = {p.passage_id for p in doc.passages}
    inserts = []
    for p in doc.passages:
        row = {
            "seq": p.seq,
            "page": p.page,
            "char_start": p.char_start,
            "char_end": p.char_end,
            "heading": p.heading,
            "retired_at": None,
        }
        if p.passage_id in old:
            conn.execute(
                update(passages).where(passages.c.passage_id == p.passage_id).values(**row)
            )
        else:
            inserts.append(
                {
                    **row,
                    "passage_id": p.passage_id,
                    "document_id": p.document_id,
                    "content_hash": p.content_hash,
                    "text": p.text,
                    "first_seen": stamp,
                }
            )
    if inserts:
        conn.execute(insert(passages), inserts)
    vanished = [pid for pid, retired_at in old.items() if pid not in new_ids and retired_at is None]
    if vanished:
        conn.execute(
            update(passages).where(passages.c.passage_id.in_(vanished)).values(retired_at=stamp)
        )
    return len(inserts), len(vanished)


def _replace_labels(
    conn: Connection, passage_ids: list[str], records: Iterable[LabelRecord], stamp: datetime
) -> None:
    """Machine labels of these passages are replaced; review labels are never touched."""
    for chunk in _chunks(passage_ids, 500):
        conn.execute(
            delete(labels).where(
                and_(labels.c.passage_id.in_(chunk), labels.c.origin.in_(("model", "rule")))
            )
        )
    rows = [
        {
            "passage_id": r.passage_id,
            "kind": r.kind,
            "value": r.value,
            "score": r.score,
            "assigned": r.assigned,
            "origin": r.origin,
            "model_version": r.model_version,
            "evidence": r.evidence,
            "created_at": stamp,
        }
        for r in _dedupe(records)
    ]
    if rows:
        conn.execute(insert(labels), rows)


def _dedupe(records: Iterable[LabelRecord]) -> list[LabelRecord]:
    """One row per (passage, kind, value, origin): a country named twice is one label."""
    merged: dict[tuple[str, str, str, str], LabelRecord] = {}
    for r in records:
        key = (r.passage_id, r.kind, r.value, r.origin)
        if key in merged and isinstance(r.evidence, list):
            prev = merged[key]
            evidence = list(prev.evidence or []) + r.evidence
            merged[key] = LabelRecord(**{**prev.__dict__, "evidence": evidence})
        else:
            merged.setdefault(key, r)
    return list(merged.values())


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def retire_missing(engine: Engine, seen_sources: set[str], scope_prefixes: list[str]) -> list[str]:
    """Retire documents under the refreshed paths whose source is gone (history kept)."""
    stamp = now()
    retired: list[str] = []
    with engine.begin() as conn:
        rows = conn.execute(
            select(documents.c.document_id, documents.c.source).where(
                documents.c.retired_at.is_(None)
            )
        ).all()
        for row in rows:
            in_scope = any(row.source.startswith(prefix) for prefix in scope_prefixes)
            if in_scope and row.source not in seen_sources:
                retired.append(row.document_id)
        for chunk in _chunks(retired, 500):
            conn.execute(
                update(documents).where(documents.c.document_id.in_(chunk)).values(retired_at=stamp)
            )
            conn.execute(
                update(passages)
                .where(and_(passages.c.document_id.in_(chunk), passages.c.retired_at.is_(None)))
                .values(retired_at=stamp)
            )
        refresh_dims(conn, document_ids=retired)
    return retired


def known_hashes(engine: Engine) -> dict[str, tuple[str | None, str | None]]:
    """source -> (attempt_hash, pipeline_version) of live documents, for change detection."""
    with engine.connect() as conn:
        return {
            row.source: (row.attempt_hash, row.pipeline_version)
            for row in conn.execute(
                select(
                    documents.c.source, documents.c.attempt_hash, documents.c.pipeline_version
                ).where(documents.c.retired_at.is_(None))
            )
        }


def replace_passage_labels(
    engine: Engine, passage_ids: list[str], records: Iterable[LabelRecord]
) -> None:
    """Re-labelled passages (a new model or tagger): machine labels replaced in one go."""
    with engine.begin() as conn:
        _replace_labels(conn, passage_ids, records, now())
        docs = set()
        for chunk in _chunks(passage_ids, 500):
            docs.update(
                conn.execute(
                    select(passages.c.document_id).where(passages.c.passage_id.in_(chunk))
                ).scalars()
            )
        refresh_dims(conn, document_ids=docs)

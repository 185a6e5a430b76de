"""The materialised effective labels: ``passage_dims`` and ``dim_counts``, kept exact.

``refresh(conn, document_ids=..., content_hashes=...)`` recomputes both tables for the named
documents (and for every document holding a passage with one of the content hashes) from
``store.query.effective_label_rows``, the one statement of the review-override rule, in the
caller's transaction. Writers call it: ``store.write`` when a document is written or retired or
its labels replaced, ``store.review`` when a decision is recorded or undone. Only live
passages (passage and document not retired) have rows; ``include_retired`` queries read the
base tables.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Integer, String, case, cast, delete, func, insert, literal, select
from sqlalchemy.engine import Connection

from store.schema import LABEL_KINDS, dim_counts, documents, passage_dims, passages

_CHUNK = 500


def refresh(
    conn: Connection, *, document_ids: Iterable[str] = (), content_hashes: Iterable[str] = ()
) -> None:
    """Bring the rows of these documents (and those holding these contents) up to date."""
    docs = set(document_ids)
    hashes = list(dict.fromkeys(content_hashes))
    for i in range(0, len(hashes), _CHUNK):
        docs.update(
            conn.execute(
                select(passages.c.document_id)
                .where(passages.c.content_hash.in_(hashes[i : i + _CHUNK]))
                .distinct()
            ).scalars()
        )
    ordered = sorted(docs)
    for i in range(0, len(ordered), _CHUNK):
        _rebuild(conn, ordered[i : i + _CHUNK])


def rebuild_all(conn: Connection) -> None:
    """Recompute both tables for the whole store (migration backfill, bulk loads)."""
    _rebuild(conn, None)


def _rebuild(conn: Connection, chunk: list[str] | None) -> None:
    from store.query import effective_label_rows  # the override rule lives there

    if chunk is None:
        conn.execute(delete(passage_dims))
        conn.execute(delete(dim_counts))
        where = [passages.c.retired_at.is_(None)]
    else:
        conn.execute(delete(passage_dims).where(passage_dims.c.document_id.in_(chunk)))
        # a passage that moved documents keeps one set of rows
        moved = select(passages.c.passage_id).where(passages.c.document_id.in_(chunk))
        conn.execute(delete(passage_dims).where(passage_dims.c.passage_id.in_(moved)))
        conn.execute(delete(dim_counts).where(dim_counts.c.document_id.in_(chunk)))
        where = [passages.c.document_id.in_(chunk), passages.c.retired_at.is_(None)]
    eff = effective_label_rows(where).subquery("eff")
    per_label = (
        select(
            eff.c.passage_id,
            eff.c.kind,
            eff.c.value,
            func.max(eff.c.score).label("score"),
            func.max(case((eff.c.origin == "review", 1), else_=0)).label("accepted"),
        )
        .group_by(eff.c.passage_id, eff.c.kind, eff.c.value)
        .subquery("per_label")
    )
    rows = (
        select(
            per_label.c.passage_id,
            per_label.c.kind,
            per_label.c.value,
            passages.c.document_id,
            passages.c.seq,
            per_label.c.score,
            per_label.c.accepted == 1,
        )
        .join(passages, passages.c.passage_id == per_label.c.passage_id)
        .join(documents, documents.c.document_id == passages.c.document_id)
        .where(documents.c.retired_at.is_(None))
    )
    conn.execute(
        insert(passage_dims).from_select(
            ["passage_id", "kind", "value", "document_id", "seq", "score", "accepted"], rows
        )
    )
    _count(conn, chunk)


def _count(conn: Connection, chunk: list[str] | None) -> None:
    cols = ["row_kind", "col_kind", "row_value", "col_value", "document_id", "passages"]
    a = passage_dims.alias("a")
    in_chunk = [a.c.document_id.in_(chunk)] if chunk is not None else []
    empty = cast(literal(""), String(40))
    singles = (
        select(a.c.kind, cast(literal(""), String(10)), a.c.value, empty, a.c.document_id,
               cast(func.count(), Integer))
        .where(*in_chunk)
        .group_by(a.c.kind, a.c.value, a.c.document_id)
    )  # fmt: skip
    conn.execute(insert(dim_counts).from_select(cols, singles))
    b = passage_dims.alias("b")
    for i, row_kind in enumerate(LABEL_KINDS):
        for col_kind in LABEL_KINDS[i + 1 :]:
            pairs = (
                select(literal(row_kind), literal(col_kind), a.c.value, b.c.value,
                       a.c.document_id, cast(func.count(), Integer))
                .join(b, (b.c.passage_id == a.c.passage_id) & (b.c.kind == col_kind))
                .where(a.c.kind == row_kind, *in_chunk)
                .group_by(a.c.value, b.c.value, a.c.document_id)
            )  # fmt: skip
            conn.execute(insert(dim_counts).from_select(cols, pairs))

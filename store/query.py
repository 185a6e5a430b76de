"""Read findings: filtered passages with their labels and evidence, documents, counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, and_, exists, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from store.schema import documents, labels, passages
from store.types import DocumentRow, Finding


@dataclass(frozen=True)
class FindingsQuery:
    """Filters of different kinds combine with AND; values of one kind with OR."""

    themes: Sequence[str] = ()
    countries: Sequence[str] = ()
    sectors: Sequence[str] = ()
    documents: Sequence[str] = ()
    text: str | None = None
    include_retired: bool = False
    limit: int | None = None
    offset: int = 0
    extra: dict = field(default_factory=dict)


def source_link(source: str, kind: str | None, page: int) -> str:
    """A link that opens the evidence: ``file.pdf#page=N`` for PDFs, else the source."""
    if kind == "pdf":
        return f"{source}#page={page}"
    return source


def _has_label(kind: str, values: Sequence[str]) -> ColumnElement[bool]:
    return exists().where(
        and_(
            labels.c.passage_id == passages.c.passage_id,
            labels.c.kind == kind,
            labels.c.assigned.is_(True),
            labels.c.value.in_(list(values)),
        )
    )


def _conditions(q: FindingsQuery) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if not q.include_retired:
        conds += [passages.c.retired_at.is_(None), documents.c.retired_at.is_(None)]
    if q.themes:
        conds.append(_has_label("theme", q.themes))
    if q.countries:
        conds.append(_has_label("country", [c.upper() for c in q.countries]))
    if q.sectors:
        conds.append(_has_label("sector", [s.upper() for s in q.sectors]))
    if q.documents:
        conds.append(
            or_(
                passages.c.document_id.in_(list(q.documents)),
                documents.c.source.in_(list(q.documents)),
            )
        )
    if q.text:
        conds.append(func.lower(passages.c.text).contains(q.text.lower(), autoescape=True))
    return conds


def query(engine: Engine, q: FindingsQuery | None = None) -> list[Finding]:
    """Passages matching ``q`` in document and reading order, each with its labels."""
    q = q or FindingsQuery()
    stmt = (
        select(
            passages.c.passage_id,
            passages.c.document_id,
            passages.c.page,
            passages.c.char_start,
            passages.c.char_end,
            passages.c.text,
            documents.c.title,
            documents.c.source,
            documents.c.kind,
            documents.c.doc_type,
            documents.c.date,
        )
        .join(documents, documents.c.document_id == passages.c.document_id)
        .where(*_conditions(q))
        .order_by(passages.c.document_id, passages.c.seq)
        .offset(q.offset)
    )
    if q.limit is not None:
        stmt = stmt.limit(q.limit)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
        by_passage = _labels_of(conn, [r.passage_id for r in rows])
    findings = []
    for r in rows:
        lab = by_passage.get(r.passage_id, {})
        findings.append(
            Finding(
                passage_id=r.passage_id,
                document_id=r.document_id,
                title=r.title,
                source=r.source,
                link=source_link(r.source, r.kind, r.page),
                page=r.page,
                char_start=r.char_start,
                char_end=r.char_end,
                text=r.text,
                themes=sorted(lab.get("theme", [])),
                countries=sorted(lab.get("country", [])),
                sectors=sorted(lab.get("sector", [])),
                scores=lab.get("scores", {}),
                model_version=lab.get("model_version"),
                doc_type=r.doc_type,
                date=r.date,
            )
        )
    return findings


def _labels_of(conn, passage_ids: list[str]) -> dict[str, dict]:  # noqa: ANN001
    out: dict[str, dict] = defaultdict(lambda: {"scores": {}})
    for i in range(0, len(passage_ids), 500):
        chunk = passage_ids[i : i + 500]
        for row in conn.execute(
            select(
                labels.c.passage_id,
                labels.c.kind,
                labels.c.value,
                labels.c.score,
                labels.c.assigned,
                labels.c.model_version,
            ).where(labels.c.passage_id.in_(chunk), labels.c.origin.in_(("model", "rule")))
        ):
            entry = out[row.passage_id]
            if row.kind == "theme" and row.score is not None:
                entry["scores"][row.value] = round(row.score, 4)
                entry["model_version"] = row.model_version
            if row.assigned:
                entry.setdefault(row.kind, set()).add(row.value)
    return out


def list_documents(
    engine: Engine, *, status: str | None = None, include_retired: bool = False
) -> list[DocumentRow]:
    stmt = select(documents).order_by(documents.c.source)
    if status:
        stmt = stmt.where(documents.c.status == status)
    if not include_retired:
        stmt = stmt.where(documents.c.retired_at.is_(None))
    with engine.connect() as conn:
        return [
            DocumentRow(
                document_id=r.document_id,
                source=r.source,
                status=r.status,
                error=r.error,
                title=r.title,
                kind=r.kind,
                doc_type=r.doc_type,
                date=r.date,
                n_pages=r.n_pages,
                n_passages=r.n_passages,
                retired=r.retired_at is not None,
            )
            for r in conn.execute(stmt)
        ]


def label_counts(engine: Engine) -> dict[str, dict[str, int]]:
    """Live passages per theme, country and sector (assigned machine labels)."""
    stmt = (
        select(labels.c.kind, labels.c.value, func.count(func.distinct(labels.c.passage_id)))
        .join(passages, passages.c.passage_id == labels.c.passage_id)
        .join(documents, documents.c.document_id == passages.c.document_id)
        .where(
            labels.c.assigned.is_(True),
            labels.c.origin.in_(("model", "rule")),
            passages.c.retired_at.is_(None),
            documents.c.retired_at.is_(None),
        )
        .group_by(labels.c.kind, labels.c.value)
    )
    out: dict[str, dict[str, int]] = {"theme": {}, "country": {}, "sector": {}}
    with engine.connect() as conn:
        for kind, value, n in conn.execute(stmt):
            out.setdefault(kind, {})[value] = n
    return out


def store_totals(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        docs = dict(
            conn.execute(
                select(documents.c.status, func.count())
                .where(documents.c.retired_at.is_(None))
                .group_by(documents.c.status)
            ).all()
        )
        n_passages = conn.execute(
            select(func.count())
            .select_from(passages)
            .where(passages.c.retired_at.is_(None))
        ).scalar_one()
    return {"documents_ok": docs.get("ok", 0), "documents_failed": docs.get("failed", 0),
            "passages": n_passages}


def iter_live_passages(engine: Engine, batch_size: int = 1000):  # noqa: ANN201
    """(passage_id, text) of live passages, in batches, for re-labelling."""
    last = ""
    while True:
        stmt = (
            select(passages.c.passage_id, passages.c.text)
            .where(passages.c.retired_at.is_(None), passages.c.passage_id > last)
            .order_by(passages.c.passage_id)
            .limit(batch_size)
        )
        with engine.connect() as conn:
            rows = conn.execute(stmt).all()
        if not rows:
            return
        yield [(r.passage_id, r.text) for r in rows]
        last = rows[-1].passage_id

"""Findings for the web page: effective labels (a review overrides the machine), facets, the
theme x country matrix, reviewed-only, year and document type.

A stop-gap beside ``store/query.py`` (owned by the query/export work, issue 6): when its
crosstab and review override land, the web routes can call those instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, and_, func, select, union_all
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from store.schema import documents, labels, passages, reviews
from store.types import Finding


@dataclass(frozen=True)
class BrowseFilter:
    """Kinds combine with AND, values of one kind with OR."""

    themes: Sequence[str] = ()
    countries: Sequence[str] = ()
    sectors: Sequence[str] = ()
    doc_types: Sequence[str] = ()
    years: Sequence[int] = ()
    text: str | None = None
    reviewed_only: bool = False


def _latest_reviews() -> Select:
    """The newest live decision per (content, kind, value)."""
    r2 = reviews.alias("r2")
    newest = (
        select(func.max(r2.c.review_id))
        .where(
            r2.c.undone.is_(False),
            r2.c.content_hash == reviews.c.content_hash,
            r2.c.kind == reviews.c.kind,
            r2.c.value == reviews.c.value,
        )
        .scalar_subquery()
    )
    return select(
        reviews.c.content_hash, reviews.c.kind, reviews.c.value, reviews.c.decision
    ).where(reviews.c.undone.is_(False), reviews.c.review_id == newest)


def effective_labels() -> Select:
    """(passage_id, kind, value) of live passages: machine labels not rejected + accepted."""
    rv = _latest_reviews().subquery("rv")
    machine = (
        select(labels.c.passage_id, labels.c.kind, labels.c.value)
        .join(passages, passages.c.passage_id == labels.c.passage_id)
        .outerjoin(
            rv,
            and_(
                rv.c.content_hash == passages.c.content_hash,
                rv.c.kind == labels.c.kind,
                rv.c.value == labels.c.value,
            ),
        )
        .where(
            labels.c.assigned.is_(True),
            labels.c.origin.in_(("model", "rule")),
            passages.c.retired_at.is_(None),
            rv.c.decision.is_(None),
        )
    )
    accepted = (
        select(passages.c.passage_id, rv.c.kind, rv.c.value)
        .join(rv, rv.c.content_hash == passages.c.content_hash)
        .where(rv.c.decision == "accept", passages.c.retired_at.is_(None))
    )
    return union_all(machine, accepted)


def _conditions(f: BrowseFilter, eff) -> list[ColumnElement[bool]]:  # noqa: ANN001
    conds: list[ColumnElement[bool]] = [
        passages.c.retired_at.is_(None),
        documents.c.retired_at.is_(None),
    ]
    for kind, values in (("theme", f.themes), ("country", f.countries), ("sector", f.sectors)):
        if values:
            vals = [v if kind == "theme" else v.upper() for v in values]
            conds.append(
                passages.c.passage_id.in_(
                    select(eff.c.passage_id).where(eff.c.kind == kind, eff.c.value.in_(vals))
                )
            )
    if f.doc_types:
        conds.append(documents.c.doc_type.in_(list(f.doc_types)))
    if f.years:
        conds.append(documents.c.year.in_([int(y) for y in f.years]))
    if f.text:
        words = f.text.lower().split()
        conds.extend(func.lower(passages.c.text).contains(w, autoescape=True) for w in words)
    if f.reviewed_only:
        conds.append(
            passages.c.content_hash.in_(
                select(reviews.c.content_hash).where(reviews.c.undone.is_(False))
            )
        )
    return conds


def _base(f: BrowseFilter):  # noqa: ANN202
    eff = effective_labels().subquery("eff")
    return eff, _conditions(f, eff)


def count(engine: Engine, f: BrowseFilter) -> int:
    eff, conds = _base(f)
    stmt = (
        select(func.count())
        .select_from(passages)
        .join(documents, documents.c.document_id == passages.c.document_id)
        .where(*conds)
    )
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def facets(engine: Engine, f: BrowseFilter) -> dict[str, list[tuple[str, int]]]:
    """Counts of matching passages per theme, country, sector, document type and year."""
    eff, conds = _base(f)
    matching = (
        select(passages.c.passage_id, documents.c.doc_type, documents.c.year)
        .join(documents, documents.c.document_id == passages.c.document_id)
        .where(*conds)
        .subquery("m")
    )
    out: dict[str, list[tuple[str, int]]] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(eff.c.kind, eff.c.value, func.count(func.distinct(eff.c.passage_id)))
            .join(matching, matching.c.passage_id == eff.c.passage_id)
            .group_by(eff.c.kind, eff.c.value)
        ).all()
        for kind in ("theme", "country", "sector"):
            out[kind] = sorted(
                ((v, int(n)) for k, v, n in rows if k == kind), key=lambda x: (-x[1], x[0])
            )
        for name, col in (("type", matching.c.doc_type), ("year", matching.c.year)):
            vals = conn.execute(
                select(col, func.count()).where(col.isnot(None)).group_by(col)
            ).all()
            out[name] = sorted(((str(v), int(n)) for v, n in vals), key=lambda x: (-x[1], x[0]))
    return out


def matrix(
    engine: Engine, f: BrowseFilter, row_kind: str = "theme", col_kind: str = "country"
) -> dict[tuple[str, str], int]:
    """(row value, column value) -> passages carrying both (effective labels)."""
    eff, conds = _base(f)
    e2 = effective_labels().subquery("eff2")
    matching = (
        select(passages.c.passage_id)
        .join(documents, documents.c.document_id == passages.c.document_id)
        .where(*conds)
        .subquery("m")
    )
    stmt = (
        select(eff.c.value, e2.c.value, func.count(func.distinct(eff.c.passage_id)))
        .join(e2, e2.c.passage_id == eff.c.passage_id)
        .join(matching, matching.c.passage_id == eff.c.passage_id)
        .where(eff.c.kind == row_kind, e2.c.kind == col_kind)
        .group_by(eff.c.value, e2.c.value)
    )
    with engine.connect() as conn:
        return {(a, b): int(n) for a, b, n in conn.execute(stmt)}


def findings(
    engine: Engine, f: BrowseFilter, *, limit: int | None = 50, offset: int = 0
) -> list[Finding]:
    """Matching passages in document and reading order, with effective labels."""
    eff, conds = _base(f)
    stmt = (
        select(
            passages.c.passage_id,
            passages.c.document_id,
            passages.c.content_hash,
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
        .where(*conds)
        .order_by(passages.c.document_id, passages.c.seq)
        .offset(offset)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
        ids = [r.passage_id for r in rows]
        hashes = list({r.content_hash for r in rows})
        effs: dict[str, dict[str, set[str]]] = {}
        scores: dict[str, dict[str, float]] = {}
        versions: dict[str, str] = {}
        reviewed: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            for pid, kind, value in conn.execute(
                select(eff.c.passage_id, eff.c.kind, eff.c.value).where(eff.c.passage_id.in_(chunk))
            ):
                effs.setdefault(pid, {}).setdefault(kind, set()).add(value)
            for pid, value, score, mv in conn.execute(
                select(
                    labels.c.passage_id, labels.c.value, labels.c.score, labels.c.model_version
                ).where(
                    labels.c.passage_id.in_(chunk),
                    labels.c.kind == "theme",
                    labels.c.origin == "model",
                )
            ):
                if score is not None:
                    scores.setdefault(pid, {})[value] = round(float(score), 4)
                if mv:
                    versions[pid] = mv
        for i in range(0, len(hashes), 500):
            reviewed.update(
                conn.execute(
                    select(reviews.c.content_hash).where(
                        reviews.c.content_hash.in_(hashes[i : i + 500]),
                        reviews.c.undone.is_(False),
                    )
                ).scalars()
            )
    out = []
    for r in rows:
        e = effs.get(r.passage_id, {})
        link = f"{r.source}#page={r.page}" if r.kind == "pdf" else r.source
        out.append(
            Finding(
                passage_id=r.passage_id,
                document_id=r.document_id,
                title=r.title,
                source=r.source,
                link=link,
                page=r.page,
                char_start=r.char_start,
                char_end=r.char_end,
                text=r.text,
                themes=sorted(e.get("theme", ())),
                countries=sorted(e.get("country", ())),
                sectors=sorted(e.get("sector", ())),
                scores=scores.get(r.passage_id, {}),
                model_version=versions.get(r.passage_id),
                doc_type=r.doc_type,
                date=r.date,
                reviewed=r.content_hash in reviewed,
            )
        )
    return out


__all__ = ["BrowseFilter", "count", "effective_labels", "facets", "findings", "matrix"]

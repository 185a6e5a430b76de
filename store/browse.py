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

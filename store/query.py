"""Read findings: filtered passages with their labels and evidence, cross-tabs, documents.

Reviewed labels override the machine's everywhere: the newest decision that is not undone per
(passage content hash, kind, value) wins; ``accept`` makes the label apply, ``reject`` removes
it, whatever the model or the rules said. That rule lives in the section "Effective labels"
below and nowhere else in Python (the ``effective_labels`` SQL view, for Datasette, mirrors it).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sqlalchemy import (
    Engine,
    Float,
    Select,
    Text,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from store.schema import dim_counts, documents, labels, passage_dims, passages, reviews
from store.types import Cell, DocumentRow, Finding

MACHINE = ("model", "rule")
SORTS = ("document", "date", "-date", "score", "title")
DIMENSIONS = ("theme", "country", "sector", "doc_type", "year")
Dimension = Literal["theme", "country", "sector", "doc_type", "year"]
LABEL_DIMENSIONS = ("theme", "country", "sector")
_CHUNK = 1000


@dataclass(frozen=True)
class FindingsQuery:
    """Filters of different kinds combine with AND; values of one kind with OR.

    ``date_from``/``date_to`` compare with the document's date as text (ISO ``YYYY`` or
    ``YYYY-MM-DD``), so ``date_from="2020"`` keeps 2020 and later. ``text`` is full-text search
    (words, ``"a phrase"``, ``prefix*``; other syntax is taken literally). ``min_score`` keeps
    passages whose matching theme (any assigned theme when no theme is given) scored at least
    that much; a reviewer's accept passes regardless.
    """

    themes: Sequence[str] = ()
    countries: Sequence[str] = ()
    sectors: Sequence[str] = ()
    documents: Sequence[str] = ()
    text: str | None = None
    include_retired: bool = False
    limit: int | None = None
    offset: int = 0
    extra: dict = field(default_factory=dict)
    doc_types: Sequence[str] = ()
    publishers: Sequence[str] = ()
    date_from: str | None = None
    date_to: str | None = None
    min_score: float | None = None
    reviewed_only: bool = False
    sort: str = "document"


def source_link(source: str, kind: str | None, page: int) -> str:
    """A link that opens the evidence: ``file.pdf#page=N`` for PDFs, else the source."""
    if kind == "pdf" or source.lower().split("?")[0].endswith(".pdf"):
        return f"{source}#page={page}"
    return source


def _clean(value: str) -> str:
    """User text as a bound value: NUL bytes are the one thing PostgreSQL cannot store."""
    return value.replace("\x00", "")


def _values(values: Sequence[str], *, upper: bool = False) -> list[str]:
    out = [_clean(str(v)).strip() for v in values]
    return [v.upper() if upper else v for v in out if v]


# --- Effective labels: review decisions override the machine --------------------------------


def latest_decision(
    content_hash: ColumnElement[Any], kind: ColumnElement[Any], value: ColumnElement[Any]
) -> ColumnElement[Any]:
    """The newest decision not undone for (content hash, kind, value), or NULL."""
    r = reviews.alias("latest")
    return (
        select(r.c.decision)
        .where(
            r.c.content_hash == content_hash,
            r.c.kind == kind,
            r.c.value == value,
            r.c.undone.is_(False),
        )
        .order_by(r.c.created_at.desc(), r.c.review_id.desc())
        .limit(1)
        .correlate_except(r)
        .scalar_subquery()
    )


def is_reviewed(content_hash: ColumnElement[Any]) -> ColumnElement[bool]:
    """Any decision (not undone) on this passage content."""
    r = reviews.alias("any_review")
    return (
        exists().where(r.c.content_hash == content_hash, r.c.undone.is_(False)).correlate_except(r)
    )


def has_effective_label(
    kind: str, values: Sequence[str] | None = None, *, min_score: float | None = None
) -> ColumnElement[bool]:
    """The passage (``passages`` in the enclosing query) carries one of these labels after
    review: a machine label that is assigned and not rejected, or an accepted decision."""
    lab = labels.alias("lab")
    machine = [
        lab.c.passage_id == passages.c.passage_id,
        lab.c.kind == kind,
        lab.c.assigned.is_(True),
        lab.c.origin.in_(MACHINE),
        func.coalesce(latest_decision(passages.c.content_hash, lab.c.kind, lab.c.value), "accept")
        == "accept",
    ]
    rev = reviews.alias("accepted")
    accepted = [
        rev.c.content_hash == passages.c.content_hash,
        rev.c.kind == kind,
        rev.c.decision == "accept",
        rev.c.undone.is_(False),
        latest_decision(rev.c.content_hash, rev.c.kind, rev.c.value) == "accept",
    ]
    if values is not None:
        machine.append(lab.c.value.in_(list(values)))
        accepted.append(rev.c.value.in_(list(values)))
    if min_score is not None:
        machine.append(lab.c.score >= min_score)
    return or_(
        exists().where(*machine).correlate_except(lab),
        exists().where(*accepted).correlate_except(rev),
    )


def effective_label_rows(
    where: Sequence[ColumnElement[bool]] = (), kinds: Sequence[str] = LABEL_DIMENSIONS
) -> Select:
    """(passage_id, kind, value, score, origin) of the labels in force, for passages matching
    ``where`` (conditions on ``passages``). Machine rows not rejected, plus accepted decisions
    (carrying the machine score when there is one)."""
    lab = labels.alias("m")
    columns = (lab.c.passage_id, lab.c.kind, lab.c.value, lab.c.score)
    reviewed_content = is_reviewed(passages.c.content_hash)
    # passages nobody reviewed (nearly all): the machine's assigned labels, no per-label probe
    unreviewed = (
        select(*columns, lab.c.origin)
        .join(passages, passages.c.passage_id == lab.c.passage_id)
        .where(
            *where,
            ~reviewed_content,
            lab.c.kind.in_(list(kinds)),
            lab.c.assigned.is_(True),
            lab.c.origin.in_(MACHINE),
        )
    )
    decision = latest_decision(passages.c.content_hash, lab.c.kind, lab.c.value)
    machine = (
        select(
            *columns,
            case((decision.is_(None), lab.c.origin), else_=literal("review")).label("origin"),
        )
        .join(passages, passages.c.passage_id == lab.c.passage_id)
        .where(
            *where,
            reviewed_content,
            lab.c.kind.in_(list(kinds)),
            lab.c.origin.in_(MACHINE),
            func.coalesce(decision, case((lab.c.assigned.is_(True), "accept"), else_="reject"))
            == "accept",
        )
    )
    rev = reviews.alias("r")
    other = labels.alias("o")
    reviewed = (
        select(
            passages.c.passage_id,
            rev.c.kind,
            rev.c.value,
            cast(null(), Float).label("score"),
            literal("review").label("origin"),
        )
        .join(passages, passages.c.content_hash == rev.c.content_hash)
        .where(
            *where,
            rev.c.kind.in_(list(kinds)),
            rev.c.decision == "accept",
            rev.c.undone.is_(False),
            latest_decision(rev.c.content_hash, rev.c.kind, rev.c.value) == "accept",
            ~exists().where(
                other.c.passage_id == passages.c.passage_id,
                other.c.kind == rev.c.kind,
                other.c.value == rev.c.value,
                other.c.origin.in_(MACHINE),
            ),
        )
        .distinct()
    )
    return union_all(unreviewed, machine, reviewed)


# --- Full-text search ------------------------------------------------------------------------

_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


def fts5_expression(user_text: str) -> str | None:
    """A safe FTS5 query from what a user typed: words AND-ed, ``"phrases"``, ``prefix*``.

    Every term is double-quoted, so FTS syntax (``NEAR(``, ``OR``, ``:``, ``^``, stray quotes)
    is taken literally and never raises. None when the text has no word in it.
    """
    parts: list[str] = []
    for phrase, bare in _TOKEN.findall(_clean(user_text)):
        if phrase:
            words = _WORD.findall(phrase)
            if words:
                parts.append('"' + " ".join(words) + '"')
            continue
        words = _WORD.findall(bare)
        for i, word in enumerate(words):
            prefix = bare.endswith("*") and i == len(words) - 1
            parts.append(f'"{word}"' + ("*" if prefix else ""))
    return " ".join(parts) or None


def _fts_matches(expr: str) -> Select:
    """Rowids of the passages matching an FTS5 expression, in rowid order."""
    return (
        select(literal_column("rowid"))
        .select_from(text("passages_fts"))
        .where(literal_column("passages_fts").op("MATCH")(expr))
    )


def _text_condition(
    conn_dialect: str, user_text: str, *, ordered_scan: bool = False
) -> ColumnElement[bool]:
    """Full-text match of the passage. SQLite: membership in the FTS5 matches; with
    ``ordered_scan`` the rowid is written ``+rowid`` so the planner cannot drive the query
    from the matches (and sort them all), and walks passages in order instead."""
    cleaned = _clean(user_text).strip()
    if conn_dialect == "sqlite":
        expr = fts5_expression(cleaned)
        if expr is None:  # punctuation only ("%", "'"): a literal substring search
            return func.lower(passages.c.text).contains(cleaned.lower(), autoescape=True)
        rowid = literal_column("+passages.rowid" if ordered_scan else "passages.rowid")
        return rowid.in_(_fts_matches(expr))
    if conn_dialect == "postgresql":
        if not _WORD.search(cleaned):
            return func.lower(passages.c.text).contains(cleaned.lower(), autoescape=True)
        english = literal_column("'english'::regconfig")
        return literal_column("passages.text_tsv").op("@@")(  # stored, GIN-indexed (0004)
            func.websearch_to_tsquery(english, cleaned)
        )
    return func.lower(passages.c.text).contains(cleaned.lower(), autoescape=True)


# --- Filters and findings --------------------------------------------------------------------


def _conditions(q: FindingsQuery, dialect: str, *, scan: bool = False) -> list[ColumnElement[bool]]:
    """The WHERE of ``q``. ``scan``: label filters as per-passage checks only (for a reading-
    order scan that stops at the limit) rather than driven from the label index."""
    conds: list[ColumnElement[bool]] = []
    if not q.include_retired:
        conds += [passages.c.retired_at.is_(None), documents.c.retired_at.is_(None)]
    label_filters = _label_filters(q)
    if label_filters and not q.include_retired:  # live passages: the materialised labels
        conds += [_dims_match(passage_dims.alias(f"dim_{k}"), k, v, m) for k, v, m in label_filters]
    elif label_filters:
        if scan:
            conds += [has_effective_label(k, v, min_score=m) for k, v, m in label_filters]
        else:
            conds.append(_labels_condition(label_filters))
    if q.documents:
        wanted = _values(q.documents)
        conds.append(or_(passages.c.document_id.in_(wanted), documents.c.source.in_(wanted)))
    if q.doc_types:
        conds.append(documents.c.doc_type.in_(_values(q.doc_types)))
    if q.publishers:
        conds.append(documents.c.publisher.in_(_values(q.publishers)))
    if q.date_from:
        conds.append(documents.c.date >= _clean(q.date_from))
    if q.date_to:  # "2021" keeps 2021-12-31: compare with the next prefix
        conds.append(documents.c.date <= _clean(q.date_to) + "\uffff")
    if q.text and q.text.strip():
        ordered = bool(q.extra.get("fts_ordered_scan")) if q.extra else False
        conds.append(_text_condition(dialect, q.text, ordered_scan=ordered))
    if q.reviewed_only:
        conds.append(is_reviewed(passages.c.content_hash))
    return conds


LabelFilter = tuple[str, list[str] | None, float | None]


def _label_filters(q: FindingsQuery) -> list[LabelFilter]:
    out: list[LabelFilter] = []
    if q.themes or q.min_score is not None:
        out.append(("theme", _values(q.themes) if q.themes else None, q.min_score))
    if q.countries:
        out.append(("country", _values(q.countries, upper=True), None))
    if q.sectors:
        out.append(("sector", _values(q.sectors, upper=True), None))
    order = q.extra.get("label_order") if q.extra else None
    if order:
        out.sort(key=lambda f: order.index(f[0]) if f[0] in order else len(order))
    return out


def _dims_where(dim: Any, kind: str, values: list[str] | None, min_score: float | None) -> list:
    conds = [dim.c.kind == kind]
    if values is not None:
        conds.append(dim.c.value.in_(values) if len(values) != 1 else dim.c.value == values[0])
    if min_score is not None:  # a reviewer's accept passes regardless of the score
        conds.append(or_(dim.c.accepted.is_(True), dim.c.score >= min_score))
    return conds


def _dims_match(
    dim: Any, kind: str, values: list[str] | None, min_score: float | None
) -> ColumnElement[bool]:
    """The live passage carries one of these labels after review (``passage_dims``). It
    selects a key column, not ``*``: SQLite then answers from the index alone."""
    return (
        select(dim.c.passage_id)
        .where(
            dim.c.passage_id == passages.c.passage_id, *_dims_where(dim, kind, values, min_score)
        )
        .correlate_except(dim)
        .exists()
    )


def _labels_condition(filters: list[LabelFilter]) -> ColumnElement[bool]:
    """Label filters as (candidates) AND (exact check), so the database can start from the
    label index rather than scan passages in order.

    Candidates: passages whose machine labels match every filter (one index join), or whose
    content has an accepted decision on a wanted label. For a passage nobody reviewed the
    candidate test is already exact; a reviewed one is checked label by label after review.
    """
    aliases = [labels.alias(f"cand{i}") for i in range(len(filters))]
    first = aliases[0]

    def match(lab, kind: str, values: list[str] | None, min_score: float | None) -> list:  # noqa: ANN001
        conds = [lab.c.kind == kind, lab.c.assigned.is_(True), lab.c.origin.in_(MACHINE)]
        if values is not None:
            conds.append(lab.c.value.in_(values))
        if min_score is not None:
            conds.append(lab.c.score >= min_score)
        return conds

    where = match(first, *filters[0])
    for lab, f in zip(aliases[1:], filters[1:], strict=True):  # the first (rarest) drives
        where.append(exists().where(lab.c.passage_id == first.c.passage_id, *match(lab, *f)))
    source = first
    machine = select(first.c.passage_id).select_from(source).where(*where)
    wanted = [
        and_(reviews.c.kind == kind, reviews.c.value.in_(values))
        if values is not None
        else reviews.c.kind == kind
        for kind, values, _ in filters
    ]
    accepted = select(reviews.c.content_hash).where(
        reviews.c.decision == "accept", reviews.c.undone.is_(False), or_(*wanted)
    )
    candidates = or_(passages.c.passage_id.in_(machine), passages.c.content_hash.in_(accepted))
    exact = and_(*(has_effective_label(k, v, min_score=m) for k, v, m in filters))
    return and_(candidates, or_(~is_reviewed(passages.c.content_hash), exact))


def _order(q: FindingsQuery) -> list[ColumnElement[Any]]:
    reading = [passages.c.document_id, passages.c.seq]
    if q.sort == "date":
        return [documents.c.date.is_(None), documents.c.date, *reading]
    if q.sort == "-date":
        return [documents.c.date.is_(None), documents.c.date.desc(), *reading]
    if q.sort == "title":
        return [documents.c.title, *reading]
    if q.sort == "score":
        lab = labels.alias("s")
        best = (
            select(func.max(lab.c.score))
            .where(
                lab.c.passage_id == passages.c.passage_id,
                lab.c.kind == "theme",
                lab.c.origin == "model",
                *([lab.c.value.in_(_values(q.themes))] if q.themes else []),
            )
            .scalar_subquery()
        )
        return [func.coalesce(best, 0.0).desc(), *reading]
    if q.sort != "document":
        raise ValueError(f"unknown sort {q.sort!r}; one of {', '.join(SORTS)}")
    return reading


SAMPLE_CAP = 20_000


def _sample_counts(conn: Connection, filters: list[LabelFilter]) -> list[int]:
    """How many assigned machine labels match each filter, counted up to ``SAMPLE_CAP``
    (index-only, a few milliseconds): enough to tell rare filters from common ones."""
    counts = []
    for kind, values, _ in filters:
        hits = (
            select(labels.c.passage_id)
            .where(
                labels.c.kind == kind,
                labels.c.assigned.is_(True),
                *([labels.c.value.in_(values)] if values is not None else []),
            )
            .limit(SAMPLE_CAP)
            .subquery()
        )
        counts.append(conn.execute(select(func.count()).select_from(hits)).scalar_one())
    return counts


def _live_counts(conn: Connection, filters: list[LabelFilter]) -> list[int]:
    """Live passages per label filter, exact, from the per-document counts (``dim_counts``)."""
    counts = []
    for kind, values, _ in filters:
        where = [dim_counts.c.row_kind == kind, dim_counts.c.col_kind == ""]
        if values is not None:
            where.append(dim_counts.c.row_value.in_(values))
        stmt = select(func.coalesce(func.sum(dim_counts.c.passages), 0)).where(*where)
        counts.append(int(conn.execute(stmt).scalar_one()))
    return counts


FTS_SCAN_MIN = 1000  # matches from which a page in reading order walks passages in order
FTS_SCAN_PER_ROW = 20  # ... and matches per wanted row (offset + limit)


def _fts_ordered_scan(conn: Connection, q: FindingsQuery) -> bool:
    """Whether a page in reading order should walk passages in order, checking each against
    the FTS5 matches, rather than collect every match and sort (SQLite).

    The matches are counted up to a cap (FTS5 reads them in rowid order, a few ms): when
    there are at least ``FTS_SCAN_MIN`` and ``FTS_SCAN_PER_ROW`` per wanted row, the walk
    meets the page within a small share of the passages; fewer matches are cheaper to sort.
    """
    if conn.dialect.name != "sqlite" or q.limit is None or q.sort != "document":
        return False
    expr = fts5_expression(_clean(q.text or "").strip())
    if expr is None:
        return False
    cap = max(FTS_SCAN_MIN, FTS_SCAN_PER_ROW * (q.limit + q.offset))
    capped = _fts_matches(expr).limit(cap).subquery()
    return conn.execute(select(func.count()).select_from(capped)).scalar_one() >= cap


def _plan(conn: Connection, q: FindingsQuery) -> tuple[bool, FindingsQuery]:
    """(scan, q with its label filters rarest first and its full-text strategy).

    When every label filter is common and only a page is wanted, reading passages in order
    and checking each stops at the limit after a few hundred rows; otherwise the candidates
    are collected from the rarest filter's index entries and sorted.
    """
    if _fts_ordered_scan(conn, q):
        q = replace(q, extra={**q.extra, "fts_ordered_scan": True})
    filters = _label_filters(q)
    if not filters:
        return False, q
    counts = _live_counts(conn, filters) if not q.include_retired else _sample_counts(conn, filters)
    order = sorted(range(len(filters)), key=lambda i: counts[i])
    q = replace(q, extra={**q.extra, "label_order": [filters[i][0] for i in order]})
    dense = min(counts) >= SAMPLE_CAP
    return dense and q.limit is not None and q.sort == "document", q


def _driver(q: FindingsQuery) -> tuple[Any, ColumnElement[bool]] | None:
    """For a page in reading order of live passages whose rarest label filter names one value:
    walk that value's ``passage_dims`` index in (document, seq) order and stop at the limit."""
    if q.include_retired or q.sort != "document":
        return None
    filters = _label_filters(q)
    if not filters or filters[0][1] is None or len(filters[0][1]) != 1:
        return None
    drive = passage_dims.alias("drive")
    return drive, and_(
        drive.c.passage_id == passages.c.passage_id, *_dims_where(drive, *filters[0])
    )


def _dims_along(
    drive: Any, dim: Any, kind: str, values: list[str] | None, min_score: float | None
) -> ColumnElement[bool]:
    """The driven passage carries this label too, probed by (document, seq) in the label's
    value index: as the driver walks in reading order the probes walk that index forwards,
    on pages just read, rather than jump around the primary key (random passage ids). It
    reads only the driver's index entry, so a passage failing it never touches ``passages``.
    """
    return (
        select(dim.c.passage_id)
        .where(
            dim.c.document_id == drive.c.document_id,
            dim.c.seq == drive.c.seq,
            # ... + "": not an index key, so the planner cannot prefer the primary key
            (dim.c.passage_id + "") == drive.c.passage_id,
            *_dims_where(dim, kind, values, min_score),
        )
        .correlate_except(dim)
        .exists()
    )


# --- Findings rows ---------------------------------------------------------------------------
#
# A findings row is a plain tuple (ROW_FIELDS): the passage and its document, then its labels
# after review packed as text, "kind SEP value" entries joined by ENTRY_SEP; the model's theme
# scores, "theme SEP score SEP model_version" entries joined by ENTRY_SEP; and whether anyone
# reviewed it. For live passages SQL aggregates them (one index probe each, from
# ``passage_dims`` and ``labels``); retired ones resolve their labels in Python. Entries come
# in no particular order: ``unpack_labels`` and ``unpack_scores`` sort them.

ROW_FIELDS = (
    "passage_id", "document_id", "title", "source", "kind", "page", "char_start", "char_end",
    "text", "doc_type", "date", "publisher", "labels", "scores", "reviewed",
)  # fmt: skip
SEP = "\x1f"  # control characters: no label value or model version holds one
ENTRY_SEP = "\x1e"
_BASE_COLUMNS = (
    passages.c.passage_id,
    passages.c.document_id,
    documents.c.title,
    documents.c.source,
    documents.c.kind,
    passages.c.page,
    passages.c.char_start,
    passages.c.char_end,
    passages.c.text,
    documents.c.doc_type,
    documents.c.date,
    documents.c.publisher,
)
_N_BASE = len(_BASE_COLUMNS)


def _packed_labels() -> ColumnElement[Any]:
    """The live passage's effective labels (``passage_dims``), packed."""
    pd = passage_dims.alias("agg_labels")
    return (
        select(func.aggregate_strings(pd.c.kind + SEP + pd.c.value, ENTRY_SEP))
        .where(pd.c.passage_id == passages.c.passage_id)
        .scalar_subquery()
    )


def _packed_scores(dialect: str) -> ColumnElement[Any]:
    """The model's theme scores of the passage (assigned or not), packed. A score travels as
    text that converts back to the same float: PostgreSQL prints the shortest exact form,
    SQLite is asked for 17 significant digits."""
    lab = labels.alias("agg_scores")
    sqlite = dialect == "sqlite"
    score = func.printf("%!.17g", lab.c.score) if sqlite else cast(lab.c.score, Text)
    entry = lab.c.value + SEP + score + SEP + func.coalesce(lab.c.model_version, "")
    return (
        select(func.aggregate_strings(entry, ENTRY_SEP))
        .where(
            lab.c.passage_id == passages.c.passage_id,
            lab.c.kind == "theme",
            lab.c.origin == "model",
            lab.c.score.is_not(None),
        )
        .scalar_subquery()
    )


def _aggregate_columns(dialect: str) -> list[ColumnElement[Any]]:
    """labels, scores, reviewed of the live passage in ``passages``."""
    return [
        _packed_labels().label("packed_labels"),
        _packed_scores(dialect).label("packed_scores"),
        is_reviewed(passages.c.content_hash).label("is_reviewed"),
    ]


def _findings_select(
    q: FindingsQuery, dialect: str, *, scan: bool = False, aggregate: bool = False
) -> Select:
    """The page of ``q`` in order: base columns, then the packed labels when ``aggregate``
    (only valid for live passages), else the content hash."""
    extra = _aggregate_columns(dialect) if aggregate else [passages.c.content_hash]
    driver = _driver(q)
    if driver is not None:
        drive, on = driver
        source = drive.join(passages, on).join(
            documents, documents.c.document_id == passages.c.document_id
        )
        along = [
            _dims_along(drive, passage_dims.alias(f"dim_{kind}"), kind, values, min_score)
            for kind, values, min_score in _label_filters(q)[1:]
        ]
        unlabelled = replace(q, themes=(), countries=(), sectors=(), min_score=None)
        stmt = (
            select(*_BASE_COLUMNS, *extra)
            .select_from(source)
            .where(*along, *_conditions(unlabelled, dialect))
            .order_by(drive.c.document_id, drive.c.seq)
        )
    else:
        stmt = (
            select(*_BASE_COLUMNS, *extra)
            .join(documents, documents.c.document_id == passages.c.document_id)
            .where(*_conditions(q, dialect, scan=scan))
            .order_by(*_order(q))
        )
    if q.offset:
        stmt = stmt.offset(q.offset)
    if q.limit is not None:
        stmt = stmt.limit(q.limit)
    return stmt


def query(engine: Engine, q: FindingsQuery | None = None) -> list[Finding]:
    """Passages matching ``q`` (reading order unless ``q.sort`` says otherwise), each with its
    labels after review."""
    return [f for batch in iter_findings(engine, q) for f in batch]


def count(engine: Engine, q: FindingsQuery | None = None) -> int:
    """How many passages match ``q`` (ignoring its limit and offset)."""
    q = replace(q or FindingsQuery(), limit=None, offset=0)
    with engine.connect() as conn:
        inner = (
            select(passages.c.passage_id)
            .join(documents, documents.c.document_id == passages.c.document_id)
            .where(*_conditions(q, conn.dialect.name))
            .subquery()
        )
        return conn.execute(select(func.count()).select_from(inner)).scalar_one()


def iter_findings(
    engine: Engine, q: FindingsQuery | None = None, batch_size: int = 2000
) -> Iterator[list[Finding]]:
    """The findings of ``q`` in batches, streamed: memory stays flat for 100k+ rows."""
    for rows in iter_rows(engine, q, batch_size):
        yield [finding(r) for r in rows]


def iter_rows(
    engine: Engine, q: FindingsQuery | None = None, batch_size: int = 2000
) -> Iterator[Sequence[Sequence[Any]]]:
    """The findings of ``q`` as plain tuples (ROW_FIELDS), in batches, streamed.

    Exports read these: no object per row. In reading order the labels come from the main
    query (its subqueries run for the rows returned only); a page the database sorts reads
    them per batch, so a sort never computes them for rows it then drops.
    """
    q = q or FindingsQuery()
    with engine.connect() as conn:
        dialect = conn.dialect.name
        if dialect == "postgresql":  # JIT compiles for ~1 s per big page and gains nothing on
            conn.exec_driver_sql("SET LOCAL jit = off")  # per-row index probes
        scan, q = _plan(conn, q)
        live = not q.include_retired
        # SQLite computes the columns of every row it sorts: collected full-text matches are
        # sorted, so their labels are read for the page only, like any sorted page
        collected = dialect == "sqlite" and bool(q.text and q.text.strip())
        collected = collected and not q.extra.get("fts_ordered_scan")
        inline = live and q.sort == "document" and not collected
        stmt = _findings_select(q, dialect, scan=scan, aggregate=inline)
        # streamed (a server-side cursor on PostgreSQL); for this statement only, not for the
        # per-batch label queries on the same connection
        result = conn.execute(stmt, execution_options={"yield_per": batch_size})
        for rows in result.partitions(batch_size):
            if inline:
                yield rows
            elif live:
                yield _with_aggregates(conn, rows)
            else:
                yield _with_resolved_labels(conn, rows)


def _with_aggregates(conn: Connection, rows: Sequence[Any]) -> list[tuple]:
    """Rows of a sorted page (base columns and content hash) with their packed labels."""
    ids = [r[0] for r in rows]
    packed: dict[str, tuple] = {}
    stmt = select(passages.c.passage_id, *_aggregate_columns(conn.dialect.name))
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        for r in conn.execute(stmt.where(passages.c.passage_id.in_(chunk))):
            packed[r[0]] = tuple(r[1:])
    unknown = (None, None, False)  # gone since the page was read (another snapshot)
    return [(*r[:_N_BASE], *packed.get(r[0], unknown)) for r in rows]


def _with_resolved_labels(conn: Connection, rows: Sequence[Any]) -> list[tuple]:
    """Rows that may be retired (base columns and content hash), their labels resolved in
    Python by the override rule (``passage_dims`` holds live passages only)."""
    reviewed = _reviewed_hashes(conn, [r[_N_BASE] for r in rows])
    labelled = _labels_of(
        conn, [r[0] for r in rows], reviewed={r[0] for r in rows if r[_N_BASE] in reviewed}
    )
    out = []
    for r in rows:
        lab = labelled.get(r[0], {})
        version = lab.get("model_version") or ""
        packed = ENTRY_SEP.join(
            f"{kind}{SEP}{value}" for kind in LABEL_DIMENSIONS for value in lab.get(kind, ())
        )
        scores = ENTRY_SEP.join(
            f"{theme}{SEP}{score!r}{SEP}{version}" for theme, score in lab.get("scores", {}).items()
        )
        out.append((*r[:_N_BASE], packed or None, scores or None, r[_N_BASE] in reviewed))
    return out


def unpack_labels(packed: str | None) -> dict[str, list[str]]:
    """Packed labels as {kind: sorted values} for theme, country and sector."""
    out: dict[str, list[str]] = {"theme": [], "country": [], "sector": []}
    if packed:
        for entry in packed.split(ENTRY_SEP):
            kind, _, value = entry.partition(SEP)
            out[kind].append(value)
        for values in out.values():
            if len(values) > 1:
                values.sort()
    return out


def unpack_scores(packed: str | None) -> tuple[dict[str, float], str | None]:
    """Packed scores as ({theme: score rounded to 4 places, by theme}, model version)."""
    if not packed:
        return {}, None
    entries = sorted(entry.split(SEP) for entry in packed.split(ENTRY_SEP))
    return {theme: round(float(score), 4) for theme, score, _ in entries}, entries[-1][2] or None


def finding(r: Sequence[Any]) -> Finding:
    """A ``Finding`` from a findings row (ROW_FIELDS)."""
    found = unpack_labels(r[12])
    scores, version = unpack_scores(r[13])
    return Finding(
        passage_id=r[0],
        document_id=r[1],
        title=r[2],
        source=r[3],
        link=source_link(r[3], r[4], r[5]),
        page=r[5],
        char_start=r[6],
        char_end=r[7],
        text=r[8],
        themes=found["theme"],
        countries=found["country"],
        sectors=found["sector"],
        scores=scores,
        model_version=version,
        doc_type=r[9],
        date=r[10],
        reviewed=bool(r[14]),
        publisher=r[11],
    )


def _labels_of(
    conn: Connection, passage_ids: list[str], *, reviewed: set[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Effective labels and the model's theme scores of these passages.

    One read of the machine rows gives the scores and, for passages nobody reviewed (all
    but a few), the labels; ``effective_label_rows`` resolves the reviewed ones. ``reviewed``
    (passage ids) may be given when known; otherwise every passage takes the general path.
    """
    out: dict[str, dict[str, Any]] = defaultdict(lambda: {"scores": {}})
    general = set(passage_ids) if reviewed is None else reviewed
    for i in range(0, len(passage_ids), _CHUNK):
        chunk = passage_ids[i : i + _CHUNK]
        for row in conn.execute(
            select(
                labels.c.passage_id,
                labels.c.kind,
                labels.c.value,
                labels.c.score,
                labels.c.assigned,
                labels.c.origin,
                labels.c.model_version,
            ).where(labels.c.passage_id.in_(chunk), labels.c.origin.in_(MACHINE))
        ):  # unpacked as tuples: this loop sees every label of an export
            pid, kind, value, score, assigned, origin, model_version = row
            entry = out[pid]
            if kind == "theme" and origin == "model" and score is not None:
                entry["scores"][value] = round(score, 4)
                entry["model_version"] = model_version
            if assigned and pid not in general:
                if kind in entry:
                    entry[kind].add(value)
                else:
                    entry[kind] = {value}
        resolve = [pid for pid in chunk if pid in general]
        if resolve:
            for row in conn.execute(effective_label_rows([passages.c.passage_id.in_(resolve)])):
                out[row.passage_id].setdefault(row.kind, set()).add(row.value)
    return out


def _reviewed_hashes(conn: Connection, hashes: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(hashes), _CHUNK):
        chunk = list(set(hashes[i : i + _CHUNK]))
        found.update(
            conn.execute(
                select(reviews.c.content_hash)
                .where(reviews.c.content_hash.in_(chunk), reviews.c.undone.is_(False))
                .distinct()
            ).scalars()
        )
    return found


# --- Cross-tabs ------------------------------------------------------------------------------


def _dimension(
    dim: str, name: str, joins: list[tuple[Any, ColumnElement[bool]]]
) -> ColumnElement[Any]:
    """The column a cross-tab groups by; label dimensions add a join to ``joins``."""
    if dim == "doc_type":
        return documents.c.doc_type
    if dim == "year":
        return documents.c.year
    if dim not in LABEL_DIMENSIONS:
        raise ValueError(f"unknown dimension {dim!r}; one of {', '.join(DIMENSIONS)}")
    lab = labels.alias(name)
    joins.append(
        (
            lab,
            and_(
                lab.c.passage_id == passages.c.passage_id,
                lab.c.kind == dim,
                lab.c.assigned.is_(True),
                lab.c.origin.in_(MACHINE),
            ),
        )
    )
    return lab.c.value


def _crosstab_select(rows: str, cols: str, q: FindingsQuery, dialect: str) -> Select:
    """Per (row, col, document) passage counts over passages nobody reviewed: their machine
    labels are the effective ones, read from the covering label index."""
    joins: list[tuple[Any, ColumnElement[bool]]] = []
    row_col = _dimension(rows, "row_dim", joins)
    col_col = _dimension(cols, "col_dim", joins)
    source = passages.join(documents, documents.c.document_id == passages.c.document_id)
    for target, on in joins:
        source = source.join(target, on)
    return (
        select(
            row_col.label("row"),
            col_col.label("col"),
            passages.c.document_id,
            func.count().label("n"),
        )
        .select_from(source)
        .where(
            *_conditions(replace(q, limit=None, offset=0), dialect),
            ~is_reviewed(passages.c.content_hash),
        )
        .group_by(row_col, col_col, passages.c.document_id)
    )


def crosstab(
    engine: Engine, rows: Dimension, cols: Dimension, q: FindingsQuery | None = None
) -> list[Cell]:
    """Passages and documents per (row, col) value pair, under the same filters as ``query``.

    Passages nobody reviewed are counted in SQL from their machine labels (per document);
    the few reviewed passages are read with their labels after review and paired here. The
    two sets do not overlap and are merged per document, so ``documents`` is exact.
    """
    q = q or FindingsQuery()
    for dim in (rows, cols):
        if dim not in DIMENSIONS:
            raise ValueError(f"unknown dimension {dim!r}; one of {', '.join(DIMENSIONS)}")
    if not q.include_retired:
        with engine.connect() as conn:
            found = _dims_crosstab(conn, rows, cols, q)
        cells = [Cell(row=r, col=c, passages=int(n), documents=int(d)) for r, c, n, d in found]
        return sorted(cells, key=lambda c: (-c.passages, str(c.row), str(c.col)))
    per_doc: dict[tuple[Any, Any], dict[str, int]] = defaultdict(dict)
    with engine.connect() as conn:
        stmt = _crosstab_select(rows, cols, q, conn.dialect.name)
        for row, col, document_id, n in conn.execute(stmt):
            per_doc[(row, col)][document_id] = n
        for row, col, document_id in _reviewed_pairs(conn, rows, cols, q):
            docs = per_doc[(row, col)]
            docs[document_id] = docs.get(document_id, 0) + 1
    cells = [
        Cell(row=row, col=col, passages=sum(docs.values()), documents=len(docs))
        for (row, col), docs in per_doc.items()
    ]
    return sorted(cells, key=lambda c: (-c.passages, str(c.row), str(c.col)))


def _unfiltered(q: FindingsQuery) -> bool:
    return not (
        q.themes or q.countries or q.sectors or q.documents or q.doc_types or q.publishers
        or (q.text and q.text.strip()) or q.date_from or q.date_to or q.min_score is not None
        or q.reviewed_only or q.include_retired
    )  # fmt: skip


def _document_column(dim: str) -> ColumnElement[Any]:
    return documents.c.doc_type if dim == "doc_type" else documents.c.year


def _dims_crosstab(conn: Connection, rows: str, cols: str, q: FindingsQuery) -> list[tuple]:
    """(row, col, passages, documents) over live passages from the materialised labels: the
    per-document pair counts when nothing is filtered, else one group-by over the passages
    that match ``q`` joined with their ``passage_dims`` rows."""
    label_rows, label_cols = rows in LABEL_DIMENSIONS, cols in LABEL_DIMENSIONS
    if _unfiltered(q) and rows != cols and (label_rows or label_cols):
        if label_rows and label_cols:
            swap = LABEL_DIMENSIONS.index(rows) > LABEL_DIMENSIONS.index(cols)
            first, second = (cols, rows) if swap else (rows, cols)
            stmt = (
                select(dim_counts.c.row_value, dim_counts.c.col_value,
                       func.sum(dim_counts.c.passages), func.count())
                .where(dim_counts.c.row_kind == first, dim_counts.c.col_kind == second)
                .group_by(dim_counts.c.row_value, dim_counts.c.col_value)
            )  # fmt: skip
            found = conn.execute(stmt).all()
            return [(b, a, n, d) if swap else (a, b, n, d) for a, b, n, d in found]
        label, other = (rows, cols) if label_rows else (cols, rows)
        attr = _document_column(other)
        stmt = (
            select(dim_counts.c.row_value, attr, func.sum(dim_counts.c.passages), func.count())
            .join(documents, documents.c.document_id == dim_counts.c.document_id)
            .where(dim_counts.c.row_kind == label, dim_counts.c.col_kind == "")
            .group_by(dim_counts.c.row_value, attr)
        )
        found = conn.execute(stmt).all()
        return [(a, b, n, d) if label_rows else (b, a, n, d) for a, b, n, d in found]
    source = passages.join(documents, documents.c.document_id == passages.c.document_id)
    keys = []
    for i, dim in enumerate((rows, cols)):
        if dim in LABEL_DIMENSIONS:
            d = passage_dims.alias(f"xt{i}")
            source = source.join(d, (d.c.passage_id == passages.c.passage_id) & (d.c.kind == dim))
            keys.append(d.c.value)
        else:
            keys.append(_document_column(dim))
    stmt = (
        select(keys[0], keys[1], func.count(), func.count(func.distinct(passages.c.document_id)))
        .select_from(source)
        .where(*_conditions(replace(q, limit=None, offset=0), conn.dialect.name))
        .group_by(keys[0], keys[1])
    )
    return [tuple(r) for r in conn.execute(stmt)]


def _reviewed_pairs(
    conn: Connection, rows: str, cols: str, q: FindingsQuery
) -> Iterator[tuple[Any, Any, str]]:
    """(row, col, document) for each reviewed passage matching ``q``: few, so their labels
    after review are read like a page of findings and paired here."""
    hashes = select(reviews.c.content_hash).where(reviews.c.undone.is_(False))
    stmt = (
        select(
            passages.c.passage_id, passages.c.document_id, documents.c.doc_type, documents.c.year
        )
        .join(documents, documents.c.document_id == passages.c.document_id)
        .where(
            *_conditions(replace(q, limit=None, offset=0), conn.dialect.name),
            passages.c.content_hash.in_(hashes),
        )
    )
    found = conn.execute(stmt).all()
    labelled = _labels_of(conn, [r.passage_id for r in found])
    for r in found:
        lab = labelled.get(r.passage_id, {})

        def values(dim: str, r: Any = r, lab: dict = lab) -> list[Any]:
            if dim in LABEL_DIMENSIONS:
                return sorted(lab.get(dim, ()))
            return [r.doc_type if dim == "doc_type" else r.year]

        for a in values(rows):
            for b in values(cols):
                yield a, b, r.document_id


def cell_query(q: FindingsQuery, rows: Dimension, cols: Dimension, cell: Cell) -> FindingsQuery:
    """The ``query`` that opens a cross-tab cell: its filters plus the cell's two values."""
    for dim, value in ((rows, cell.row), (cols, cell.col)):
        q = _narrow(q, dim, value)
    return q


def _narrow(q: FindingsQuery, dim: str, value: Any) -> FindingsQuery:
    if dim == "theme":
        return replace(q, themes=[value])
    if dim == "country":
        return replace(q, countries=[value])
    if dim == "sector":
        return replace(q, sectors=[value])
    if dim == "doc_type":
        return replace(q, doc_types=[value])
    if dim == "year":
        return replace(q, date_from=str(value), date_to=str(value))
    raise ValueError(f"unknown dimension {dim!r}")


# --- Documents and totals --------------------------------------------------------------------


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
    """Live passages per theme, country and sector (labels after review).

    Read from ``passage_dims``, which holds exactly the effective labels of live passages
    (kept in each writer's transaction), so a run report costs one small group-by.
    """
    out: dict[str, dict[str, int]] = {"theme": {}, "country": {}, "sector": {}}
    stmt = select(passage_dims.c.kind, passage_dims.c.value, func.count()).group_by(
        passage_dims.c.kind, passage_dims.c.value
    )
    with engine.connect() as conn:
        for kind, value, n in conn.execute(stmt):
            out.setdefault(kind, {})[value] = n
    return out


def _label_counts_from_labels(engine: Engine) -> dict[str, dict[str, int]]:
    """The same counts computed from the labels and reviews (the reference for tests)."""
    out: dict[str, dict[str, int]] = {"theme": {}, "country": {}, "sector": {}}
    live = [passages.c.retired_at.is_(None), documents.c.retired_at.is_(None)]
    split = is_reviewed(passages.c.content_hash)
    machine = (
        select(labels.c.kind, labels.c.value, func.count())
        .join(passages, passages.c.passage_id == labels.c.passage_id)
        .join(documents, documents.c.document_id == passages.c.document_id)
        .where(*live, ~split, labels.c.assigned.is_(True), labels.c.origin.in_(MACHINE))
        .group_by(labels.c.kind, labels.c.value)
    )
    eff = effective_label_rows([split]).subquery("eff")
    reviewed = (
        select(eff.c.kind, eff.c.value, func.count(func.distinct(eff.c.passage_id)))
        .join(passages, passages.c.passage_id == eff.c.passage_id)
        .join(documents, documents.c.document_id == passages.c.document_id)
        .where(*live)
        .group_by(eff.c.kind, eff.c.value)
    )
    with engine.connect() as conn:
        for stmt in (machine, reviewed):
            for kind, value, n in conn.execute(stmt):
                bucket = out.setdefault(kind, {})
                bucket[value] = bucket.get(value, 0) + n
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
            select(func.count()).select_from(passages).where(passages.c.retired_at.is_(None))
        ).scalar_one()
    return {
        "documents_ok": docs.get("ok", 0),
        "documents_failed": docs.get("failed", 0),
        "passages": n_passages,
    }

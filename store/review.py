"""Review decisions: record, undo, the uncertainty queue, reviewer agreement, gold export.

Decisions are keyed by the passage's *content hash* (one row per label decided), so they
survive re-extraction and relabelling; the newest decision that is not undone wins. One save
stamps all its rows with the same ``created_at``, which is what ``undo_last`` takes back.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Engine, case, func, insert, select, update

from store.assignments import assignments
from store.dims import refresh as refresh_dims
from store.schema import documents, labels, passages, reviews

DecisionValue = Literal["accept", "reject"]
MODEL = "model"  # the pseudo-reviewer in agreement tables


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Decision:
    """One label decided on one passage content."""

    kind: str  # theme | country | sector
    value: str
    decision: DecisionValue
    model_version: str | None = None  # of the suggestion the reviewer saw
    score: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class ThemeSuggestion:
    value: str
    score: float | None
    assigned: bool
    model_version: str | None
    terms: list[str]


@dataclass(frozen=True)
class TagSuggestion:
    kind: str  # country | sector
    value: str
    assigned: bool
    origin: str  # rule | review
    model_version: str | None
    spans: list[tuple[int, int, str]]


@dataclass(frozen=True)
class Neighbour:
    passage_id: str
    page: int
    text: str


@dataclass
class PassageContext:
    """Everything the review screen shows about one passage."""

    passage_id: str
    content_hash: str
    document_id: str
    title: str | None
    source: str
    kind: str | None
    page: int
    char_start: int
    char_end: int
    heading: str | None
    text: str
    themes: dict[str, ThemeSuggestion]
    tags: list[TagSuggestion]
    before: list[Neighbour]
    after: list[Neighbour]
    decided: dict[tuple[str, str], str]  # effective decisions on this content
    n_same: int  # live passages with the same content (all decided together)
    link: str = ""

    @property
    def model_versions(self) -> list[str]:
        return sorted({t.model_version for t in self.themes.values() if t.model_version})

    def chosen(self, kind: str) -> set[str]:
        """Labels the screen pre-selects: the reviewers' decision if any, else the machine's."""
        out: set[str] = set()
        if kind == "theme":
            for value, sug in self.themes.items():
                if self.decided.get(("theme", value), "accept" if sug.assigned else "reject") == (
                    "accept"
                ):
                    out.add(value)
        else:
            for tag in self.tags:
                if tag.kind == kind and tag.assigned:
                    out.add(tag.value)
        for (k, v), d in self.decided.items():
            if k == kind:
                (out.add if d == "accept" else out.discard)(v)
        return out


@dataclass(frozen=True)
class HistoryItem:
    passage_id: str
    created_at: datetime
    accepted: list[str]
    n_rows: int


# --------------------------------------------------------------------------- decisions


def _now() -> datetime:
    return datetime.now(UTC)


def record_decisions(
    engine: Engine,
    passage_id: str,
    decisions: Sequence[Decision],
    reviewer: str,
    *,
    also_hashes: Iterable[str] = (),
) -> int:
    """Store one row per label decided, for this passage's content and any ``also_hashes``
    (near-duplicates decided together). All rows share one timestamp. Returns rows written."""
    reviewer = reviewer.strip()
    if not reviewer:
        raise ValueError("a decision needs a reviewer name")
    stamp = _now()
    with engine.begin() as conn:
        ch = conn.execute(
            select(passages.c.content_hash).where(passages.c.passage_id == passage_id)
        ).scalar_one_or_none()
        if ch is None:
            raise KeyError(passage_id)
        hashes = list(dict.fromkeys([ch, *also_hashes]))
        rows = [
            {
                "content_hash": h,
                "passage_id": passage_id,
                "kind": d.kind,
                "value": d.value,
                "decision": d.decision,
                "reviewer": reviewer,
                "created_at": stamp,
                "note": d.note,
                "model_version": d.model_version,
                "score": d.score,
                "undone": False,
            }
            for h in hashes
            for d in decisions
        ]
        if rows:
            conn.execute(insert(reviews), rows)
            refresh_dims(conn, content_hashes=hashes)
    _DECIDED.bump(engine)
    return len(rows)


def decisions_from_choice(
    ctx: PassageContext,
    *,
    themes: Iterable[str],
    countries: Iterable[str],
    sectors: Iterable[str],
    all_themes: Sequence[str] = (),
) -> list[Decision]:
    """What the reviewer ended with on screen -> one accept/reject per label in view.

    Every theme is decided (checked = accept); every country/sector the machine or an earlier
    review proposed is accepted or rejected, and added codes are accepted.
    """
    out: list[Decision] = []
    chosen_themes = set(themes)
    for value in dict.fromkeys([*all_themes, *ctx.themes]):
        sug = ctx.themes.get(value)
        out.append(
            Decision(
                "theme",
                value,
                "accept" if value in chosen_themes else "reject",
                model_version=sug.model_version if sug else None,
                score=sug.score if sug else None,
            )
        )
    for kind, chosen in (("country", countries), ("sector", sectors)):
        chosen_set = {c.strip().upper() for c in chosen if c and c.strip()}
        proposed: dict[str, str | None] = {}
        for tag in ctx.tags:
            if tag.kind == kind:
                proposed.setdefault(tag.value, tag.model_version)
        for (k, v), _d in ctx.decided.items():
            if k == kind:
                proposed.setdefault(v, None)
        for value in sorted(set(proposed) | chosen_set):
            out.append(
                Decision(
                    kind,
                    value,
                    "accept" if value in chosen_set else "reject",
                    model_version=proposed.get(value),
                )
            )
    return out


def undo_last(engine: Engine, reviewer: str) -> str | None:
    """Mark the reviewer's latest save undone; returns its passage id (None: nothing to undo)."""
    with engine.begin() as conn:
        last = conn.execute(
            select(reviews.c.created_at, reviews.c.passage_id)
            .where(reviews.c.reviewer == reviewer, reviews.c.undone.is_(False))
            .order_by(reviews.c.created_at.desc(), reviews.c.review_id.desc())
            .limit(1)
        ).first()
        if last is None:
            return None
        undone = conn.execute(
            select(reviews.c.content_hash).where(
                reviews.c.reviewer == reviewer,
                reviews.c.created_at == last.created_at,
                reviews.c.undone.is_(False),
            )
        ).scalars()
        hashes = list(undone)
        conn.execute(
            update(reviews)
            .where(
                reviews.c.reviewer == reviewer,
                reviews.c.created_at == last.created_at,
                reviews.c.undone.is_(False),
            )
            .values(undone=True)
        )
        refresh_dims(conn, content_hashes=hashes)
    _DECIDED.invalidate(engine)
    return last.passage_id


def history(engine: Engine, reviewer: str, limit: int = 10) -> list[HistoryItem]:
    """The reviewer's latest saves (newest first), for the editable history sidebar."""
    with engine.connect() as conn:
        stamps = (
            conn.execute(
                select(reviews.c.created_at)
                .where(reviews.c.reviewer == reviewer, reviews.c.undone.is_(False))
                .group_by(reviews.c.created_at)
                .order_by(reviews.c.created_at.desc())
                .limit(limit)
            )
            .scalars()
            .all()
        )
        if not stamps:
            return []
        rows = conn.execute(
            select(
                reviews.c.created_at,
                reviews.c.passage_id,
                reviews.c.kind,
                reviews.c.value,
                reviews.c.decision,
                reviews.c.content_hash,
            ).where(
                reviews.c.reviewer == reviewer,
                reviews.c.undone.is_(False),
                reviews.c.created_at.in_(stamps),
            )
        ).all()
    grouped: dict[datetime, list[Any]] = {}
    for r in rows:
        grouped.setdefault(r.created_at, []).append(r)
    out = []
    for stamp in stamps:
        rs = grouped.get(stamp, [])
        if not rs:
            continue
        first_hash = rs[0].content_hash
        mine = [r for r in rs if r.content_hash == first_hash]
        accepted = sorted(r.value for r in mine if r.decision == "accept" and r.kind == "theme")
        out.append(HistoryItem(rs[0].passage_id, stamp, accepted, len(rs)))
    return out


def effective_decisions(engine: Engine) -> dict[str, dict[tuple[str, str], str]]:
    """content_hash -> {(kind, value): decision} from the newest decision that is not undone."""
    stmt = (
        select(reviews.c.content_hash, reviews.c.kind, reviews.c.value, reviews.c.decision)
        .where(reviews.c.undone.is_(False))
        .order_by(reviews.c.created_at, reviews.c.review_id)
    )
    out: dict[str, dict[tuple[str, str], str]] = {}
    with engine.connect() as conn:
        for row in conn.execute(stmt):
            out.setdefault(row.content_hash, {})[(row.kind, row.value)] = row.decision
    return out


def decisions_for(engine: Engine, content_hash: str) -> dict[tuple[str, str], str]:
    """Effective decisions on one content."""
    stmt = (
        select(reviews.c.kind, reviews.c.value, reviews.c.decision)
        .where(reviews.c.content_hash == content_hash, reviews.c.undone.is_(False))
        .order_by(reviews.c.created_at, reviews.c.review_id)
    )
    with engine.connect() as conn:
        return {(r.kind, r.value): r.decision for r in conn.execute(stmt)}


# --------------------------------------------------------------------------- one passage


def source_link(source: str, kind: str | None, page: int) -> str:
    """``file.pdf#page=N`` for PDFs, else the source itself."""
    return f"{source}#page={page}" if kind == "pdf" else source


def passage_context(engine: Engine, passage_id: str, neighbours: int = 1) -> PassageContext | None:
    """The passage, its document, its suggestions, its neighbours and its decisions."""
    with engine.connect() as conn:
        row = conn.execute(
            select(
                passages.c.passage_id,
                passages.c.content_hash,
                passages.c.document_id,
                passages.c.seq,
                passages.c.page,
                passages.c.char_start,
                passages.c.char_end,
                passages.c.heading,
                passages.c.text,
                documents.c.title,
                documents.c.source,
                documents.c.kind,
            )
            .join(documents, documents.c.document_id == passages.c.document_id)
            .where(passages.c.passage_id == passage_id)
        ).first()
        if row is None:
            return None
        themes: dict[str, ThemeSuggestion] = {}
        tags: list[TagSuggestion] = []
        for lab in conn.execute(
            select(
                labels.c.kind,
                labels.c.value,
                labels.c.score,
                labels.c.assigned,
                labels.c.origin,
                labels.c.model_version,
                labels.c.evidence,
            ).where(labels.c.passage_id == passage_id, labels.c.origin.in_(("model", "rule")))
        ):
            if lab.kind == "theme":
                terms = [str(t) for t in (lab.evidence or []) if isinstance(t, str)]
                themes[lab.value] = ThemeSuggestion(
                    lab.value, lab.score, bool(lab.assigned), lab.model_version, terms
                )
            else:
                spans = [
                    (int(s[0]), int(s[1]), str(s[2]) if len(s) > 2 else "")
                    for s in (lab.evidence or [])
                    if isinstance(s, list | tuple) and len(s) >= 2
                ]
                tags.append(
                    TagSuggestion(
                        lab.kind,
                        lab.value,
                        bool(lab.assigned),
                        lab.origin,
                        lab.model_version,
                        spans,
                    )
                )
        near = conn.execute(
            select(passages.c.passage_id, passages.c.seq, passages.c.page, passages.c.text)
            .where(
                passages.c.document_id == row.document_id,
                passages.c.retired_at.is_(None),
                passages.c.seq.between(row.seq - neighbours, row.seq + neighbours),
                passages.c.passage_id != row.passage_id,
            )
            .order_by(passages.c.seq)
        ).all()
        n_same = conn.execute(
            select(func.count())
            .select_from(passages)
            .where(passages.c.content_hash == row.content_hash, passages.c.retired_at.is_(None))
        ).scalar_one()
    tags.sort(key=lambda t: (t.kind, t.value))
    return PassageContext(
        passage_id=row.passage_id,
        content_hash=row.content_hash,
        document_id=row.document_id,
        title=row.title,
        source=row.source,
        kind=row.kind,
        page=row.page,
        char_start=row.char_start,
        char_end=row.char_end,
        heading=row.heading,
        text=row.text,
        themes=themes,
        tags=tags,
        before=[Neighbour(n.passage_id, n.page, n.text) for n in near if n.seq < row.seq],
        after=[Neighbour(n.passage_id, n.page, n.text) for n in near if n.seq > row.seq],
        decided=decisions_for(engine, row.content_hash),
        n_same=int(n_same),
        link=source_link(row.source, row.kind, row.page),
    )


def theme_scores(engine: Engine, passage_ids: Sequence[str]) -> dict[str, dict[str, float]]:
    """passage_id -> {theme: score} of the model's suggestions."""
    out: dict[str, dict[str, float]] = {}
    with engine.connect() as conn:
        for i in range(0, len(passage_ids), 500):
            for r in conn.execute(
                select(labels.c.passage_id, labels.c.value, labels.c.score).where(
                    labels.c.passage_id.in_(list(passage_ids[i : i + 500])),
                    labels.c.kind == "theme",
                    labels.c.origin == "model",
                )
            ):
                if r.score is not None:
                    out.setdefault(r.passage_id, {})[r.value] = float(r.score)
    return out


def passage_snippets(engine: Engine, passage_ids: Sequence[str]) -> dict[str, tuple[str, str, int]]:
    """passage_id -> (text, document title or id, page), for queue listings."""
    out: dict[str, tuple[str, str, int]] = {}
    with engine.connect() as conn:
        for i in range(0, len(passage_ids), 500):
            for r in conn.execute(
                select(
                    passages.c.passage_id,
                    passages.c.text,
                    passages.c.page,
                    passages.c.document_id,
                    documents.c.title,
                )
                .join(documents, documents.c.document_id == passages.c.document_id)
                .where(passages.c.passage_id.in_(list(passage_ids[i : i + 500])))
            ):
                out[r.passage_id] = (r.text, r.title or r.document_id, r.page)
    return out


def infer_thresholds(engine: Engine) -> dict[str, float]:
    """Per theme, the midpoint between the highest unassigned and lowest assigned score:
    the model's threshold as the stored labels reveal it (used when no model card is at hand)."""
    stmt = (
        select(
            labels.c.value,
            func.max(case((labels.c.assigned.is_(False), labels.c.score))),
            func.min(case((labels.c.assigned.is_(True), labels.c.score))),
        )
        .where(labels.c.kind == "theme", labels.c.origin == "model", labels.c.score.isnot(None))
        .group_by(labels.c.value)
    )
    out: dict[str, float] = {}
    with engine.connect() as conn:
        for value, hi_off, lo_on in conn.execute(stmt):
            if hi_off is not None and lo_on is not None:
                out[value] = round((float(hi_off) + float(lo_on)) / 2, 4)
            elif lo_on is not None:
                out[value] = float(lo_on)
            elif hi_off is not None:
                out[value] = min(1.0, float(hi_off) + 1e-4)
    return out


# --------------------------------------------------------------------------- queue


@dataclass(frozen=True)
class QueueFilter:
    theme: str | None = None
    document: str | None = None
    country: str | None = None
    sector: str | None = None

    def as_params(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class QueueItem:
    passage_id: str
    content_hash: str
    margin: float | None  # |score - threshold| of the theme nearest its threshold


@dataclass
class ReviewQueue:
    """Live passages, one per content, most uncertain first (smallest margin to a threshold)."""

    items: list[QueueItem]
    built_at: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.hashes = {it.content_hash for it in self.items}

    def next_for(
        self,
        decided: Mapping[str, set[str]],
        assigned: Mapping[str, set[str]],
        reviewer: str,
        skip: Iterable[str] = (),
    ) -> QueueItem | None:
        """The reviewer's assigned contents first (until they decided them), then contents
        nobody decided and nobody else was given, in uncertainty order."""
        skip_set = set(skip)
        mine = {h for h, rs in assigned.items() if reviewer in rs and h in self.hashes}
        if mine - {h for h in mine if reviewer in decided.get(h, ())} - skip_set:
            for it in self.items:
                h = it.content_hash
                if h in mine and reviewer not in decided.get(h, ()) and h not in skip_set:
                    return it
        for it in self.items:
            h = it.content_hash
            if h in decided or h in skip_set:
                continue
            if h in assigned and reviewer not in assigned[h]:
                continue
            return it
        return None

    def upcoming(self, decided: Mapping[str, set[str]], limit: int = 100) -> list[QueueItem]:
        out = []
        for it in self.items:
            if it.content_hash not in decided:
                out.append(it)
                if len(out) >= limit:
                    break
        return out

    def progress(self, decided: Mapping[str, set[str]]) -> tuple[int, int]:
        """(contents decided, contents in the queue)."""
        small, big = (
            (decided, self.hashes) if len(decided) < len(self.hashes) else (self.hashes, decided)
        )
        return sum(1 for h in small if h in big), len(self.hashes)


def build_queue(
    engine: Engine, thresholds: Mapping[str, float], filt: QueueFilter | None = None
) -> ReviewQueue:
    """Order live passages by the smallest distance of a theme score to its threshold."""
    filt = filt or QueueFilter()
    thr = case(dict(thresholds), value=labels.c.value, else_=0.5) if thresholds else 0.5
    margin = func.abs(labels.c.score - thr)
    where = [passages.c.retired_at.is_(None), documents.c.retired_at.is_(None)]
    if filt.document:
        where.append(passages.c.document_id == filt.document)
    for kind, value in (("country", filt.country), ("sector", filt.sector)):
        if value:
            tag = labels.alias(f"f_{kind}")
            where.append(
                select(tag.c.label_id)
                .where(
                    tag.c.passage_id == passages.c.passage_id,
                    tag.c.kind == kind,
                    tag.c.value == value.upper(),
                    tag.c.assigned.is_(True),
                )
                .exists()
            )
    theme_where = [
        labels.c.kind == "theme",
        labels.c.origin == "model",
        labels.c.score.isnot(None),
    ]
    if filt.theme:
        theme_where.append(labels.c.value == filt.theme)
    margins = (
        select(labels.c.passage_id, func.min(margin).label("m"))
        .where(*theme_where)
        .group_by(labels.c.passage_id)
        .subquery("margins")
    )
    stmt = (
        select(passages.c.passage_id, passages.c.content_hash, margins.c.m)
        .join(documents, documents.c.document_id == passages.c.document_id)
        .outerjoin(margins, margins.c.passage_id == passages.c.passage_id)
        .where(*where)
        .order_by(func.coalesce(margins.c.m, 2.0), passages.c.passage_id)
    )
    items: list[QueueItem] = []
    seen: set[str] = set()
    with engine.connect() as conn:
        for pid, ch, mg in conn.execute(stmt):
            if ch in seen:
                continue
            seen.add(ch)
            items.append(QueueItem(pid, ch, None if mg is None else float(mg)))
    return ReviewQueue(items)


class _Cache:
    """Per-engine caches that refresh when the store's labels change (checked every few s)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.queues: dict[tuple[int, QueueFilter, tuple], tuple[Any, ReviewQueue]] = {}
        self.near: dict[int, tuple[Any, dict[str, list[str]], dict[str, str]]] = {}
        self.sig: dict[int, tuple[float, Any]] = {}

    def signature(self, engine: Engine, ttl: float = 2.0) -> Any:
        now = time.monotonic()
        cached = self.sig.get(id(engine))
        if cached and now - cached[0] < ttl:
            return cached[1]
        with engine.connect() as conn:
            sig = (
                conn.execute(select(func.max(labels.c.label_id))).scalar(),
                conn.execute(
                    select(func.count())
                    .select_from(passages)
                    .where(passages.c.retired_at.is_(None))
                ).scalar(),
            )
        self.sig[id(engine)] = (now, sig)
        return sig


_CACHE = _Cache()


def queue_for(
    engine: Engine, thresholds: Mapping[str, float], filt: QueueFilter | None = None
) -> ReviewQueue:
    """The cached queue for these filters (rebuilt when labels or passages changed)."""
    filt = filt or QueueFilter()
    key = (id(engine), filt, tuple(sorted(thresholds.items())))
    sig = _CACHE.signature(engine)
    with _CACHE.lock:
        hit = _CACHE.queues.get(key)
        if hit and hit[0] == sig:
            return hit[1]
    queue = build_queue(engine, thresholds, filt)
    with _CACHE.lock:
        _CACHE.queues[key] = (sig, queue)
    return queue


class _Decided:
    """content_hash -> reviewers with a live decision; read incrementally by review id."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.state: dict[int, tuple[int, dict[str, set[str]], float]] = {}

    def get(self, engine: Engine, full_every: float = 30.0) -> dict[str, set[str]]:
        now = time.monotonic()
        with self.lock:
            last, decided, loaded = self.state.get(id(engine), (0, {}, 0.0))
            if now - loaded > full_every:  # undos by other processes show up at least this often
                last, decided, loaded = 0, {}, now
            stmt = select(reviews.c.review_id, reviews.c.content_hash, reviews.c.reviewer).where(
                reviews.c.review_id > last, reviews.c.undone.is_(False)
            )
            with engine.connect() as conn:
                for rid, ch, who in conn.execute(stmt):
                    decided.setdefault(ch, set()).add(who)
                    last = max(last, rid)
                if last == 0:
                    last = conn.execute(select(func.max(reviews.c.review_id))).scalar() or 0
            self.state[id(engine)] = (last, decided, loaded)
            return {h: set(rs) for h, rs in decided.items()} if len(decided) < 1000 else decided

    def bump(self, engine: Engine) -> None:
        """New rows: the next ``get`` reads them incrementally."""

    def invalidate(self, engine: Engine) -> None:
        with self.lock:
            self.state.pop(id(engine), None)


_DECIDED = _Decided()


def decided_contents(engine: Engine) -> dict[str, set[str]]:
    """content_hash -> reviewers who have a live (not undone) decision on it."""
    return _DECIDED.get(engine)


def next_in_queue(
    engine: Engine,
    reviewer: str,
    thresholds: Mapping[str, float],
    filt: QueueFilter | None = None,
    skip: Iterable[str] = (),
) -> QueueItem | None:
    """The next passage this reviewer should decide."""
    queue = queue_for(engine, thresholds, filt)
    return queue.next_for(decided_contents(engine), assignments(engine), reviewer, skip)


def assign_share(
    engine: Engine,
    reviewers: Sequence[str],
    n: int,
    thresholds: Mapping[str, float],
    filt: QueueFilter | None = None,
) -> int:
    """Give the next ``n`` undecided, unassigned contents of the queue to every reviewer named
    (two reviewers = an overlap sample for agreement). Returns contents assigned."""
    from store.assignments import assign

    queue = queue_for(engine, thresholds, filt)
    decided = decided_contents(engine)
    taken = assignments(engine)
    picked = [
        it.content_hash
        for it in queue.items
        if it.content_hash not in decided and it.content_hash not in taken
    ][:n]
    assign(engine, picked, reviewers)
    return len(picked)


# --------------------------------------------------------------------------- near-duplicates

_NON_LETTERS = re.compile(r"[^a-z]+")


def near_key(text: str) -> str:
    """Letters only, case-folded: equal for passages that differ in numbering, punctuation,
    hyphenation, white space or digits."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    return hashlib.sha1(_NON_LETTERS.sub("", folded).encode()).hexdigest()[:20]


def near_duplicates(engine: Engine, content_hash: str) -> list[str]:
    """Other live contents whose text is a near-duplicate of this one (decided together)."""
    sig = _CACHE.signature(engine)
    with _CACHE.lock:
        hit = _CACHE.near.get(id(engine))
    if not hit or hit[0] != sig:
        groups: dict[str, list[str]] = {}
        key_of: dict[str, str] = {}
        with engine.connect() as conn:
            result = conn.execution_options(yield_per=5000).execute(
                select(passages.c.content_hash, passages.c.text).where(
                    passages.c.retired_at.is_(None)
                )
            )
            for ch, text in result:
                if ch in key_of:
                    continue
                k = near_key(text)
                key_of[ch] = k
                groups.setdefault(k, []).append(ch)
        groups = {k: v for k, v in groups.items() if len(v) > 1}
        hit = (sig, groups, {ch: k for ch, k in key_of.items() if k in groups})
        with _CACHE.lock:
            _CACHE.near[id(engine)] = hit
    _, groups, key_of = hit
    k = key_of.get(content_hash)
    return [h for h in groups.get(k, []) if h != content_hash] if k else []


# --------------------------------------------------------------------------- agreement


@dataclass(frozen=True)
class AgreementRow:
    theme: str
    a: str
    b: str  # a reviewer, or "model"
    n: int  # contents both decided
    percent: float | None
    kappa: float | None


def cohen_kappa(pairs: Sequence[tuple[bool, bool]]) -> tuple[float | None, float | None]:
    """(percent agreement, Cohen's kappa) of two binary raters; kappa None when undefined."""
    n = len(pairs)
    if n == 0:
        return None, None
    po = sum(1 for a, b in pairs if a == b) / n
    pa = sum(1 for a, _ in pairs if a) / n
    pb = sum(1 for _, b in pairs if b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    kappa = None if pe >= 1.0 else (po - pe) / (1 - pe)
    return po, kappa


def per_reviewer_decisions(
    engine: Engine, kind: str = "theme"
) -> dict[str, dict[str, dict[str, bool]]]:
    """reviewer -> content_hash -> {value: accepted} (each reviewer's own latest decisions)."""
    stmt = (
        select(reviews.c.reviewer, reviews.c.content_hash, reviews.c.value, reviews.c.decision)
        .where(reviews.c.undone.is_(False), reviews.c.kind == kind)
        .order_by(reviews.c.created_at, reviews.c.review_id)
    )
    out: dict[str, dict[str, dict[str, bool]]] = {}
    with engine.connect() as conn:
        for who, ch, value, decision in conn.execute(stmt):
            out.setdefault(who, {}).setdefault(ch, {})[value] = decision == "accept"
    return out


def _model_assigned(engine: Engine, hashes: Iterable[str]) -> dict[str, dict[str, bool]]:
    out: dict[str, dict[str, bool]] = {}
    hs = list(hashes)
    with engine.connect() as conn:
        for i in range(0, len(hs), 500):
            for ch, value, assigned in conn.execute(
                select(passages.c.content_hash, labels.c.value, labels.c.assigned)
                .join(labels, labels.c.passage_id == passages.c.passage_id)
                .where(
                    passages.c.content_hash.in_(hs[i : i + 500]),
                    labels.c.kind == "theme",
                    labels.c.origin == "model",
                )
            ):
                out.setdefault(ch, {}).setdefault(value, bool(assigned))
    return out


def agreement(engine: Engine, themes: Sequence[str] = ()) -> list[AgreementRow]:
    """Per theme: Cohen's kappa and percent agreement for each pair of reviewers (on the
    contents both decided) and for each reviewer against the model's suggestion."""
    by_reviewer = per_reviewer_decisions(engine)
    all_hashes = {h for d in by_reviewer.values() for h in d}
    model = _model_assigned(engine, all_hashes)
    theme_list = list(themes) or sorted(
        {v for d in by_reviewer.values() for vals in d.values() for v in vals}
    )
    names = sorted(by_reviewer)
    rows: list[AgreementRow] = []
    for theme in theme_list:
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                pairs = [
                    (da[theme], by_reviewer[b][h][theme])
                    for h, da in by_reviewer[a].items()
                    if theme in da and theme in by_reviewer[b].get(h, {})
                ]
                if pairs:
                    po, k = cohen_kappa(pairs)
                    rows.append(AgreementRow(theme, a, b, len(pairs), po, k))
        for a in names:
            pairs = [
                (da[theme], model[h][theme])
                for h, da in by_reviewer[a].items()
                if theme in da and theme in model.get(h, {})
            ]
            if pairs:
                po, k = cohen_kappa(pairs)
                rows.append(AgreementRow(theme, a, MODEL, len(pairs), po, k))
    return rows


# --------------------------------------------------------------------------- gold


def reviewed_gold(engine: Engine) -> list[dict[str, Any]]:
    """Reviewed passages as gold records (same fields as the annotation files).

    A passage counts once a reviewer decided on its themes; countries and sectors are the
    machine's unless a reviewer changed them.
    """
    decisions = effective_decisions(engine)
    if not decisions:
        return []
    hashes = [h for h, d in decisions.items() if any(kind == "theme" for kind, _ in d)]
    records: list[dict[str, Any]] = []
    with engine.connect() as conn:
        for i in range(0, len(hashes), 500):
            chunk = hashes[i : i + 500]
            rows = conn.execute(
                select(
                    passages.c.passage_id,
                    passages.c.document_id,
                    passages.c.content_hash,
                    passages.c.text,
                ).where(passages.c.content_hash.in_(chunk))
            ).all()
            seen: set[str] = set()
            for row in rows:
                if row.content_hash in seen:
                    continue
                seen.add(row.content_hash)
                machine = conn.execute(
                    select(labels.c.kind, labels.c.value).where(
                        labels.c.passage_id == row.passage_id,
                        labels.c.assigned.is_(True),
                        labels.c.kind.in_(("country", "sector")),
                    )
                ).all()
                decided = decisions[row.content_hash]
                record: dict[str, Any] = {
                    "id": f"review-{row.content_hash[:12]}",
                    "doc_id": row.document_id,
                    "text": row.text,
                }
                for kind, key in (
                    ("theme", "themes"),
                    ("country", "countries"),
                    ("sector", "sectors"),
                ):
                    values = {v for k, v in machine if k == kind}
                    for (k, v), decision in decided.items():
                        if k == kind:
                            (values.add if decision == "accept" else values.discard)(v)
                    record[key] = sorted(values)
                records.append(record)
    return records

"""Page data: one dict per screen, rendered as HTML by the routes or returned as JSON by /api.

No SQL here: everything comes from ``store.review``, ``store.browse`` and ``store.assignments``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from typing import Any

from app.web.deps import WebState
from app.web.render import highlight, spans_of
from store import browse
from store import review as rv
from store.query import FindingsQuery

COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
SECTOR_RE = re.compile(r"^[A-U]$")


class BadInput(ValueError):
    """A form value the store must not receive; ``reason`` is shown to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def jsonable(value: Any) -> Any:
    """Dataclasses, tuples-keyed dicts and sets made JSON-friendly."""
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if isinstance(value, dict):
        return {
            ("/".join(k) if isinstance(k, tuple) else str(k)): jsonable(v)
            for k, v in value.items()
            if not str(k).startswith("_")
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "__html__"):
        return str(value)
    return value


def queue_filter(params: dict[str, str]) -> rv.QueueFilter:
    return rv.QueueFilter(
        theme=params.get("theme") or None,
        document=params.get("document") or None,
        country=(params.get("country") or "").upper() or None,
        sector=(params.get("sector") or "").upper() or None,
    )


# --------------------------------------------------------------------------- review


def review_page(
    state: WebState, reviewer: str, filt: rv.QueueFilter, passage_id: str | None = None
) -> dict[str, Any]:
    """The passage to decide (the next in the queue unless one is asked for), with everything
    the reviewer needs in view."""
    thresholds = state.thresholds()
    queue = rv.queue_for(state.engine, thresholds, filt)
    decided = rv.decided_contents(state.engine)
    done, total = queue.progress(decided)
    if passage_id is None:
        item = rv.next_in_queue(state.engine, reviewer, thresholds, filt)
        passage_id = item.passage_id if item else None
    ctx = rv.passage_context(state.engine, passage_id) if passage_id else None
    page: dict[str, Any] = {
        "filters": filt.as_params(),
        "progress": {
            "done": done,
            "total": total,
            "percent": round(100 * done / total, 1) if total else 100.0,
        },
        "history": rv.history(state.engine, reviewer),
        "passage": None,
    }
    if ctx is None:
        return page
    chosen = ctx.chosen("theme")
    themes = []
    known = {t.id: t for t in state.themes}
    for i, theme_id in enumerate(dict.fromkeys([*state.theme_ids, *ctx.themes]), start=1):
        sug = ctx.themes.get(theme_id)
        info = known.get(theme_id)
        themes.append(
            {
                "key": i,
                "id": theme_id,
                "label": info.label if info else theme_id,
                "definition": info.definition if info else "",
                "includes": list(info.includes) if info else [],
                "excludes": list(info.excludes) if info else [],
                "score": sug.score if sug else None,
                "threshold": thresholds.get(theme_id),
                "suggested": bool(sug and sug.assigned),
                "checked": theme_id in chosen,
                "terms": sug.terms if sug else [],
                "model_version": sug.model_version if sug else None,
                "decided": ctx.decided.get(("theme", theme_id)),
            }
        )
    tags = []
    for kind in ("country", "sector"):
        chosen_k = ctx.chosen(kind)
        values: dict[str, dict[str, Any]] = {}
        for tag in ctx.tags:
            if tag.kind == kind:
                values[tag.value] = {
                    "value": tag.value,
                    "suggested": tag.assigned,
                    "origin": tag.model_version or tag.origin,
                    "n_spans": len(tag.spans),
                }
        for (k, v), _d in ctx.decided.items():
            if k == kind and v not in values:
                values[v] = {"value": v, "suggested": False, "origin": "review", "n_spans": 0}
        for v in values.values():
            v["checked"] = v["value"] in chosen_k
        tags.append({"kind": kind, "values": sorted(values.values(), key=lambda x: x["value"])})
    near = rv.near_duplicates(state.engine, ctx.content_hash)
    page["passage"] = {
        "passage_id": ctx.passage_id,
        "content_hash": ctx.content_hash,
        "document_id": ctx.document_id,
        "title": ctx.title or ctx.document_id,
        "source": ctx.source,
        "link": ctx.link,
        "page": ctx.page,
        "heading": ctx.heading,
        "text": ctx.text,
        "html": highlight(ctx.text, spans_of(ctx.tags)),
        "before": ctx.before,
        "after": ctx.after,
        "themes": themes,
        "tags": tags,
        "model_versions": ctx.model_versions,
        "reviewed": bool(ctx.decided),
        "n_same": ctx.n_same,
        "near": near,
    }
    return page


def _codes(values: Sequence[str], pattern: re.Pattern[str], what: str) -> list[str]:
    out = []
    for raw in values:
        for code in re.split(r"[\s,;]+", raw or ""):
            code = code.strip().upper()
            if not code:
                continue
            if not pattern.match(code):
                raise BadInput(f"{code!r} is not a valid {what}")
            out.append(code)
    return out


def decide(
    state: WebState,
    reviewer: str,
    passage_id: str,
    *,
    themes: Sequence[str],
    countries: Sequence[str],
    sectors: Sequence[str],
    together: Sequence[str] = (),
) -> int:
    """Save what the reviewer ended with on screen; near-duplicates in ``together`` too."""
    ctx = rv.passage_context(state.engine, passage_id)
    if ctx is None:
        raise BadInput(f"no passage {passage_id!r}")
    allowed = set(state.theme_ids) | set(ctx.themes)
    unknown = [t for t in themes if t not in allowed]
    if unknown:
        raise BadInput(f"unknown theme {unknown[0]!r}")
    decisions = rv.decisions_from_choice(
        ctx,
        themes=themes,
        countries=_codes(countries, COUNTRY_RE, "ISO 3166 alpha-2 country code"),
        sectors=_codes(sectors, SECTOR_RE, "NACE section letter"),
        all_themes=state.theme_ids,
    )
    near = set(rv.near_duplicates(state.engine, ctx.content_hash))
    also = [h for h in together if h in near]
    return rv.record_decisions(state.engine, passage_id, decisions, reviewer, also_hashes=also)


# --------------------------------------------------------------------------- queue


def queue_page(state: WebState, filt: rv.QueueFilter, limit: int = 100) -> dict[str, Any]:
    thresholds = state.thresholds()
    queue = rv.queue_for(state.engine, thresholds, filt)
    decided = rv.decided_contents(state.engine)
    upcoming = queue.upcoming(decided, limit)
    ids = [it.passage_id for it in upcoming]
    scores = rv.theme_scores(state.engine, ids)
    snippets = rv.passage_snippets(state.engine, ids)
    assigned = rv.assignments(state.engine)
    rows = []
    for it in upcoming:
        text, title, page = snippets.get(it.passage_id, ("", "", 0))
        sc = scores.get(it.passage_id, {})
        nearest = min(sc, key=lambda t: abs(sc[t] - thresholds.get(t, 0.5)), default=None)
        rows.append(
            {
                "passage_id": it.passage_id,
                "content_hash": it.content_hash,
                "margin": it.margin,
                "nearest": nearest,
                "scores": [
                    {"theme": t, "score": sc.get(t), "threshold": thresholds.get(t)}
                    for t in state.theme_ids
                ],
                "title": title,
                "page": page,
                "snippet": text[:240] + ("…" if len(text) > 240 else ""),
                "assigned": sorted(assigned.get(it.content_hash, ())),
            }
        )
    done, total = queue.progress(decided)
    return {
        "filters": filt.as_params(),
        "rows": rows,
        "progress": {"done": done, "total": total},
        "thresholds": thresholds,
    }


# --------------------------------------------------------------------------- findings


def browse_filter(params: Any) -> browse.BrowseFilter:
    def many(name: str) -> list[str]:
        return [v for v in params.getlist(name) if v]

    years = []
    for y in many("year"):
        if y.isdigit():
            years.append(int(y))
    return browse.BrowseFilter(
        themes=many("theme"),
        countries=[c.upper() for c in many("country")],
        sectors=[s.upper() for s in many("sector")],
        doc_types=many("type"),
        years=years,
        text=(params.get("q") or "").strip() or None,
        reviewed_only=params.get("reviewed") in ("1", "on", "true"),
    )


def filter_params(f: browse.BrowseFilter) -> dict[str, Any]:
    return {
        "theme": list(f.themes),
        "country": list(f.countries),
        "sector": list(f.sectors),
        "type": list(f.doc_types),
        "year": [str(y) for y in f.years],
        "q": f.text or "",
        "reviewed": "1" if f.reviewed_only else "",
    }


def findings_query(f: browse.BrowseFilter, **extra: Any) -> FindingsQuery:
    """The store's own query (issue 6) for these filters: review overrides, FTS, exports."""
    year = str(f.years[0]) if f.years else None
    return FindingsQuery(
        themes=list(f.themes),
        countries=list(f.countries),
        sectors=list(f.sectors),
        doc_types=list(f.doc_types),
        date_from=year,
        date_to=year,
        text=f.text,
        reviewed_only=f.reviewed_only,
        **extra,
    )


def findings_page(
    state: WebState, f: browse.BrowseFilter, page: int = 1, per_page: int = 25
) -> dict[str, Any]:
    from store.query import count, query

    total = count(state.engine, findings_query(f))
    rows = query(state.engine, findings_query(f, limit=per_page, offset=(page - 1) * per_page))
    return {
        "filters": filter_params(f),
        "total": total,
        "page": page,
        "pages": max(1, -(-total // per_page)),
        "facets": browse.facets(state.engine, f),
        "rows": [{**asdict(r), "html": highlight(r.text, [])} for r in rows],
    }


def matrix_page(state: WebState, f: browse.BrowseFilter) -> dict[str, Any]:
    from store.query import crosstab

    cells = {
        (c.row, c.col): c.passages
        for c in crosstab(state.engine, "theme", "country", findings_query(f))
    }
    rows = list(dict.fromkeys([*state.theme_ids, *sorted({a for a, _ in cells})]))
    totals: dict[str, int] = {}
    for (_a, b), n in cells.items():
        totals[b] = totals.get(b, 0) + n
    cols = sorted(totals, key=lambda c: (-totals[c], c))
    return {
        "filters": filter_params(f),
        "rows": rows,
        "cols": cols,
        "cells": {f"{a}|{b}": n for (a, b), n in cells.items()},
        "max": max(cells.values(), default=0),
    }


def agreement_page(state: WebState) -> dict[str, Any]:
    rows = rv.agreement(state.engine, state.theme_ids)
    return {"rows": [asdict(r) for r in rows]}

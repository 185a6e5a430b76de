"""The store's own record of refresh runs (Prefect's records may be lost with its server),
and the bookkeeping a refresh needs beyond ``store.write``: re-labelling without re-extraction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, and_, insert, select, update

from store.schema import documents, passages, runs
from store.write import now

RUN_COUNTS = ("new", "changed", "unchanged", "retired", "failed")


def start_run(
    engine: Engine,
    *,
    sources: list[str],
    flow_run_id: str | None = None,
    model_version: str | None = None,
    pipeline_version: str | None = None,
) -> str:
    run_id = uuid.uuid4().hex
    with engine.begin() as conn:
        conn.execute(
            insert(runs).values(
                run_id=run_id,
                started_at=now(),
                status="running",
                flow_run_id=flow_run_id,
                sources=sources,
                model_version=model_version,
                pipeline_version=pipeline_version,
            )
        )
    return run_id


def finish_run(
    engine: Engine,
    run_id: str,
    *,
    counts: dict[str, Any],
    label_counts: dict[str, Any],
    status: str = "completed",
) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(runs)
            .where(runs.c.run_id == run_id)
            .values(finished_at=now(), status=status, counts=counts, label_counts=label_counts)
        )


def previous_label_counts(engine: Engine, before_run: str | None = None) -> dict[str, Any] | None:
    """Label counts of the newest completed run (other than ``before_run``), if any."""
    stmt = (
        select(runs.c.label_counts)
        .where(runs.c.status == "completed", runs.c.run_id != (before_run or ""))
        .order_by(runs.c.started_at.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        return conn.execute(stmt).scalar()


def label_changes(
    now_counts: dict[str, dict[str, int]] | None, before: dict[str, dict[str, int]] | None
) -> dict[str, dict[str, int]]:
    """Per kind, value -> change in passages since ``before`` (zero changes left out)."""
    out: dict[str, dict[str, int]] = {}
    now_counts, before = now_counts or {}, before or {}
    for kind in sorted(set(now_counts) | set(before)):
        a, b = now_counts.get(kind) or {}, before.get(kind) or {}
        moved = {v: a.get(v, 0) - b.get(v, 0) for v in sorted(set(a) | set(b))}
        out[kind] = {v: d for v, d in moved.items() if d}
    return out


def list_runs(engine: Engine, limit: int = 50) -> list[dict[str, Any]]:
    """Runs, newest first, as plain dicts; each with ``label_changes`` since the completed run
    before it."""
    with engine.connect() as conn:
        rows = conn.execute(select(runs).order_by(runs.c.started_at.desc()).limit(limit + 50)).all()
    out = [dict(r._mapping) for r in rows]
    for i, run in enumerate(out):
        older = next((r for r in out[i + 1 :] if r["status"] == "completed"), None)
        run["label_changes"] = (
            label_changes(run.get("label_counts"), older.get("label_counts") if older else None)
            if run["status"] == "completed"
            else {}
        )
    return out[:limit]


def live_documents(
    engine: Engine, document_ids: Sequence[str] | None = None, *, batch_documents: int = 200
) -> Iterator[list[list[tuple[str, str, str | None]]]]:
    """Live passages grouped by document, in reading order, as (passage_id, text, heading):
    what re-tagging with document context needs. All live documents when ``document_ids``
    is None; yields lists of about ``batch_documents`` documents so memory stays bounded."""
    with engine.connect() as conn:
        if document_ids is None:
            document_ids = list(
                conn.execute(
                    select(passages.c.document_id)
                    .where(passages.c.retired_at.is_(None))
                    .distinct()
                    .order_by(passages.c.document_id)
                ).scalars()
            )
        for chunk in _chunks(list(document_ids), batch_documents):
            docs: dict[str, list[tuple[str, str, str | None]]] = {}
            for r in conn.execute(
                select(
                    passages.c.document_id,
                    passages.c.passage_id,
                    passages.c.text,
                    passages.c.heading,
                )
                .where(passages.c.document_id.in_(chunk), passages.c.retired_at.is_(None))
                .order_by(passages.c.document_id, passages.c.seq)
            ):
                docs.setdefault(r.document_id, []).append((r.passage_id, r.text, r.heading))
            if docs:
                yield list(docs.values())


def set_pipeline_version(engine: Engine, sources: Iterable[str], pipeline_version: str) -> None:
    """Mark documents as up to date with ``pipeline_version`` (after re-labelling them)."""
    with engine.begin() as conn:
        for chunk in _chunks(list(sources), 500):
            conn.execute(
                update(documents)
                .where(and_(documents.c.source.in_(chunk), documents.c.retired_at.is_(None)))
                .values(pipeline_version=pipeline_version, updated_at=now())
            )


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def machine_labels_of(engine: Engine, document_id: str) -> tuple[str | None, dict[str, list[Any]]]:
    """The document's stored pipeline version, and passage_id -> machine labels of its live
    passages: a changed document reuses them for passages whose text did not change."""
    from store.schema import labels
    from store.types import LabelRecord

    out: dict[str, list[Any]] = {}
    stmt = (
        select(labels)
        .join(passages, passages.c.passage_id == labels.c.passage_id)
        .where(
            passages.c.document_id == document_id,
            passages.c.retired_at.is_(None),
            labels.c.origin.in_(("model", "rule")),
        )
    )
    with engine.connect() as conn:
        version = conn.execute(
            select(documents.c.pipeline_version).where(documents.c.document_id == document_id)
        ).scalar()
        for r in conn.execute(stmt):
            out.setdefault(r.passage_id, []).append(
                LabelRecord(
                    passage_id=r.passage_id,
                    kind=r.kind,
                    value=r.value,
                    origin=r.origin,
                    score=r.score,
                    assigned=bool(r.assigned),
                    model_version=r.model_version,
                    evidence=r.evidence,
                )
            )
    return version, out

"""Review decisions: the latest decision per passage content and label wins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from store.schema import labels, passages, reviews


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
                select(passages.c.passage_id, passages.c.document_id, passages.c.content_hash,
                       passages.c.text).where(passages.c.content_hash.in_(chunk))
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
                record: dict[str, Any] = {"id": f"review-{row.content_hash[:12]}",
                                          "doc_id": row.document_id, "text": row.text}
                for kind, key in (("theme", "themes"), ("country", "countries"),
                                  ("sector", "sectors")):
                    values = {v for k, v in machine if k == kind}
                    for (k, v), decision in decided.items():
                        if k == kind:
                            (values.add if decision == "accept" else values.discard)(v)
                    record[key] = sorted(values)
                records.append(record)
    return records

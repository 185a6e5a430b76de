"""Incremental refresh through the real flow: unchanged skipped, changed re-extracted with
passages diffed, new added, vanished retired; reviews survive; a new model only re-labels."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import small_corpus
from sqlalchemy import insert, select, update

from store.connect import connect
from store.query import FindingsQuery, list_documents, query
from store.schema import documents, labels, passages, reviews

pytestmark = pytest.mark.slow


def _labels_of(db_url: str, passage_ids: list[str]) -> set[tuple]:
    with connect(db_url).connect() as conn:
        return set(
            conn.execute(
                select(
                    labels.c.passage_id,
                    labels.c.kind,
                    labels.c.value,
                    labels.c.score,
                    labels.c.assigned,
                    labels.c.model_version,
                ).where(labels.c.passage_id.in_(passage_ids))
            ).all()
        )


def test_incremental_refresh(prefect_server, tmp_path: Path) -> None:  # noqa: ANN001
    from flows.refresh import run_refresh

    corpus = small_corpus(tmp_path / "corpus", n_txt=4, n_html=2)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    first = run_refresh([str(corpus)], db)
    assert first.counts["new"] + first.counts["failed"] == 6

    engine = connect(db)
    names = sorted(p.name for p in corpus.glob("*.txt"))
    changed_file, gone_file = corpus / names[0], corpus / names[1]
    with engine.connect() as conn:
        doc_id = conn.execute(
            select(documents.c.document_id).where(
                documents.c.source == changed_file.resolve().as_uri()
            )
        ).scalar_one()
        old = conn.execute(
            select(passages.c.passage_id, passages.c.content_hash)
            .where(passages.c.document_id == doc_id)
            .order_by(passages.c.seq)
        ).all()
        theme = (
            conn.execute(
                select(labels.c.value).where(
                    labels.c.passage_id == old[0].passage_id,
                    labels.c.kind == "theme",
                    labels.c.assigned.is_(True),
                )
            )
            .scalars()
            .first()
        )
    old_labels = _labels_of(db, [p.passage_id for p in old])
    assert theme, "the first passage of the changed document has an assigned theme"
    # a reviewer rejects that theme on the first passage while the corpus moves on
    with engine.begin() as conn:
        conn.execute(
            insert(reviews).values(
                content_hash=old[0].content_hash,
                passage_id=old[0].passage_id,
                kind="theme",
                value=theme,
                decision="reject",
                reviewer="ana",
                created_at=datetime.now(UTC),
            )
        )

    added = "Digital badges for micro-credentials are now recognised by employers in Norway."
    changed_file.write_text(
        changed_file.read_text(encoding="utf-8") + "\n\n" + added + "\n", encoding="utf-8"
    )
    gone_file.unlink()
    new_file = corpus / "zz-new.txt"
    new_file.write_text(
        "Stackable micro-credentials in Portuguese higher education institutions "
        "and their quality assurance.\n",
        encoding="utf-8",
    )
    events: list[str] = []
    second = run_refresh([str(corpus)], db, reporter=lambda e, _d: events.append(e))
    c = second.counts
    assert (c["new"], c["changed"], c["unchanged"], c["retired"]) == (1, 1, 4, 1)
    assert events.count("document") == 2  # unchanged documents cost no task at all

    with engine.connect() as conn:
        now = conn.execute(
            select(passages.c.passage_id, passages.c.content_hash, passages.c.retired_at).where(
                passages.c.document_id == doc_id
            )
        ).all()
        review_rows = conn.execute(select(reviews.c.content_hash, reviews.c.decision)).all()
    live = {p.passage_id for p in now if p.retired_at is None}
    assert {p.passage_id for p in old} <= live  # unchanged passages kept their ids
    assert len(live) == len(old) + 1
    # unchanged passages keep their labels (reused, not re-classified differently)
    assert _labels_of(db, [p.passage_id for p in old]) == old_labels
    new_pid = (live - {p.passage_id for p in old}).pop()
    assert any(r[1] == "theme" for r in _labels_of(db, [new_pid]))  # the new one is classified
    # the review survived and still applies
    assert review_rows == [(old[0].content_hash, "reject")]
    hits = query(engine, FindingsQuery(themes=[theme]))
    assert old[0].passage_id not in {f.passage_id for f in hits}
    docs = {Path(d.source).name: d for d in list_documents(engine, include_retired=True)}
    assert docs[gone_file.name].retired and docs[gone_file.name].n_passages  # kept, retired
    with engine.connect() as conn:
        gone_passages = (
            conn.execute(
                select(passages.c.retired_at)
                .join(documents, documents.c.document_id == passages.c.document_id)
                .where(documents.c.source == gone_file.resolve().as_uri())
            )
            .scalars()
            .all()
        )
    assert gone_passages and all(r is not None for r in gone_passages)

    # a different model version: labels redone, nothing re-extracted
    with engine.begin() as conn:
        conn.execute(
            update(documents).values(pipeline_version=documents.c.pipeline_version + "-older")
        )
    before = {r.passage_id for r in engine.connect().execute(select(passages.c.passage_id))}
    third = run_refresh([str(corpus)], db)
    assert third.counts["relabelled"] == 6 and third.counts["new"] == third.counts["changed"] == 0
    after = {r.passage_id for r in engine.connect().execute(select(passages.c.passage_id))}
    assert after == before
    fourth = run_refresh([str(corpus)], db)
    assert fourth.counts["unchanged"] == 6 and fourth.counts["relabelled"] == 0

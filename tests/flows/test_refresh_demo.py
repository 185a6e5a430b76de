"""The whole refresh as a real Prefect flow run on the demo corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from corpus.ids import content_hash
from store.connect import connect
from store.query import FindingsQuery, list_documents, query
from store.schema import labels, passages

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def refreshed(prefect_server, corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN001, ANN201
    from flows.refresh import run_refresh

    db_url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    events: list[str] = []
    summary = run_refresh([str(corpus_dir)], db_url, reporter=lambda e, _d: events.append(e))
    return db_url, summary, events


def test_flow_run_processes_every_document(refreshed) -> None:  # noqa: ANN001
    db_url, summary, events = refreshed
    assert summary.counts["new"] + summary.counts["failed"] == 229
    assert events[0] == "start" and events.count("document") == 229
    docs = list_documents(connect(db_url))
    assert len(docs) == 229
    assert summary.run_id


def test_annotated_passages_are_found_and_labelled(refreshed, gold_records) -> None:  # noqa: ANN001
    db_url, _summary, _events = refreshed
    engine = connect(db_url)
    stem_of = {d.document_id: Path(d.source).stem for d in list_documents(engine)}
    with engine.connect() as conn:
        stored = {
            (stem_of[r.document_id], r.content_hash): r.passage_id
            for r in conn.execute(
                select(passages.c.document_id, passages.c.content_hash, passages.c.passage_id)
            )
        }
        labelled = {
            r[0]
            for r in conn.execute(
                select(labels.c.passage_id).where(labels.c.kind == "theme").distinct()
            )
        }
    found = [stored.get((g["doc_id"], content_hash(g["text"]))) for g in gold_records]
    share = sum(pid is not None for pid in found) / len(gold_records)
    assert share >= 0.95, f"only {share:.1%} of annotated passages were found in the store"
    hits = [pid for pid in found if pid]
    assert all(pid in labelled for pid in hits)  # every found passage has its theme scores


def test_rerun_adds_no_duplicates(refreshed, corpus_dir: Path) -> None:  # noqa: ANN001
    from flows.refresh import run_refresh

    db_url, first, _events = refreshed
    engine = connect(db_url)

    def count() -> tuple[int, int]:
        with engine.connect() as conn:
            return (
                conn.execute(select(func.count()).select_from(passages)).scalar_one(),
                conn.execute(select(func.count()).select_from(labels)).scalar_one(),
            )

    before = count()
    again = run_refresh([str(corpus_dir)], db_url)
    assert again.counts["unchanged"] == first.counts["new"] + first.counts["failed"]
    assert again.counts["new"] == 0 and again.counts["changed"] == 0
    assert count() == before


def test_queries_answer_on_the_refreshed_store(refreshed) -> None:  # noqa: ANN001
    db_url, _summary, _events = refreshed
    engine = connect(db_url)
    trust = query(engine, FindingsQuery(themes=["trust"]))
    assert trust and all("trust" in f.themes for f in trust)
    de = query(engine, FindingsQuery(countries=["DE"]))
    assert de and all("DE" in f.countries for f in de)
    pdf_hit = next(f for f in query(engine) if f.source.endswith(".pdf"))
    assert pdf_hit.link.endswith(f"#page={pdf_hit.page}")

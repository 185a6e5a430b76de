"""Writing documents: one transaction each, idempotent, history kept (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from corpus.ids import content_hash, passage_id
from corpus.types import Passage, SourceFile
from store.connect import connect
from store.query import FindingsQuery, list_documents, query
from store.schema import labels, passages
from store.types import LabelRecord, ProcessedDocument
from store.write import retire_missing, write_document


def _source(name: str = "a.txt", sha: str = "h1") -> SourceFile:
    return SourceFile(
        path=f"/c/{name}",
        uri=f"file:///c/{name}",
        kind="txt",
        sha256=sha,
        size=10,
        title="A report",
    )


def _doc(
    texts: list[str], sha: str = "h1", themes: dict[int, list[str]] | None = None
) -> ProcessedDocument:
    ps, lab, pos = [], [], 0
    for i, t in enumerate(texts):
        h = content_hash(t)
        pid = passage_id("doc-a", h)
        ps.append(Passage(pid, "doc-a", h, i, 1, pos, pos + len(t), t))
        pos += len(t) + 2
        for theme in (themes or {}).get(i, []):
            lab.append(LabelRecord(pid, "theme", theme, "model", 0.9, True, "m1"))
        lab.append(LabelRecord(pid, "country", "SE", "rule", evidence=[[0, 6, "Sweden"]]))
        lab.append(LabelRecord(pid, "country", "SE", "rule", evidence=[[9, 15, "Sweden"]]))
    return ProcessedDocument(
        source=_source(sha=sha),
        document_id="doc-a",
        pipeline_version="p1",
        passages=ps,
        labels=lab,
        n_pages=1,
    )


def _count(engine, table, *where) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_rewrite_gives_no_duplicates(db_url: str) -> None:
    engine = connect(db_url)
    doc = _doc(
        ["Sweden trusts badges.", "Sweden recognises prior learning."], themes={0: ["trust"]}
    )
    assert write_document(engine, doc).outcome == "new"
    assert write_document(engine, doc).outcome == "unchanged"
    assert _count(engine, passages) == 2
    assert _count(engine, labels) == 3  # one theme + one country per passage (evidence merged)
    with engine.connect() as conn:
        ev = conn.execute(select(labels.c.evidence).where(labels.c.kind == "country")).first()[0]
    assert len(ev) == 2


def test_changed_document_retires_vanished_passages_and_keeps_history(db_url: str) -> None:
    engine = connect(db_url)
    write_document(engine, _doc(["Old text about Sweden.", "Kept text about Sweden."]))
    result = write_document(engine, _doc(["Kept text about Sweden.", "New text."], sha="h2"))
    assert result.outcome == "changed"
    assert (result.passages_added, result.passages_retired) == (1, 1)
    assert _count(engine, passages) == 3  # nothing deleted
    live = query(engine, FindingsQuery())
    assert sorted(f.text for f in live) == ["Kept text about Sweden.", "New text."]
    retired = query(engine, FindingsQuery(include_retired=True))
    assert len(retired) == 3


def test_failed_new_version_keeps_last_good_passages(db_url: str) -> None:
    engine = connect(db_url)
    write_document(engine, _doc(["Good text about Sweden."]))
    bad = ProcessedDocument(
        source=_source(sha="h3"),
        document_id="doc-a",
        pipeline_version="p1",
        status="failed",
        error="truncated PDF",
    )
    assert write_document(engine, bad).outcome == "kept"
    [doc] = list_documents(engine)
    assert doc.status == "failed" and doc.error == "truncated PDF"
    assert [f.text for f in query(engine)] == ["Good text about Sweden."]


def test_query_filters_and_or(db_url: str) -> None:
    engine = connect(db_url)
    write_document(
        engine,
        _doc(
            ["Sweden trusts badges.", "Sweden recognises prior learning."],
            themes={0: ["trust"], 1: ["recognition"]},
        ),
    )
    assert len(query(engine, FindingsQuery(themes=["trust"]))) == 1
    assert len(query(engine, FindingsQuery(themes=["trust", "recognition"]))) == 2
    assert len(query(engine, FindingsQuery(themes=["trust"], countries=["se"]))) == 1
    assert query(engine, FindingsQuery(themes=["trust"], countries=["FI"])) == []
    [hit] = query(engine, FindingsQuery(text="PRIOR learning"))
    assert hit.themes == ["recognition"] and hit.countries == ["SE"]
    assert hit.scores == {"recognition": 0.9}
    assert query(engine, FindingsQuery(text="%' OR 1=1 --")) == []  # bound, not spliced


def test_retire_missing_only_in_scope(db_url: str) -> None:
    engine = connect(db_url)
    write_document(engine, _doc(["Text about Sweden here."]))
    assert retire_missing(engine, set(), ["file:///elsewhere/"]) == []
    assert retire_missing(engine, set(), ["file:///c/"]) == ["doc-a"]
    assert query(engine) == []
    assert list_documents(engine, include_retired=True)[0].retired


def test_bare_path_is_a_sqlite_file(tmp_path: Path) -> None:
    engine = connect(str(tmp_path / "x.db"))
    write_document(engine, _doc(["Text about Sweden here."]))
    assert (tmp_path / "x.db").exists()

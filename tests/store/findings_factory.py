"""A small findings store for query, cross-tab, export and CLI tests (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert

from corpus.ids import content_hash, passage_id
from corpus.types import Passage, SourceFile
from store.connect import connect
from store.dims import refresh as refresh_dims
from store.schema import reviews
from store.types import LabelRecord, ProcessedDocument
from store.write import write_document

# document -> (kind, title, doc_type, publisher, date, passages)
# passage: (text, page, {theme: score}, countries, sectors); assigned when score >= 0.5
# fmt: off
DOCS = {
    "d1": ("pdf", "Retail credentials in Sweden", "policy", "Skolverket", "2021-05-01", [
        ("Sweden trusts digital badges in the retail sector.", 1,
         {"trust": 0.9, "naming": 0.1}, ["SE"], ["G"]),
        ("Finland recognises prior learning through microcredentials.", 2,
         {"recognition": 0.8, "trust": 0.2}, ["FI"], ["P"]),
    ]),
    "d2": ("html", "Stacking credentials", "report", "OECD", "2023", [
        ("Modular credentials stack into degrees in Sweden and Finland.", 1,
         {"modularisation": 0.7, "recognition": 0.6}, ["SE", "FI"], ["P"]),
        ("The name microcredential confuses employers.", 1,
         {"naming": 0.6, "trust": 0.3}, [], []),
    ]),
    "d3": ("txt", "Badges guidance", "guidance", "Cedefop", "2019-11-30", [
        ("Trust in Finnish open badges grows among employers.", 1,
         {"trust": 0.55}, ["FI"], ["N"]),
    ]),
}
# fmt: on


def source(doc: str) -> SourceFile:
    kind, title, doc_type, publisher, date, _ = DOCS[doc]
    ext = {"pdf": "pdf", "html": "html", "txt": "txt"}[kind]
    uri = f"file:///corpus/{doc}.{ext}" if kind != "html" else f"https://example.org/{doc}"
    return SourceFile(
        path=f"/corpus/{doc}.{ext}",
        uri=uri,
        kind=kind,
        sha256=f"sha-{doc}",
        size=100,
        title=title,
        doc_type=doc_type,
        publisher=publisher,
        date=date,
    )


def processed(doc: str, extra: list[tuple] = ()) -> ProcessedDocument:
    *_, items = DOCS[doc]
    ps, lab, pos = [], [], 0
    for seq, (text, page, themes, countries, sectors) in enumerate([*items, *extra]):
        h = content_hash(text)
        pid = passage_id(doc, h)
        ps.append(Passage(pid, doc, h, seq, page, pos, pos + len(text), text))
        pos += len(text) + 2
        for theme, score in themes.items():
            lab.append(LabelRecord(pid, "theme", theme, "model", score, score >= 0.5, "m1"))
        lab += [LabelRecord(pid, "country", c, "rule") for c in countries]
        lab += [LabelRecord(pid, "sector", s, "rule") for s in sectors]
    return ProcessedDocument(
        source=source(doc),
        document_id=doc,
        pipeline_version="p1",
        passages=ps,
        labels=lab,
        n_pages=2,
    )


def build_store(url: str) -> Engine:
    engine = connect(url)
    for doc in DOCS:
        write_document(engine, processed(doc))
    return engine


def pid_of(text_start: str) -> tuple[str, str]:
    """(passage_id, content_hash) of the fixture passage whose text starts so."""
    for doc, (*_, items) in DOCS.items():
        for text, *_ in items:
            if text.startswith(text_start):
                h = content_hash(text)
                return passage_id(doc, h), h
    raise KeyError(text_start)


_T0 = datetime(2026, 1, 1, tzinfo=UTC)


def decide(
    engine: Engine,
    text_start: str,
    kind: str,
    value: str,
    decision: str,
    *,
    minutes: int = 0,
    undone: bool = False,
    reviewer: str = "ana",
) -> None:
    """A review decision written as the review app would (reviews table)."""
    pid, h = pid_of(text_start)
    with engine.begin() as conn:
        conn.execute(
            insert(reviews).values(
                content_hash=h,
                passage_id=pid,
                kind=kind,
                value=value,
                decision=decision,
                reviewer=reviewer,
                created_at=_T0 + timedelta(minutes=minutes),
                undone=undone,
            )
        )
        refresh_dims(conn, content_hashes=[h])

"""Full-text search: stemming, phrases, prefixes, kept in sync with passages on both backends."""

from __future__ import annotations

from findings_factory import build_store, processed

from store.query import FindingsQuery, fts5_expression, query
from store.write import write_document


def test_words_stems_phrases_prefixes(db_url: str) -> None:
    e = build_store(db_url)
    assert len(query(e, FindingsQuery(text="badges"))) == 2
    assert len(query(e, FindingsQuery(text="badge"))) == 2  # stemmed
    assert len(query(e, FindingsQuery(text="Sweden badges"))) == 1  # words AND-ed
    assert len(query(e, FindingsQuery(text='"open badges"'))) == 1
    assert len(query(e, FindingsQuery(text="nothing-like-this"))) == 0


def test_index_follows_writes(db_url: str) -> None:
    e = build_store(db_url)
    assert query(e, FindingsQuery(text="apprenticeships")) == []
    write_document(e, processed("d3", extra=[("Apprenticeships award badges.", 2, {}, [], [])]))
    assert len(query(e, FindingsQuery(text="apprenticeships"))) == 1


def test_prefix_on_sqlite(sqlite_url: str) -> None:
    e = build_store(sqlite_url)
    assert len(query(e, FindingsQuery(text="microcred*"))) == 2


def test_fts5_expression_quotes_everything() -> None:
    assert fts5_expression('trust NEAR(badge "open cred') == '"trust" "NEAR" "badge" "open" "cred"'
    assert fts5_expression('"open badges" stack*') == '"open badges" "stack"*'
    assert fts5_expression('%" ^ *') is None

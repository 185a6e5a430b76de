"""Full-text search: stemming, phrases, prefixes, kept in sync with passages on both backends."""

from __future__ import annotations

import pytest
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


def _ledger_store(url: str):  # noqa: ANN202 - an Engine
    """Passages naming a ledger in every document, written out of reading order."""
    e = build_store(url)
    for doc in ("d3", "d1", "d2"):
        extra = [(f"Ledger entry {i} of {doc} records a badge.", 2, {}, [], []) for i in range(7)]
        write_document(e, processed(doc, extra=extra))
    return e


def _strategy(e, q: FindingsQuery) -> bool:  # noqa: ANN001
    from store.query import _plan

    with e.connect() as conn:
        return bool(_plan(conn, q)[1].extra.get("fts_ordered_scan"))


def test_ordered_scan_and_sorted_matches_give_the_same_pages(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page in reading order is the same whether SQLite walks passages in order and stops
    at the limit (common terms) or collects every match and sorts (rare terms)."""
    import store.query as store_query

    e = _ledger_store(db_url)
    pages = [(None, 0), (5, 0), (5, 5), (4, 18), (50, 0), (3, 30)]
    reading = [f.passage_id for f in query(e, FindingsQuery())]  # (document, seq) order
    for words in ("ledger", "ledger badge", '"ledger entry"', "ledg*", "retail"):
        everything = [f.passage_id for f in query(e, FindingsQuery(text=words))]
        assert everything == sorted(everything, key=reading.index)
        for strategy in ("scan", "sort"):
            low = 1 if strategy == "scan" else 10**9
            monkeypatch.setattr(store_query, "FTS_SCAN_MIN", low)
            monkeypatch.setattr(store_query, "FTS_SCAN_PER_ROW", 0 if strategy == "scan" else 1)
            for limit, offset in pages:
                q = FindingsQuery(text=words, limit=limit, offset=offset)
                got = [f.passage_id for f in query(e, q)]
                end = None if limit is None else offset + limit
                assert got == everything[offset:end], (words, strategy, limit, offset)
                if "sqlite" in db_url and limit is not None:
                    assert _strategy(e, q) is (strategy == "scan")
            q = FindingsQuery(text=words, countries=["SE"], limit=2)
            assert [f.passage_id for f in query(e, q)] == [
                f.passage_id for f in query(e, FindingsQuery(text=words, countries=["SE"]))
            ][:2]


def test_rare_terms_are_collected_and_sorted(sqlite_url: str) -> None:
    e = _ledger_store(sqlite_url)
    assert not _strategy(e, FindingsQuery(text="ledger", limit=5))  # 21 matches < 1000
    assert not _strategy(e, FindingsQuery(text="ledger"))  # no limit: every match anyway
    assert not _strategy(e, FindingsQuery(text="ledger", limit=5, sort="title"))

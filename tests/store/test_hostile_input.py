"""Every user value is bound, never spliced: hostile filters return rows or nothing, never
raise, and leave the store intact."""

from __future__ import annotations

import pytest
from findings_factory import build_store

from store.query import FindingsQuery, count, crosstab, query

HOSTILE = [
    "'",
    '"',
    "%",
    "_",
    "\\",
    "*",
    '"open',
    "NEAR(",
    "NEAR(trust badge",
    "trust OR",
    "AND",
    "-trust",
    "^trust",
    "col:trust",
    "'; DROP TABLE passages; --",
    "%' OR 1=1 --",
    '" OR ""="',
    "x\x00y",
    "😀",
    "ünïcödé",
    "a" * 5000,
    "(((",
    "{x}",
    "$1",
    "?",
    ":name",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_everywhere(db_url: str, value: str) -> None:
    e = build_store(db_url)
    for q in (
        FindingsQuery(text=value),
        FindingsQuery(themes=[value], countries=[value], sectors=[value]),
        FindingsQuery(documents=[value], doc_types=[value], publishers=[value]),
        FindingsQuery(date_from=value, date_to=value),
    ):
        rows = query(e, q)
        assert isinstance(rows, list)
        count(e, q)
        crosstab(e, "theme", "country", q)
    assert count(e, FindingsQuery()) == 5


def test_like_wildcards_are_literal(sqlite_url: str) -> None:
    e = build_store(sqlite_url)
    assert query(e, FindingsQuery(text="%")) == []
    assert query(e, FindingsQuery(text="_")) == []
    assert len(query(e, FindingsQuery(text="."))) == 5

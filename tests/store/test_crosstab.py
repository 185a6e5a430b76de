"""Cross-tabs: passages and documents per pair, same filters as query, reviews applied."""

from __future__ import annotations

import pytest
from findings_factory import build_store, decide

from store.query import FindingsQuery, cell_query, crosstab, query


def grid(cells) -> dict:  # noqa: ANN001
    return {(c.row, c.col): (c.passages, c.documents) for c in cells}


def test_theme_by_country(db_url: str) -> None:
    e = build_store(db_url)
    g = grid(crosstab(e, "theme", "country"))
    assert g[("trust", "SE")] == (1, 1)
    assert g[("trust", "FI")] == (1, 1)
    assert g[("recognition", "FI")] == (2, 2)
    assert g[("modularisation", "SE")] == (1, 1)
    assert ("naming", "SE") not in g  # the naming passage names no country


def test_documents_counted_once_and_doc_dimensions(db_url: str) -> None:
    e = build_store(db_url)
    g = grid(crosstab(e, "country", "doc_type"))
    assert g[("FI", "policy")] == (1, 1)
    assert g[("FI", "report")] == (1, 1)
    assert grid(crosstab(e, "theme", "year"))[("trust", 2021)] == (1, 1)
    g = grid(crosstab(e, "sector", "country"))
    assert g[("P", "FI")] == (2, 2)


def test_filters_apply(db_url: str) -> None:
    e = build_store(db_url)
    g = grid(crosstab(e, "theme", "country", FindingsQuery(date_from="2022")))
    assert set(g) == {
        ("modularisation", "SE"),
        ("modularisation", "FI"),
        ("recognition", "SE"),
        ("recognition", "FI"),
    }


def test_reviews_override_in_cells(db_url: str) -> None:
    e = build_store(db_url)
    decide(e, "Sweden trusts", "theme", "trust", "reject")
    decide(e, "The name", "country", "SE", "accept")
    decide(e, "The name", "theme", "trust", "accept")
    g = grid(crosstab(e, "theme", "country"))
    assert ("trust", "SE") in g and g[("trust", "SE")] == (1, 1)  # the naming passage now
    assert g[("naming", "SE")] == (1, 1)
    assert g[("modularisation", "SE")] == (1, 1)


@pytest.mark.parametrize("dims", [("theme", "country"), ("sector", "doc_type"), ("theme", "year")])
def test_every_cell_opens_its_passages(db_url: str, dims: tuple[str, str]) -> None:
    e = build_store(db_url)
    decide(e, "The name", "country", "SE", "accept")
    base = FindingsQuery()
    for cell in crosstab(e, *dims, base):
        rows = query(e, cell_query(base, *dims, cell))
        assert len(rows) == cell.passages
        assert len({r.document_id for r in rows}) == cell.documents


def test_unknown_dimension(db_url: str) -> None:
    e = build_store(db_url)
    with pytest.raises(ValueError):
        crosstab(e, "theme", "colour")  # type: ignore[arg-type]

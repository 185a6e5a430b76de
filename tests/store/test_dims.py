"""The materialised labels (``passage_dims``, ``dim_counts``) stay equal to the override rule
after writes, decisions, undo and retirement; filtered and unfiltered cross-tabs agree."""

from __future__ import annotations

from findings_factory import build_store, decide, processed

from store.dims import rebuild_all
from store.query import (
    FindingsQuery,
    _label_counts_from_labels,
    crosstab,
    effective_label_rows,
    label_counts,
    query,
)
from store.review import Decision, record_decisions, undo_last
from store.schema import dim_counts, passage_dims, passages
from store.write import retire_missing, write_document


def _state(engine) -> tuple[set, set]:  # noqa: ANN001
    with engine.connect() as conn:
        dims = {
            tuple(r)
            for r in conn.execute(
                passage_dims.select().with_only_columns(
                    passage_dims.c.passage_id, passage_dims.c.kind, passage_dims.c.value
                )
            )
        }
        counts = {tuple(r) for r in conn.execute(dim_counts.select())}
    return dims, counts  # fmt: skip


def _expected(engine) -> set:  # noqa: ANN001
    with engine.connect() as conn:
        live = set(
            conn.execute(
                passages.select()
                .with_only_columns(passages.c.passage_id)
                .where(passages.c.retired_at.is_(None))
            ).scalars()
        )
        rows = conn.execute(effective_label_rows()).all()
    return {(r.passage_id, r.kind, r.value) for r in rows if r.passage_id in live}  # fmt: skip


def _check(engine) -> None:  # noqa: ANN001
    dims, counts = _state(engine)
    assert dims == _expected(engine)
    with engine.begin() as conn:
        rebuild_all(conn)
    assert _state(engine) == (dims, counts)  # incremental == from scratch
    assert label_counts(engine) == _label_counts_from_labels(engine)  # run reports read dims
    for rows, cols in [("theme", "country"), ("country", "theme"), ("sector", "doc_type"),
                       ("year", "theme"), ("country", "sector")]:  # fmt: skip
        fast = {(c.row, c.col, c.passages, c.documents) for c in crosstab(engine, rows, cols)}
        general = crosstab(engine, rows, cols, FindingsQuery(date_from="0"))  # per passage
        assert fast == {(c.row, c.col, c.passages, c.documents) for c in general}


def test_dims_follow_reviews_undo_and_retirement(db_url: str) -> None:
    e = build_store(db_url)
    _check(e)
    decide(e, "Sweden trusts", "theme", "trust", "reject")
    decide(e, "Sweden trusts", "country", "NO", "accept")
    decide(e, "The name", "theme", "trust", "accept", minutes=1)
    _check(e)
    assert ("NO", "G") in {(c.row, c.col) for c in crosstab(e, "country", "sector")}
    trust = {f.passage_id for f in query(e, FindingsQuery(themes=["trust"], limit=10))}
    assert len(trust) == 2  # Finnish badges + the accepted one; the rejected one gone
    fin = query(e, FindingsQuery(text="Finland", limit=1))[0]
    record_decisions(e, fin.passage_id, [Decision("sector", "K", "accept")], "bo")
    _check(e)
    assert query(e, FindingsQuery(sectors=["K"], limit=5))[0].passage_id == fin.passage_id
    assert undo_last(e, "bo") == fin.passage_id
    _check(e)
    assert query(e, FindingsQuery(sectors=["K"], limit=5)) == []
    write_document(e, processed("d1", extra=[("Norway badges.", 2, {"trust": 0.7}, ["NO"], [])]))
    _check(e)
    retire_missing(e, {"file:///corpus/d1.pdf", "https://example.org/d2"}, ["file:///", "https:"])
    _check(e)
    assert query(e, FindingsQuery(countries=["FI"], documents=["d3"])) == []
    assert query(e, FindingsQuery(countries=["FI"], documents=["d3"], include_retired=True))


def test_min_score_on_driver_and_accept_passes(db_url: str) -> None:
    e = build_store(db_url)
    assert {f.text[:6] for f in query(e, FindingsQuery(themes=["trust"], min_score=0.6))} == {
        "Sweden"
    }
    decide(e, "Trust in Finnish", "theme", "trust", "accept")
    got = {f.text[:6] for f in query(e, FindingsQuery(themes=["trust"], min_score=0.6, limit=9))}
    assert got == {"Sweden", "Trust "}

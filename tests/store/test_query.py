"""Findings queries: every filter, sort and page, and review decisions overriding the machine."""

from __future__ import annotations

from findings_factory import build_store, decide, pid_of, processed

from store.query import FindingsQuery, count, query
from store.write import retire_missing, write_document


def texts(engine, **kw) -> list[str]:  # noqa: ANN001
    return [f.text.split()[0] + " " + f.text.split()[1] for f in query(engine, FindingsQuery(**kw))]


def test_filters_combine_and_or(db_url: str) -> None:
    e = build_store(db_url)
    assert len(query(e, FindingsQuery())) == 5
    assert len(query(e, FindingsQuery(themes=["trust"]))) == 2
    assert len(query(e, FindingsQuery(themes=["trust", "naming"]))) == 3
    assert len(query(e, FindingsQuery(countries=["fi"]))) == 3
    assert len(query(e, FindingsQuery(themes=["trust"], countries=["FI"]))) == 1
    assert len(query(e, FindingsQuery(sectors=["p"], countries=["SE"]))) == 1
    assert len(query(e, FindingsQuery(doc_types=["report"]))) == 2
    assert len(query(e, FindingsQuery(publishers=["Cedefop", "OECD"]))) == 3
    assert len(query(e, FindingsQuery(documents=["d1"]))) == 2
    assert len(query(e, FindingsQuery(documents=["file:///corpus/d1.pdf"]))) == 2


def test_dates_scores_sort_and_paging(db_url: str) -> None:
    e = build_store(db_url)
    assert {f.document_id for f in query(e, FindingsQuery(date_from="2020"))} == {"d1", "d2"}
    assert {f.document_id for f in query(e, FindingsQuery(date_to="2021"))} == {"d1", "d3"}
    assert {f.document_id for f in query(e, FindingsQuery(date_from="2021", date_to="2021"))} == {
        "d1"
    }
    assert len(query(e, FindingsQuery(min_score=0.75))) == 2  # trust .9, recognition .8
    assert len(query(e, FindingsQuery(themes=["trust"], min_score=0.6))) == 1
    best = query(e, FindingsQuery(themes=["trust"], sort="score"))
    assert [f.scores["trust"] for f in best] == [0.9, 0.55]
    newest = query(e, FindingsQuery(sort="-date"))
    assert newest[0].document_id == "d2" and newest[-1].document_id == "d3"
    page1 = query(e, FindingsQuery(limit=2))
    page2 = query(e, FindingsQuery(limit=2, offset=2))
    assert len(page1) == 2 and not {f.passage_id for f in page1} & {f.passage_id for f in page2}
    assert count(e, FindingsQuery(countries=["FI"], limit=1)) == 3


def test_rows_carry_evidence_and_links(db_url: str) -> None:
    e = build_store(db_url)
    [f] = query(e, FindingsQuery(text="retail"))
    assert f.title == "Retail credentials in Sweden" and f.page == 1
    assert f.link == "file:///corpus/d1.pdf#page=1"
    assert f.themes == ["trust"] and f.countries == ["SE"] and f.sectors == ["G"]
    assert f.scores == {"trust": 0.9, "naming": 0.1} and f.model_version == "m1"
    assert f.publisher == "Skolverket" and f.reviewed is False
    [h] = query(e, FindingsQuery(text="confuses"))
    assert h.link == "https://example.org/d2"


def test_reject_removes_and_accept_adds_labels(db_url: str) -> None:
    e = build_store(db_url)
    decide(e, "Sweden trusts", "theme", "trust", "reject")
    decide(e, "The name", "theme", "trust", "accept")  # machine said 0.3: not assigned
    decide(e, "The name", "country", "IE", "accept")  # the tagger found no country
    trust = {f.passage_id for f in query(e, FindingsQuery(themes=["trust"]))}
    assert pid_of("Sweden trusts")[0] not in trust
    assert pid_of("The name")[0] in trust
    [named] = query(e, FindingsQuery(countries=["IE"]))
    assert named.themes == ["naming", "trust"] and named.countries == ["IE"] and named.reviewed
    [swe] = query(e, FindingsQuery(text="retail"))
    assert swe.themes == [] and swe.reviewed
    assert len(query(e, FindingsQuery(reviewed_only=True))) == 2
    assert len(query(e, FindingsQuery(themes=["trust"], countries=["IE"]))) == 1


def test_latest_decision_wins_and_undone_is_ignored(db_url: str) -> None:
    e = build_store(db_url)
    decide(e, "Sweden trusts", "theme", "trust", "reject", minutes=1)
    decide(e, "Sweden trusts", "theme", "trust", "accept", minutes=2)
    assert len(query(e, FindingsQuery(themes=["trust"]))) == 2
    decide(e, "Sweden trusts", "theme", "trust", "reject", minutes=3, undone=True)
    assert len(query(e, FindingsQuery(themes=["trust"]))) == 2
    decide(e, "Sweden trusts", "theme", "trust", "reject", minutes=4)
    assert len(query(e, FindingsQuery(themes=["trust"]))) == 1


def test_reviews_survive_reextraction_by_content(db_url: str) -> None:
    e = build_store(db_url)
    decide(e, "Trust in Finnish", "theme", "trust", "reject")
    doc = processed("d3", extra=[("A new closing paragraph.", 2, {}, [], [])])
    doc.source = type(doc.source)(**{**doc.source.__dict__, "sha256": "sha-d3-v2"})
    write_document(e, doc)
    assert len(query(e, FindingsQuery(themes=["trust"]))) == 1  # still rejected


def test_retired_only_on_request(db_url: str) -> None:
    e = build_store(db_url)
    retire_missing(e, {"file:///corpus/d1.pdf", "https://example.org/d2"}, ["file:///corpus/"])
    assert {f.document_id for f in query(e)} == {"d1", "d2"}
    assert len(query(e, FindingsQuery(include_retired=True))) == 5

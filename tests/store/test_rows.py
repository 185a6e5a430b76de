"""Findings rows with their labels aggregated in SQL (live passages) say exactly what the
per-passage Python resolution of the override rule says (the path retired passages take), in
every export format, sort and filter, on both backends."""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import replace

import pytest
from findings_factory import build_store, decide, pid_of, processed, source

from corpus.types import SourceFile
from store.export import export, scores_json
from store.query import FindingsQuery, query, unpack_labels, unpack_scores
from store.write import write_document

QUERIES = [
    FindingsQuery(),
    FindingsQuery(countries=["AT", "FI"]),
    FindingsQuery(themes=["trust"]),
    FindingsQuery(themes=["trust"], countries=["IE"]),
    FindingsQuery(countries=["SE"], themes=["trust", "recognition"], min_score=0.55),
    FindingsQuery(sectors=["P"], countries=["FI", "AT"], limit=1, offset=1),
    FindingsQuery(text="credentials"),
    FindingsQuery(reviewed_only=True),
    FindingsQuery(min_score=0.5),
    FindingsQuery(limit=2, offset=1),
    FindingsQuery(sort="title"),
    FindingsQuery(sort="-date", limit=3),
    FindingsQuery(sort="score", themes=["trust", "naming"]),
]


def _reviewed_store(url: str):  # noqa: ANN202 - an Engine
    e = build_store(url)
    decide(e, "Sweden trusts", "theme", "trust", "reject")  # removes a machine label
    decide(e, "The name", "theme", "trust", "accept")  # machine said 0.3: adds it
    decide(e, "The name", "country", "IE", "accept")  # the tagger found none: adds it
    decide(e, "Modular credentials", "country", "AT", "accept")  # sorts before FI and SE
    decide(e, "Finland recognises", "theme", "recognition", "reject", minutes=1)
    decide(e, "Finland recognises", "theme", "recognition", "accept", minutes=2)  # latest wins
    decide(e, "Trust in Finnish", "sector", "N", "reject", undone=True)  # undone: ignored
    return e


def _export(e, q: FindingsQuery, fmt: str) -> str:  # noqa: ANN001
    buf = io.StringIO()
    export(e, q, fmt, buf)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_sql_labels_equal_the_python_resolution(db_url: str, fmt: str) -> None:
    e = _reviewed_store(db_url)
    for q in QUERIES:
        reference = replace(q, include_retired=True)  # nothing is retired: same passages
        assert _export(e, q, fmt) == _export(e, reference, fmt), q
        assert query(e, q) == query(e, reference), q


def test_reviewed_rows_in_csv(db_url: str) -> None:
    e = _reviewed_store(db_url)
    rows = {r["passage_id"]: r for r in csv.DictReader(io.StringIO(_export(e, None, "csv")))}
    assert len(rows) == 5
    modular = rows[pid_of("Modular credentials")[0]]
    assert modular["countries"] == "AT, FI, SE" and modular["reviewed"] == "True"
    assert modular["themes"] == "modularisation, recognition" and modular["sectors"] == "P"
    assert json.loads(modular["scores"]) == {"modularisation": 0.7, "recognition": 0.6}
    assert modular["model_version"] == "m1" and modular["link"] == "https://example.org/d2"
    named = rows[pid_of("The name")[0]]
    assert named["themes"] == "naming, trust" and named["countries"] == "IE"
    sweden = rows[pid_of("Sweden trusts")[0]]
    assert sweden["themes"] == "" and sweden["page"] == "1" and sweden["title"]
    assert sweden["link"] == "file:///corpus/d1.pdf#page=1"
    finnish = rows[pid_of("Trust in Finnish")[0]]
    assert finnish["sectors"] == "N" and finnish["reviewed"] == "False"
    [f] = query(e, FindingsQuery(countries=["AT"]))
    assert f.countries == ["AT", "FI", "SE"] and f.reviewed


def test_scores_round_trip_exactly(db_url: str) -> None:
    """Scores leave the database as text and come back as the same floats: 4-place rounding
    agrees with Python's on awkward values."""
    rng = random.Random(5)
    awkward = [0.1 + 0.2, 1 / 3, 0.00025, 0.12345, 2 / 3, 1e-7, 0.99995, 0.5]
    awkward += [rng.random() for _ in range(40)]
    themes = ["trust", "naming", "recognition", "modularisation"]
    extra = [
        (
            f"Awkward score passage number {i}.",
            1,
            dict(zip(themes, awkward[i : i + 4], strict=True)),
            [],
            [],
        )
        for i in range(0, len(awkward), 4)
    ]
    e = build_store(db_url)
    write_document(e, processed("d3", extra=extra))
    found = {f.text: f for f in query(e, FindingsQuery(documents=["d3"]))}
    for text, _, scores, _, _ in extra:
        expected = {t: round(s, 4) for t, s in scores.items()}
        assert found[text].scores == expected and found[text].model_version == "m1"
        assert list(found[text].scores) == sorted(expected)  # by theme, as JSON keys too
    rows = csv.DictReader(io.StringIO(_export(e, FindingsQuery(documents=["d3"]), "csv")))
    by_text = {r["text"]: json.loads(r["scores"]) for r in rows}
    for text, _, scores, _, _ in extra:
        assert by_text[text] == {t: round(s, 4) for t, s in scores.items()}


def test_formulas_defused_from_the_store(db_url: str) -> None:
    e = build_store(db_url)
    doc = processed(
        "d3",
        extra=[
            ("@SUM(A1) is how a spreadsheet starts", 1, {"trust": 0.9}, ["SE"], []),
            ("-x looks like a formula too", 1, {}, [], []),
            ("-2 is a number and stays as it is", 1, {}, [], []),
        ],
    )
    doc.source = SourceFile(**{**source("d3").__dict__, "title": '=HYPERLINK("http://x")'})
    write_document(e, doc)
    rows = list(csv.DictReader(io.StringIO(_export(e, FindingsQuery(documents=["d3"]), "csv"))))
    assert rows and all(r["title"].startswith("'=HYPERLINK") for r in rows)
    texts = {r["text"] for r in rows}
    assert "'@SUM(A1) is how a spreadsheet starts" in texts
    assert "'-x looks like a formula too" in texts and "-2 is a number and stays as it is" in texts


def test_unpack_sorts_and_handles_empty() -> None:
    packed = "country\x1fSE\x1etheme\x1ftrust\x1ecountry\x1fAT\x1esector\x1fP"
    assert unpack_labels(packed) == {"theme": ["trust"], "country": ["AT", "SE"], "sector": ["P"]}
    assert unpack_labels(None) == {"theme": [], "country": [], "sector": []}
    scores, version = unpack_scores("trust\x1f0.90000000000000002\x1fm2\x1enaming\x1f0.1\x1fm2")
    assert list(scores.items()) == [("naming", 0.1), ("trust", 0.9)] and version == "m2"
    assert unpack_scores(None) == ({}, None) and unpack_scores("") == ({}, None)


def test_scores_json_writes_what_json_dumps_writes() -> None:
    rng = random.Random(9)
    values = [0.1 + 0.2, 1 / 3, 0.00025, 0.03125, 0.99995, 1.0, 0.0, 1e-9, 5e-05]
    values += [rng.random() for _ in range(200)] + [rng.random() * 1e-4 for _ in range(50)]
    themes = ["trust", "naming", "recognition", "modularisation", "naming_x", "zé"]
    for i in range(0, len(values), 3):
        chosen = rng.sample(themes, k=min(3, len(values) - i))
        packed = "\x1e".join(
            f"{t}\x1f{v!r}\x1fm9" for t, v in zip(chosen, values[i : i + 3], strict=False)
        )
        scores, version = unpack_scores(packed)
        assert scores_json(packed) == (json.dumps(scores, ensure_ascii=False), version)
    assert scores_json(None) == ("{}", None)

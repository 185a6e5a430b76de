"""Exports: CSV, JSON, JSON Lines and Excel carry evidence and reviewed labels; formulas defused."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from findings_factory import build_store, decide

from store.export import ExportError, export
from store.query import FindingsQuery


def test_csv_json_jsonl(db_url: str, tmp_path: Path) -> None:
    e = build_store(db_url)
    decide(e, "Sweden trusts", "theme", "trust", "reject")
    assert export(e, FindingsQuery(), "csv", tmp_path / "f.csv") == 5
    rows = list(csv.DictReader((tmp_path / "f.csv").open(encoding="utf-8")))
    swe = next(r for r in rows if r["text"].startswith("Sweden"))
    assert swe["themes"] == "" and swe["reviewed"] == "True"
    assert swe["link"] == "file:///corpus/d1.pdf#page=1" and swe["title"]
    buf = io.StringIO()
    assert export(e, FindingsQuery(countries=["FI"]), "json", buf) == 3
    data = json.loads(buf.getvalue())
    assert {tuple(r["countries"]) for r in data} >= {("FI",), ("FI", "SE")}
    buf = io.StringIO()
    export(e, FindingsQuery(themes=["naming"]), "jsonl", buf)
    [line] = buf.getvalue().splitlines()
    assert json.loads(line)["scores"]["naming"] == 0.6
    buf = io.StringIO()
    assert export(e, FindingsQuery(countries=["XX"]), "json", buf) == 0
    assert json.loads(buf.getvalue()) == []


def test_xlsx(db_url: str, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    e = build_store(db_url)
    assert export(e, FindingsQuery(), "xlsx", tmp_path / "f.xlsx") == 5
    ws = load_workbook(tmp_path / "f.xlsx").active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["passage_id", "document_id", "title"]
    assert ws.max_row == 6
    with pytest.raises(ExportError):
        export(e, FindingsQuery(), "xlsx", io.StringIO())
    with pytest.raises(ExportError):
        export(e, FindingsQuery(), "parquet", tmp_path / "f.parquet")


def test_formulas_never_run(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from store.export import export_rows
    from store.types import Finding

    evil = Finding(
        "p", "d", '=HYPERLINK("http://x")', "s", "s", 1, 0, 5, "@SUM(A1)", [], [], [], {}
    )
    buf = io.StringIO()
    export_rows([[evil]], "csv", buf)
    row = list(csv.reader(io.StringIO(buf.getvalue())))[1]
    assert row[2].startswith("'=") and row[11].startswith("'@")
    export_rows([[evil]], "xlsx", tmp_path / "e.xlsx")
    ws = load_workbook(tmp_path / "e.xlsx").active
    assert ws["C2"].data_type == "s" and ws["C2"].value.startswith("=HYPERLINK")

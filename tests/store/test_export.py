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


def test_read_ahead_order_errors_and_early_stop() -> None:
    import threading

    from store.export import read_ahead

    closed = threading.Event()

    def numbers(n: int, fail_at: int | None = None):  # noqa: ANN202 - a generator
        try:
            for i in range(n):
                if i == fail_at:
                    raise RuntimeError("the database went away")
                yield i
        finally:
            closed.set()

    assert list(read_ahead(lambda: numbers(50))) == list(range(50))
    got = []
    with pytest.raises(RuntimeError, match="went away"):
        for i in read_ahead(lambda: numbers(50, fail_at=7)):
            got.append(i)
    assert got == list(range(7))
    closed.clear()
    stream = read_ahead(lambda: numbers(10**9), depth=1)
    assert [next(stream) for _ in range(3)] == [0, 1, 2]
    stream.close()  # the caller stops: the worker stops and closes its generator
    assert closed.is_set()
    assert not any(t.name == "export-read-ahead" for t in threading.enumerate())


def test_csv_export_stops_cleanly_when_the_output_fails(db_url: str) -> None:
    class Full(io.StringIO):
        def write(self, s: str) -> int:
            if self.tell() > 200:
                raise OSError("disk full")
            return super().write(s)

    e = build_store(db_url)
    with pytest.raises(OSError, match="disk full"):
        export(e, FindingsQuery(), "csv", Full())
    assert export(e, FindingsQuery(), "csv", io.StringIO()) == 5  # the connection came back

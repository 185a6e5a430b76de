"""The findings commands, in process: output and the store behind it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "store"))

from findings_factory import build_store, decide  # noqa: E402

from app.cli import app  # noqa: E402
from store.query import FindingsQuery, count  # noqa: E402

runner = CliRunner()


@pytest.fixture()
def store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    build_store(url)
    return url


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_query_formats(store: str, tmp_path: Path) -> None:
    rows = json.loads(
        run("query", "--theme", "trust", "--country", "FI", "--format", "json", "--db", store)
    )
    assert len(rows) == 1 and rows[0]["countries"] == ["FI"] and rows[0]["link"]
    for key in (
        "passage_id",
        "document_id",
        "title",
        "source",
        "page",
        "text",
        "themes",
        "countries",
        "sectors",
        "scores",
        "link",
    ):
        assert key in rows[0]
    out = run("query", "--doc-type", "report", "--format", "csv", "--db", store)
    assert out.splitlines()[0].startswith("passage_id,document_id,title")
    assert len(out.strip().splitlines()) == 3
    lines = run("query", "--text", "badges", "--format", "jsonl", "--db", store).splitlines()
    assert len(lines) == 2
    run("query", "--format", "xlsx", "--output", str(tmp_path / "q.xlsx"), "--db", store)
    assert (tmp_path / "q.xlsx").stat().st_size > 0
    table = run("query", "--theme", "trust", "--db", store)
    assert "2 passages" in table
    assert count(_ro(store), FindingsQuery()) == 5  # reading changed nothing


def test_crosstab_json_csv_plot(store: str, tmp_path: Path) -> None:
    decide(_ro_writer(store), "Sweden trusts", "theme", "trust", "reject")
    cells = json.loads(
        run("crosstab", "--rows", "theme", "--cols", "country", "--format", "json", "--db", store)
    )
    assert set(cells[0]) == {"row", "col", "passages", "documents"}
    got = {(c["row"], c["col"]): c["passages"] for c in cells}
    assert got[("recognition", "FI")] == 2 and ("trust", "SE") not in got
    out = run(
        "crosstab", "--rows", "sector", "--cols", "doc_type", "--format", "csv", "--db", store
    )
    assert "credscope query --sector P --doc-type report" in out
    run("crosstab", "--plot", str(tmp_path / "h.png"), "--db", store)
    assert (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"


def test_report_and_export(store: str, tmp_path: Path) -> None:
    md = run("report", "--theme", "trust", "--db", store)
    assert md.startswith("# Findings brief: trust") and "#page=1" in md and "| FI |" in md
    run(
        "report",
        "--theme",
        "trust",
        "--format",
        "html",
        "--output",
        str(tmp_path / "t.html"),
        "--db",
        store,
    )
    assert "<blockquote>" in (tmp_path / "t.html").read_text()
    result = runner.invoke(app, ["export", str(tmp_path / "all.csv"), "--db", store])
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "all.csv").read_text().strip().splitlines()) == 6
    bad = runner.invoke(app, ["query", "--format", "xlsx", "--db", store])
    assert bad.exit_code == 2


def _ro(url: str):  # noqa: ANN202
    from store.connect import connect_read_only

    return connect_read_only(url)


def _ro_writer(url: str):  # noqa: ANN202
    from store.connect import connect

    return connect(url)

"""The foundation commands, run in-process: output and store state both checked."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from store.connect import connect
from store.query import list_documents

runner = CliRunner()


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> tuple[str, Path]:
    """Three real documents (PDF, HTML, TXT) and one broken PDF, refreshed without Prefect."""
    folder = tmp_path_factory.mktemp("corpus")
    for name in ("dossier-1.pdf", "p1-004.html", "p1-001.txt"):
        shutil.copy(corpus_dir / name, folder / name)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<")
    db = tmp_path_factory.mktemp("db") / "cli.db"
    result = runner.invoke(app, ["refresh", str(folder), "--db", str(db), "--no-prefect"])
    assert result.exit_code == 0, result.output
    return str(db), folder


def test_refresh_lists_failures_and_exits_zero(small_store: tuple[str, Path]) -> None:
    db, _folder = small_store
    docs = {Path(d.source).name: d for d in list_documents(connect(db))}
    assert docs["broken.pdf"].status == "failed" and docs["broken.pdf"].error
    assert all(d.status == "ok" for n, d in docs.items() if n != "broken.pdf")


def test_refresh_of_missing_path_fails_clearly(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["refresh", str(tmp_path / "nope"), "--db", str(tmp_path / "x.db"), "--no-prefect"]
    )
    assert result.exit_code != 0


def test_documents_json_has_reason(small_store: tuple[str, Path]) -> None:
    db, _ = small_store
    result = runner.invoke(app, ["documents", "--db", db, "--status", "failed", "--format", "json"])
    assert result.exit_code == 0, result.output
    [doc] = json.loads(result.stdout)
    assert doc["source"].endswith("broken.pdf") and doc["status"] == "failed" and doc["error"]


def test_query_formats(small_store: tuple[str, Path]) -> None:
    db, _ = small_store
    out = runner.invoke(app, ["query", "--db", db, "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert (
        rows
        and {
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
        }
        <= rows[0].keys()
    )
    de = [r for r in rows if "DE" in r["countries"]]
    assert de, "dossier-1 speaks of Germany"
    out = runner.invoke(app, ["query", "--db", db, "--country", "DE", "--format", "csv"])
    parsed = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(parsed) == len(de)
    out = runner.invoke(app, ["query", "--db", db, "--country", "DE", "--format", "jsonl"])
    assert len(out.stdout.strip().splitlines()) == len(de)


def test_extract_text_and_json(corpus_dir: Path) -> None:
    text = runner.invoke(app, ["extract", str(corpus_dir / "dossier-1.pdf")])
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("Trust, quality and recognition")
    data = json.loads(
        runner.invoke(
            app, ["extract", str(corpus_dir / "dossier-1.pdf"), "--format", "json"]
        ).stdout
    )
    assert data["passages"] and all(p["page"] >= 1 for p in data["passages"])


def test_classify_jsonl_with_bad_records() -> None:
    lines = "\n".join(
        [
            json.dumps(
                {
                    "id": "a",
                    "text": "Swedish employers trust micro-credentials issued by "
                    "accredited providers in the retail sector.",
                }
            ),
            "not json",
            json.dumps({"id": "c"}),
            json.dumps({"id": "d", "text": ""}),
        ]
    )
    result = runner.invoke(app, ["classify"], input=lines)
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4
    first = out[0]
    assert first["id"] == "a" and "trust" in first["themes"]
    assert first["countries"] == ["SE"] and "G" in first["sectors"]
    assert set(first["scores"]) == {"trust", "naming", "modularisation", "recognition"}
    assert "error" in out[1] and "error" in out[2]
    assert out[3]["themes"] == []

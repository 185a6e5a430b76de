"""The retrain flow: reviewed gold exported, trained, promoted only if not worse, relabelled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.ids import content_hash, passage_id
from corpus.types import Passage, SourceFile
from flows import retrain
from store.connect import connect
from store.review import Decision, record_decisions
from store.types import LabelRecord, ProcessedDocument
from store.write import write_document

TEXT = "Employers in Sweden trust microcredentials issued by accredited universities."


def _store(url: str) -> str:
    h = content_hash(TEXT)
    pid = passage_id("d", h)
    src = SourceFile(path="/d.txt", uri="file:///d.txt", kind="txt", sha256="s", size=1)
    write_document(
        connect(url),
        ProcessedDocument(
            source=src,
            document_id="d",
            pipeline_version="p",
            passages=[Passage(pid, "d", h, 0, 1, 0, len(TEXT), TEXT)],
            labels=[
                LabelRecord(pid, "theme", "trust", "model", 0.4, False, "m1"),
                LabelRecord(pid, "country", "SE", "rule", evidence=[[13, 19, "Sweden"]]),
            ],
        ),
    )
    return pid


def test_export_gold_and_paths_order(sqlite_url: str, tmp_path: Path) -> None:
    assert retrain.export_gold(sqlite_url, tmp_path / "g.jsonl") is None
    pid = _store(sqlite_url)
    record_decisions(connect(sqlite_url), pid, [Decision("theme", "trust", "accept")], "alice")
    path = retrain.export_gold(sqlite_url, tmp_path / "g.jsonl")
    assert path is not None
    [rec] = [json.loads(line) for line in path.read_text().splitlines()]
    assert rec["themes"] == ["trust"] and rec["countries"] == ["SE"] and rec["text"] == TEXT
    paths = retrain.gold_paths(["extra.jsonl"], path)
    assert paths[-1] == path and Path("extra.jsonl") in paths and len(paths) >= 3


@pytest.mark.parametrize("promoted", [True, False])
def test_flow_relabels_only_when_promoted(
    prefect_server: None, sqlite_url: str, monkeypatch: pytest.MonkeyPatch, promoted: bool
) -> None:
    pid = _store(sqlite_url)
    record_decisions(connect(sqlite_url), pid, [Decision("theme", "trust", "accept")], "alice")
    seen: dict = {}

    def fake_train(paths, force=False):  # noqa: ANN001, ANN202
        seen["paths"] = paths
        return {
            "version": "v-new",
            "promoted": promoted,
            "metrics": {"macro_f1": 0.7},
            "compared_to": {"version": "v-old", "macro_f1": 0.69},
        }

    monkeypatch.setattr("models.registry.train_and_register", fake_train)
    monkeypatch.setattr("flows.pipeline.relabel_store", lambda url: 1)
    summary = retrain.retrain_model(sqlite_url)
    assert summary["promoted"] is promoted and summary["reviewed_passages"] == 1
    assert summary["relabelled"] == (1 if promoted else None)
    assert str(seen["paths"][-1]).endswith("reviewed.jsonl")

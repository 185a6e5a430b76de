"""Fixtures for the theme classifier tests: a small gold file and a tiny trained registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

GOLD = Path(__file__).resolve().parents[2] / "data" / "annotations" / "passages.jsonl"
FAST_PARAMS = {"inner_folds": 3, "word_max_features": 3000}


@pytest.fixture(scope="session")
def fast_params() -> dict:
    return dict(FAST_PARAMS)


@pytest.fixture(scope="session")
def small_gold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 300 real gold passages from whole documents (fast to train on)."""
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    docs = sorted({r["doc_id"] for r in rows})
    keep = set(docs[::3]) | {d for d in docs if d.startswith("dossier-") and d[-1] in "135"}
    path = tmp_path_factory.mktemp("gold") / "small.jsonl"
    path.write_text(
        "".join(json.dumps(r) + "\n" for r in rows if r["doc_id"] in keep), encoding="utf-8"
    )
    return path


@pytest.fixture(scope="session")
def trained_registry(tmp_path_factory: pytest.TempPathFactory, small_gold: Path) -> Path:
    from models.registry import train_and_register

    root = tmp_path_factory.mktemp("registry")
    train_and_register([small_gold], registry_dir=root, params=FAST_PARAMS)
    return root

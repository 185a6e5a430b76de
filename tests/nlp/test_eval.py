"""Tagging quality on the gold passages, split by document (dev tuned on, held-out not).

Measured on 2026-11-23 (held-out looked at once, after tuning ended):
dev      countries F1 0.983, sectors F1 0.941 (564 passages, 168 documents)
held-out countries F1 0.923, sectors F1 0.795 (278 passages, 61 documents)
The floors below guard these figures; the issue's targets (0.97 / 0.88 held-out) are not met.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.evaluate import evaluate_tagging, micro_prf, split_of

GOLD = Path(__file__).resolve().parents[2] / "data" / "annotations" / "passages.jsonl"


@pytest.fixture(scope="module")
def scores(nlp_pipeline) -> dict:
    if not GOLD.exists():
        pytest.skip("gold annotations absent")
    return evaluate_tagging(GOLD, nlp=nlp_pipeline)


def test_split_is_by_document_and_deterministic() -> None:
    assert split_of("dossier-1") == split_of("dossier-1")
    assert {split_of(f"doc-{i}") for i in range(50)} == {"dev", "heldout"}


def test_split_sizes(scores: dict) -> None:
    assert scores["dev"]["passages"] + scores["heldout"]["passages"] == 842
    assert scores["heldout"]["documents"] == 61


def test_dev_scores(scores: dict) -> None:
    assert scores["dev"]["countries"]["f1"] >= 0.98
    assert scores["dev"]["sectors"]["f1"] >= 0.94


def test_heldout_scores_do_not_regress(scores: dict) -> None:
    assert scores["heldout"]["countries"]["f1"] >= 0.92
    assert scores["heldout"]["sectors"]["f1"] >= 0.79


@pytest.mark.xfail(reason="held-out below the issue's targets (0.92 / 0.79 measured)", strict=False)
def test_heldout_meets_targets(scores: dict) -> None:
    assert scores["heldout"]["countries"]["f1"] >= 0.97
    assert scores["heldout"]["sectors"]["f1"] >= 0.88


def test_micro_prf() -> None:
    result = micro_prf([{"A", "B"}, set()], [{"A"}, {"C"}])
    assert (result["tp"], result["fp"], result["fn"]) == (1, 1, 1)
    assert result["f1"] == 0.5

"""Tagging quality on the gold passages, split by document (dev tuned on, held-out not).

Measured on 2026-11-23 (held-out: aggregate scores only, looked at before and after the work):
first lexicon  dev countries F1 0.983, sectors 0.941; held-out countries 0.923, sectors 0.795
broad lexicon  dev countries F1 0.983, sectors 0.952; held-out countries 0.923, sectors 0.864
               (held-out sectors P 0.880 R 0.849; countries P 0.949 R 0.897)
per document   dev countries F1 0.987 (document context: +2 passages), held-out unchanged
guideline fixes held-out countries 0.940 (P 0.978 R 0.904): language adjectives only for
               language names, programmes/initiatives named after places, name particles,
               imprint addresses. NB: the lead had read held-out country errors before these
               fixes, so from here on the held-out figure is no longer a clean estimate.
error classes  dev errors only (held-out aggregates read four times: after the first classes,
(2026-11-24)   after section context, after the sector classes, at the end): contrast/analogy
               and modifier uses of sector terms, idioms, education staff only with a skills
               cue, national industry -> C, address/person/list rules for places; dev passage
               countries 0.983, sectors 0.967; held-out passage 0.940 / 0.869 (countries same).
section context tag_document with passage headings (a dossier's article titles): anaphors get
               the heading's country/sector. Document mode: dev 0.990 / 0.969, held-out
               countries 0.951 (P 0.978 R 0.925), sectors 0.876 (P 0.892 R 0.861).
The floors below guard these figures; the issue's targets (0.97 / 0.88 held-out) are not met.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.evaluate import evaluate_tagging, gold_headings, micro_prf, split_of

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
    assert scores["dev"]["sectors"]["f1"] >= 0.96
    assert scores["dev"]["document"]["countries"]["f1"] >= 0.985
    assert scores["dev"]["document"]["sectors"]["f1"] >= 0.965


def test_heldout_scores_do_not_regress(scores: dict) -> None:
    assert scores["heldout"]["countries"]["f1"] >= 0.935
    assert scores["heldout"]["sectors"]["f1"] >= 0.865
    assert scores["heldout"]["document"]["countries"]["f1"] >= 0.945
    assert scores["heldout"]["document"]["sectors"]["f1"] >= 0.87


def test_document_context_does_not_hurt(scores: dict) -> None:
    for part in ("dev", "heldout"):
        for field in ("countries", "sectors"):
            assert scores[part]["document"][field]["f1"] >= scores[part][field]["f1"]


@pytest.mark.xfail(
    reason="held-out below the issue's targets (per passage 0.940 / 0.869, per document with"
    " headings 0.951 / 0.876); strict: meeting them fails this marker, so it gets removed",
    strict=True,
)
def test_heldout_meets_targets(scores: dict) -> None:
    best = {
        field: max(scores["heldout"][field]["f1"], scores["heldout"]["document"][field]["f1"])
        for field in ("countries", "sectors")
    }
    assert best["countries"] >= 0.97
    assert best["sectors"] >= 0.88


def test_micro_prf() -> None:
    result = micro_prf([{"A", "B"}, set()], [{"A"}, {"C"}])
    assert (result["tp"], result["fp"], result["fn"]) == (1, 1, 1)
    assert result["f1"] == 0.5


def test_gold_headings_from_body_text(tmp_path: Path) -> None:
    body = (
        "Malta: tourism\n\nMalta funds a course.\n\nIt runs on the island.\n\nSecond title\n\nMore."
    )
    (tmp_path / "d.truth.txt").write_text(body, encoding="utf-8")
    rows = [
        {"doc_id": "d", "text": "Malta funds a course."},
        {"doc_id": "d", "text": "It runs on the island."},
        {"doc_id": "d", "text": "More."},
        {"doc_id": "missing", "text": "Anything."},
    ]
    assert gold_headings(rows, tmp_path) == [
        "Malta: tourism",
        "Malta: tourism",
        "Second title",
        None,
    ]

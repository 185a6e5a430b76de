from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from models.evaluate import cross_validate, format_report, score
from models.train import best_threshold, build_estimator, fit_estimator, load_gold


def test_load_gold_dedups_by_text_later_file_wins(tmp_path: Path, small_gold: Path) -> None:
    first = json.loads(small_gold.read_text(encoding="utf-8").splitlines()[0])
    extra = tmp_path / "reviewed.jsonl"
    extra.write_text(
        json.dumps({**first, "text": " " + first["text"], "themes": ["naming"]}) + "\n"
    )
    base = load_gold([small_gold])
    both = load_gold([small_gold, extra])
    assert len(both) == len(base)
    i = [" ".join(t.split()) for t in both.texts].index(" ".join(first["text"].split()))
    assert both.Y[i].tolist() == [0, 1, 0, 0]
    assert both.sha256 != base.sha256


def test_small_real_training_run(fast_params: dict, small_gold: Path) -> None:
    gold = load_gold([small_gold])
    est = fit_estimator(gold, fast_params)
    clf = est.named_steps["clf"]
    assert clf.coef_.shape[0] == 4
    assert ((clf.thresholds_ > 0) & (clf.thresholds_ < 1)).all()
    proba = est.predict_proba(gold.texts[:20])
    assert proba.shape == (20, 4) and ((proba >= 0) & (proba <= 1)).all()
    # it learned something: training-set F1 well above chance
    assert score(gold.Y, est.predict(gold.texts), gold.themes)["macro_f1"] > 0.7


def test_grouped_cv_report(fast_params: dict, small_gold: Path) -> None:
    gold = load_gold([small_gold])
    cv = cross_validate(gold, fast_params)
    m = cv["metrics"]
    assert 0.4 < m["macro_f1"] <= 1.0
    lo, hi = m["macro_f1_ci95"]
    assert lo <= m["macro_f1"] <= hi
    report = {
        "gold": {"passages": len(gold), "documents": 1, "sources": ["x"]},
        "folds": 5,
        "codebook_version": "t",
        "model": m,
        "baselines": {"keywords": m},
    }
    assert "| model | trust |" in format_report(report)


def test_best_threshold_picks_separating_value() -> None:
    proba = np.array([0.1, 0.2, 0.3, 0.7, 0.8])
    y = np.array([0, 0, 0, 1, 1])
    assert 0.3 <= best_threshold(proba, y) < 0.7


def test_build_estimator_rejects_unknown_params() -> None:
    import pytest

    with pytest.raises(ValueError):
        build_estimator({"nope": 1})


def test_extra_passages_only_train_and_are_never_scored(
    fast_params: dict, small_gold: Path, tmp_path: Path
) -> None:
    from models.train import combine, default_extra_paths, default_gold_paths

    assert all(not p.name.startswith("extra-") for p in default_gold_paths())
    assert all(p.name.startswith("extra-") for p in default_extra_paths())
    gold = load_gold([small_gold])
    extra_path = tmp_path / "extra-passages.jsonl"
    rows = [
        {
            "id": "extra-001-1",
            "doc_id": "extra-001",
            "themes": ["trust"],
            "text": "Employers do not trust certificates from unknown online providers.",
        },
        {
            "id": "extra-002-1",
            "doc_id": "extra-002",
            "themes": ["recognition"],
            "text": "Prior learning is validated and recognised for credit by the university.",
        },
    ]
    extra_path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    extra = load_gold([extra_path])
    both = combine(gold, extra)
    assert len(both) == len(gold) + 2 and both.groups[-1] == "extra-002"
    cv = cross_validate(gold, fast_params, extra)
    assert cv["pred"].shape == gold.Y.shape  # scored on gold only
    supports = {t: v["support"] for t, v in cv["metrics"]["per_theme"].items()}
    assert supports == {t: int(gold.Y[:, j].sum()) for j, t in enumerate(gold.themes)}


def test_stacked_ensemble_collapses_to_one_linear_model(
    fast_params: dict, small_gold: Path
) -> None:
    gold = load_gold([small_gold])
    params = {**fast_params, "base_models": ["lr", "nblr"], "stack": True}
    est = fit_estimator(gold, params)
    clf = est.named_steps["clf"]
    X = est.named_steps["features"].transform(gold.texts[:30])
    expected = 1.0 / (1.0 + np.exp(-(X @ clf.coef_.T + clf.intercept_)))
    assert np.allclose(clf.predict_proba(X), expected)
    assert clf.coef_.shape[0] == 4 and ((clf.thresholds_ > 0) & (clf.thresholds_ < 1)).all()


def test_rule_features_only_reach_their_themes(fast_params: dict, small_gold: Path) -> None:
    """A guideline rule written for one theme gets zero weight in the other themes' models."""
    from models.codebook import load_codebook

    gold = load_gold([small_gold])
    est = fit_estimator(gold, {**fast_params, "use_rules": True})
    clf = est.named_steps["clf"]
    rules = load_codebook().rules
    tail = clf.coef_[:, clf.coef_.shape[1] - len(rules) :]
    for c, rule in enumerate(rules):
        for j, theme in enumerate(clf.themes_):
            if theme not in rule.themes:
                assert tail[j, c] == 0.0
    assert np.abs(tail).sum() > 0

"""Honest evaluation: document-grouped CV over all gold passages, with baselines.

The classifier's calibration and thresholds are chosen inside each outer training fold
(`ThemeClassifier` runs its own grouped inner CV), so the outer test folds are untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from models.train import GoldSet, build_estimator, load_gold

N_FOLDS = 5
N_BOOTSTRAP = 1000


def _prf(y: np.ndarray, p: np.ndarray) -> tuple[float, float, float]:
    tp = float(np.sum((p == 1) & (y == 1)))
    fp = float(np.sum((p == 1) & (y == 0)))
    fn = float(np.sum((p == 0) & (y == 1)))
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return prec, rec, f1


def score(Y: np.ndarray, P: np.ndarray, themes: Sequence[str], seed: int = 0) -> dict:
    """Per-theme P/R/F1, macro-F1 and a document-free passage bootstrap 95% CI of macro-F1."""
    per_theme = {}
    for j, t in enumerate(themes):
        p, r, f = _prf(Y[:, j], P[:, j])
        per_theme[t] = {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "support": int(Y[:, j].sum()),
        }
    macro = float(np.mean([v["f1"] for v in per_theme.values()]))
    rng = np.random.default_rng(seed)
    n = len(Y)
    boots = []
    for _ in range(N_BOOTSTRAP):
        idx = rng.integers(0, n, n)
        boots.append(np.mean([_prf(Y[idx, j], P[idx, j])[2] for j in range(len(themes))]))
    lo, hi = np.percentile(boots, [2.5, 97.5])
    return {
        "per_theme": per_theme,
        "macro_f1": round(macro, 4),
        "macro_f1_ci95": [round(float(lo), 4), round(float(hi), 4)],
    }


def _folds(gold: GoldSet) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import GroupKFold

    groups = np.asarray(gold.groups)
    return list(GroupKFold(n_splits=N_FOLDS).split(np.zeros(len(gold)), groups=groups))


def cross_validate(gold: GoldSet, params: dict | None = None, extra: GoldSet | None = None) -> dict:
    """Out-of-fold predictions of `build_estimator(params)` on `gold`, and their scores.

    `extra` passages (written to the guidelines, own doc groups) are added to every training
    fold and never scored: the metrics are on `gold` only.
    """
    groups = np.asarray(gold.groups)
    P = np.zeros_like(gold.Y)
    proba = np.zeros(gold.Y.shape, dtype=float)
    seen = {" ".join(t.split()).lower() for t in gold.texts}
    keep = (
        [i for i, t in enumerate(extra.texts) if " ".join(t.split()).lower() not in seen]
        if extra is not None
        else []
    )
    for tr, te in _folds(gold):
        est = build_estimator(params)
        texts = [gold.texts[i] for i in tr] + [extra.texts[i] for i in keep]
        Y = np.vstack([gold.Y[tr], extra.Y[keep]]) if keep else gold.Y[tr]
        g = np.concatenate([groups[tr], np.asarray([extra.groups[i] for i in keep], dtype=str)])
        est.fit(texts, Y, clf__groups=g)
        te_texts = [gold.texts[i] for i in te]
        proba[te] = est.predict_proba(te_texts)
        P[te] = est.predict(te_texts)
    return {"metrics": score(gold.Y, P, gold.themes), "pred": P, "proba": proba}


def keyword_baseline(gold: GoldSet) -> dict:
    """A theme is predicted when two distinct codebook terms/phrases match (sense rules off)."""
    from models.codebook import load_codebook
    from models.features import LexiconMatcher, lexicon_from_codebook, tokenize

    cb = load_codebook()
    lex = lexicon_from_codebook(cb)
    for body in lex.values():
        body["sense_exclude"] = []
    matcher = LexiconMatcher(lex, (), 0)
    P = np.zeros_like(gold.Y)
    for i, text in enumerate(gold.texts):
        hits: dict[str, set[str]] = {}
        for m in matcher.match(tokenize(text)):
            for th in m.themes:
                hits.setdefault(th, set()).add(m.entry)
        for j, t in enumerate(gold.themes):
            P[i, j] = int(len(hits.get(t, ())) >= 2)
    return {"metrics": score(gold.Y, P, gold.themes)}


def tfidf_baseline(gold: GoldSet) -> dict:
    """Word TF-IDF + class-balanced logistic regression per theme, threshold 0.5, same folds."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    P = np.zeros_like(gold.Y)
    for tr, te in _folds(gold):
        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        Xtr = vec.fit_transform([gold.texts[i] for i in tr])
        Xte = vec.transform([gold.texts[i] for i in te])
        for j in range(gold.Y.shape[1]):
            m = LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000).fit(
                Xtr, gold.Y[tr, j]
            )
            P[te, j] = m.predict(Xte)
    return {"metrics": score(gold.Y, P, gold.themes)}


def load_extra(paths: Sequence[Path | str] | None = None) -> GoldSet | None:
    """Training-only passages (default: data/annotations/extra-*.jsonl), or None."""
    from models.train import default_extra_paths

    path_list = list(paths) if paths is not None else default_extra_paths()
    return load_gold(path_list) if path_list else None


def evaluate(
    gold_paths: Sequence[Path | str] | None = None,
    params: dict | None = None,
    extra_paths: Sequence[Path | str] | None = None,
) -> dict:
    """Grouped-CV report of the classifier next to keyword-only and TF-IDF-only baselines.

    Scores are on the gold passages only. Training-only extra passages (default: the shipped
    `extra-*.jsonl`; pass `extra_paths=[]` for none) go into every training fold, and the
    model is then also reported without them ("model, gold only").
    """
    from models.codebook import load_codebook
    from models.train import DEFAULT_PARAMS

    gold = load_gold(gold_paths)
    extra = load_extra(extra_paths)
    p = {**DEFAULT_PARAMS, **(params or {})}
    variants = {}
    if extra is not None:
        variants["model, gold only"] = cross_validate(gold, p)["metrics"]
    return {
        "gold": {
            "sources": [Path(s).name for s in gold.sources],
            "passages": len(gold),
            "documents": len(set(gold.groups)),
            "sha256": gold.sha256,
        },
        "codebook_version": load_codebook().version,
        "folds": N_FOLDS,
        "params": p,
        "extra_training_passages": len(extra) if extra is not None else 0,
        "model": cross_validate(gold, p, extra)["metrics"],
        "variants": variants,
        "baselines": {
            "keywords": keyword_baseline(gold)["metrics"],
            "tfidf_lr": tfidf_baseline(gold)["metrics"],
        },
    }


def format_report(report: dict) -> str:
    """Markdown tables: per-theme P/R/F1 for the model and baselines, macro-F1 with CI."""
    g = report["gold"]
    lines = [
        f"Gold: {g['passages']} passages from {g['documents']} documents "
        f"({', '.join(g['sources'])}); {report['folds']}-fold CV grouped by document; "
        f"codebook {report['codebook_version']}."
        + (
            f" The model also trains on {report['extra_training_passages']} extra passages "
            "written to the guidelines (training folds only, never scored)."
            if report.get("extra_training_passages")
            else ""
        ),
        "",
        "| system | theme | precision | recall | F1 | support |",
        "|---|---|---:|---:|---:|---:|",
    ]
    systems = (
        [("model", report["model"])]
        + list(report.get("variants", {}).items())
        + list(report["baselines"].items())
    )
    for name, m in systems:
        for theme, v in m["per_theme"].items():
            lines.append(
                f"| {name} | {theme} | {v['precision']:.3f} | {v['recall']:.3f} | "
                f"{v['f1']:.3f} | {v['support']} |"
            )
    lines += ["", "| system | macro-F1 | 95% CI (bootstrap) |", "|---|---:|---|"]
    for name, m in systems:
        lo, hi = m["macro_f1_ci95"]
        lines.append(f"| {name} | {m['macro_f1']:.3f} | {lo:.3f}-{hi:.3f} |")
    return "\n".join(lines)

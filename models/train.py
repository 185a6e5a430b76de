"""Build and fit the theme classifier: features + one-vs-rest calibrated linear models.

`build_estimator(params)` returns one sklearn `Pipeline` (features -> `ThemeClassifier`).
`ThemeClassifier` fits one logistic regression per theme; inside its own training data it runs a
document-grouped cross-validation to get out-of-fold scores, fits a Platt (sigmoid) calibration
on them and picks the per-theme threshold that maximises F1 on the calibrated out-of-fold
probabilities. Used inside an outer grouped CV (models/evaluate.py) this is nested CV.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold
from sklearn.pipeline import Pipeline

from models.codebook import theme_ids
from models.features import build_features

DEFAULT_PARAMS: dict = {
    "C": 4.0,
    "class_weight": "balanced",
    "inner_folds": 5,
    "word_max_features": 20000,
    "word_ngram_max": 2,
    "char_max_features": 30000,
    "char_ngram": [2, 5],
    "min_df": 2,
    "word_weight": 1.0,
    "char_weight": 1.0,
    "codebook_weight": 0.5,
    "use_char": False,
    "use_codebook": True,
    "use_rules": True,  # guideline-rule features (models/data/codebook.toml [rules])
    "rules_weight": 0.5,  # chosen on the analysis half only (models/experiments/error_analysis.py)
    "base_models": ["lr"],
    "stack": False,
    "stack_C": 1.0,
}

FEATURE_KEYS = {
    "word_max_features",
    "word_ngram_max",
    "char_max_features",
    "char_ngram",
    "min_df",
    "word_weight",
    "char_weight",
    "codebook_weight",
    "use_char",
    "use_codebook",
    "use_rules",
    "rules_weight",
}


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0)))


def _fit_platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling (1-D logistic regression of labels on scores), with Platt's label smoothing."""
    n_pos = float(y.sum())
    n_neg = float(len(y) - n_pos)
    target = np.where(y == 1, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))
    lr = LogisticRegression(C=1e6)
    # fit on smoothed targets via sample weights: duplicate each row as positive and negative
    xs = np.concatenate([scores, scores]).reshape(-1, 1)
    ys = np.concatenate([np.ones_like(target), np.zeros_like(target)])
    ws = np.concatenate([target, 1.0 - target])
    lr.fit(xs, ys, sample_weight=ws)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def best_threshold(proba: np.ndarray, y: np.ndarray) -> float:
    """Threshold on calibrated probabilities that maximises F1 (middle of the best plateau)."""
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    f1s = []
    for t in grid:
        pred = proba >= t
        tp = float(np.sum(pred & (y == 1)))
        fp = float(np.sum(pred & (y == 0)))
        fn = float(np.sum(~pred & (y == 1)))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    f1 = np.asarray(f1s)
    best = f1.max()
    near = grid[f1 >= best - 1e-9]
    return float(np.median(near))


def _nb_ratio(X: object, y: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """NB log-count ratio per feature (Wang & Manning's NB-SVM), for non-negative features."""
    pos = np.asarray(X[y == 1].sum(axis=0)).ravel() + alpha
    neg = np.asarray(X[y == 0].sum(axis=0)).ravel() + alpha
    return np.log(pos / pos.sum()) - np.log(neg / neg.sum())


class ThemeClassifier(ClassifierMixin, BaseEstimator):
    """One-vs-rest linear scorers per theme, stacked and calibrated on grouped out-of-fold scores.

    For each theme, each base learner in `base_models` ("lr": logistic regression, "nblr": LR on
    NB-ratio-scaled features, "svm": linear SVM) yields a linear score. Inside the training data a
    document-grouped CV gives out-of-fold scores; a second-stage logistic regression per theme
    maps them to a calibrated probability (with `stack`, it sees every theme's scores, so label
    co-occurrence such as trust<->recognition can be used; without it, only the theme's own
    scores: Platt scaling). The threshold per theme maximises F1 on those out-of-fold
    probabilities. Everything is linear in the features, so the fitted model is one weight matrix
    (`coef_`, `intercept_`) plus `calib_a_`/`calib_b_` and `thresholds_`: plain arrays, a short
    skops trusted-types list, and linear explanations.
    """

    def __init__(
        self,
        C: float = 4.0,
        class_weight: str | None = "balanced",
        inner_folds: int = 5,
        themes: Sequence[str] | None = None,
        base_models: Sequence[str] = ("lr",),
        stack: bool = False,
        stack_C: float = 1.0,
        scoped_tail: Sequence[Sequence[str]] = (),
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.inner_folds = inner_folds
        self.themes = themes
        self.base_models = base_models
        self.stack = stack
        self.stack_C = stack_C
        self.scoped_tail = scoped_tail

    def _theme_view(self, X: object, theme: str) -> object:
        """X with the scoped tail columns of other themes zeroed (`scoped_tail`).

        The last len(scoped_tail) feature columns are guideline-rule features, each written
        for some themes only; another theme's classifier would otherwise pick them up as
        proxies (a trust rule as evidence against stacking), which is noise, not guidance.
        """
        if not self.scoped_tail:
            return X
        n_features = X.shape[1]
        mask = np.ones(n_features)
        start = n_features - len(self.scoped_tail)
        for c, themes in enumerate(self.scoped_tail):
            if theme not in themes:
                mask[start + c] = 0.0
        if hasattr(X, "multiply"):
            return (X @ sp.diags(mask)).tocsr()
        return np.asarray(X) * mask

    def _base(self) -> LogisticRegression:
        return LogisticRegression(
            C=self.C, class_weight=self.class_weight, solver="liblinear", max_iter=2000
        )

    def _fit_linear(self, kind: str, X: object, y: np.ndarray) -> tuple[np.ndarray, float]:
        """(weights, intercept) of one base learner, as weights on the unscaled features."""
        if kind == "lr":
            m = self._base().fit(X, y)
            return m.coef_[0], float(m.intercept_[0])
        if kind == "nblr":
            r = _nb_ratio(X, y)
            m = self._base().fit(X.multiply(r).tocsr() if hasattr(X, "multiply") else X * r, y)
            return m.coef_[0] * r, float(m.intercept_[0])
        if kind == "svm":
            from sklearn.svm import LinearSVC

            m = LinearSVC(C=self.C / 10.0, class_weight=self.class_weight, max_iter=5000)
            m.fit(X, y)
            return m.coef_[0], float(m.intercept_[0])
        raise ValueError(f"unknown base model {kind!r}")

    def fit(self, X: object, Y: np.ndarray, groups: Sequence[str] | None = None) -> ThemeClassifier:
        Y = np.asarray(Y, dtype=int)
        if Y.ndim != 2:
            raise ValueError("Y must be an (n_samples, n_themes) indicator matrix")
        n, k = Y.shape
        self.themes_ = list(self.themes) if self.themes is not None else list(theme_ids())
        if len(self.themes_) != k:
            raise ValueError(f"Y has {k} columns but there are {len(self.themes_)} themes")
        if groups is not None and len(set(groups)) >= self.inner_folds:
            splits = list(GroupKFold(n_splits=self.inner_folds).split(np.zeros(n), groups=groups))
        else:
            splits = list(KFold(self.inner_folds, shuffle=True, random_state=0).split(np.zeros(n)))
        kinds = list(self.base_models)
        n_features = X.shape[1]
        n_scores = k * len(kinds)
        # base scorers: column c = (theme j, learner m) -> weights W[c], intercept B[c]
        W = np.zeros((n_scores, n_features))
        B = np.zeros(n_scores)
        Z = np.zeros((n, n_scores))  # out-of-fold scores
        constant = [Y[:, j].min() == Y[:, j].max() for j in range(k)]
        for j in range(k):
            y = Y[:, j]
            if constant[j]:
                continue
            Xj = self._theme_view(X, self.themes_[j])
            for m, kind in enumerate(kinds):
                c = j * len(kinds) + m
                for tr, te in splits:
                    if y[tr].min() == y[tr].max():
                        continue
                    w, b = self._fit_linear(kind, Xj[tr], y[tr])
                    Z[te, c] = np.asarray(Xj[te] @ w).ravel() + b
                W[c], B[c] = self._fit_linear(kind, Xj, y)
        # second stage per theme: calibrated probability from the out-of-fold scores
        self.coef_ = np.zeros((k, n_features))
        self.intercept_ = np.zeros(k)
        self.calib_a_ = np.ones(k)
        self.calib_b_ = np.zeros(k)
        self.thresholds_ = np.full(k, 0.5)
        self.oof_proba_ = np.zeros((n, k))
        for j in range(k):
            y = Y[:, j]
            if constant[j]:
                self.intercept_[j] = 10.0 if y[0] == 1 else -10.0
                continue
            own = [j * len(kinds) + m for m in range(len(kinds))]
            cols = list(range(n_scores)) if self.stack else own
            if len(cols) == 1:
                a, b = _fit_platt(Z[:, cols[0]], y)
                v, b0 = np.array([a]), b
            else:
                v, b0 = _fit_stage2(Z[:, cols], y, self.stack_C)
            proba = _sigmoid(Z[:, cols] @ v + b0)
            self.oof_proba_[:, j] = proba
            self.thresholds_[j] = best_threshold(proba, y)
            # collapse: score_j = sum_c v_c (X @ W[c] + B[c]) + b0, linear in X
            self.coef_[j] = v @ W[cols]
            self.intercept_[j] = float(v @ B[cols] + b0)
        self.classes_ = np.arange(k)
        return self

    def decision_function(self, X: object) -> np.ndarray:
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba(self, X: object) -> np.ndarray:
        return _sigmoid(self.calib_a_ * self.decision_function(X) + self.calib_b_)

    def predict(self, X: object) -> np.ndarray:
        return (self.predict_proba(X) >= self.thresholds_).astype(int)


def _fit_stage2(Z: np.ndarray, y: np.ndarray, C: float) -> tuple[np.ndarray, float]:
    """Logistic regression of labels on a few out-of-fold scores (Platt's smoothed targets)."""
    n_pos = float(y.sum())
    n_neg = float(len(y) - n_pos)
    target = np.where(y == 1, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))
    lr = LogisticRegression(C=C, max_iter=1000)
    xs = np.concatenate([Z, Z])
    ys = np.concatenate([np.ones_like(target), np.zeros_like(target)])
    ws = np.concatenate([target, 1.0 - target])
    lr.fit(xs, ys, sample_weight=ws)
    return lr.coef_[0].astype(float), float(lr.intercept_[0])


def _rule_scopes() -> tuple[tuple[str, ...], ...]:
    """Themes of each guideline-rule feature column (the last columns of the feature union)."""
    from models.codebook import load_codebook

    return tuple(tuple(r.themes) for r in load_codebook().rules)


def build_estimator(params: dict | None = None) -> Pipeline:
    """One sklearn Pipeline: FeatureUnion of text + codebook features -> ThemeClassifier."""
    p = {**DEFAULT_PARAMS, **(params or {})}
    unknown = set(p) - set(DEFAULT_PARAMS)
    if unknown:
        raise ValueError(f"unknown parameters: {sorted(unknown)}")
    features = build_features({k: v for k, v in p.items() if k in FEATURE_KEYS})
    clf = ThemeClassifier(
        C=p["C"],
        class_weight=p["class_weight"],
        inner_folds=p["inner_folds"],
        base_models=tuple(p["base_models"]),
        stack=bool(p["stack"]),
        stack_C=float(p["stack_C"]),
        scoped_tail=_rule_scopes() if p["use_rules"] else (),
    )
    return Pipeline([("features", features), ("clf", clf)])


# ---------------------------------------------------------------- training data


@dataclass(frozen=True)
class GoldSet:
    """Gold passages ready for training: texts, doc groups and the theme indicator matrix."""

    ids: list[str]
    texts: list[str]
    groups: list[str]
    Y: np.ndarray
    themes: list[str]
    sha256: str
    sources: list[str]

    def __len__(self) -> int:
        return len(self.texts)


EXTRA_PREFIX = "extra-"  # data/annotations/extra-*.jsonl: passages written for training only


def _annotations_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "annotations"


def default_gold_paths() -> list[Path]:
    """The shared gold annotations shipped with the project (data/annotations/*.jsonl).

    Files named `extra-*.jsonl` are not gold for evaluation: see `default_extra_paths`.
    """
    return sorted(p for p in _annotations_dir().glob("*.jsonl") if not _is_extra(p))


def default_extra_paths() -> list[Path]:
    """Passages written and labelled to the guidelines by the project (`extra-*.jsonl`).

    They are only ever added to training folds: every reported score is on the shared gold.
    """
    return sorted(p for p in _annotations_dir().glob("*.jsonl") if _is_extra(p))


def _is_extra(path: Path) -> bool:
    return path.name.startswith(EXTRA_PREFIX)


def load_gold(paths: Iterable[Path | str] | None = None) -> GoldSet:
    """Read gold JSONL files (id, doc_id, text, themes, ...), dedup by normalised text.

    Later files win for a duplicated text (reviewed exports override the original labels).
    Unknown theme labels raise ValueError.
    """
    path_list = [Path(p) for p in (paths or default_gold_paths())]
    if not path_list:
        raise FileNotFoundError("no gold annotation files found")
    themes = list(theme_ids())
    by_text: dict[str, dict] = {}
    digest = hashlib.sha256()
    for path in path_list:
        with path.open(encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                row = json.loads(line)
                text = str(row.get("text") or "")
                key = " ".join(text.split()).lower()
                if not key:
                    continue
                bad = set(row.get("themes") or []) - set(themes)
                if bad:
                    raise ValueError(f"{path}:{line_no}: unknown themes {sorted(bad)}")
                by_text.pop(key, None)  # keep the later row, in file order
                by_text[key] = row
    rows = list(by_text.values())
    for row in rows:
        digest.update(
            json.dumps(
                {"text": row["text"], "themes": sorted(row.get("themes") or [])}, sort_keys=True
            ).encode()
        )
    Y = np.array([[int(t in (r.get("themes") or [])) for t in themes] for r in rows], dtype=int)
    return GoldSet(
        ids=[str(r.get("id", i)) for i, r in enumerate(rows)],
        texts=[r["text"] for r in rows],
        groups=[str(r.get("doc_id") or r.get("id") or i) for i, r in enumerate(rows)],
        Y=Y.reshape(len(rows), len(themes)),
        themes=themes,
        sha256=digest.hexdigest(),
        sources=[str(p) for p in path_list],
    )


def combine(gold: GoldSet, extra: GoldSet | None) -> GoldSet:
    """`gold` plus training-only `extra` passages (texts already in `gold` are dropped)."""
    if extra is None or not len(extra):
        return gold
    seen = {" ".join(t.split()).lower() for t in gold.texts}
    keep = [i for i, t in enumerate(extra.texts) if " ".join(t.split()).lower() not in seen]
    return GoldSet(
        ids=gold.ids + [extra.ids[i] for i in keep],
        texts=gold.texts + [extra.texts[i] for i in keep],
        groups=gold.groups + [extra.groups[i] for i in keep],
        Y=np.vstack([gold.Y, extra.Y[keep]]) if keep else gold.Y,
        themes=gold.themes,
        sha256=hashlib.sha256((gold.sha256 + extra.sha256).encode()).hexdigest(),
        sources=gold.sources + extra.sources,
    )


def fit_estimator(
    gold: GoldSet, params: dict | None = None, extra: GoldSet | None = None
) -> Pipeline:
    """Fit `build_estimator(params)` on a gold set (+ training-only extra passages)."""
    data = combine(gold, extra)
    est = build_estimator(params)
    est.fit(data.texts, data.Y, clf__groups=data.groups)
    return slim(est)


def slim(estimator: Pipeline) -> Pipeline:
    """Drop what prediction does not need (TF-IDF `stop_words_`, out-of-fold scores)."""
    for _, part in estimator.named_steps["features"].transformer_list:
        if hasattr(part, "stop_words_"):
            del part.stop_words_
    clf = estimator.named_steps["clf"]
    if hasattr(clf, "oof_proba_"):
        del clf.oof_proba_
    clf.coef_ = clf.coef_.astype(np.float32)
    return estimator

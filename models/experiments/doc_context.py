"""Document context and sentence-level pooling for the theme classifier: grouped-CV record.

Run: `python -m models.experiments.doc_context stage2 base,ctx,sent,ctx+cbdoc [C2]`
     `python -m models.experiments.doc_context features base,doc:0.5:0,nb:0.5:0,doc:1:1`
Same outer protocol as models/evaluate.py (GroupKFold(5) by doc_id on the 842 gold passages,
features fitted and everything tuned inside each training fold).

`stage2`: stage 1 = the shipped features + one balanced LR per theme, cross-fitted by inner
GroupKFold(5) on the training fold (out-of-fold scores only, never in-sample); stage 2 per theme =
a small LR on [own stage-1 score] + extras, threshold from stage-2 out-of-fold probabilities:
  ctx     mean Platt-calibrated stage-1 probability of the same document's *other* passages
  ctxall  that mean for all four themes;  ctxmax  their max
  nb      mean probability of the +-1 neighbour passages
  sent    max and mean stage-1 score of the passage's sentences (regex split on `. ` + capital;
          env SENT_MODEL=1: a separate LR trained on sentences carrying their passage's labels)
  cbdoc   document mean (other passages) of the theme's five codebook aggregate features
`features`: the shipped ThemeClassifier on [X, alpha * mean X of the other passages of the
document (`doc`) or of the +-1 neighbours (`nb`)]; `:1` adds a no-context copy of every row.

Results (2026-11-23; macro-F1, trust/naming/modularisation/recognition):
  shipped model (features base)          0.772  .716/.752/.811/.810
  features doc:0.5 / doc:1 / doc:2       0.768 / 0.763 / 0.735
  features nb:0.5 / nb:1                 0.762 / 0.735;   doc:1 + no-context rows 0.756
  stage2 base (own score only)           0.765  .713/.739/.809/.801
  stage2 ctx / ctxall / ctx+ctxmax       0.768 / 0.763 / 0.762
  stage2 nb / ctx+nb                     0.764 / 0.764
  stage2 sent / ctx+sent / ctx+nb+sent   0.768 / 0.762 / 0.765
  stage2 cbdoc / ctx+cbdoc               0.766 / 0.769  .728/.739/.807/.801
  stage2 C2=0.1: base .764, ctx .765, sent .766, ctx+cbdoc .769
  SENT_MODEL=1: sent .761, ctx+sent .761, ctx+cbdoc+sent .763
Every variant is within +-0.007 of its baseline (bootstrap 95% CI half-width ~0.023): no
reliable gain, so the shipped model stays context-free. Leave-one-out document-mean label
correlation in the gold is only 0.15-0.28 per theme, which bounds what context can add.
"""

import os
import re
import sys
import time

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from models.evaluate import _folds, score
from models.features import build_features
from models.train import (
    DEFAULT_PARAMS,
    FEATURE_KEYS,
    ThemeClassifier,
    _fit_platt,
    _sigmoid,
    best_threshold,
    load_gold,
)

SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def split_sents(t):
    s = [x for x in SENT.split(t) if x.strip()]
    return s or [t]


gold = load_gold()
K = gold.Y.shape[1]
groups = np.asarray(gold.groups)
texts = gold.texts


# doc structure in file order
def doc_index(idx):
    # idx: passage indices in file order -> per position: other positions of its doc, prev, next
    pos = {}
    for p, i in enumerate(idx):
        pos.setdefault(groups[i], []).append(p)
    others, prev, nxt = [], [], []
    for p, i in enumerate(idx):
        L = pos[groups[i]]
        k = L.index(p)
        others.append([q for q in L if q != p])
        prev.append(L[k - 1] if k > 0 else None)
        nxt.append(L[k + 1] if k + 1 < len(L) else None)
    return others, prev, nxt


SENT_MODEL = os.environ.get("SENT_MODEL") == "1"


def lr(C=4.0):
    return LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=2000)


def stage1(Xtr, Ytr, gtr, Xte, Str, Ste, str_owner, ste_owner):
    """cross-fit: OOF passage scores and sentence scores (train), full-fit scores (test)."""
    n = Xtr.shape[0]
    oof = np.zeros((n, K))
    soof = np.zeros((Str.shape[0], K))
    te_s = np.zeros((Xte.shape[0], K))
    te_ss = np.zeros((Ste.shape[0], K))
    splits = list(GroupKFold(5).split(np.zeros(n), groups=gtr))
    for j in range(K):
        for tr, te in splits:
            m = lr().fit(Xtr[tr], Ytr[tr, j])
            w, b = m.coef_[0], m.intercept_[0]
            oof[te, j] = Xtr[te] @ w + b
            mask = np.isin(str_owner, te)
            if SENT_MODEL:
                mtr = np.isin(str_owner, tr)
                ms = lr().fit(Str[mtr], Ytr[str_owner[mtr], j])
                ws, bs = ms.coef_[0], ms.intercept_[0]
                soof[mask, j] = Str[mask] @ ws + bs
            else:
                soof[mask, j] = Str[mask] @ w + b
        m = lr().fit(Xtr, Ytr[:, j])
        w, b = m.coef_[0], m.intercept_[0]
        te_s[:, j] = Xte @ w + b
        if SENT_MODEL:
            ms = lr().fit(Str, Ytr[str_owner, j])
            te_ss[:, j] = Ste @ ms.coef_[0] + ms.intercept_[0]
        else:
            te_ss[:, j] = Ste @ w + b
    return oof, soof, te_s, te_ss, splits


def pool(sc, owner, n):
    mx = np.full((n, K), -np.inf)
    sm = np.zeros((n, K))
    cnt = np.zeros(n)
    for r, o in enumerate(owner):
        mx[o] = np.maximum(mx[o], sc[r])
        sm[o] += sc[r]
        cnt[o] += 1
    return mx, sm / cnt[:, None]


def ctx_feats(P, others, prev, nxt, j):
    mean_o = np.array([P[o].mean(0) if o else np.zeros(K) for o in others])
    max_o = np.array([P[o].max(0) if o else np.zeros(K) for o in others])
    nb = np.array(
        [
            np.mean([P[q] for q in (a, b) if q is not None], 0)
            if (a is not None or b is not None)
            else np.zeros(K)
            for a, b in zip(prev, nxt, strict=False)
        ]
    )
    return mean_o, max_o, nb


def design(variant, s, P, mx, mn, mean_o, max_o, nb, cbm, j):
    cols = [s[:, j : j + 1]]
    if "ctx" in variant:
        cols.append(mean_o[:, j : j + 1])
    if "ctxall" in variant:
        cols.append(mean_o)
    if "ctxmax" in variant:
        cols.append(max_o[:, j : j + 1])
    if "nb" in variant:
        cols.append(nb[:, j : j + 1])
    if "sent" in variant:
        cols += [mx[:, j : j + 1], mn[:, j : j + 1]]
    if "cbdoc" in variant:
        cols.append(cbm)
    return np.hstack(cols)


def fit2(Z, y, C):
    n_pos = float(y.sum())
    n_neg = len(y) - n_pos
    t = np.where(y == 1, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))
    m = LogisticRegression(C=C, max_iter=1000)
    m.fit(
        np.vstack([Z, Z]), np.r_[np.ones(len(y)), np.zeros(len(y))], sample_weight=np.r_[t, 1 - t]
    )
    return m


def run_stage2(variants, C2=1.0):
    res = {v: np.zeros_like(gold.Y) for v in variants}
    for tr, te in _folds(gold):
        fp = {k: v for k, v in DEFAULT_PARAMS.items() if k in FEATURE_KEYS}
        F = build_features(fp).fit([texts[i] for i in tr])
        Xtr = F.transform([texts[i] for i in tr]).tocsr()
        Xte = F.transform([texts[i] for i in te]).tocsr()
        cb = F.transformer_list[-1][1]
        ncb = len(cb.entries_)
        s_tr_sent, own_tr = [], []
        for p, i in enumerate(tr):
            for x in split_sents(texts[i]):
                s_tr_sent.append(x)
                own_tr.append(p)
        s_te_sent, own_te = [], []
        for p, i in enumerate(te):
            for x in split_sents(texts[i]):
                s_te_sent.append(x)
                own_te.append(p)
        Str = F.transform(s_tr_sent).tocsr()
        Ste = F.transform(s_te_sent).tocsr()
        own_tr = np.array(own_tr)
        own_te = np.array(own_te)
        Ytr = gold.Y[tr]
        gtr = groups[tr]
        oof, soof, tes, tess, splits = stage1(Xtr, Ytr, gtr, Xte, Str, Ste, own_tr, own_te)
        # Platt per theme on oof -> probabilities
        ab = [_fit_platt(oof[:, j], Ytr[:, j]) for j in range(K)]
        Ptr = np.column_stack([_sigmoid(ab[j][0] * oof[:, j] + ab[j][1]) for j in range(K)])
        Pte = np.column_stack([_sigmoid(ab[j][0] * tes[:, j] + ab[j][1]) for j in range(K)])
        mx_tr, mn_tr = pool(soof, own_tr, len(tr))
        mx_te, mn_te = pool(tess, own_te, len(te))
        o_tr, pv_tr, nx_tr = doc_index(tr)
        o_te, pv_te, nx_te = doc_index(te)
        ctr = ctx_feats(Ptr, o_tr, pv_tr, nx_tr, 0)
        cte = ctx_feats(Pte, o_te, pv_te, nx_te, 0)
        # codebook per-theme aggregates doc mean of others (label-free)
        A_tr = Xtr[
            :, Xtr.shape[1] - cb.feature_names_.shape[0] + ncb : Xtr.shape[1] - len(cb.patterns_)
        ].toarray()
        A_te = Xte[
            :, Xte.shape[1] - cb.feature_names_.shape[0] + ncb : Xte.shape[1] - len(cb.patterns_)
        ].toarray()
        cbm_tr = np.array([A_tr[o].mean(0) if o else np.zeros(A_tr.shape[1]) for o in o_tr])
        cbm_te = np.array([A_te[o].mean(0) if o else np.zeros(A_te.shape[1]) for o in o_te])
        for v in variants:
            for j in range(K):
                y = Ytr[:, j]
                Z = design(v, oof, Ptr, mx_tr, mn_tr, *ctr, cbm_tr[:, 5 * j : 5 * j + 5], j)
                Zt = design(v, tes, Pte, mx_te, mn_te, *cte, cbm_te[:, 5 * j : 5 * j + 5], j)
                # threshold from stage-2 OOF on same inner splits
                po = np.zeros(len(y))
                for a, b in splits:
                    po[b] = fit2(Z[a], y[a], C2).predict_proba(Z[b])[:, 1]
                thr = best_threshold(po, y)
                m = fit2(Z, y, C2)
                res[v][te, j] = (m.predict_proba(Zt)[:, 1] >= thr).astype(int)
    out = {}
    for v in variants:
        m = score(gold.Y, res[v], gold.themes)
        out[v] = (
            m["macro_f1"],
            {t: m["per_theme"][t]["f1"] for t in gold.themes},
            m["macro_f1_ci95"],
        )
        print(v, out[v], flush=True)
    return out, res


def ctxmat(X, others, prev, nxt, mode):
    n = X.shape[0]
    M = sp.lil_matrix((n, n))
    for p in range(n):
        q = others[p] if mode == "doc" else [x for x in (prev[p], nxt[p]) if x is not None]
        for x in q:
            M[p, x] = 1.0 / len(q)
    return (M.tocsr() @ X).tocsr()


def run_features(variants):
    res = {v: np.zeros_like(gold.Y) for v in variants}
    for tr, te in _folds(gold):
        fp = {k: v for k, v in DEFAULT_PARAMS.items() if k in FEATURE_KEYS}
        F = build_features(fp).fit([texts[i] for i in tr])
        Xtr = F.transform([texts[i] for i in tr]).tocsr()
        Xte = F.transform([texts[i] for i in te]).tocsr()
        o_tr, pv_tr, nx_tr = doc_index(tr)
        o_te, pv_te, nx_te = doc_index(te)
        for v in variants:
            if v == "base":
                A, B = Xtr, Xte
            else:
                mode, alpha, dup = v.split(":")
                alpha = float(alpha)
                Ctr = ctxmat(Xtr, o_tr, pv_tr, nx_tr, mode) * alpha
                Cte = ctxmat(Xte, o_te, pv_te, nx_te, mode) * alpha
                A = sp.hstack([Xtr, Ctr]).tocsr()
                B = sp.hstack([Xte, Cte]).tocsr()
            Y = gold.Y[tr]
            g = groups[tr]
            if v != "base" and dup == "1":
                A = sp.vstack([A, sp.hstack([Xtr, sp.csr_matrix(Ctr.shape)])]).tocsr()
                Y = np.vstack([Y, Y])
                g = np.r_[g, g]
            clf = ThemeClassifier().fit(A, Y, groups=list(g))
            res[v][te] = clf.predict(B)
    for v in variants:
        m = score(gold.Y, res[v], gold.themes)
        print(
            v,
            m["macro_f1"],
            {t: m["per_theme"][t]["f1"] for t in gold.themes},
            m["macro_f1_ci95"],
            flush=True,
        )


def main() -> None:
    kind, variants = sys.argv[1], sys.argv[2].split(",")
    t = time.time()
    if kind == "stage2":
        run_stage2(variants, float(sys.argv[3]) if len(sys.argv) > 3 else 1.0)
    else:
        run_features(variants)
    print("secs", round(time.time() - t, 1))


if __name__ == "__main__":
    main()

"""Error analysis with a protected check half: grouped-CV record of guideline-rule features.

Run: `python -m models.experiments.error_analysis [variant ...]` (a variant is a JSON params
override such as '{"use_rules": true}'); `--dump DIR` writes the analysis half's out-of-fold
errors for trust and naming (the check half's errors are never written or printed).

Why two halves: the error classes behind a new feature are read from out-of-fold predictions on
the same 842 gold passages the model is scored on, so a whole-set gain can be a fit to what was
read. The documents are split once by a hash of doc_id; only the "analysis" half's errors are
read; the "check" half's out-of-fold scores, before and after, are the honest figure.
All figures come from one document-grouped 5-fold CV (models/evaluate.py's folds, calibration
and thresholds chosen inside each training fold) and are then restricted to a half.
The analysis half is 485 passages from 123 documents, the check half 357 from 106.

Error classes read on the analysis half (shipped model v20261123-7693dce6, hand-sorted counts):
  trust, 44 false positives: formal recognition (validation, frameworks, levels, registers,
    "accredited" competences) 20; a trust word inside an organisation or event name, an NHS
    "trust", quality of care/teaching 7; prize/award sense 3; definitions with incidental trust
    words ("validated marker", "widely accept") 5; labour market or education quality with no
    credential 5; other 4.
  trust, 30 false negatives: accreditation/approval/licensing of providers and programmes 9;
    transparency, verification, security, rigour, comparability of the credential itself 11;
    acceptance or worth with employers and learners 8; other 2.
  naming, 22 false negatives: a microcredential or badge defined in descriptive form ("defined a
    micro-credential as", "are explained as", "called micro-credentials", "kinds of") 12; talk of
    shared definitions or what counts as one, without the codebook's phrases 7; credit or level
    thresholds for what counts 3.
  naming, 14 false positives: a definition of some other unit (a qualification, a credit, an
    occupation) 3; credential labels listed in recognition/modularisation passages 6; other 5.
What changed: models/data/codebook.toml [cues] + [rules] (11 rules: a trust notion applied to a
credential / to the labour market within one sentence, outside capitalised names; approval of a
provider or programme; trust words inside names; organisation/prize cues; formal
acknowledgement of a learner's competences; formal acknowledgement with no trust notion; a
definition cue with a credential term, or with some other unit and no credential term), as
`GuidelineRuleFeatures`, each column seen only by its rule's themes' classifiers
(`ThemeClassifier.scoped_tail`). Rule weight 0.5 and the scoping (the credential-definition
rule also visible to trust) were chosen on the analysis half's figures only.
After: trust 34 FP / 27 FN, naming 17 FP / 11 FN on the analysis half.

Results (2026-11-23, `python -m models.experiments.error_analysis`; macro-F1 with passage
bootstrap 95% CI, then trust/naming/modularisation/recognition F1):
  before  whole    0.772 (0.747-0.794)  .716/.752/.811/.810
          analysis 0.769 (0.737-0.798)  .732/.772/.778/.792
          check    0.775 (0.742-0.808)  .693/.727/.846/.834
  after   whole    0.797 (0.773-0.819)  .762/.805/.811/.809
          analysis 0.796 (0.765-0.824)  .773/.837/.778/.795
          check    0.797 (0.766-0.829)  .748/.768/.846/.827
  paired bootstrap gain: whole +0.025 (+0.010 to +0.038), check +0.022 (+0.001 to +0.046)
Rule weights tried on the analysis half (unscoped first version): 0.3 0.783, 0.5 0.796,
0.7 0.785, 1.0 0.777, 2.0 0.775; scoped: 0.5 0.790, 0.7 0.790, 1.0 0.779; with the
credential-definition rule visible to trust: 0.5 0.796, 0.7 0.794. The unscoped version moved
modularisation by up to -0.035 on the analysis half through rule columns written for trust.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

from models.evaluate import cross_validate, score
from models.train import DEFAULT_PARAMS, GoldSet, load_gold


def in_analysis_half(doc_id: str) -> bool:
    """The fixed document split: the analysis half is sha256(doc_id)'s first byte even."""
    return hashlib.sha256(doc_id.encode("utf-8")).digest()[0] % 2 == 0


def halves(gold: GoldSet) -> tuple[np.ndarray, np.ndarray]:
    """Row masks (analysis, check) of the gold passages."""
    a = np.asarray([in_analysis_half(g) for g in gold.groups])
    return a, ~a


def _line(name: str, m: dict) -> str:
    pt = m["per_theme"]
    lo, hi = m["macro_f1_ci95"]
    return f"{name:<16} macro {m['macro_f1']:.3f} ({lo:.3f}-{hi:.3f})  " + "  ".join(
        f"{t[:5]} {v['f1']:.3f}" for t, v in pt.items()
    )


def _drop_rules(names: list[str]) -> None:
    """Ablation: the rule features see the codebook without the named rules."""
    import dataclasses

    import models.features as features
    from models.codebook import load_codebook

    cb = load_codebook()
    kept = tuple(r for r in cb.rules if r.id not in names)
    features.load_codebook = lambda: dataclasses.replace(cb, rules=kept)  # type: ignore[assignment]


def run(params: dict, dump: Path | None = None) -> dict:
    """Whole-set grouped CV, then the same out-of-fold predictions scored per half."""
    params = dict(params)
    _drop_rules(params.pop("drop_rules", []))
    gold = load_gold()
    a, c = halves(gold)
    t0 = time.perf_counter()
    res = cross_validate(gold, {**DEFAULT_PARAMS, **params})
    P, proba = res["pred"], res["proba"]
    out = {
        "whole": res["metrics"],
        "analysis": score(gold.Y[a], P[a], gold.themes),
        "check": score(gold.Y[c], P[c], gold.themes),
        "seconds": round(time.perf_counter() - t0, 1),
        "pred": P,
    }
    if dump is not None:
        dump.mkdir(parents=True, exist_ok=True)
        for j, theme in enumerate(gold.themes):
            rows = []
            for i in np.flatnonzero(a):  # analysis half only
                y, p = int(gold.Y[i, j]), int(P[i, j])
                if y != p:
                    kind = "FP" if p else "FN"
                    rows.append((kind, float(proba[i, j]), gold.ids[i], gold.texts[i]))
            rows.sort(key=lambda r: (r[0], -r[1]))
            with (dump / f"{theme}.txt").open("w", encoding="utf-8") as fh:
                for kind, pr, pid, text in rows:
                    fh.write(f"## {kind} p={pr:.2f} {pid}\n{text}\n\n")
    return out


def paired_gain(
    Y: np.ndarray, before: np.ndarray, after: np.ndarray, seed: int = 0
) -> tuple[float, float, float]:
    """Macro-F1 gain of `after` over `before` with a paired passage-bootstrap 95% CI.

    Both prediction sets are resampled with the same passages, so the interval is for the
    difference itself (narrower than comparing two separate CIs).
    """
    from models.evaluate import _prf

    def macro(idx: np.ndarray, P: np.ndarray) -> float:
        return float(np.mean([_prf(Y[idx, j], P[idx, j])[2] for j in range(Y.shape[1])]))

    n = len(Y)
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(1000):
        idx = rng.integers(0, n, n)
        boots.append(macro(idx, after) - macro(idx, before))
    lo, hi = np.percentile(boots, [2.5, 97.5])
    full = np.arange(n)
    return macro(full, after) - macro(full, before), float(lo), float(hi)


def main(argv: list[str]) -> None:
    dump = None
    if "--dump" in argv:
        k = argv.index("--dump")
        dump = Path(argv[k + 1])
        argv = argv[:k] + argv[k + 2 :]
    variants = argv or ['{"use_rules": false}', "{}"]
    gold = load_gold()
    a, c = halves(gold)
    docs_a = {g for g, x in zip(gold.groups, a, strict=True) if x}
    docs_c = {g for g, x in zip(gold.groups, c, strict=True) if x}
    print(
        f"analysis half: {int(a.sum())} passages / {len(docs_a)} documents; "
        f"check half: {int(c.sum())} / {len(docs_c)}"
    )
    preds = []
    for v in variants:
        params = json.loads(v)
        out = run(params, dump)
        preds.append(out["pred"])
        print(f"--- {v}  ({out['seconds']} s)")
        for half in ("whole", "analysis", "check"):
            print(_line(half, out[half]))
    if len(preds) == 2:
        for name, mask in (("whole", np.ones(len(gold), dtype=bool)), ("check", c)):
            d, lo, hi = paired_gain(gold.Y[mask], preds[0][mask], preds[1][mask])
            print(
                f"macro-F1 gain, {name}: {d:+.3f} (paired bootstrap 95% CI {lo:+.3f} to {hi:+.3f})"
            )


if __name__ == "__main__":
    main(sys.argv[1:])

"""Classify JSON Lines records with the default model and the tagger (``credscope classify``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, TextIO


def _parse(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            yield {"id": None, "error": f"line {n}: not JSON ({exc.msg})"}
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            rid = record.get("id") if isinstance(record, dict) else None
            yield {"id": rid, "error": f"line {n}: expected an object with a string 'text'"}
            continue
        yield record


def classify_records(
    lines: TextIO | Iterable[str], *, explain: bool = False, batch_size: int = 256
) -> Iterator[dict[str, Any]]:
    """``{"id","text"}`` in; ``{"id","themes","scores","countries","sectors"}`` out."""
    from models.predict import load_model, predict
    from nlp import load_nlp, tag_texts

    model, nlp = load_model(), load_nlp()
    records = _parse(lines)
    while batch := list(islice(records, batch_size)):
        good = [r for r in batch if "error" not in r]
        texts = [r["text"] for r in good]
        preds = predict(model, texts, explain=explain)
        tags = tag_texts(texts, nlp=nlp)
        results = {}
        for r, pred, tag_list in zip(good, preds, tags, strict=True):
            out: dict[str, Any] = {
                "id": r.get("id"),
                "themes": pred.themes,
                "scores": {k: round(v, 4) for k, v in pred.scores.items()},
                "countries": sorted({t.code for t in tag_list if t.kind == "country"}),
                "sectors": sorted({t.code for t in tag_list if t.kind == "sector"}),
                "model_version": model.version,
            }
            if explain:
                out["explanations"] = pred.explanations
            if pred.error:
                out["error"] = pred.error
            results[id(r)] = out
        for r in batch:
            yield results.get(id(r), r if "error" in r else {"id": r.get("id")})

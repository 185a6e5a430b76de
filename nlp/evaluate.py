"""Country and sector tagging scored against the gold passages (micro P/R/F1).

The gold file is split by document, deterministically: a document is in the *dev* part when the
first 8 hex digits of ``sha256(doc_id)`` modulo 100 are below 70, else in the *held-out* part.
The lexicons and rules were tuned on dev only; held-out was measured, never inspected.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

DEV_PERCENT = 70
Mode = Literal["passage", "document"]
KINDS: tuple[tuple[str, Literal["country", "sector"]], ...] = (
    ("countries", "country"),
    ("sectors", "sector"),
)


def split_of(doc_id: str) -> Literal["dev", "heldout"]:
    """Which part of the document-grouped split a document belongs to."""
    bucket = int(hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "dev" if bucket < DEV_PERCENT else "heldout"


def default_gold_path() -> Path:
    """The shared gold passages shipped with the project (``data/annotations/passages.jsonl``)."""
    return Path(__file__).resolve().parent.parent / "data" / "annotations" / "passages.jsonl"


def read_gold(gold_path: str | Path) -> list[dict[str, Any]]:
    with Path(gold_path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def micro_prf(gold: Iterable[set[str]], predicted: Iterable[set[str]]) -> dict[str, float]:
    """Micro precision, recall and F1 over passage-level label sets."""
    tp = fp = fn = 0
    for g, p in zip(gold, predicted, strict=True):
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def default_truth_dir() -> Path:
    """Body texts of the demo corpus the gold passages come from (``data/corpus/truth``)."""
    return default_gold_path().parent.parent / "corpus" / "truth"


def is_heading(paragraph: str) -> bool:
    """A title line as extraction marks it: one short line without closing punctuation."""
    return (
        0 < len(paragraph) < 200
        and "\n" not in paragraph
        and not paragraph.endswith((".", ":", ";", "!", '"', "'"))
    )


def gold_headings(
    rows: Sequence[dict[str, Any]], truth_dir: str | Path | None = None
) -> list[str | None]:
    """The heading each gold passage sits under in its document's body text (None if unknown).

    Gold rows carry no heading, while ``Passage.heading`` does in the pipeline: this finds the
    passage in ``truth/<doc_id>.truth.txt`` and takes the nearest title paragraph above it.
    """
    folder = Path(truth_dir) if truth_dir else default_truth_dir()
    bodies: dict[str, str | None] = {}
    headings: list[str | None] = []
    for row in rows:
        doc_id = row["doc_id"]
        if doc_id not in bodies:
            path = folder / f"{doc_id}.truth.txt"
            bodies[doc_id] = path.read_text(encoding="utf-8") if path.exists() else None
        body = bodies[doc_id]
        at = body.find(row["text"][:60]) if body else -1
        heading = None
        if body and at > 0:
            for paragraph in reversed(body[:at].split("\n\n")):
                if is_heading(paragraph.strip()):
                    heading = paragraph.strip()
                    break
        headings.append(heading)
    return headings


def tag_by_document(
    rows: Sequence[dict[str, Any]], nlp: Any = None, headings: Sequence[str | None] | None = None
) -> list[list[Any]]:
    """Tags for gold rows through ``tag_document``: rows grouped by ``doc_id`` in file order,
    with each passage's heading as section context when ``headings`` are given."""
    from nlp.tagging import tag_document

    groups: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault(row["doc_id"], []).append(index)
    tagged: list[list[Any]] = [[] for _ in rows]
    for indices in groups.values():
        texts = [rows[i]["text"] for i in indices]
        heads = [headings[i] for i in indices] if headings is not None else None
        for index, tags in zip(indices, tag_document(texts, nlp=nlp, headings=heads), strict=True):
            tagged[index] = tags
    return tagged


def score_rows(
    rows: Sequence[dict[str, Any]], nlp: Any = None, mode: Mode = "passage"
) -> dict[str, dict[str, float]]:
    """Score the tagger on gold rows: ``{"countries": {...}, "sectors": {...}}``.

    ``mode="passage"`` tags each passage alone (``tag_texts``); ``mode="document"`` tags each
    document's passages together (``tag_document``, with document context).
    """
    from nlp.tagging import tag_texts

    texts = [row["text"] for row in rows]
    if mode == "passage":
        tagged = tag_texts(texts, nlp=nlp)
    else:
        tagged = tag_by_document(rows, nlp=nlp, headings=gold_headings(rows))
    scores: dict[str, dict[str, float]] = {}
    for field, kind in KINDS:
        gold = [set(row[field]) for row in rows]
        predicted = [{t.code for t in tags if t.kind == kind} for tags in tagged]
        scores[field] = micro_prf(gold, predicted)
    return scores


def evaluate_tagging(gold_path: str | Path | None = None, nlp: Any = None) -> dict[str, Any]:
    """Micro P/R/F1 for countries and sectors on the dev part, the held-out part and all.

    Each part has the per-passage scores at its top level (``result["dev"]["countries"]``) and
    the per-document scores under ``"document"`` (``result["dev"]["document"]["countries"]``).
    ``result["heldout"]`` is the honest figure: nothing was tuned on those documents.
    """
    rows = read_gold(gold_path or default_gold_path())
    parts: dict[str, list[dict[str, Any]]] = {"dev": [], "heldout": []}
    for row in rows:
        parts[split_of(row["doc_id"])].append(row)
    result: dict[str, Any] = {
        "split": f"sha256(doc_id)[:8] % 100 < {DEV_PERCENT} -> dev (tuned on), else held-out",
    }
    for name, part in (("dev", parts["dev"]), ("heldout", parts["heldout"]), ("all", rows)):
        result[name] = {
            "passages": len(part),
            "documents": len({r["doc_id"] for r in part}),
            **score_rows(part, nlp=nlp),
            "document": score_rows(part, nlp=nlp, mode="document"),
        }
    return result


def format_tagging_report(result: dict[str, Any]) -> str:
    """Markdown table: P/R/F1 per part, kind and mode (per passage, per document)."""
    lines = [
        f"Tagging: {result['split']}.",
        "",
        "| part | mode | kind | precision | recall | F1 | passages |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for part in ("dev", "heldout", "all"):
        scores = result[part]
        for mode, by_kind in (("passage", scores), ("document", scores["document"])):
            for field, _ in KINDS:
                v = by_kind[field]
                lines.append(
                    f"| {part} | {mode} | {field} | {v['precision']:.3f} | {v['recall']:.3f} | "
                    f"{v['f1']:.3f} | {scores['passages']} |"
                )
    return "\n".join(lines)

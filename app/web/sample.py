"""A sample store for demos, tests and the bench: the gold passages of
``data/annotations/passages.jsonl`` with country/sector spans from the real tagger and
synthetic but plausible theme suggestions (deterministic scores around per-theme thresholds).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from corpus.ids import content_hash, passage_id
from corpus.types import Passage, SourceFile
from store.types import LabelRecord, ProcessedDocument

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "data" / "annotations" / "passages.jsonl"
THRESHOLDS = {"trust": 0.42, "naming": 0.5, "modularisation": 0.46, "recognition": 0.38}
MODEL_VERSION = "v-sample"


def load_records(path: Path = GOLD, limit: int | None = None) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[:limit]]


def _unit(*parts: str) -> float:
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def suggested_score(text: str, theme: str, positive: bool) -> float:
    """Over the threshold for most gold positives, under it for most negatives; ~15% wrong."""
    thr = THRESHOLDS.get(theme, 0.5)
    u = _unit(text, theme)
    wrong = _unit(theme, text) < 0.15
    above = positive != wrong
    if above:
        return round(thr + (1 - thr) * (0.02 + 0.9 * u), 4)
    return round(thr * (0.05 + 0.9 * u), 4)


def tag_spans(texts: Sequence[str]) -> list[list[tuple[str, str, int, int, str]]]:
    """(kind, code, start, end, text) per passage, from the real tagger."""
    from nlp import tag_texts

    return [
        [(t.kind, t.code, t.start, t.end, t.text) for t in tags] for tags in tag_texts(list(texts))
    ]


def sample_documents(
    records: Sequence[dict[str, Any]],
    spans: Sequence[list[tuple[str, str, int, int, str]]] | None = None,
    *,
    copies: int = 1,
    per_doc: int = 40,
    prefix: str = "sample",
) -> list[ProcessedDocument]:
    """Documents of ``per_doc`` passages each; ``copies`` > 1 repeats the records with a
    numbered suffix (distinct content), for a large store."""
    themes = list(THRESHOLDS)
    docs: list[ProcessedDocument] = []
    items: list[tuple[str, dict[str, Any], list]] = []
    for c in range(copies):
        for i, rec in enumerate(records):
            text = rec["text"] if c == 0 else f"{rec['text']} [{c}]"
            items.append((text, rec, list(spans[i]) if spans else []))
    for d in range(0, len(items), per_doc):
        chunk = items[d : d + per_doc]
        n = d // per_doc
        doc_id = f"{prefix}-{n:05d}"
        kind = "pdf" if n % 3 == 0 else "html"
        src = SourceFile(
            path=f"/data/{doc_id}.{kind}",
            uri=f"file:///data/{doc_id}.{kind}",
            kind=kind,
            sha256=hashlib.sha256(doc_id.encode()).hexdigest(),
            size=1000,
            title=f"Policy brief {n + 1}: microcredentials in practice",
            doc_type=("report", "policy", "guidance")[n % 3],
            date=str(2019 + n % 6),
        )
        passages: list[Passage] = []
        labels: list[LabelRecord] = []
        pos = 0
        seen: dict[str, int] = {}
        for seq, (text, rec, tag_list) in enumerate(chunk):
            h = content_hash(text)
            occ = seen.get(h, 0)
            seen[h] = occ + 1
            pid = passage_id(doc_id, h, occ)
            passages.append(Passage(pid, doc_id, h, seq, 1 + seq // 4, pos, pos + len(text), text))
            pos += len(text) + 2
            gold = set(rec.get("themes", []))
            for theme in themes:
                score = suggested_score(text, theme, theme in gold)
                terms = [
                    w
                    for w in (
                        "quality",
                        "employers",
                        "name",
                        "title",
                        "module",
                        "stackable",
                        "credit",
                        "recognition",
                        "framework",
                    )
                    if w in text.lower()
                ][:4]
                labels.append(
                    LabelRecord(
                        pid,
                        "theme",
                        theme,
                        "model",
                        score,
                        score >= THRESHOLDS[theme],
                        MODEL_VERSION,
                        terms or None,
                    )
                )
            for kind_, code, start, end, span_text in tag_list:
                labels.append(
                    LabelRecord(
                        pid,
                        kind_,
                        code,
                        "rule",
                        model_version="tagger-1",  # type: ignore[arg-type]
                        evidence=[[start, end, span_text]],
                    )
                )
        docs.append(
            ProcessedDocument(
                source=src,
                document_id=doc_id,
                pipeline_version="sample",
                n_pages=1 + len(chunk) // 4,
                passages=passages,
                labels=labels,
            )
        )
    return docs


def build_sample_store(db_url: str, limit: int | None = 120, *, copies: int = 1) -> int:
    """Write the sample documents into the store at ``db_url``; returns passages written."""
    from store.connect import connect
    from store.write import write_document

    records = load_records(limit=limit)
    spans = tag_spans([r["text"] for r in records])
    engine = connect(db_url)
    n = 0
    for doc in sample_documents(records, spans, copies=copies):
        write_document(engine, doc)
        n += len(doc.passages)
    return n

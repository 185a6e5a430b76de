"""Throughput of country and sector tagging on one core: words/s on the demo corpus text.

Run: ``python bench/bench_tagging.py [--repeat N]``. Reads the body texts in
``data/corpus/truth`` (the demo corpus), cut into paragraphs as the passage splitter would.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def corpus_documents() -> list[list[str]]:
    """Each demo document's body text, cut into paragraphs."""
    truth = ROOT / "data" / "corpus" / "truth"
    documents: list[list[str]] = []
    for path in sorted(truth.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        documents.append([p.strip() for p in text.split("\n\n") if p.strip()])
    return documents


def corpus_paragraphs() -> list[str]:
    return [p for document in corpus_documents() for p in document]


def paragraph_headings(paragraphs: list[str]) -> list[str | None]:
    """The nearest title paragraph above each paragraph, as ``Passage.heading`` would give it."""
    from nlp.evaluate import is_heading

    headings: list[str | None] = []
    current: str | None = None
    for paragraph in paragraphs:
        headings.append(current)
        if is_heading(paragraph):
            current = paragraph
    return headings


LOAD_CODE = """
import time
t0 = time.perf_counter()
import spacy
t1 = time.perf_counter()
import nlp
nlp.load_nlp()
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def load_time() -> tuple[float, float]:
    """Seconds to import spaCy, then to load the packaged pipeline, in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", LOAD_CODE], capture_output=True, text=True, check=True, cwd=ROOT
    )
    spacy_import, pipeline_load = (float(x) for x in out.stdout.split())
    return spacy_import, pipeline_load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from nlp import load_nlp, tag_document, tag_texts

    spacy_import, pipeline_load = load_time()
    print(f"fresh process: import spacy {spacy_import:.2f} s, load_nlp() {pipeline_load:.2f} s")
    paragraphs = corpus_paragraphs()
    words = sum(len(p.split()) for p in paragraphs)
    nlp = load_nlp()
    tag_texts(paragraphs[:50], nlp=nlp)  # warm up
    best = float("inf")
    tags = 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = tag_texts(paragraphs, nlp=nlp)
        best = min(best, time.perf_counter() - start)
        tags = sum(len(r) for r in result)
    print(f"{len(paragraphs)} paragraphs, {words} words, {tags} tags")
    print(f"tagging: {words / best:,.0f} words/s (best of {args.repeat}, one process)")
    documents = corpus_documents()
    headings = [paragraph_headings(document) for document in documents]
    best_doc = float("inf")
    for _ in range(args.repeat):
        start = time.perf_counter()
        for document, heads in zip(documents, headings, strict=True):
            tag_document(document, nlp=nlp, headings=heads)
        best_doc = min(best_doc, time.perf_counter() - start)
    print(
        f"tag_document (with headings): {words / best_doc:,.0f} words/s over "
        f"{len(documents)} documents (best of {args.repeat})"
    )


if __name__ == "__main__":
    main()

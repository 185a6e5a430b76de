"""Shared helpers of the span-writing components: the Doc's text (computed once) and its spans."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from nlp.gazetteer import entries_to_rows

TEXT_KEY = "credscope.text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once per Doc (spaCy rebuilds it from every token on each access)."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.text
        doc.user_data[TEXT_KEY] = text
    return text


def set_spans(doc: Doc, key: str, found: Iterable[tuple[int, int, str, str]]) -> Doc:
    """Write ``(start, end, label, rule)`` character matches to ``doc.spans[key]``."""
    spans = []
    for start, end, label, rule in found:
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None:
            span.id_ = rule
            spans.append(span)
    doc.spans[key] = spans
    return doc


class PhraseTagger:
    """Shared body of the country and sector components: tag with a finder built from
    gazetteer rows, and save/load those rows with the pipeline (``entries.jsonl``).

    Subclasses set ``name`` and ``spans_key`` and build ``self.finder`` in ``initialize``.
    """

    name: str
    spans_key: str
    finder: Any = None

    def initialize(
        self, get_examples: Any = None, *, nlp: Any = None, entries: list[dict] | None = None
    ) -> None:
        raise NotImplementedError

    def __call__(self, doc: Doc) -> Doc:
        if self.finder is None:
            self.initialize()
        return set_spans(doc, self.spans_key, self.finder.find(doc_text(doc)))

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self.finder is None:
            self.initialize()
        with (path / "entries.jsonl").open("w", encoding="utf-8") as handle:
            for row in entries_to_rows(self.finder.entries):
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> PhraseTagger:
        with (Path(path) / "entries.jsonl").open(encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        self.initialize(entries=rows)
        return self

"""Shared helpers of the span-writing components: the Doc's text (computed once) and its spans."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc

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

"""Cut an extraction into passages: paragraphs, long ones split at sentence boundaries."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from corpus.ids import content_hash, passage_id
from corpus.types import Extraction, Passage

MAX_CHARS = 900
MIN_WORDS = 3  # shorter fragments (stray labels, "Read more") are not passages

SentenceSplitter = Callable[[str], Sequence[tuple[int, int]]]
_WORD = re.compile(r"[^\W\d_]{2,}")


def _default_splitter() -> SentenceSplitter:
    from nlp.sentences import split_sentences  # spaCy lives in nlp/; loaded only when needed

    return split_sentences


def pack_spans(
    sentences: Sequence[tuple[int, int]], text: str, max_chars: int
) -> list[tuple[int, int]]:
    """Greedily group consecutive sentences into chunks of at most ``max_chars``.

    A single sentence longer than the limit is cut at the last space before it.
    """
    chunks: list[tuple[int, int]] = []
    start: int | None = None
    end = 0
    for s, e in sentences:
        while e - s > max_chars:  # an overlong sentence: cut at white space
            if start is not None:
                chunks.append((start, end))
                start = None
            cut = text.rfind(" ", s, s + max_chars)
            cut = cut if cut > s else s + max_chars
            chunks.append((s, cut))
            s = cut + 1 if text[cut : cut + 1] == " " else cut
        if start is None:
            start, end = s, e
        elif e - start <= max_chars:
            end = e
        else:
            chunks.append((start, end))
            start, end = s, e
    if start is not None and end > start:
        chunks.append((start, end))
    return chunks


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_passages(
    extraction: Extraction,
    document_id: str,
    *,
    max_chars: int = MAX_CHARS,
    split_sentences: SentenceSplitter | None = None,
) -> list[Passage]:
    """Passages in reading order with page, character span and stable ids."""
    text = extraction.text
    spans: list[tuple[int, int, int, str | None]] = []
    for para in extraction.paragraphs:
        if para.end - para.start <= max_chars:
            spans.append((para.start, para.end, para.page, para.heading))
            continue
        if split_sentences is None:
            split_sentences = _default_splitter()
        local = split_sentences(text[para.start : para.end])
        for s, e in pack_spans(local, text[para.start : para.end], max_chars):
            spans.append((para.start + s, para.start + e, para.page, para.heading))

    passages: list[Passage] = []
    seen: dict[str, int] = {}
    for start, end, page, heading in spans:
        start, end = _trim(text, start, end)
        chunk = text[start:end]
        if len(_WORD.findall(chunk)) < MIN_WORDS:
            continue
        digest = content_hash(chunk)
        occurrence = seen.get(digest, 0)
        seen[digest] = occurrence + 1
        passages.append(
            Passage(
                passage_id=passage_id(document_id, digest, occurrence),
                document_id=document_id,
                content_hash=digest,
                seq=len(passages),
                page=page,
                char_start=start,
                char_end=end,
                text=chunk,
                heading=heading,
            )
        )
    return passages

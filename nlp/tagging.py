"""Tag texts with countries and sectors: plain ``Tag`` records with character offsets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from nlp.types import Tag

if TYPE_CHECKING:
    from spacy.language import Language

SPAN_KINDS: tuple[tuple[str, Literal["country", "sector"]], ...] = (
    ("countries", "country"),
    ("sectors", "sector"),
)


def tag_texts(
    texts: Sequence[str], nlp: Language | None = None, batch_size: int = 256
) -> list[list[Tag]]:
    """Countries and sectors in each text, in one process via ``nlp.pipe``.

    Returns one list per text, sorted by position; ``nlp`` defaults to ``load_nlp()``.
    """
    if nlp is None:
        from nlp.pipeline import load_nlp

        nlp = load_nlp()
    results: list[list[Tag]] = []
    for doc in nlp.pipe(texts, batch_size=batch_size):
        tags: list[Tag] = []
        for key, kind in SPAN_KINDS:
            for span in doc.spans.get(key, []):
                tags.append(
                    Tag(
                        kind=kind,
                        code=span.label_,
                        start=span.start_char,
                        end=span.end_char,
                        text=span.text,
                        rule=span.id_,
                    )
                )
        tags.sort(key=lambda t: (t.start, t.end, t.kind, t.code))
        results.append(tags)
    return results


def codes(tags: Sequence[Tag], kind: Literal["country", "sector"]) -> list[str]:
    """Sorted distinct codes of one kind: the passage-level labels."""
    return sorted({t.code for t in tags if t.kind == kind})

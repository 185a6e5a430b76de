"""Tag texts with countries and sectors: plain ``Tag`` records with character offsets.

``tag_texts`` tags passages one by one. ``tag_document`` tags the passages of one document (in
order) and adds the document's dominant country to passages that refer to it only
anaphorically ("the country's register", "the national framework", "the ministry").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from nlp.types import Tag

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SPAN_KINDS: tuple[tuple[str, Literal["country", "sector"]], ...] = (
    ("countries", "country"),
    ("sectors", "sector"),
)
DOCUMENT_CONTEXT_RULE = "document-context"

# References to "the" country a document is about, without naming it. Measured on dev: the
# annotators label these only rarely; "national", "nationwide", "federal" and a lower-case
# "the ministry"/"the government" are mostly left unlabelled, so they are not anaphors here.
NATIONAL_ANAPHORS = re.compile(
    r"\b(?:[Tt]he (?:country|island|nation)(?:'s|’s)?|[Tt]he Ministry|[Tt]he Government)\b"
)


@dataclass(frozen=True)
class ContextSettings:
    """When a document's country is dominant enough to be propagated to anaphoric passages.

    ``min_share``: the share of country-bearing passages that must name the country;
    ``min_lead``: how many more passages it must be named in than the runner-up.
    """

    min_share: float = 0.5
    min_lead: int = 1
    only_untagged: bool = True


def tag_texts(
    texts: Sequence[str], nlp: Language | None = None, batch_size: int = 256
) -> list[list[Tag]]:
    """Countries and sectors in each text, in one process via ``nlp.pipe``.

    Returns one list per text, sorted by position; ``nlp`` defaults to ``load_nlp()``.
    """
    if nlp is None:
        from nlp.pipeline import load_nlp

        nlp = load_nlp()
    from nlp.spans import TEXT_KEY

    def docs() -> Iterator[Doc]:
        for text in texts:
            doc = nlp.make_doc(text)
            doc.user_data[TEXT_KEY] = text  # the components need not rebuild it from tokens
            yield doc

    results: list[list[Tag]] = []
    for text, doc in zip(texts, nlp.pipe(docs(), batch_size=batch_size), strict=True):
        tags: list[Tag] = []
        for key, kind in SPAN_KINDS:
            for span in doc.spans.get(key, []):
                start, end = span.start_char, span.end_char
                tags.append(Tag(kind, span.label_, start, end, text[start:end], span.id_))
        tags.sort(key=lambda t: (t.start, t.end, t.kind, t.code))
        results.append(tags)
    return results


def dominant_country(
    tagged: Sequence[Sequence[Tag]], settings: ContextSettings = ContextSettings()
) -> str | None:
    """The country a document is about: named in most of its country-bearing passages."""
    per_passage = [{t.code for t in tags if t.kind == "country"} for tags in tagged]
    bearing = [codes for codes in per_passage if codes]
    if not bearing:
        return None
    counts = Counter(code for codes in bearing for code in codes).most_common()
    top, top_n = counts[0]
    runner_up = counts[1][1] if len(counts) > 1 else 0
    if top_n / len(bearing) < settings.min_share or top_n - runner_up < settings.min_lead:
        return None
    return top


def propagate_country(
    texts: Sequence[str],
    tagged: Sequence[Sequence[Tag]],
    settings: ContextSettings = ContextSettings(),
) -> list[list[Tag]]:
    """Add the dominant country to passages that refer to it only anaphorically."""
    code = dominant_country(tagged, settings)
    out = [list(tags) for tags in tagged]
    if code is None:
        return out
    for text, tags in zip(texts, out, strict=True):
        countries = {t.code for t in tags if t.kind == "country"}
        if code in countries or (settings.only_untagged and countries):
            continue
        found = NATIONAL_ANAPHORS.search(text)
        if found:
            tags.append(
                Tag(
                    "country",
                    code,
                    found.start(),
                    found.end(),
                    found.group(),
                    DOCUMENT_CONTEXT_RULE,
                )
            )
            tags.sort(key=lambda t: (t.start, t.end, t.kind, t.code))
    return out


def tag_document(
    texts: Sequence[str],
    nlp: Language | None = None,
    settings: ContextSettings = ContextSettings(),
) -> list[list[Tag]]:
    """Tag the passages of one document, in order, with document context for countries.

    Each passage is tagged as by ``tag_texts``; then, when one country clearly dominates the
    document, passages without a country that refer to "the country", "national ...",
    "the government" or "the ministry" get that country, with the anaphor as evidence and
    ``rule="document-context"``.
    """
    tagged = tag_texts(texts, nlp=nlp)
    return propagate_country(texts, tagged, settings)


def codes(tags: Sequence[Tag], kind: Literal["country", "sector"]) -> list[str]:
    """Sorted distinct codes of one kind: the passage-level labels."""
    return sorted({t.code for t in tags if t.kind == kind})

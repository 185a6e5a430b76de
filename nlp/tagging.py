"""Tag texts with countries and sectors: plain ``Tag`` records with character offsets.

``tag_texts`` tags passages one by one. ``tag_document`` tags the passages of one document (in
order) and adds the country of the passage's section (the one its heading names) or else the
document's dominant country to passages that refer to it only anaphorically ("the country's
register", "the Ministry", "the CROQF Act").
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
SECTION_CONTEXT_RULE = "section-context"

# References to "the" country a document is about, without naming it: "the country", "the
# Ministry", "the Government", and a national law by name ("the CROQF Act"; EU acts excluded).
# Measured on dev: the annotators label these; "national", "nationwide", "federal", a lower-case
# "the ministry"/"the government" and "the law"/"the decree" are mostly left unlabelled.
_NOT_NATIONAL_ACTS = (
    "AI|Data|Chips|Services|Markets|Industry|EU|The|This|That|Resilience|Europe|Accessibility|"
    "Governance|Act"
)
NATIONAL_ANAPHORS = re.compile(
    r"\b(?:[Tt]he (?:country|island|nation)(?:'s|’s)?|[Tt]he Ministry|[Tt]he Government"
    rf"|Ministry of|(?<!\bEU )(?<!\bEuropean )(?!(?:{_NOT_NATIONAL_ACTS})\b)"
    r"(?:[A-Z]{2,}|[A-Z][a-z]+) Act)\b"
)

# "workers already in the industry", "this sector": the sector a section is about.
SECTOR_ANAPHORS = re.compile(r"\b(?:[Tt]he|[Tt]his|[Tt]hat|[Ii]ts) (?:sector|industry)\b")


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


def section_labels(
    headings: Sequence[str | None], nlp: Language | None = None
) -> dict[str, list[str | None]]:
    """The one country and the one sector each passage's heading names (None: none or several).

    A heading is the title of the document or of the section the passage sits in (a dossier
    collects articles about different countries, each under its own title).
    """
    out: dict[str, list[str | None]] = {kind: [None] * len(headings) for _, kind in SPAN_KINDS}
    distinct = sorted({h for h in headings if h})
    if not distinct:
        return out
    by_heading: dict[str, dict[str, str | None]] = {}
    for heading, tags in zip(distinct, tag_texts(distinct, nlp=nlp), strict=True):
        by_heading[heading] = {}
        for _, kind in SPAN_KINDS:
            found = {t.code for t in tags if t.kind == kind}
            by_heading[heading][kind] = found.pop() if len(found) == 1 else None
    for index, heading in enumerate(headings):
        if heading:
            for kind, labels in out.items():
                labels[index] = by_heading[heading][kind]
    return out


def section_countries(
    headings: Sequence[str | None], nlp: Language | None = None
) -> list[str | None]:
    """The one country each passage's heading names (None when it names none or several)."""
    return section_labels(headings, nlp=nlp)["country"]


def propagate_sector(
    texts: Sequence[str], tagged: Sequence[Sequence[Tag]], sections: Sequence[str | None]
) -> list[list[Tag]]:
    """Add the section's sector to sector-free passages that refer to it ("the industry").

    Only the heading's sector is used: a document's most frequent sector is no context (on dev
    "the sector"/"the profession" then pointed elsewhere).
    """
    out = [list(tags) for tags in tagged]
    for text, tags, code in zip(texts, out, sections, strict=True):
        if code is None or any(t.kind == "sector" for t in tags):
            continue
        found = SECTOR_ANAPHORS.search(text)
        if found:
            tags.append(
                Tag("sector", code, found.start(), found.end(), found.group(), SECTION_CONTEXT_RULE)
            )
            tags.sort(key=lambda t: (t.start, t.end, t.kind, t.code))
    return out


def propagate_country(
    texts: Sequence[str],
    tagged: Sequence[Sequence[Tag]],
    settings: ContextSettings = ContextSettings(),
    sections: Sequence[str | None] | None = None,
) -> list[list[Tag]]:
    """Add the context country to passages that refer to it only anaphorically.

    The context is the passage's section country (``sections``, from its heading) when there
    is one, else the document's dominant country.
    """
    dominant = dominant_country(tagged, settings)
    out = [list(tags) for tags in tagged]
    section_codes = sections if sections is not None else [None] * len(texts)
    for text, tags, section in zip(texts, out, section_codes, strict=True):
        code = section or dominant
        if code is None:
            continue
        countries = {t.code for t in tags if t.kind == "country"}
        if code in countries or (settings.only_untagged and countries):
            continue
        found = NATIONAL_ANAPHORS.search(text)
        if found:
            rule = SECTION_CONTEXT_RULE if section else DOCUMENT_CONTEXT_RULE
            tags.append(Tag("country", code, found.start(), found.end(), found.group(), rule))
            tags.sort(key=lambda t: (t.start, t.end, t.kind, t.code))
    return out


def tag_document(
    texts: Sequence[str],
    nlp: Language | None = None,
    settings: ContextSettings = ContextSettings(),
    headings: Sequence[str | None] | None = None,
) -> list[list[Tag]]:
    """Tag the passages of one document, in order, with section/document context for countries.

    Each passage is tagged as by ``tag_texts``. A passage without a country that refers to
    "the country", "the Ministry", "the Government" or a national Act gets the country its
    heading names (``headings``: one per passage, e.g. ``Passage.heading``; evidence the
    anaphor, ``rule="section-context"``), or else the document's clearly dominant country
    (``rule="document-context"``). Likewise a sector-free passage that speaks of "the
    industry"/"the sector" gets the one sector its heading names.
    """
    tagged = tag_texts(texts, nlp=nlp)
    if headings is None:
        return propagate_country(texts, tagged, settings)
    if len(headings) != len(texts):
        raise ValueError(f"{len(headings)} headings for {len(texts)} passages")
    sections = section_labels(headings, nlp=nlp)
    tagged = propagate_country(texts, tagged, settings, sections["country"])
    return propagate_sector(texts, tagged, sections["sector"])


def codes(tags: Sequence[Tag], kind: Literal["country", "sector"]) -> list[str]:
    """Sorted distinct codes of one kind: the passage-level labels."""
    return sorted({t.code for t in tags if t.kind == kind})

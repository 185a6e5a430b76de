"""Sector tagging: NACE Rev. 2 sections from a lexicon of sector nouns, occupations and activities.

The lexicon (``nlp/data/sector_lexicon.jsonl``) is matched on lower-cased text with plurals,
longest match first; a phrase may give several sections ("engineering, manufacturing and
construction" -> C, F, M) and a phrase without codes blocks a trap. The component
``credscope_sectors`` writes spans labelled with the section letter to ``doc.spans["sectors"]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from spacy.language import Language
from spacy.util import registry

from nlp.gazetteer import Entry, Match, PhraseTable, entries_from_rows, read_jsonl
from nlp.spans import PhraseTagger

SPANS_KEY = "sectors"
LEXICON_FILE = "sector_lexicon.jsonl"
SECTIONS_FILE = "nace_sections.jsonl"

_NO_PLURAL = re.compile(r"(?:s|ing|ics|ware|care|ment|ion|ity|ture|tion|ism|[^a-z])$")
# "construction of a framework", "the transport of credits": a process noun, not a sector.
_OF_AFTER = re.compile(r"\s+of\b")
_METAPHOR_HEADS = frozenset(
    {"construction", "building", "transport", "transportation", "engineering", "architect"}
    | {"architects"}
)


def plural(term: str) -> str | None:
    """English plural of the last word of ``term`` (None where a plural makes no sense)."""
    head, _, last = term.rpartition(" ")
    if _NO_PLURAL.search(last):
        return None
    if last.endswith(("sh", "ch", "x")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in set("aeiou"):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}" if head else last


# British and American spellings: each lexicon form also matches with the other spelling.
SPELLINGS: tuple[tuple[str, str], ...] = (
    ("defence", "defense"),
    ("labour", "labor"),
    ("centre", "center"),
    ("modelling", "modeling"),
    ("organisation", "organization"),
    ("tyre", "tire"),
    ("paediatric", "pediatric"),
    ("jewellery", "jewelry"),
    ("aluminium", "aluminum"),
)


def variants(term: str) -> list[str]:
    """British/American spelling variants of a form (hyphen and space are matched as one)."""
    forms = {term}
    for british, american in SPELLINGS:
        for form in list(forms):
            if british in form:
                forms.add(form.replace(british, american))
            elif american in form:
                forms.add(form.replace(american, british))
    forms.discard(term)
    return sorted(forms)


def expand_plurals(entries: Iterable[Entry]) -> list[Entry]:
    """Add spelling variants and plural forms.

    A form listed explicitly (e.g. the negative "finances") is kept as it is listed.
    """
    out = list(entries)
    explicit = {e.text for e in out}
    for entry in list(out):
        if entry.kind not in {"term", "negative"}:
            continue
        forms = [entry.text, *variants(entry.text)]
        for form in forms[1:]:
            if form not in explicit:
                explicit.add(form)
                out.append(Entry(form, entry.codes, entry.kind))
        for form in forms:
            plural_form = plural(form)
            if plural_form and plural_form not in explicit:
                explicit.add(plural_form)
                out.append(Entry(plural_form, entry.codes, entry.kind))
    return out


@registry.misc("credscope.sector_filter.v1")
def make_sector_filter() -> Callable[[str, Match], bool]:
    """First filter: drop process nouns used with "of" ("construction of trust")."""

    def keep(text: str, match: Match) -> bool:
        metaphor = match.entry.text in _METAPHOR_HEADS and _OF_AFTER.match(text, match.end)
        return not metaphor

    return keep


# "the main drivers behind microcredentials", "drivers of change": causes, not drivers.
_DRIVER_FORMS = frozenset({"driver", "drivers"})
_CAUSE_BEFORE = re.compile(
    r"\b(?:main|key|major|important|primary|principal|strong|powerful|policy|growth|economic|"
    r"underlying|core|critical|chief|central|other|two|three|several|many)\s+$",
    re.IGNORECASE,
)
_CAUSE_AFTER = re.compile(r"\s+(?:of|behind|for|to|in)\b")


@registry.misc("credscope.sector_filter.v2")
def make_sector_filter_v2() -> Callable[[str, Match], bool]:
    """v1, and "drivers" in the sense of causes ("the main drivers behind", "drivers of")."""
    v1 = make_sector_filter()

    def keep(text: str, match: Match) -> bool:
        if not v1(text, match):
            return False
        if match.entry.text in _DRIVER_FORMS:
            before = text[max(0, match.start - 30) : match.start]
            return not (_CAUSE_BEFORE.search(before) or _CAUSE_AFTER.match(text, match.end))
        return True

    return keep


# "unlike the skills of an electrician or a nurse", "just as trophies do in video games": a sector
# named only as a contrast or an analogy (to the end of the clause) is not where the passage
# places training or employers.
_CONTRAST_BEFORE = re.compile(
    r"\b(?:[Uu]nlike|as opposed to|in contrast (?:to|with)|compared (?:with|to)|[Jj]ust as)\b"
    r"[^.;:,()]{0,60}$"
)
# "IT-based stock control", "solar-powered": the term modifies another activity.
_MODIFIER_AFTER = re.compile(r"-(?:based|enabled|supported|assisted|driven|powered)\b")


# "HOW IT WORKS", "WHAT IS IT?": in an all-caps heading "IT" is the pronoun, unless a sector noun
# follows ("IT SKILLS").
_CAPS_WORD_BEFORE = re.compile(r"\b([A-Z]{2,})[ \t]+$")
_IT_AFTER_PREPOSITION = frozenset({"IN", "FOR", "OF", "ON", "WITH", "INTO"})
_CAPS_WORD_AFTER = re.compile(r"[ \t]+([A-Z]{2,})\b")
_CAPS_PUNCT_AFTER = re.compile(r"[ \t]*[?!]")
_IT_HEADS = frozenset(
    {"SECTOR", "SECTORS", "SKILLS", "INDUSTRY", "PROFESSIONALS", "SPECIALISTS", "STAFF", "JOBS"}
    | {"COMPANIES", "FIRMS", "SUPPORT", "TECHNICIANS", "WORKERS", "SECURITY", "TRAINING"}
)


def _pronoun_in_capitals(text: str, match: Match) -> bool:
    if text[match.start : match.end] != "IT":
        return False
    before = _CAPS_WORD_BEFORE.search(text, max(0, match.start - 20), match.start)
    if before and before.group(1) in _IT_AFTER_PREPOSITION:
        return False  # "MICROCREDENTIALS IN IT AND HEALTH"
    after = _CAPS_WORD_AFTER.match(text, match.end)
    if after:
        return after.group(1) not in _IT_HEADS
    return bool(before) and (after is not None or bool(_CAPS_PUNCT_AFTER.match(text, match.end)))


# Education (P) is a sector only where education staff's own skills or credentials are at stake
# (guidelines): a bare staff noun ("teachers", "school staff") counts only with such a cue in its
# sentence ("the competences teachers gain", "a course for university teachers"), not as an actor
# ("teachers play an active role", "teachers' pay").
_STAFF_NOUN = re.compile(
    r"(?:teachers?|lecturers?|staff|educators?|trainers?|members|leaders|heads|principals|"
    r"assistants|headteachers|schoolteachers|tutors|workforce|professionals?|profession|"
    r"managers|practitioners|counsellors|designers)$"
)
_STAFF_CUE = re.compile(
    r"competen|skill|train|upskill|reskill|development|course|certif|qualif|badge|credential|"
    r"education of|of teachers|of educators|of trainers|become",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


@lru_cache(maxsize=4096)
def _is_staff_noun(term: str) -> bool:
    return bool(_STAFF_NOUN.search(term)) and not _STAFF_CUE.search(term)


def _sentence_around(text: str, start: int, end: int) -> str:
    begin = 0
    for found in _SENTENCE_END.finditer(text, max(0, start - 400), start):
        begin = found.end()
    after = _SENTENCE_END.search(text, end)
    return text[begin : after.end() if after else len(text)]


def _staff_without_cue(text: str, match: Match) -> bool:
    if "P" not in match.entry.codes or not _is_staff_noun(match.entry.text):
        return False
    sentence = _sentence_around(text, match.start, match.end)
    return not _STAFF_CUE.search(sentence)


@registry.misc("credscope.sector_filter.v3")
def make_sector_filter_v3() -> Callable[[str, Match], bool]:
    """v2, and terms named only in contrast ("unlike a nurse") or as modifiers ("IT-based"),
    the pronoun "IT" in capitals, and education staff named only as actors."""
    v2 = make_sector_filter_v2()

    def keep(text: str, match: Match) -> bool:
        if not v2(text, match):
            return False
        if _MODIFIER_AFTER.match(text, match.end) or _pronoun_in_capitals(text, match):
            return False
        if _staff_without_cue(text, match):
            return False
        return not _CONTRAST_BEFORE.search(text, max(0, match.start - 80), match.start)

    return keep


class SectorFinder:
    """Lexicon lookup (lower-cased, longest match) plus a context filter, on plain strings."""

    def __init__(
        self, entries: Iterable[Entry], keep: Callable[[str, Match], bool] | None = None
    ) -> None:
        self.entries = list(entries)
        plain = [e for e in self.entries if e.kind != "cased"]
        cased = [e for e in self.entries if e.kind == "cased"]
        self.table = PhraseTable(expand_plurals(plain), ignore_case=True)
        # acronyms such as "IT" that are ordinary words in lower case: matched as written
        self.cased_table = PhraseTable(cased) if cased else None
        self.keep = keep or make_sector_filter_v3()

    def find(self, text: str) -> list[tuple[int, int, str, str]]:
        """Return ``(start, end, section letter, rule)`` for each sector mention in ``text``."""
        matches = list(self.table.finditer(text))
        if self.cased_table is not None:
            taken = [(m.start, m.end) for m in matches]
            for m in self.cased_table.finditer(text):
                if not any(m.start < end and start < m.end for start, end in taken):
                    matches.append(m)
            matches.sort(key=lambda m: m.start)
        found = []
        for match in matches:
            if match.entry.codes and self.keep(text, match):
                for code in match.entry.codes:
                    found.append((match.start, match.end, code, match.entry.kind))
        return found


@lru_cache(maxsize=1)
def nace_sections() -> dict[str, dict[str, str]]:
    """NACE Rev. 2 sections by letter: ``{"C": {"letter": "C", "title": ..., "slug": ...}}``."""
    return {row["letter"]: row for row in read_jsonl(SECTIONS_FILE)}


@lru_cache(maxsize=1)
def _default_finder() -> SectorFinder:
    return SectorFinder(entries_from_rows(read_jsonl(LEXICON_FILE)))


def find_sectors(text: str) -> list[tuple[int, int, str, str]]:
    """Sector mentions in a plain string (no spaCy Doc), using the packaged lexicon."""
    return _default_finder().find(text)


class SectorTagger(PhraseTagger):
    """spaCy component: sector spans (label = NACE section letter, ``id_`` = rule)."""

    def __init__(self, nlp: Language, name: str, spans_key: str, filter: str) -> None:
        self.name = name
        self.spans_key = spans_key
        self.filter_name = filter
        self.finder: SectorFinder | None = None

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        entries: list[dict] | None = None,
    ) -> None:
        rows = entries if entries is not None else read_jsonl(LEXICON_FILE)
        keep = registry.misc.get(self.filter_name)()
        self.finder = SectorFinder(entries_from_rows(rows), keep=keep)


@Language.factory(
    "credscope_sectors",
    assigns=["doc.spans"],
    default_config={"spans_key": SPANS_KEY, "filter": "credscope.sector_filter.v3"},
)
def make_sector_tagger(nlp: Language, name: str, spans_key: str, filter: str) -> SectorTagger:
    return SectorTagger(nlp, name, spans_key=spans_key, filter=filter)

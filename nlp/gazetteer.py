"""Pattern tables as package data, and a longest-match regex over them (no spaCy here).

Both taggers work the same way: a table of surface forms, each with codes and a kind, is compiled
into one alternation (longest form first, so the longest match at a position wins) with word
boundaries on both sides. The components in ``countries.py``/``sectors.py`` add context rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources

DATA_PACKAGE = "nlp.data"


@dataclass(frozen=True)
class Entry:
    """One surface form: ``codes`` empty means a negative (a trap phrase that blocks a match)."""

    text: str
    codes: tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    entry: Entry


def read_jsonl(name: str) -> list[dict]:
    """Read a JSON-lines file shipped in ``nlp/data``."""
    with resources.files(DATA_PACKAGE).joinpath(name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def entries_from_rows(rows: Iterable[dict]) -> list[Entry]:
    entries = []
    for row in rows:
        codes = row.get("codes")
        if codes is None:
            code = row.get("code")
            codes = [code] if code else []
        entries.append(Entry(text=row["text"], codes=tuple(codes), kind=row["kind"]))
    return entries


def entries_to_rows(entries: Iterable[Entry]) -> list[dict]:
    return [{"text": e.text, "codes": list(e.codes), "kind": e.kind} for e in entries]


def trie_pattern(forms: list[str]) -> str:
    """A regex matching any of ``forms``, built as a prefix trie (fast: fails on the first char).

    At each node longer continuations are tried before ending, so the longest form matches;
    backtracking still finds a shorter form when the word boundary after a longer one fails.
    """
    trie: dict[str, dict] = {}
    for form in forms:
        node = trie
        for char in form:
            node = node.setdefault(char, {})
        node[""] = {}

    escaped: dict[str, str] = {}

    def esc(char: str) -> str:
        if char not in escaped:
            escaped[char] = re.escape(char)
        return escaped[char]

    def build(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = []
        for char, child in sorted(node.items()):
            if not char:
                continue
            chain = [esc(char)]
            while len(child) == 1 and "" not in child:  # a run of single children: no recursion
                ((char, child),) = child.items()
                chain.append(esc(char))
            branches.append("".join(chain) + build(child))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?"
        return body

    return build(trie)


def lower_same_length(text: str) -> str:
    """``text.lower()``, keeping characters whose lower case is longer (so offsets still hold)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


class PhraseTable:
    """Longest-match lookup of many phrases in one compiled regex.

    ``ignore_case`` matches against ``text.lower()`` (phrases must then be lower case) with
    hyphens read as spaces, so "long-term care" and "long term care" are one phrase; otherwise
    matching is exact and case-sensitive, so "turkey" never matches "Turkey".
    """

    def __init__(self, entries: Iterable[Entry], *, ignore_case: bool = False) -> None:
        self.ignore_case = ignore_case
        self.by_text: dict[str, Entry] = {}
        for entry in entries:
            key = self.normalise(entry.text)
            previous = self.by_text.get(key)
            if previous is None or (not previous.codes and entry.codes):
                # the first entry of a surface form is kept, but a positive one beats a negative
                self.by_text[key] = entry
        alternation = trie_pattern(list(self.by_text)) or r"(?!x)x"
        self.regex = re.compile(rf"(?<![\w&])(?:{alternation})(?![\w&])")

    def normalise(self, text: str) -> str:
        """The text as matched: lower case with hyphens as spaces, or as it is (same length).

        A typographic apostrophe is read as a straight one either way ("Côte d’Ivoire").
        """
        if "\u2019" in text:
            text = text.replace("\u2019", "'")
        if not self.ignore_case:
            return text
        return lower_same_length(text).replace("-", " ")

    def finditer(self, text: str) -> Iterator[Match]:
        haystack = self.normalise(text)
        for found in self.regex.finditer(haystack):
            yield Match(found.start(), found.end(), self.by_text[found.group()])

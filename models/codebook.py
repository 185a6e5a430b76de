"""The theme codebook: names, definitions and lexicon, loaded once from package data.

`models/data/codebook.toml` is the single source of theme names for the classifier, the store's
allowed labels and the review UI.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Theme:
    """One theme of the codebook."""

    id: str
    label: str
    definition: str
    includes: tuple[str, ...]
    excludes: tuple[str, ...]
    terms: tuple[str, ...]
    phrases: tuple[str, ...]
    sense_exclude: tuple[str, ...]
    patterns: tuple[str, ...] = ()  # regular expressions, matched case-insensitively


@dataclass(frozen=True)
class Rule:
    """A guideline rule: cue sets that must (`all`) or must not (`none`) share a sentence.

    The guidelines ask whether a passage says something about a theme, not whether a word
    occurs; a theme notion applied to a credential within one sentence is the cheap proxy.
    `names` restricts the first cue set to words outside ("outside") or inside ("inside")
    capitalised names, since organisation and event names carry trust words without the sense.
    """

    id: str
    themes: tuple[str, ...]  # the themes whose classifier may use the rule's feature
    all: tuple[str, ...]
    none: tuple[str, ...] = ()
    names: str = "any"  # "any" | "outside" | "inside"


@dataclass(frozen=True)
class Codebook:
    """All themes plus the matching rules shared by them."""

    version: str
    themes: tuple[Theme, ...]
    negation_cues: tuple[str, ...]
    negation_window: int
    sha256: str = ""  # of the TOML text, so a model card pins the exact codebook
    cues: dict[str, tuple[str, ...]] = field(default_factory=dict)  # cue set -> entries
    rules: tuple[Rule, ...] = ()

    @property
    def theme_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)

    def theme(self, theme_id: str) -> Theme:
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise KeyError(theme_id)


def parse_codebook(text: str) -> Codebook:
    """Build a `Codebook` from TOML text (the shipped file or a test fixture)."""
    raw = tomllib.loads(text)
    version = raw.get("version")
    if not isinstance(version, str) or not version:
        raise ValueError("codebook has no version")
    themes = []
    for theme_id, body in raw.get("themes", {}).items():
        themes.append(
            Theme(
                id=theme_id,
                label=str(body.get("label", theme_id)),
                definition=" ".join(str(body["definition"]).split()),
                includes=tuple(body.get("includes", ())),
                excludes=tuple(body.get("excludes", ())),
                terms=_dedup(body.get("terms", ())),
                phrases=_dedup(body.get("phrases", ())),
                sense_exclude=_dedup(body.get("sense_exclude", ())),
                patterns=tuple(_check_pattern(p) for p in body.get("patterns", ())),
            )
        )
    if not themes:
        raise ValueError("codebook defines no themes")
    matching = raw.get("matching", {})
    cues, rules = _parse_rules(raw, {t.id for t in themes})
    return Codebook(
        version=version,
        themes=tuple(themes),
        negation_cues=tuple(matching.get("negation_cues", ())),
        negation_window=int(matching.get("negation_window", 4)),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        cues=cues,
        rules=rules,
    )


def _parse_rules(
    raw: dict, theme_names: set[str]
) -> tuple[dict[str, tuple[str, ...]], tuple[Rule, ...]]:
    """Cue sets and guideline rules; a rule naming an unknown cue set or theme is an error."""
    cues = {str(k): _dedup(v) for k, v in raw.get("cues", {}).items()}
    rules = []
    for rule_id, body in raw.get("rules", {}).items():
        rule = Rule(
            id=str(rule_id),
            themes=tuple(body.get("themes", ())),
            all=tuple(body.get("all", ())),
            none=tuple(body.get("none", ())),
            names=str(body.get("names", "any")),
        )
        bad = [t for t in rule.themes if t not in theme_names]
        if bad or not rule.themes:
            raise ValueError(f"rule {rule_id}: themes must name codebook themes, got {rule.themes}")
        if not rule.all:
            raise ValueError(f"rule {rule_id}: no cue sets in `all`")
        unknown = [c for c in (*rule.all, *rule.none) if c not in cues]
        if unknown:
            raise ValueError(f"rule {rule_id}: unknown cue sets {unknown}")
        if rule.names not in ("any", "outside", "inside"):
            raise ValueError(f"rule {rule_id}: names must be any, outside or inside")
        rules.append(rule)
    return cues, tuple(rules)


def _check_pattern(pattern: str) -> str:
    try:
        re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"bad codebook pattern {pattern!r}: {exc}") from exc
    return pattern


def _dedup(items: object) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:  # type: ignore[attr-defined]
        key = str(item).strip().lower()
        if key:
            seen.setdefault(key, None)
    return tuple(seen)


@cache
def load_codebook() -> Codebook:
    """The shipped codebook (read once per process)."""
    text = resources.files("models").joinpath("data/codebook.toml").read_text(encoding="utf-8")
    return parse_codebook(text)


def theme_ids() -> tuple[str, ...]:
    """Theme names in codebook order: the labels the classifier predicts and the store allows."""
    return load_codebook().theme_ids

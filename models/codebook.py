"""The theme codebook: names, definitions and lexicon, loaded once from package data.

`models/data/codebook.toml` is the single source of theme names for the classifier, the store's
allowed labels and the review UI.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
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
class Codebook:
    """All themes plus the matching rules shared by them."""

    version: str
    themes: tuple[Theme, ...]
    negation_cues: tuple[str, ...]
    negation_window: int
    sha256: str = ""  # of the TOML text, so a model card pins the exact codebook

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
    return Codebook(
        version=version,
        themes=tuple(themes),
        negation_cues=tuple(matching.get("negation_cues", ())),
        negation_window=int(matching.get("negation_window", 4)),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


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

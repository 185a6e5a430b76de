"""Load the theme model (once per process) and classify passages, with explanations.

The only place a model is loaded. Bad input never raises for the whole batch: an empty, too
long, non-English or binary text gets no themes and `error` set on its own prediction.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from models.types import ThemePrediction

MAX_CHARS = 5000  # passages are <= ~900 chars; far longer input is not a passage
MIN_LETTERS = 3
EXPLAIN_TOP = 6

_ENGLISH_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "is",
        "for",
        "that",
        "on",
        "are",
        "be",
        "as",
        "with",
        "by",
        "this",
        "or",
        "it",
        "from",
        "at",
        "an",
        "which",
        "their",
        "not",
        "can",
        "have",
        "has",
        "will",
        "was",
        "were",
        "they",
        "these",
        "more",
        "also",
        "its",
        "such",
        "been",
        "other",
        "than",
        "but",
        "all",
        "into",
        "who",
        "would",
        "should",
        "may",
        "how",
        "what",
        "about",
        "between",
        "both",
        "each",
        "through",
    ]
)
_FOREIGN_WORDS = frozenset(
    [
        "der",
        "die",
        "das",
        "und",
        "ist",
        "ein",
        "eine",
        "einer",
        "für",
        "von",
        "mit",
        "nicht",
        "auf",
        "sich",
        "den",
        "dem",
        "des",
        "zur",
        "zum",
        "wird",
        "sind",
        "le",
        "la",
        "les",
        "et",
        "des",
        "du",
        "est",
        "pour",
        "une",
        "dans",
        "sur",
        "avec",
        "sont",
        "qui",
        "pas",
        "au",
        "aux",
        "el",
        "los",
        "las",
        "y",
        "del",
        "que",
        "por",
        "para",
        "con",
        "una",
        "es",
        "se",
        "lo",
        "su",
        "al",
        "como",
        "más",
        "il",
        "di",
        "che",
        "è",
        "per",
        "della",
        "delle",
        "gli",
        "nel",
        "sono",
        "non",
        "het",
        "een",
        "van",
        "op",
        "voor",
        "zijn",
        "niet",
        "ook",
        "dat",
        "och",
        "att",
        "är",
        "på",
        "för",
        "med",
        "inte",
        "som",
        "og",
        "af",
        "er",
        "til",
        "ikke",
        "med",
        "som",
        "ja",
        "ei",
        "että",
        "on",
        "ovat",
        "i",
        "w",
        "na",
        "z",
        "się",
        "nie",
        "jest",
        "și",
        "sau",
        "pentru",
        "este",
        "που",
        "και",
        "το",
        "τα",
        "της",
    ]
)
_FILLER = frozenset(["can", "could", "must", "do", "does", "also", "there", "them", "so", "if"])
_CONTROL_RE = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD_RE = re.compile(r"[^\W\d_]+")


@dataclass
class ThemeModel:
    """A loaded pipeline plus its registry card."""

    pipeline: object
    version: str
    themes: list[str]
    card: dict = field(default_factory=dict)
    _names: list[str] | None = field(default=None, repr=False)

    @property
    def thresholds(self) -> dict[str, float]:
        clf = self.pipeline.named_steps["clf"]
        return {t: float(clf.thresholds_[j]) for j, t in enumerate(self.themes)}

    def feature_names(self) -> list[str]:
        if self._names is None:
            features = self.pipeline.named_steps["features"]
            self._names = [str(n) for n in features.get_feature_names_out()]
        return self._names


_CACHE: dict[tuple[str, str], ThemeModel] = {}
_LOCK = threading.Lock()


def load_model(version: str | None = None, registry_dir: Path | str | None = None) -> ThemeModel:
    """The model `version` (default: the registry's DEFAULT), cached per process."""
    from models import registry

    name = version or registry.default_version(registry_dir)
    if name is None:
        raise registry.RegistryError("no default model in the registry")
    key = (str(Path(registry_dir).resolve()) if registry_dir else "", name)
    with _LOCK:
        model = _CACHE.get(key)
        if model is None:
            pipeline = registry.load_estimator(registry.model_path(name, registry_dir))
            card = registry.read_card(name, registry_dir)
            themes = list(pipeline.named_steps["clf"].themes_)
            model = ThemeModel(pipeline=pipeline, version=name, themes=themes, card=card)
            _CACHE[key] = model
    return model


def check_text(text: object) -> str | None:
    """Why `text` cannot be classified, or None when it can."""
    if not isinstance(text, str):
        return f"not text ({type(text).__name__})"
    stripped = text.strip()
    if not stripped:
        return "empty text"
    if len(text) > MAX_CHARS:
        return f"text too long ({len(text)} characters > {MAX_CHARS}); split it into passages"
    if "\x00" in text:
        return "binary content"
    n = len(text)
    if _CONTROL_RE.search(text) is not None and len(_CONTROL_RE.findall(text)) > 0.01 * n:
        return "binary content"
    if "\ufffd" in text and text.count("\ufffd") > 0.01 * n:
        return "binary content"
    runs = _WORD_RE.findall(text)  # runs of letters: words, and together all the letters
    letters = sum(map(len, runs))
    if letters < MIN_LETTERS or letters < 0.4 * len(stripped):
        return "no readable text"
    if len(runs) >= 8:
        words = " ".join(runs).lower().split(" ")
        n_words = len(words)
        ascii_share = 1.0 if text.isascii() else sum(map(str.isascii, words)) / n_words
        english_share = sum(map(_ENGLISH_WORDS.__contains__, words)) / n_words
        foreign_share = sum(map(_FOREIGN_WORDS.__contains__, words)) / n_words
        if ascii_share < 0.5 or english_share < 0.08 or foreign_share > max(english_share, 0.08):
            return "not English"
    return None


def predict(
    model: ThemeModel, texts: Sequence[str], explain: bool = False
) -> list[ThemePrediction]:
    """Themes for each text: calibrated scores, themes over their thresholds, explanations."""
    errors = [check_text(t) for t in texts]
    ok = [i for i, e in enumerate(errors) if e is None]
    out: list[ThemePrediction] = [
        ThemePrediction(themes=[], scores={}, error=e) if e else None  # type: ignore[misc]
        for e in errors
    ]
    if not ok:
        return out
    features = model.pipeline.named_steps["features"]
    clf = model.pipeline.named_steps["clf"]
    try:
        X = features.transform([texts[i] for i in ok]).tocsr()
        proba = clf.predict_proba(X)
    except Exception as exc:  # a failure here must not lose the batch: mark each record
        for i in ok:
            out[i] = ThemePrediction(themes=[], scores={}, error=f"classifier failed: {exc}")
        return out
    thresholds = clf.thresholds_
    for row, i in enumerate(ok):
        p = proba[row]
        themes = [t for j, t in enumerate(model.themes) if p[j] >= thresholds[j]]
        scores = {t: round(float(p[j]), 4) for j, t in enumerate(model.themes)}
        explanations = _explain(model, X, row, themes) if explain else {}
        out[i] = ThemePrediction(themes=themes, scores=scores, explanations=explanations)
    return out


def _readable(name: str) -> str | None:
    """Human-readable form of a feature name, or None for features we do not show."""
    part, _, feat = name.partition("__")
    if part == "word":
        if all(w in _ENGLISH_WORDS or w in _FILLER for w in feat.split()):
            return None
        return feat
    if part == "codebook" and feat.startswith("cb:"):
        return feat[3:]
    return None


def _explain(model: ThemeModel, X: object, row: int, themes: list[str]) -> dict[str, list[str]]:
    """Per predicted theme, the words/phrases with the largest positive contributions."""
    clf = model.pipeline.named_steps["clf"]
    names = model.feature_names()
    start, end = X.indptr[row], X.indptr[row + 1]
    cols = X.indices[start:end]
    vals = X.data[start:end]
    out: dict[str, list[str]] = {}
    for t in themes:
        j = model.themes.index(t)
        contrib = vals * clf.coef_[j, cols]
        order = np.argsort(-contrib)
        terms: list[str] = []
        for k in order:
            if contrib[k] <= 0 or len(terms) >= EXPLAIN_TOP:
                break
            label = _readable(names[cols[k]])
            if label and label not in terms:
                terms.append(label)
        out[t] = terms
    return out

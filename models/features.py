"""Theme features: word and character n-gram TF-IDF plus codebook lexicon matches.

The codebook matcher is plain Python (token n-gram lookups compiled from the codebook), so the
models package does not need spaCy. Sense rules: a term match that lies inside one of its theme's
`sense_exclude` phrases ("NHS Foundation Trust", "Drupal module", "in recognition of") does not
count for that theme; negation cues shortly before a match are counted as separate features.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from models.codebook import Codebook, load_codebook

_TOKEN_RE = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_SENTENCE_RE = re.compile(r"(?<=[.!?;:])\s+")


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens; hyphenated words stay one token ("micro-credentials")."""
    return _TOKEN_RE.findall(text.lower())


def sentence_spans(tokens_text: str) -> list[str]:
    """Cheap sentence split used for sentence-level pooling of matches."""
    return [s for s in _SENTENCE_RE.split(tokens_text) if s.strip()]


@dataclass(frozen=True)
class Match:
    """One lexicon match in a text."""

    entry: str
    start: int  # token index
    end: int  # token index, exclusive
    themes: tuple[str, ...]  # themes for which the match counts (sense rules applied)
    negated: bool
    listed: tuple[str, ...] = ()  # all themes whose lexicon lists the entry


def lexicon_from_codebook(codebook: Codebook) -> dict[str, dict[str, list[str]]]:
    """Plain-data lexicon (JSON-able, so it serialises safely with the model)."""
    return {
        t.id: {
            "entries": sorted(set(t.terms) | set(t.phrases)),
            "sense_exclude": list(t.sense_exclude),
            "patterns": list(t.patterns),
        }
        for t in codebook.themes
    }


class LexiconMatcher:
    """Token n-gram matcher compiled from a lexicon; overlapping matches are all reported."""

    def __init__(
        self,
        lexicon: dict[str, dict[str, list[str]]],
        negation_cues: Sequence[str],
        negation_window: int,
    ) -> None:
        self.themes = tuple(lexicon)
        self.exact: dict[tuple[str, ...], set[str]] = {}
        self.prefixes: list[tuple[str, str]] = []  # (prefix, theme)
        self.excludes: dict[tuple[str, ...], set[str]] = {}
        for theme, body in lexicon.items():
            for entry in body["entries"]:
                if entry.endswith("*"):
                    self.prefixes.append((entry[:-1].lower(), theme))
                    continue
                key = tuple(tokenize(entry))
                if key:
                    self.exact.setdefault(key, set()).add(theme)
            for entry in body["sense_exclude"]:
                key = tuple(tokenize(entry))
                if key:
                    self.excludes.setdefault(key, set()).add(theme)
        self.negation = {tuple(tokenize(c)) for c in negation_cues}
        self.negation_window = negation_window
        # one lookup table for entries, sense excludes and negation cues, plus the n-gram
        # lengths worth trying from each first token
        self.table: dict[tuple[str, ...], tuple[frozenset, frozenset, bool]] = {}
        for key in {*self.exact, *self.excludes, *self.negation}:
            self.table[key] = (
                frozenset(self.exact.get(key, ())),
                frozenset(self.excludes.get(key, ())),
                key in self.negation,
            )
        starts: dict[str, set[int]] = {}
        for key in self.table:
            starts.setdefault(key[0], set()).add(len(key))
        self.starts = {k: tuple(sorted(v)) for k, v in starts.items()}
        self._prefix_memo: dict[str, frozenset] = {}

    def _prefix_themes(self, tok: str) -> frozenset:
        hit = self._prefix_memo.get(tok)
        if hit is None:
            hit = frozenset(th for p, th in self.prefixes if tok.startswith(p))
            if len(self._prefix_memo) < 200_000:
                self._prefix_memo[tok] = hit
        return hit

    def match(self, tokens: Sequence[str]) -> list[Match]:
        n_tok = len(tokens)
        excluded: dict[str, list[tuple[int, int]]] = {}
        found: list[tuple[str, int, int, frozenset]] = []
        neg_positions: list[int] = []
        starts = self.starts
        table = self.table
        for i, tok in enumerate(tokens):
            lengths = starts.get(tok)
            matched_single = False
            if lengths:
                for n in lengths:
                    if i + n > n_tok:
                        break
                    key = tuple(tokens[i : i + n]) if n > 1 else (tok,)
                    hit = table.get(key)
                    if hit is None:
                        continue
                    themes, ex, neg = hit
                    if themes:
                        found.append((" ".join(key), i, i + n, themes))
                        matched_single = matched_single or n == 1
                    for theme in ex:
                        excluded.setdefault(theme, []).append((i, i + n))
                    if neg:
                        neg_positions.append(i + n - 1)
            if self.prefixes and not matched_single:
                pthemes = self._prefix_themes(tok)
                if pthemes:
                    found.append((tok, i, i + 1, pthemes))
        out = []
        for entry, start, end, themes in found:
            kept = tuple(
                sorted(
                    th
                    for th in themes
                    if not any(s <= start and end <= e for s, e in excluded.get(th, ()))
                )
            )
            negated = any(start - self.negation_window <= p < start for p in neg_positions)
            out.append(Match(entry, start, end, kept, negated, tuple(sorted(themes))))
        return out


class CodebookFeatures(TransformerMixin, BaseEstimator):
    """Counts of codebook term/phrase matches, per entry and aggregated per theme.

    Per entry: log1p(count of sense-valid matches). Per theme: log1p(valid matches),
    distinct entries, negated matches, sense-suppressed matches, and the largest number of
    distinct entries in one sentence (sentence-level pooling).
    """

    def __init__(self, lexicon: dict | None = None, scale: float = 1.0) -> None:
        self.lexicon = lexicon
        self.scale = scale

    def fit(self, X: Iterable[str], y: object = None) -> CodebookFeatures:
        codebook = load_codebook()
        lexicon = self.lexicon if self.lexicon is not None else lexicon_from_codebook(codebook)
        self.lexicon_ = {k: {kk: list(vv) for kk, vv in v.items()} for k, v in lexicon.items()}
        self.negation_cues_ = list(codebook.negation_cues)
        self.negation_window_ = int(codebook.negation_window)
        self.codebook_version_ = codebook.version
        entries: dict[str, None] = {}
        for body in self.lexicon_.values():
            for entry in body["entries"]:
                entries.setdefault(
                    entry.lower() if entry.endswith("*") else " ".join(tokenize(entry)), None
                )
        self.entries_ = [e for e in entries if e]
        aggregates = ["all", "distinct", "negated", "suppressed", "sentence_max"]
        self.patterns_ = [p for body in self.lexicon_.values() for p in body.get("patterns", [])]
        self.feature_names_ = np.asarray(
            [f"cb:{e}" for e in self.entries_]
            + [f"cb_{theme}:{a}" for theme in self.lexicon_ for a in aggregates]
            + [f"pat:{p}" for p in self.patterns_],
            dtype=str,
        )
        return self

    def _matcher(self) -> LexiconMatcher:
        m = getattr(self, "_matcher_cache", None)
        if m is None:
            m = LexiconMatcher(self.lexicon_, self.negation_cues_, self.negation_window_)
            self._matcher_cache = m
        return m

    def _compiled(self) -> list[re.Pattern]:
        """Codebook patterns, run on lower-cased text (faster than re.IGNORECASE)."""
        c = getattr(self, "_pattern_cache", None)
        if c is None:
            c = [re.compile(p) for p in self.patterns_]
            self._pattern_cache = c
        return c

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_matcher_cache", None)
        state.pop("_pattern_cache", None)
        return state

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(self.feature_names_, dtype=object)

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        matcher = self._matcher()
        index = {e: i for i, e in enumerate(self.entries_)}
        prefix_entries = [e for e in self.entries_ if e.endswith("*")]
        themes = list(self.lexicon_)
        n_entries = len(self.entries_)
        patterns = self._compiled()
        pattern_base = n_entries + 5 * len(themes)
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        n_docs = 0
        for r, text in enumerate(X):
            n_docs += 1
            row: dict[int, float] = {}
            per_theme = {t: [0, set(), 0, 0] for t in themes}
            sent_max = dict.fromkeys(themes, 0)
            for sentence in sentence_spans(text):
                tokens = tokenize(sentence)
                sent_entries: dict[str, set[str]] = {t: set() for t in themes}
                for m in matcher.match(tokens):
                    if m.themes:
                        col = index.get(m.entry)
                        if col is None:
                            col = next(
                                (index[p] for p in prefix_entries if m.entry.startswith(p[:-1])),
                                None,
                            )
                        if col is not None:
                            row[col] = row.get(col, 0.0) + 1.0
                    for t in m.themes:
                        agg = per_theme[t]
                        agg[0] += 1
                        agg[1].add(m.entry)
                        if m.negated:
                            agg[2] += 1
                        sent_entries[t].add(m.entry)
                    for t in m.listed:  # the theme lists the entry but a sense rule removed it
                        if t not in m.themes and t in per_theme:
                            per_theme[t][3] += 1
                for t in themes:
                    sent_max[t] = max(sent_max[t], len(sent_entries[t]))
            for col, v in row.items():
                rows.append(r)
                cols.append(col)
                vals.append(math.log1p(v) * self.scale)
            for ti, t in enumerate(themes):
                agg = per_theme[t]
                base = n_entries + ti * 5
                for k, v in enumerate((agg[0], len(agg[1]), agg[2], agg[3], sent_max[t])):
                    if v:
                        rows.append(r)
                        cols.append(base + k)
                        vals.append(math.log1p(v) * self.scale)
            lowered = text.lower()
            for k, pat in enumerate(patterns):
                hits = len(pat.findall(lowered))
                if hits:
                    rows.append(r)
                    cols.append(pattern_base + k)
                    vals.append(math.log1p(hits) * self.scale)
        return sp.csr_matrix(
            (np.asarray(vals, dtype=np.float64), (rows, cols)),
            shape=(n_docs, len(self.feature_names_)),
        )

    def explain_matches(self, text: str) -> dict[str, list[str]]:
        """Sense-valid, non-negated entries matched in `text`, per theme."""
        matcher = self._matcher()
        out: dict[str, list[str]] = {t: [] for t in self.lexicon_}
        for m in matcher.match(tokenize(text)):
            for t in m.themes:
                if m.entry not in out[t]:
                    out[t].append(m.entry)
        return out


class CompactTfidf(TransformerMixin, BaseEstimator):
    """TF-IDF over a pruned vocabulary, kept as two arrays (terms, idf): a small, fast skops file.

    Fitting uses sklearn's TfidfVectorizer; afterwards only `terms_` (a numpy str array) and
    `idf_` are kept, and the vectorizer is rebuilt on first use after loading.
    """

    def __init__(
        self,
        analyzer: str = "word",
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        max_features: int | None = 20000,
    ) -> None:
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features

    def _vectorizer(self, vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
        return TfidfVectorizer(
            lowercase=True,
            analyzer=self.analyzer,
            ngram_range=tuple(self.ngram_range),
            min_df=self.min_df,
            max_features=self.max_features,
            sublinear_tf=True,
            token_pattern=r"(?u)\b\w[\w-]*\w\b|\b\w\b" if self.analyzer == "word" else None,
            dtype=np.float32,
            vocabulary=vocabulary,
        )

    def fit(self, X: Iterable[str], y: object = None) -> CompactTfidf:
        vec = self._vectorizer().fit(X)
        terms = vec.get_feature_names_out()
        self.terms_ = np.asarray(terms, dtype=str)
        self.idf_ = np.asarray(vec.idf_, dtype=np.float32)
        return self

    def _fitted(self) -> TfidfVectorizer:
        vec = getattr(self, "_vec_cache", None)
        if vec is None:
            vocab = {str(t): i for i, t in enumerate(self.terms_)}
            vec = self._vectorizer(vocab)
            vec.fit(["x"])  # sets the fixed vocabulary; idf is replaced next
            vec.idf_ = self.idf_.astype(np.float64)
            self._vec_cache = vec
        return vec

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_vec_cache", None)
        return state

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        return self._fitted().transform(X)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(self.terms_, dtype=object)


def build_features(params: dict | None = None) -> FeatureUnion:
    """Word n-gram TF-IDF, char n-gram TF-IDF and codebook features, side by side."""
    p = {
        "word_max_features": 20000,
        "word_ngram_max": 2,
        "char_max_features": 30000,
        "char_ngram": (2, 5),
        "min_df": 2,
        "word_weight": 1.0,
        "char_weight": 1.0,
        "codebook_weight": 0.5,
        "use_char": True,
        "use_codebook": True,
    }
    p.update(params or {})
    parts: list[tuple[str, object]] = [
        (
            "word",
            CompactTfidf(
                analyzer="word",
                ngram_range=(1, int(p["word_ngram_max"])),
                min_df=int(p["min_df"]),
                max_features=int(p["word_max_features"]),
            ),
        )
    ]
    weights = {"word": float(p["word_weight"])}
    if p["use_char"]:
        parts.append(
            (
                "char",
                CompactTfidf(
                    analyzer="char_wb",
                    ngram_range=tuple(p["char_ngram"]),
                    min_df=int(p["min_df"]),
                    max_features=int(p["char_max_features"]),
                ),
            )
        )
        weights["char"] = float(p["char_weight"])
    if p["use_codebook"]:
        parts.append(("codebook", CodebookFeatures()))
        weights["codebook"] = float(p["codebook_weight"])
    return FeatureUnion(parts, transformer_weights=weights)

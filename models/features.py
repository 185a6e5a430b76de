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
_WORD_TOKEN = r"(?u)\b\w[\w-]*\w\b|\b\w\b"  # TF-IDF word tokens (hyphenated words kept)
_WORD_TOKEN_FAST = re.compile(r"\w[\w-]*\w|\w")  # the same tokens, found faster


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens; hyphenated words stay one token ("micro-credentials")."""
    return _TOKEN_RE.findall(text.lower())


def sentence_spans(tokens_text: str) -> list[str]:
    """Cheap sentence split used for sentence-level pooling of matches."""
    return [s for s in _SENTENCE_RE.split(tokens_text) if s.strip()]


def literal_prefixes(pattern: str) -> tuple[str, ...] | None:
    """Literal strings one of which every match of `pattern` contains (None: unknown).

    Used as a cheap `in` prefilter before running a regular expression: exact, because every
    match contains one of them. Each top-level item of the pattern is required, so the literal
    prefixes of any suffix of the pattern qualify; the most selective set is kept. Zero-width
    assertions (\\b) are skipped; a group or an alternation contributes its branches' prefixes.
    """
    from re import _constants as c
    from re import _parser

    def lead(items: list) -> set[str] | None:
        acc = {""}
        for op, av in items:
            if op is c.AT and acc == {""}:
                continue
            if op is c.LITERAL:
                acc = {a + chr(av) for a in acc}
                continue
            if op is c.SUBPATTERN:
                sub = lead(list(av[-1]))
            elif op is c.BRANCH:
                sub = set()
                for branch in av[1]:
                    part = lead(list(branch))
                    if part is None:
                        sub = None
                        break
                    sub |= part
            else:
                sub = None
            if sub is not None and len(acc) * len(sub) <= 64:
                acc = {a + s for a in acc for s in sub}
            break
        return None if "" in acc else acc

    def best(items: list) -> set[str] | None:
        # every top-level item is required, so the literals leading any suffix will do:
        # take the most selective set (longest shortest literal)
        options = [s for j in range(len(items)) if (s := lead(items[j:]))]
        if not options:
            return None
        return max(options, key=lambda s: (min(map(len, s)), -len(s)))

    try:
        found = best(list(_parser.parse(pattern)))
    except Exception:  # private parser API: fall back to always running the pattern
        return None
    if not found or "" in found:
        return None
    return tuple(sorted(found))


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
        # first token -> (single-token entry or None, second tokens that can follow, lengths >= 2)
        seconds: dict[str, set[str]] = {}
        for key in self.table:
            if len(key) > 1:
                seconds.setdefault(key[0], set()).add(key[1])
        self.firsts = {
            k: (
                self.table.get((k,)),
                frozenset(seconds.get(k, ())),
                tuple(n for n in v if n > 1),
            )
            for k, v in self.starts.items()
        }
        self.prefix_tuple = tuple(sorted({p for p, _ in self.prefixes}))
        self._prefix_memo: dict[str, frozenset] = {}
        self._sorted: dict[frozenset, tuple[str, ...]] = {}

    def _prefix_themes(self, tok: str) -> frozenset:
        hit = self._prefix_memo.get(tok)
        if hit is None:
            hit = frozenset(th for p, th in self.prefixes if tok.startswith(p))
            if len(self._prefix_memo) < 200_000:
                self._prefix_memo[tok] = hit
        return hit

    def scan(self, tokens: Sequence[str]) -> list[tuple[str, int, int, tuple, tuple, bool]]:
        """Matches as plain tuples (entry, start, end, themes, listed, negated): the fast path.

        Only positions whose token starts an entry (or begins with a prefix entry) are looked
        at; they are found with one comprehension, so a passage costs a few microseconds plus
        the work per candidate.
        """
        starts = self.starts
        prefix_tuple = self.prefix_tuple
        if prefix_tuple:
            cand = [i for i, t in enumerate(tokens) if t in starts or t.startswith(prefix_tuple)]
        else:
            cand = [i for i, t in enumerate(tokens) if t in starts]
        if not cand:
            return []
        n_tok = len(tokens)
        excluded: dict[str, list[tuple[int, int]]] = {}
        found: list[tuple[str, int, int, frozenset]] = []
        neg_positions: list[int] = []
        table = self.table
        firsts = self.firsts
        for i in cand:
            tok = tokens[i]
            info = firsts.get(tok)
            matched_single = False
            if info is not None:
                single, seconds, lengths = info
                hits = []
                if single is not None:
                    hits.append((1, (tok,), single))
                if lengths and i + 1 < n_tok and tokens[i + 1] in seconds:
                    for n in lengths:
                        if i + n > n_tok:
                            break
                        key = tuple(tokens[i : i + n])
                        hit = table.get(key)
                        if hit is not None:
                            hits.append((n, key, hit))
                for n, key, (themes, ex, neg) in hits:
                    if themes:
                        found.append((" ".join(key) if n > 1 else tok, i, i + n, themes))
                        matched_single = matched_single or n == 1
                    for theme in ex:
                        excluded.setdefault(theme, []).append((i, i + n))
                    if neg:
                        neg_positions.append(i + n - 1)
            if prefix_tuple and not matched_single:
                pthemes = self._prefix_themes(tok)
                if pthemes:
                    found.append((tok, i, i + 1, pthemes))
        out = []
        window = self.negation_window
        for entry, start, end, themes in found:
            listed = self._sorted.get(themes)
            if listed is None:
                listed = self._sorted[themes] = tuple(sorted(themes))
            if excluded:
                kept = tuple(
                    th
                    for th in listed
                    if not any(s <= start and end <= e for s, e in excluded.get(th, ()))
                )
            else:
                kept = listed
            negated = bool(neg_positions) and any(
                start - window <= p < start for p in neg_positions
            )
            out.append((entry, start, end, kept, listed, negated))
        return out

    def match(self, tokens: Sequence[str]) -> list[Match]:
        return [
            Match(entry, start, end, kept, negated, listed)
            for entry, start, end, kept, listed, negated in self.scan(tokens)
        ]


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

    def _compiled(self) -> list[tuple[re.Pattern, tuple[str, ...] | None]]:
        """Codebook patterns (run on lower-cased text), each with its literal prefilter."""
        c = getattr(self, "_pattern_cache", None)
        if c is None:
            c = [(re.compile(p), literal_prefixes(p)) for p in self.patterns_]
            self._pattern_cache = c
        return c

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_matcher_cache", None)
        state.pop("_pattern_cache", None)
        state.pop("_column_cache", None)
        return state

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(self.feature_names_, dtype=object)

    def _columns(self) -> tuple[dict[str, int], tuple[tuple[str, int], ...]]:
        """Entry -> column, plus (prefix, column) for the `word*` entries."""
        c = getattr(self, "_column_cache", None)
        if c is None:
            index = {e: i for i, e in enumerate(self.entries_)}
            prefixes = tuple((e[:-1], i) for e, i in index.items() if e.endswith("*"))
            c = self._column_cache = (index, prefixes)
        return c

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        scan = self._matcher().scan
        index, prefix_cols = self._columns()
        themes = list(self.lexicon_)
        theme_pos = {t: k for k, t in enumerate(themes)}
        n_themes = len(themes)
        n_entries = len(self.entries_)
        patterns = self._compiled()
        pattern_base = n_entries + 5 * n_themes
        scale = self.scale
        log1p = math.log1p
        split = _SENTENCE_RE.split
        findall = _TOKEN_RE.findall
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        n_docs = 0
        for r, text in enumerate(X):
            n_docs += 1
            lowered = text.lower()
            row: dict[int, float] = {}
            n_all = [0] * n_themes
            distinct: list[set[str]] = [set() for _ in themes]
            n_neg = [0] * n_themes
            n_sup = [0] * n_themes
            sent_max = [0] * n_themes
            for sentence in split(lowered):
                tokens = findall(sentence)
                if not tokens:
                    continue
                matches = scan(tokens)
                if not matches:
                    continue
                sent_entries: list[set[str]] = [set() for _ in themes]
                for entry, _s, _e, kept, listed, negated in matches:
                    if kept:
                        col = index.get(entry)
                        if col is None:
                            col = next((i for p, i in prefix_cols if entry.startswith(p)), None)
                        if col is not None:
                            row[col] = row.get(col, 0.0) + 1.0
                        for t in kept:
                            k = theme_pos[t]
                            n_all[k] += 1
                            distinct[k].add(entry)
                            if negated:
                                n_neg[k] += 1
                            sent_entries[k].add(entry)
                    if len(listed) != len(kept):  # a sense rule removed the entry for a theme
                        for t in listed:
                            if t not in kept and t in theme_pos:
                                n_sup[theme_pos[t]] += 1
                for k in range(n_themes):
                    if len(sent_entries[k]) > sent_max[k]:
                        sent_max[k] = len(sent_entries[k])
            for col, v in row.items():
                rows.append(r)
                cols.append(col)
                vals.append(log1p(v) * scale)
            for k in range(n_themes):
                base = n_entries + k * 5
                for j, v in enumerate(
                    (n_all[k], len(distinct[k]), n_neg[k], n_sup[k], sent_max[k])
                ):
                    if v:
                        rows.append(r)
                        cols.append(base + j)
                        vals.append(log1p(v) * scale)
            for k, (pat, lits) in enumerate(patterns):
                if lits is not None and not any(lit in lowered for lit in lits):
                    continue  # the pattern cannot match without one of its leading literals
                hits = len(pat.findall(lowered))
                if hits:
                    rows.append(r)
                    cols.append(pattern_base + k)
                    vals.append(log1p(hits) * scale)
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


class GuidelineRuleFeatures(TransformerMixin, BaseEstimator):
    """One feature per codebook guideline rule: log1p(sentences in which the rule fires).

    Word features see "trust" in "North Bristol NHS Trust" and "accredited" in "competences
    ... formally accredited" as trust evidence; the annotation guidelines do not. A rule fires
    in a sentence when all its cue sets occur there and none of its excluded ones do (a trust
    notion *applied to* a credential, accreditation *of a provider*, a definition *of a
    microcredential* rather than of some other unit). Cue sets are matched with the same
    `LexiconMatcher` as the codebook lexicon (tokens, `word*` prefixes, overlapping matches).
    """

    def __init__(self, scale: float = 1.0) -> None:
        self.scale = scale

    def fit(self, X: Iterable[str], y: object = None) -> GuidelineRuleFeatures:
        codebook = load_codebook()
        self.cues_ = {
            name: {"entries": list(v), "sense_exclude": []} for name, v in codebook.cues.items()
        }
        self.rules_ = [
            {"id": r.id, "all": list(r.all), "none": list(r.none), "names": r.names}
            for r in codebook.rules
        ]
        self.feature_names_ = np.asarray([f"rule:{r['id']}" for r in self.rules_], dtype=str)
        return self

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_matcher_cache", None)
        return state

    def _matcher(self) -> LexiconMatcher:
        m = getattr(self, "_matcher_cache", None)
        if m is None:
            m = self._matcher_cache = LexiconMatcher(self.cues_, (), 0)
        return m

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(self.feature_names_, dtype=object)

    def sentence_cues(self, sentence: str) -> tuple[set[str], set[str], set[str]]:
        """Cue sets present in one sentence: anywhere, outside names, inside names.

        A cue word is inside a name when it starts with a capital letter and is not the
        sentence's first token ("Quality Assurance" in an agency's name, "Trust" in an NHS
        trust's); acronyms of one letter are not names.
        """
        tokens = _TOKEN_RE.findall(sentence)
        lowered = [t.lower() for t in tokens]
        anywhere: set[str] = set()
        outside: set[str] = set()
        inside: set[str] = set()
        for _entry, start, _end, kept, _listed, _neg in self._matcher().scan(lowered):
            anywhere.update(kept)
            first = tokens[start]
            if start > 0 and first[:1].isupper():
                inside.update(kept)
            else:
                outside.update(kept)
        return anywhere, outside, inside

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        rules = [
            (k, r["all"][0], frozenset(r["all"][1:]), frozenset(r["none"]), r["names"])
            for k, r in enumerate(self.rules_)
        ]
        scale = self.scale
        log1p = math.log1p
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        n_docs = 0
        for r, text in enumerate(X):
            n_docs += 1
            counts = [0] * len(rules)
            for sentence in _SENTENCE_RE.split(text):
                anywhere, outside, inside = self.sentence_cues(sentence)
                if not anywhere:
                    continue
                for k, first, rest, none, names in rules:
                    head = anywhere if names == "any" else outside if names == "outside" else inside
                    if first in head and rest <= anywhere and none.isdisjoint(anywhere):
                        counts[k] += 1
            for k, v in enumerate(counts):
                if v:
                    rows.append(r)
                    cols.append(k)
                    vals.append(log1p(v) * scale)
        return sp.csr_matrix(
            (np.asarray(vals, dtype=np.float64), (rows, cols)),
            shape=(n_docs, len(self.rules_)),
        )


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
            token_pattern=_WORD_TOKEN if self.analyzer == "word" else None,
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
        state.pop("_word_cache", None)
        return state

    def _word_tables(self) -> tuple[re.Pattern, dict[str, int], np.ndarray]:
        c = getattr(self, "_word_cache", None)
        if c is None:
            vocab = {str(t): i for i, t in enumerate(self.terms_)}
            c = self._word_cache = (_WORD_TOKEN_FAST, vocab, self.idf_.astype(np.float64))
        return c

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        if self.analyzer != "word":
            return self._fitted().transform(X)
        return self._transform_words(X)

    def _transform_words(self, X: Iterable[str]) -> sp.csr_matrix:
        """The same matrix as TfidfVectorizer.transform, without its per-document overhead.

        Tokens, n-grams and vocabulary lookups are one comprehension per document; counting,
        sublinear tf, idf and l2 normalisation are vectorised over the whole batch.
        """
        pattern, vocab, idf = self._word_tables()
        findall = pattern.findall
        get = vocab.get
        lo, hi = (int(v) for v in self.ngram_range)
        indices: list[int] = []
        indptr = [0]
        for text in X:
            toks = findall(text.lower())
            grams = toks if lo == 1 else []
            if hi >= 2 and lo <= 2:
                grams = grams + list(map(" ".join, zip(toks, toks[1:], strict=False)))
            for n in range(max(lo, 3), hi + 1):
                grams += [" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1)]
            indices += [j for j in map(get, grams) if j is not None]
            indptr.append(len(indices))
        n_docs = len(indptr) - 1
        data = np.ones(len(indices), dtype=np.float64)
        X_out = sp.csr_matrix(
            (data, np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
            shape=(n_docs, len(vocab)),
        )
        X_out.sum_duplicates()  # counts per (document, term), indices sorted
        X_out.data = (np.log(X_out.data) + 1.0) * idf[X_out.indices]
        row_of = np.repeat(np.arange(n_docs), np.diff(X_out.indptr))
        norms = np.sqrt(np.bincount(row_of, weights=X_out.data**2, minlength=n_docs))
        X_out.data /= norms[row_of]
        return X_out.astype(np.float32)

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
        "use_rules": False,
        "rules_weight": 1.0,
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
    if p["use_rules"]:
        parts.append(("rules", GuidelineRuleFeatures()))
        weights["rules"] = float(p["rules_weight"])
    return FeatureUnion(parts, transformer_weights=weights)

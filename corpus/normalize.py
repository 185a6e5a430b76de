"""Character-level normalisation shared by the PDF, HTML and text readers.

NFKC folds ligatures (U+FB01 "fi") and compatibility forms; soft hyphens are invisible
hyphenation hints and are dropped; non-breaking and other odd spaces become plain spaces.
"""

from __future__ import annotations

import re
import unicodedata

SOFT_HYPHEN = "\u00ad"
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]+")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_MULTI_SPACE = re.compile(r" {2,}")


def normalize_chars(text: str) -> str:
    """Ligatures, soft hyphens, NBSP and NFKC: the same text whatever the producer did."""
    if text.isascii():
        return text
    text = text.replace(SOFT_HYPHEN, "")
    text = _ZERO_WIDTH.sub("", text)
    text = _SPACES.sub(" ", text)
    return unicodedata.normalize("NFKC", text)


def squeeze_spaces(text: str) -> str:
    """Collapse runs of spaces inside a line and trim it."""
    return _MULTI_SPACE.sub(" ", text).strip()

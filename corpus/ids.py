"""Stable identifiers: documents from their source URI, passages from normalised text."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import unquote, urlparse

_SPACE = re.compile(r"\s+")
_SLUG = re.compile(r"[^a-z0-9]+")


def normalise_text(text: str) -> str:
    """Case, Unicode form and white space folded: what a passage *says*, not how it was laid out."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:32]


def document_id(uri: str) -> str:
    """A readable id (file stem) plus a short hash of the URI, so two ``index.html`` differ."""
    path = unquote(urlparse(uri).path)
    stem = PurePosixPath(path).stem or urlparse(uri).netloc
    slug = _SLUG.sub("-", stem.lower()).strip("-")[:40] or "doc"
    return f"{slug}-{hashlib.sha256(uri.encode('utf-8')).hexdigest()[:6]}"


def passage_id(doc_id: str, text_hash: str, occurrence: int = 0) -> str:
    """Stable across re-extraction as long as the passage text is unchanged."""
    key = f"{doc_id}\x1f{text_hash}\x1f{occurrence}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]

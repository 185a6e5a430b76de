"""Plain data that crosses the corpus package boundary.

Offsets are character offsets into ``Extraction.text``: the document's body text with
paragraphs separated by a blank line. A paragraph belongs to the page where it starts, so
page and span together locate every passage in its source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["pdf", "html", "txt"]


@dataclass(frozen=True)
class SourceFile:
    """A document found on disk (or fetched to disk), before extraction."""

    path: str  # absolute path of the bytes to read
    uri: str  # stable identity: file:// URI or the http(s) URL it was fetched from
    kind: Kind
    sha256: str
    size: int
    title: str | None = None  # metadata from a sidecar manifest, when there is one
    doc_type: str | None = None
    publisher: str | None = None
    date: str | None = None
    http_content_type: str | None = None  # charset hint for fetched HTML


@dataclass(frozen=True)
class Paragraph:
    """One body paragraph: ``text[start:end]`` of the extraction, starting on ``page``."""

    start: int
    end: int
    page: int  # 1-based
    heading: str | None = None  # section title in force at this paragraph


@dataclass(frozen=True)
class Heading:
    text: str
    page: int
    level: int = 1
    start: int | None = None  # offset in ``Extraction.text`` where its section begins


@dataclass(frozen=True)
class Removal:
    """Text kept out of the body, with the reason (running head, footnote, table, ...)."""

    page: int
    text: str
    reason: str


@dataclass(frozen=True)
class Note:
    """A footnote, separated from the body; ``marker`` links it to a paragraph."""

    page: int
    marker: str
    text: str


@dataclass(frozen=True)
class Table:
    page: int
    rows: list[list[str]]


@dataclass
class Extraction:
    """The body text of one document with its layout provenance."""

    kind: Kind
    text: str
    paragraphs: list[Paragraph]
    n_pages: int = 1
    title: str | None = None
    date: str | None = None
    headings: list[Heading] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    encoding: str | None = None

    def paragraph_texts(self) -> list[str]:
        return [self.text[p.start : p.end] for p in self.paragraphs]


@dataclass(frozen=True)
class Passage:
    """A unit of analysis: a paragraph, or a run of sentences of a long one.

    ``content_hash`` depends on the normalised text only, so reviews keyed on it survive
    re-extraction; ``passage_id`` adds the document (and the occurrence, for repeats).
    """

    passage_id: str
    document_id: str
    content_hash: str
    seq: int
    page: int
    char_start: int
    char_end: int
    text: str
    heading: str | None = None

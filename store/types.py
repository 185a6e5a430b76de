"""Plain records the store accepts and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from corpus.types import Passage, SourceFile


@dataclass(frozen=True)
class LabelRecord:
    """One label of one passage, as produced by a model or a rule."""

    passage_id: str
    kind: Literal["theme", "country", "sector"]
    value: str
    origin: Literal["model", "rule", "review"]
    score: float | None = None
    assigned: bool = True
    model_version: str | None = None
    evidence: Any = None


@dataclass
class ProcessedDocument:
    """Everything the pipeline learnt about one source, ready to be written at once."""

    source: SourceFile
    document_id: str
    pipeline_version: str
    status: Literal["ok", "failed"] = "ok"
    error: str | None = None
    title: str | None = None
    date: str | None = None
    n_pages: int | None = None
    passages: list[Passage] = field(default_factory=list)
    labels: list[LabelRecord] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class WriteResult:
    document_id: str
    outcome: Literal["new", "changed", "unchanged", "failed", "kept"]
    passages_added: int = 0
    passages_retired: int = 0


@dataclass(frozen=True)
class DocumentRow:
    document_id: str
    source: str
    status: str
    error: str | None
    title: str | None
    kind: str | None
    doc_type: str | None
    date: str | None
    n_pages: int | None
    n_passages: int | None
    retired: bool


@dataclass(frozen=True)
class Finding:
    """One passage with its evidence and labels: a row analysts read, filter and export."""

    passage_id: str
    document_id: str
    title: str | None
    source: str
    link: str
    page: int
    char_start: int
    char_end: int
    text: str
    themes: list[str]
    countries: list[str]
    sectors: list[str]
    scores: dict[str, float]
    model_version: str | None = None
    doc_type: str | None = None
    date: str | None = None
    reviewed: bool = False  # a reviewer decided on at least one of its labels
    publisher: str | None = None


@dataclass(frozen=True)
class Cell:
    """One cell of a cross-tab: passages and documents carrying both values."""

    row: Any
    col: Any
    passages: int
    documents: int

"""The refresh pipeline as plain functions: no Prefect here, so it is testable and benchable.

``flows/refresh.py`` wraps exactly these functions in tasks; ``run_plain`` runs them without
Prefect (the bench compares the two to measure Prefect's overhead).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.discover import discover
from corpus.errors import ExtractionError
from corpus.extract import extract_file
from corpus.ids import document_id
from corpus.passages import split_passages
from corpus.types import SourceFile
from store.types import LabelRecord, ProcessedDocument, WriteResult



def package_fingerprint(package: str) -> str:
    """A short hash of a package's code and data files: changes whenever its output may.

    Used in the pipeline version, so a refresh after an upgrade of extraction or tagging
    reprocesses documents without anyone having to remember to bump a constant.
    """
    import hashlib
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return "0"
    root = Path(next(iter(spec.submodule_search_locations)))
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".json", ".jsonl", ".toml", ".txt"}:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


@dataclass(frozen=True)
class Analysers:
    """The loaded tagger and classifier, built once per process."""

    nlp: Any
    model: Any

    @property
    def pipeline_version(self) -> str:
        """Extraction and tagger fingerprints plus the theme model's version."""
        return f"x{EXTRACTION_FINGERPRINT}.t{TAGGER_FINGERPRINT}.m{self.model.version}"


_ANALYSERS: Analysers | None = None
EXTRACTION_FINGERPRINT = package_fingerprint("corpus")
TAGGER_FINGERPRINT = package_fingerprint("nlp")


def load_analysers() -> Analysers:
    """The spaCy pipeline and the default theme model, loaded once per process."""
    global _ANALYSERS
    if _ANALYSERS is None:
        from models.predict import load_model
        from nlp import load_nlp

        _ANALYSERS = Analysers(nlp=load_nlp(), model=load_model())
    return _ANALYSERS


def label_passages(
    passage_ids: Sequence[str], texts: Sequence[str], analysers: Analysers
) -> list[LabelRecord]:
    """Theme scores (every theme, assigned when over threshold) and country/sector tags."""
    from models.predict import predict
    from nlp import tag_texts

    records: list[LabelRecord] = []
    predictions = predict(analysers.model, list(texts), explain=True)
    for pid, pred in zip(passage_ids, predictions, strict=True):
        for theme, score in pred.scores.items():
            records.append(
                LabelRecord(
                    passage_id=pid,
                    kind="theme",
                    value=theme,
                    origin="model",
                    score=float(score),
                    assigned=theme in pred.themes,
                    model_version=analysers.model.version,
                    evidence=pred.explanations.get(theme) or None,
                )
            )
    for pid, tags in zip(passage_ids, tag_texts(list(texts), nlp=analysers.nlp), strict=True):
        for tag in tags:
            records.append(
                LabelRecord(
                    passage_id=pid,
                    kind=tag.kind,
                    value=tag.code,
                    origin="rule",
                    model_version=f"tagger-{TAGGER_FINGERPRINT}",
                    evidence=[[tag.start, tag.end, tag.text]],
                )
            )
    return records


def process_document(source: SourceFile, analysers: Analysers | None = None) -> ProcessedDocument:
    """Extract, cut, classify and tag one source. Never raises for a bad document:
    the reason is recorded on the result and the run goes on."""
    analysers = analysers or load_analysers()
    started = time.perf_counter()
    doc_id = document_id(source.uri)
    result = ProcessedDocument(
        source=source, document_id=doc_id, pipeline_version=analysers.pipeline_version
    )
    try:
        extraction = extract_file(
            source.path, kind=source.kind, content_type=source.http_content_type
        )
        passages = split_passages(extraction, doc_id)
        if not passages:
            raise ExtractionError("no body text: the document has no passages")
        result.title = extraction.title
        result.date = extraction.date
        result.n_pages = extraction.n_pages
        result.passages = passages
        result.labels = label_passages(
            [p.passage_id for p in passages], [p.text for p in passages], analysers
        )
    except ExtractionError as exc:
        result.status, result.error = "failed", exc.reason
        result.passages, result.labels = [], []
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
        result.status = "failed"
        result.error = f"unexpected error while processing: {type(exc).__name__}: {exc}"
        result.passages, result.labels = [], []
    result.seconds = time.perf_counter() - started
    return result


@dataclass
class RefreshPlan:
    """What a refresh has to do: sources to process, and what is already up to date."""

    sources: list[SourceFile]
    to_process: list[SourceFile]
    unchanged: list[SourceFile]
    scope: list[str]


def plan_refresh(
    paths: Iterable[str | Path], known: dict[str, tuple[str | None, str | None]],
    pipeline_version: str, *, force: bool = False,
) -> RefreshPlan:
    """Discover sources and skip those whose content and pipeline version are unchanged."""
    paths = [Path(p).expanduser().resolve() for p in paths]
    sources = discover(paths)
    to_process, unchanged = [], []
    for src in sources:
        if not force and known.get(src.uri) == (src.sha256, pipeline_version):
            unchanged.append(src)
        else:
            to_process.append(src)
    scope = [p.as_uri() + ("/" if p.is_dir() else "") for p in paths]
    return RefreshPlan(sources, to_process, unchanged, scope)


@dataclass
class RefreshSummary:
    """What a refresh did, for the terminal and the run record."""

    run_id: str
    db_url: str
    counts: dict[str, int] = field(default_factory=dict)
    label_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    seconds: float = 0.0


def tally(results: Iterable[WriteResult], n_unchanged: int, n_retired: int) -> dict[str, int]:
    counts = {"new": 0, "changed": 0, "unchanged": n_unchanged, "retired": n_retired,
              "failed": 0, "kept": 0, "passages_added": 0, "passages_retired": 0}
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
        counts["passages_added"] += r.passages_added
        counts["passages_retired"] += r.passages_retired
    counts["failed"] += counts.pop("kept")
    return counts


Reporter = Callable[[str, Any], None]


def execute_refresh(
    paths: Sequence[str | Path],
    db_url: str,
    *,
    process: Callable[[SourceFile], ProcessedDocument],
    write: Callable[[ProcessedDocument], WriteResult],
    force: bool = False,
    reporter: Reporter | None = None,
    flow_run_id: str | None = None,
) -> RefreshSummary:
    """Plan, process and write every changed source, retire vanished ones, record the run.

    ``process`` and ``write`` are the plain functions, or the Prefect tasks wrapping them.
    """
    from store.connect import connect
    from store.query import label_counts
    from store.runs import finish_run, start_run
    from store.write import known_hashes, retire_missing

    started = time.perf_counter()
    engine = connect(db_url)
    analysers = load_analysers()
    plan = plan_refresh(paths, known_hashes(engine), analysers.pipeline_version, force=force)
    run_id = start_run(
        engine,
        sources=plan.scope,
        flow_run_id=flow_run_id,
        model_version=analysers.model.version,
        pipeline_version=analysers.pipeline_version,
    )
    report = reporter or (lambda _event, _data: None)
    report("start", len(plan.to_process))
    results: list[WriteResult] = []
    failed: list[tuple[str, str]] = []
    for src in plan.to_process:
        doc = process(src)
        results.append(write(doc))
        if doc.status == "failed":
            failed.append((src.uri, doc.error or ""))
        report("document", doc)
    retired = retire_missing(engine, {s.uri for s in plan.sources}, plan.scope)
    summary = RefreshSummary(run_id=run_id, db_url=db_url, failed=failed)
    summary.counts = tally(results, len(plan.unchanged), len(retired))
    summary.label_counts = label_counts(engine)
    finish_run(engine, run_id, counts=summary.counts, label_counts=summary.label_counts)
    summary.seconds = time.perf_counter() - started
    return summary


def run_plain(
    paths: Sequence[str | Path],
    db_url: str,
    *,
    force: bool = False,
    reporter: Reporter | None = None,
) -> RefreshSummary:
    """The whole refresh without Prefect (same functions, same store)."""
    from store.connect import connect
    from store.write import write_document

    engine = connect(db_url)
    return execute_refresh(
        paths,
        db_url,
        process=process_document,
        write=lambda doc: write_document(engine, doc),
        force=force,
        reporter=reporter,
    )


def relabel_store(db_url: str, *, batch_size: int = 1000) -> int:
    """Re-classify and re-tag every live passage with the current model; no re-extraction.

    Returns the number of passages relabelled. Review decisions are untouched.
    """
    from store.connect import connect
    from store.query import iter_live_passages
    from store.write import replace_passage_labels

    engine = connect(db_url)
    analysers = load_analysers()
    n = 0
    for batch in iter_live_passages(engine, batch_size):
        ids = [pid for pid, _ in batch]
        records = label_passages(ids, [text for _, text in batch], analysers)
        replace_passage_labels(engine, ids, records)
        n += len(ids)
    return n

"""The refresh pipeline as plain functions: no Prefect here, so it is testable and benchable.

``flows/refresh.py`` wraps exactly these functions in tasks; ``run_plain`` runs them without
Prefect (the bench compares the two to measure Prefect's overhead).
"""

from __future__ import annotations

import contextlib
import heapq
import threading
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

# modules that decide *where* documents come from, not what is extracted from them
FINGERPRINT_IGNORES: dict[str, tuple[str, ...]] = {"corpus": ("sources.py", "fetch.py")}


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
        if path.name in FINGERPRINT_IGNORES.get(package, ()):
            continue
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


_ANALYSERS_LOCK = threading.Lock()


def load_analysers() -> Analysers:
    """The spaCy pipeline and the default theme model, loaded once per process (a caller
    that arrives while ``preload_analysers`` is loading waits for that load)."""
    global _ANALYSERS
    with _ANALYSERS_LOCK:
        if _ANALYSERS is None:
            from models.predict import load_model
            from nlp import load_nlp

            analysers = Analysers(nlp=load_nlp(), model=load_model())
            warm_up(analysers)
            _ANALYSERS = analysers
        return _ANALYSERS


WARM_UP_TEXTS = (
    "The Ministry of Education in Malta recognises stackable micro-credentials for nurses.",
    "Employers trust short courses when quality assurance is transparent.",
)


def warm_up(analysers: Analysers) -> None:
    """Label two sentences once, so the first real document does not pay for first calls
    (spaCy's and scikit-learn's lazy set-up: ~30 ms measured, a third of a one-document
    refresh)."""
    label_documents(
        [[(f"warm-up-{i}", t, "Malta") for i, t in enumerate(WARM_UP_TEXTS)]], analysers
    )


def preload_analysers() -> threading.Thread:
    """Load the analysers in the background (~5 s, mostly importing sklearn/skops and spaCy),
    e.g. while Prefect's ephemeral server starts in its own process. A failure here is left
    for the first real ``load_analysers`` call to raise."""

    def load() -> None:
        with contextlib.suppress(Exception):
            load_analysers()
            import store.query  # noqa: F401 - and the store's SQLAlchemy/Alembic imports
            import store.write  # noqa: F401

    thread = threading.Thread(target=load, name="credscope-preload", daemon=True)
    thread.start()
    return thread


def label_passages(
    passage_ids: Sequence[str],
    texts: Sequence[str],
    analysers: Analysers,
    tags: Sequence[Sequence[Any]] | None = None,
) -> list[LabelRecord]:
    """Theme scores (every theme, assigned when over threshold) and country/sector tags:
    ``tags`` when the caller tagged the passages in their document's context (see
    ``document_tags``), else each passage tagged on its own."""
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
    if tags is None:
        tags = tag_texts(list(texts), nlp=analysers.nlp)
    for pid, passage_tags in zip(passage_ids, tags, strict=True):
        for tag in passage_tags:
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


def document_tags(
    texts: Sequence[str], headings: Sequence[str | None], analysers: Analysers
) -> list[list[Any]]:
    """Country and sector tags of one document's passages (all of them, in reading order):
    a passage that says "the Ministry" or "the industry" gets what its section heading, or
    the document, names (``nlp.tag_document``)."""
    from nlp import tag_document

    return tag_document(list(texts), nlp=analysers.nlp, headings=list(headings))


def label_documents(
    docs: Sequence[Sequence[tuple[str, str, str | None]]], analysers: Analysers
) -> list[LabelRecord]:
    """Label whole documents given as (passage_id, text, heading) in reading order: themes in
    one batch, tags per document so each passage sees its context."""
    ids = [pid for doc in docs for pid, _, _ in doc]
    texts = [text for doc in docs for _, text, _ in doc]
    tags = [
        t
        for doc in docs
        for t in document_tags([x for _, x, _ in doc], [h for _, _, h in doc], analysers)
    ]
    return label_passages(ids, texts, analysers, tags=tags)


def current_pipeline_version() -> str:
    """The pipeline version a refresh would stamp now, without loading any model."""
    if _ANALYSERS is not None:
        return _ANALYSERS.pipeline_version
    from models.registry import default_version

    return f"x{EXTRACTION_FINGERPRINT}.t{TAGGER_FINGERPRINT}.m{default_version()}"


def extraction_part(pipeline_version: str | None) -> str:
    """``x<fingerprint>``: what decides the passages (the rest only decides their labels)."""
    return (pipeline_version or "").split(".", 1)[0]


def process_document(
    source: SourceFile,
    analysers: Analysers | None = None,
    reuse: dict[str, list[LabelRecord]] | None = None,
) -> ProcessedDocument:
    """Extract, cut, classify and tag one source. Never raises for a bad document:
    the reason is recorded on the result and the run goes on.

    ``reuse`` holds current labels of passages already in the store (by passage id): those
    passages are not classified again, only the new ones are.
    """
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
        reuse = reuse or {}
        fresh = [p for p in passages if p.passage_id not in reuse]
        kept = [r for p in passages if p.passage_id in reuse for r in reuse[p.passage_id]]
        if fresh:
            in_context = dict(
                zip(
                    (p.passage_id for p in passages),
                    document_tags(
                        [p.text for p in passages], [p.heading for p in passages], analysers
                    ),
                    strict=True,
                )
            )
            result.labels = kept + label_passages(
                [p.passage_id for p in fresh],
                [p.text for p in fresh],
                analysers,
                tags=[in_context[p.passage_id] for p in fresh],
            )
        else:
            result.labels = kept
    except ExtractionError as exc:
        result.status, result.error = "failed", exc.reason
        result.passages, result.labels = [], []
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
        result.status = "failed"
        result.error = f"unexpected error while processing: {type(exc).__name__}: {exc}"
        result.passages, result.labels = [], []
    result.seconds = time.perf_counter() - started
    return result


def reusable_labels(
    stored_version: str | None,
    labels_by_passage: dict[str, list[LabelRecord]],
    analysers: Analysers,
) -> dict[str, list[LabelRecord]]:
    """Labels of stored passages made by the current model and tagger (reused as they are)."""
    model_v, tagger_v = analysers.model.version, f"tagger-{TAGGER_FINGERPRINT}"
    if (stored_version or "").split(".")[1:2] != [f"t{TAGGER_FINGERPRINT}"]:
        return {}  # passages without tags may have had some under another tagger
    out = {}
    for pid, records in labels_by_passage.items():
        themes = [r for r in records if r.kind == "theme"]
        if themes and all(
            r.model_version == (model_v if r.kind == "theme" else tagger_v) for r in records
        ):
            out[pid] = records
    return out


# ----------------------------------------------------------------------------- planning


@dataclass
class Collected:
    """Sources found (on disk or fetched) and what could not be had, before planning."""

    sources: list[SourceFile] = field(default_factory=list)
    fetch_failed: list[tuple[SourceFile, str]] = field(default_factory=list)
    listed: set[str] = field(default_factory=set)  # every URI some source lists now
    scope: list[str] = field(default_factory=list)  # prefixes where unlisted -> retired
    source_errors: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)


def collect_paths(paths: Iterable[str | Path]) -> Collected:
    """Files and folders given on the command line."""
    resolved = [Path(p).expanduser().resolve() for p in paths]
    sources = discover(resolved)
    scope = [p.as_uri() + ("/" if p.is_dir() else "") for p in resolved]
    return Collected(sources=sources, listed={s.uri for s in sources}, scope=scope)


def collect_config(
    config: Any,
    *,
    list_source: Callable[[Any], Any],
    fetch_document: Callable[[str], SourceFile],
) -> Collected:
    """Every source of a ``corpus.sources.Config``: list it, fetch what it links to.

    A source that cannot be listed is reported and nothing under its scope is retired this
    run; a document that cannot be fetched is a failed document (its last good version stays).
    """
    from corpus.discover import SUFFIX_KIND
    from corpus.errors import FetchFailed

    out = Collected()
    blocked: list[str] = []
    for spec in config.sources:
        try:
            listing = list_source(spec)
        except (FetchFailed, FileNotFoundError, OSError) as exc:
            reason = getattr(exc, "reason", None) or str(exc)
            out.source_errors.append((spec.name, reason))
            if spec.url:
                from corpus.sources import origin

                blocked.append(origin(spec.url))
            continue
        out.scope += listing.scope
        for src in listing.files:
            if src.uri not in out.listed:
                out.listed.add(src.uri)
                out.sources.append(src)
        for url in listing.urls:
            if url in out.listed:
                continue
            out.listed.add(url)
            try:
                out.sources.append(fetch_document(url))
            except FetchFailed as exc:
                kind = SUFFIX_KIND.get(Path(url.split("?")[0]).suffix.lower(), "html")
                placeholder = SourceFile(path="", uri=url, kind=kind, sha256="", size=0)
                out.fetch_failed.append((placeholder, exc.reason))
    out.scope = [s for s in dict.fromkeys(out.scope) if not any(s.startswith(b) for b in blocked)]
    return out


@dataclass
class RefreshPlan:
    """What a refresh has to do: sources to process or re-label, and what is up to date."""

    sources: list[SourceFile]
    to_process: list[SourceFile]
    unchanged: list[SourceFile]
    scope: list[str]
    to_relabel: list[SourceFile] = field(default_factory=list)


def plan_sources(
    sources: Sequence[SourceFile],
    known: dict[str, tuple[str | None, str | None]],
    pipeline_version: str,
    *,
    scope: Sequence[str] = (),
    force: bool = False,
) -> RefreshPlan:
    """Unchanged content and version -> skipped; same content and extraction but another
    model or tagger -> re-labelled only; anything else -> processed."""
    to_process, unchanged, to_relabel = [], [], []
    for src in sources:
        attempt_hash, version = known.get(src.uri, (None, None))
        if force or attempt_hash != src.sha256:
            to_process.append(src)
        elif version == pipeline_version:
            unchanged.append(src)
        elif extraction_part(version) == extraction_part(pipeline_version):
            to_relabel.append(src)
        else:
            to_process.append(src)
    return RefreshPlan(list(sources), to_process, unchanged, list(scope), to_relabel)


def plan_refresh(
    paths: Iterable[str | Path],
    known: dict[str, tuple[str | None, str | None]],
    pipeline_version: str,
    *,
    force: bool = False,
) -> RefreshPlan:
    """Discover sources under ``paths`` and plan them (see ``plan_sources``)."""
    found = collect_paths(paths)
    return plan_sources(found.sources, known, pipeline_version, scope=found.scope, force=force)


# ----------------------------------------------------------------------------- work units


@dataclass(frozen=True)
class DocOutcome:
    """What happened to one document in a batch (small: this crosses process boundaries)."""

    source: SourceFile
    result: WriteResult
    status: str
    error: str | None = None
    seconds: float = 0.0


def process_batch(sources: Sequence[SourceFile], db_url: str) -> list[DocOutcome]:
    """Process and store each document, one transaction each; never raises for a document.

    The unit of work of a task: it runs in the flow's process or on a Dask/process worker,
    loads the analysers once per process and writes straight to the store.
    """
    from store.connect import connect
    from store.runs import machine_labels_of
    from store.write import write_document

    engine = connect(db_url)
    analysers = load_analysers()
    out: list[DocOutcome] = []
    for src in sources:
        stored_version, stored = machine_labels_of(engine, document_id(src.uri))
        doc = process_document(src, analysers, reusable_labels(stored_version, stored, analysers))
        out.append(DocOutcome(src, write_document(engine, doc), doc.status, doc.error, doc.seconds))
    return out


def relabel_batch(sources: Sequence[SourceFile], db_url: str) -> int:
    """Re-classify and re-tag the live passages of these documents (no re-extraction)."""
    from store.connect import connect
    from store.runs import live_documents, set_pipeline_version
    from store.write import replace_passage_labels

    engine = connect(db_url)
    analysers = load_analysers()
    n = 0
    for docs in live_documents(engine, [document_id(s.uri) for s in sources]):
        ids = [pid for doc in docs for pid, _, _ in doc]
        replace_passage_labels(engine, ids, label_documents(docs, analysers))
        n += len(ids)
    set_pipeline_version(engine, [s.uri for s in sources], analysers.pipeline_version)
    return n


def write_fetch_failure(source: SourceFile, reason: str, db_url: str) -> DocOutcome:
    """A document that could not be fetched: recorded as failed, last good version kept."""
    from store.connect import connect
    from store.write import write_document

    doc = ProcessedDocument(
        source=source,
        document_id=document_id(source.uri),
        pipeline_version=current_pipeline_version(),
        status="failed",
        error=reason,
    )
    return DocOutcome(source, write_document(connect(db_url), doc), "failed", reason)


def batch_size_for(
    n: int, *, runner: str = "thread", workers: int = 1, requested: int | None = None
) -> int:
    """Documents per task: one each for a small corpus in the flow's process (5-9 ms a task);
    for other processes (115-190 ms a task) about four batches per worker, so that workers
    finish together, of 20-500 documents (seconds of work each, which the overhead can't eat).
    """
    if requested:
        return max(1, requested)
    if runner == "thread" and n <= 500:
        return 1
    return max(20, min(500, -(-n // (4 * max(1, workers)))))


def batches(items: Sequence[SourceFile], size: int) -> list[list[SourceFile]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


# seconds of work per byte by kind, and per document (tagging, classifying, writing);
# measured on the demo corpus: PDF 15 us/byte, HTML 0.8, text 0.1, about 30 ms a document
SECONDS_PER_BYTE = {"pdf": 15e-6, "html": 0.8e-6, "txt": 0.1e-6}
SECONDS_PER_DOCUMENT = 0.03


def estimated_seconds(src: SourceFile) -> float:
    """A rough cost of processing a document, from its kind and size: enough to balance
    batches (a 50 KB PDF costs a hundred times a 5 KB web page)."""
    return SECONDS_PER_DOCUMENT + src.size * SECONDS_PER_BYTE.get(src.kind, 1e-6)


def balanced_batches(items: Sequence[SourceFile], size: int) -> list[list[SourceFile]]:
    """As many batches as ``batches`` makes, filled longest-processing-time first so their
    estimated costs are even, most expensive first: a pool of workers then finishes with
    its cheapest work and its workers end together instead of one waiting on the other."""
    if not items:
        return []
    n = -(-len(items) // max(1, size))
    loads: list[tuple[float, int]] = [(0.0, i) for i in range(n)]
    filled: list[list[SourceFile]] = [[] for _ in range(n)]
    for src in sorted(items, key=estimated_seconds, reverse=True):
        load, i = heapq.heappop(loads)
        filled[i].append(src)
        heapq.heappush(loads, (load + estimated_seconds(src), i))
    cost = {i: load for load, i in loads}
    return [filled[i] for i in sorted(range(n), key=lambda i: -cost[i])]


# ----------------------------------------------------------------------------- the refresh


@dataclass
class RefreshSummary:
    """What a refresh did, for the terminal and the run record."""

    run_id: str
    db_url: str
    counts: dict[str, int] = field(default_factory=dict)
    label_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    label_changes: dict[str, dict[str, int]] = field(default_factory=dict)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    source_errors: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    seconds: float = 0.0


def tally(
    results: Iterable[WriteResult], n_unchanged: int, n_retired: int, n_relabelled: int = 0
) -> dict[str, int]:
    counts = {
        "new": 0,
        "changed": 0,
        "unchanged": n_unchanged,
        "retired": n_retired,
        "failed": 0,
        "kept": 0,
        "relabelled": n_relabelled,
        "passages_added": 0,
        "passages_retired": 0,
    }
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
        counts["passages_added"] += r.passages_added
        counts["passages_retired"] += r.passages_retired
    counts["failed"] += counts.pop("kept")
    return counts


Reporter = Callable[[str, Any], None]
# given the documents to process, yields the outcomes of each batch as it completes
BatchRunner = Callable[[list[SourceFile]], Iterable[list[DocOutcome]]]


def run_batches_here(db_url: str, batch_size: int = 1) -> BatchRunner:
    """Batches one after the other in this process (no Prefect)."""
    return lambda docs: (process_batch(batch, db_url) for batch in batches(docs, batch_size))


def execute_refresh(
    paths: Sequence[str | Path] | None,
    db_url: str,
    *,
    config: Any = None,
    run_batches: BatchRunner | None = None,
    relabel: Callable[[list[SourceFile]], int] | None = None,
    list_source: Callable[[Any], Any] | None = None,
    fetch_document: Callable[[str], SourceFile] | None = None,
    force: bool = False,
    reporter: Reporter | None = None,
    flow_run_id: str | None = None,
    lease_ttl_seconds: float = 600,
) -> RefreshSummary:
    """Take the refresh lease, collect sources, plan, process and write what changed,
    re-label what only needs new labels, retire what vanished, record the run.

    ``paths`` (files/folders) or ``config`` (a ``corpus.sources.Config``) say what to refresh.
    The callables are the plain functions, or Prefect tasks wrapping them. Raises
    ``store.lease.LeaseHeld`` when another refresh holds the store.
    """
    from store.connect import connect
    from store.query import label_counts
    from store.runs import finish_run, previous_label_counts, start_run
    from store.write import known_hashes, retire_missing

    started = time.perf_counter()
    engine = connect(db_url)
    with LeaseKeeper(engine, "refresh", lease_ttl_seconds) as keeper:
        if config is not None:
            fetcher = None
            if list_source is None or fetch_document is None:
                from corpus.fetch import Fetcher
                from corpus.sources import list_source as plain_list

                fetcher = Fetcher(config.fetch)
                list_source = list_source or (lambda spec: plain_list(spec, fetcher))
                fetch_document = fetch_document or fetcher.fetch_document
            try:
                found = collect_config(
                    config, list_source=list_source, fetch_document=fetch_document
                )
            finally:
                if fetcher is not None:
                    fetcher.close()
        else:
            found = collect_paths(paths or [])
        version = current_pipeline_version()
        plan = plan_sources(
            found.sources, known_hashes(engine), version, scope=found.scope, force=force
        )
        run_id = start_run(
            engine,
            sources=plan.scope,
            flow_run_id=flow_run_id,
            model_version=version.rsplit(".m", 1)[-1],
            pipeline_version=version,
        )
        report = reporter or (lambda _event, _data: None)
        report("start", len(plan.to_process) + len(found.fetch_failed))
        outcomes: list[DocOutcome] = []
        for src, reason in found.fetch_failed:
            outcomes.append(write_fetch_failure(src, reason, db_url))
            report("document", outcomes[-1])
        runner = run_batches or run_batches_here(db_url)
        for done in runner(plan.to_process):
            keeper.check()
            for outcome in done:
                outcomes.append(outcome)
                report("document", outcome)
        relabel = relabel or (lambda srcs: relabel_batch(srcs, db_url))
        for batch in batches(plan.to_relabel, 200):
            keeper.check()
            relabel(batch)
        retired = retire_missing(engine, found.listed, plan.scope)
        summary = RefreshSummary(
            run_id=run_id,
            db_url=db_url,
            source_errors=found.source_errors,
            failed=[(o.source.uri, o.error or "") for o in outcomes if o.status == "failed"],
        )
        summary.counts = tally(
            [o.result for o in outcomes],
            len(plan.unchanged) + len(plan.to_relabel),
            len(retired),
            len(plan.to_relabel),
        )
        before = previous_label_counts(engine, run_id)
        summary.label_counts = label_counts(engine)
        summary.label_changes = _changes(summary.label_counts, before)
        keeper.check()
        finish_run(engine, run_id, counts=summary.counts, label_counts=summary.label_counts)
    summary.seconds = time.perf_counter() - started
    return summary


def _changes(now_counts: dict, before: dict | None) -> dict[str, dict[str, int]]:
    from store.runs import label_changes

    return label_changes(now_counts, before)


class LeaseKeeper:
    """Holds the store's refresh lease for a ``with`` block, renewing it from a thread."""

    def __init__(self, engine: Any, name: str, ttl_seconds: float) -> None:
        self.engine, self.name = engine, name
        self.ttl_seconds = ttl_seconds
        self.lost: Exception | None = None

    def __enter__(self) -> LeaseKeeper:
        import threading
        from datetime import timedelta

        from store.lease import acquire

        self._ttl = timedelta(seconds=self.ttl_seconds)
        self.lease = acquire(self.engine, self.name, ttl=self._ttl)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name="lease-renewal", daemon=True)
        self._thread.start()
        return self

    def _renew(self) -> None:
        from store.lease import renew

        while not self._stop.wait(self.ttl_seconds / 3):
            try:
                self.lease = renew(self.engine, self.lease, self._ttl)
            except Exception as exc:  # noqa: BLE001 - reported by check() in the main thread
                self.lost = exc
                return

    def check(self) -> None:
        """Stop the refresh when the lease was lost (another refresh may be writing)."""
        if self.lost is not None:
            raise RuntimeError(f"refresh stopped: {self.lost}")

    def __exit__(self, *_exc: object) -> None:
        from store.lease import release

        self._stop.set()
        self._thread.join(timeout=5)
        release(self.engine, self.lease)


def run_plain(
    paths: Sequence[str | Path] | None,
    db_url: str,
    *,
    config: Any = None,
    force: bool = False,
    reporter: Reporter | None = None,
) -> RefreshSummary:
    """The whole refresh without Prefect (same functions, same store)."""
    return execute_refresh(paths, db_url, config=config, force=force, reporter=reporter)


def relabel_store(db_url: str, *, batch_size: int = 1000) -> int:
    """Re-classify and re-tag every live passage with the current model; no re-extraction.

    Returns the number of passages relabelled. Review decisions are untouched.
    """
    from store.connect import connect
    from store.runs import live_documents
    from store.write import replace_passage_labels

    engine = connect(db_url)
    analysers = load_analysers()
    n = 0
    for docs in live_documents(engine, batch_documents=max(1, batch_size // 20)):
        ids = [pid for doc in docs for pid, _, _ in doc]
        replace_passage_labels(engine, ids, label_documents(docs, analysers))
        n += len(ids)
    return n

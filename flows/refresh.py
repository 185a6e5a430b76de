"""``refresh_corpus``: discover, extract, cut, classify, tag and store a corpus.

Tasks are per document (process, then write); change detection happens before any task is
created, in the store, so an unchanged document costs no task at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from prefect import flow, task
from prefect.runtime import flow_run

from corpus.types import SourceFile
from flows import pipeline
from flows.pipeline import RefreshSummary, Reporter
from store.types import ProcessedDocument, WriteResult

_reporter: Reporter | None = None


@task(name="process_document")
def process_document(source: SourceFile) -> ProcessedDocument:
    return pipeline.process_document(source)


@task(name="write_document")
def write_document(db_url: str, doc: ProcessedDocument) -> WriteResult:
    from store.connect import connect
    from store.write import write_document as write

    return write(connect(db_url), doc)


@flow(name="refresh_corpus")
def refresh_corpus(paths: list[str], db_url: str, force: bool = False) -> RefreshSummary:
    """Bring the store in line with the documents under ``paths``."""
    return pipeline.execute_refresh(
        paths,
        db_url,
        process=process_document,
        write=lambda doc: write_document(db_url, doc),
        force=force,
        reporter=_reporter,
        flow_run_id=str(flow_run.get_id() or "") or None,
    )


def run_refresh(
    paths: Sequence[str], db_url: str, *, force: bool = False, reporter: Reporter | None = None
) -> RefreshSummary:
    """Run the flow (Prefect's ephemeral mode unless ``PREFECT_API_URL`` is set).

    The reporter (a progress bar) is process-local state, not a flow parameter, so that the
    flow's parameters stay plain values that Prefect can show and a deployment can set.
    """
    global _reporter
    _reporter = reporter
    try:
        return refresh_corpus([str(p) for p in paths], db_url, force)
    finally:
        _reporter = None

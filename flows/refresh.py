"""``refresh_corpus``: collect sources (folders, URLs, listing pages, feeds), then extract,
cut, classify, tag and store what changed.

Change detection happens in the store before any task is created, so an unchanged document
costs no task at all. Tasks are per batch of documents (one document per task for a small
corpus in the flow's own process); network tasks alone have retries with back-off.
The task runner is a plain parameter (``thread``, ``process`` or ``dask``), entered inside the
flow, so a deployment run by ``credscope schedule`` can choose it too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Any

from prefect import flow, task
from prefect.futures import as_completed
from prefect.runtime import flow_run
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff

from corpus.errors import FetchFailed
from corpus.fetch import Fetcher, FetchSettings, TransientFetchFailed
from corpus.sources import Listing, SourceSpec, load_config
from corpus.sources import list_source as list_source_plain
from corpus.types import SourceFile
from flows import pipeline, reporting
from flows.pipeline import DocOutcome, RefreshSummary, Reporter

TASK_RUNNERS = ("thread", "process", "dask")
_fetchers: dict[FetchSettings, Fetcher] = {}


def _fetcher(settings: FetchSettings) -> Fetcher:
    """One fetcher per settings in this process, so per-host delays hold across tasks."""
    if settings not in _fetchers:
        _fetchers[settings] = Fetcher(settings)
    return _fetchers[settings]


def _transient(_task: Any, _run: Any, state: Any) -> bool:
    """Retry only what a retry may cure (time-outs, connection errors, 429, 5xx)."""
    try:
        state.result()
    except TransientFetchFailed:
        return True
    except Exception:  # noqa: BLE001 - any other failure is final
        return False
    return False


NETWORK_RETRIES: dict[str, Any] = {
    "retries": 3,
    "retry_delay_seconds": exponential_backoff(backoff_factor=2),
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": _transient,
}


@task(name="list_source", **NETWORK_RETRIES)
def list_source(spec: SourceSpec, settings: FetchSettings) -> Listing:
    return list_source_plain(spec, _fetcher(settings))


@task(name="fetch_document", **NETWORK_RETRIES)
def fetch_document(url: str, settings: FetchSettings) -> SourceFile:
    return _fetcher(settings).fetch_document(url)


@task(name="process_batch")
def process_batch(sources: list[SourceFile], db_url: str) -> list[DocOutcome]:
    return pipeline.process_batch(sources, db_url)


@task(name="relabel_batch")
def relabel_batch(sources: list[SourceFile], db_url: str) -> int:
    return pipeline.relabel_batch(sources, db_url)


def local_cluster_kwargs(workers: int) -> dict[str, Any]:
    """A LocalCluster of single-threaded worker processes (extraction holds the GIL) that
    load the analysers as they start (``flows.dask_preload``)."""
    return {
        "n_workers": workers,
        "threads_per_worker": 1,
        "processes": True,
        "dashboard_address": None,
        "preload": ["flows.dask_preload"],
    }


_early_cluster: list[Future[Any]] = []  # a LocalCluster being started by run_refresh


def make_task_runner(kind: str, *, workers: int = 2, dask_address: str | None = None) -> Any:
    """A Prefect task runner: threads (the default), a process pool, or Dask (the scheduler at
    ``dask_address``, the LocalCluster ``run_refresh`` started early in this process, or a
    new LocalCluster of ``workers`` processes)."""
    if kind == "thread":
        return ThreadPoolTaskRunner(max_workers=1)
    if kind == "process":
        return ProcessPoolTaskRunner(max_workers=workers)
    if kind == "dask":
        from prefect_dask import DaskTaskRunner

        if dask_address:
            return DaskTaskRunner(address=dask_address)
        if _early_cluster:
            return DaskTaskRunner(cluster=_early_cluster[0].result())
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs=local_cluster_kwargs(workers),
        )
    raise ValueError(f"task runner must be one of {', '.join(TASK_RUNNERS)}, not {kind!r}")


@contextmanager
def _cluster_started_early(kind: str, workers: int, dask_address: str | None) -> Iterator[None]:
    """For ``dask`` without a scheduler: start the LocalCluster (its workers then load the
    analysers) in a thread now, so that it starts while Prefect's server does, not after.

    Process-local state like the reporter, not a flow parameter: a cluster object is no
    value a deployment could set. Closed when the run ends, like the one a flow starts.
    """
    if kind != "dask" or dask_address:
        yield
        return
    from distributed import LocalCluster

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="credscope-cluster")
    future = pool.submit(LocalCluster, **local_cluster_kwargs(workers))
    pool.shutdown(wait=False)
    _early_cluster.append(future)
    try:
        yield
    finally:
        _early_cluster.clear()
        with contextlib.suppress(Exception):
            future.result().close()


@contextmanager
def _batch_runner(
    kind: str, db_url: str, workers: int, dask_address: str | None, batch_size: int | None
) -> Iterator[pipeline.BatchRunner]:
    """Run batches in the flow's process (thread) or submit them to a pool/cluster; the
    batch size is chosen once the number of documents to process is known."""

    def split(docs: list[SourceFile]) -> list[list[SourceFile]]:
        size = pipeline.batch_size_for(
            len(docs), runner=kind, workers=workers, requested=batch_size
        )
        return pipeline.balanced_batches(docs, size)

    if kind == "thread":
        yield lambda docs: (process_batch(batch, db_url) for batch in split(docs))
        return
    with ExitStack() as stack:
        started: list[Any] = []  # the pool or cluster, started only when there is work

        def run(docs: list[SourceFile]) -> Iterable[list[DocOutcome]]:
            work = split(docs)
            if not work:
                return
            if not started:
                runner = make_task_runner(kind, workers=workers, dask_address=dask_address)
                started.append(stack.enter_context(runner))
            futures = {
                started[0].submit(process_batch, {"sources": batch, "db_url": db_url}): batch
                for batch in work
            }
            for future in as_completed(list(futures)):
                try:
                    yield future.result()
                except Exception as exc:  # noqa: BLE001 - a lost worker fails its batch only
                    yield [_lost(src, exc) for src in futures[future]]

        yield run


def _lost(source: SourceFile, exc: Exception) -> DocOutcome:
    from store.types import WriteResult

    reason = f"batch failed on a worker: {type(exc).__name__}: {exc}"
    return DocOutcome(source, WriteResult("", "failed"), "failed", reason)


@flow(name="refresh_corpus")
def refresh_corpus(
    paths: list[str] | None = None,
    db_url: str = "sqlite:///credscope.db",
    force: bool = False,
    config: str | None = None,
    task_runner: str = "thread",
    batch_size: int | None = None,
    workers: int = 2,
    dask_address: str | None = None,
) -> RefreshSummary:
    """Bring the store in line with the documents under ``paths`` or the sources of ``config``
    (a ``credscope.toml``)."""
    cfg = load_config(config) if config else None
    settings = cfg.fetch if cfg else None

    def fetch_one(url: str) -> SourceFile:
        try:
            return fetch_document(url, settings)
        except FetchFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - Prefect may wrap the final failure
            raise FetchFailed(f"{url}: {exc}") from exc

    with _batch_runner(task_runner, db_url, workers, dask_address, batch_size) as run_batches:
        return pipeline.execute_refresh(
            paths,
            db_url,
            config=cfg,
            run_batches=run_batches,
            relabel=lambda srcs: relabel_batch(srcs, db_url),
            list_source=(lambda spec: list_source(spec, settings)) if cfg else None,
            fetch_document=fetch_one if cfg else None,
            force=force,
            reporter=reporting.current_reporter(),
            flow_run_id=str(flow_run.get_id() or "") or None,
        )


def run_refresh(
    paths: Sequence[str] | None,
    db_url: str,
    *,
    force: bool = False,
    reporter: Reporter | None = None,
    config: str | None = None,
    task_runner: str = "thread",
    batch_size: int | None = None,
    workers: int = 2,
    dask_address: str | None = None,
) -> RefreshSummary:
    """Run the flow (Prefect's ephemeral mode unless ``PREFECT_API_URL`` is set).

    The reporter (a progress bar) is process-local state, not a flow parameter, so that the
    flow's parameters stay plain values that Prefect can show and a deployment can set.
    """
    reporting.set_reporter(reporter)
    if task_runner == "thread":  # workers of other runners load their own
        pipeline.preload_analysers()  # overlaps the ephemeral server's start-up
    try:
        with _cluster_started_early(task_runner, workers, dask_address):
            return refresh_corpus(
                [str(p) for p in paths] if paths else None,
                db_url,
                force,
                config,
                task_runner,
                batch_size,
                workers,
                dask_address,
            )
    finally:
        reporting.set_reporter(None)

"""Batch sizes: per document in-process for small corpora, balanced batches for workers."""

from flows.pipeline import batch_size_for


def test_small_corpus_in_process_runs_one_document_per_task() -> None:
    assert batch_size_for(229, runner="thread") == 1


def test_large_corpus_in_process_is_batched() -> None:
    assert 50 <= batch_size_for(5000, runner="thread") <= 500


def test_workers_get_about_four_batches_each() -> None:
    size = batch_size_for(210, runner="dask", workers=2)
    n_batches = -(-210 // size)
    assert size >= 20 and 6 <= n_batches <= 10


def test_requested_size_wins() -> None:
    assert batch_size_for(1000, runner="dask", workers=2, requested=7) == 7

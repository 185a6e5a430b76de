"""Batch sizes: per document in-process for small corpora, balanced batches for workers."""

from corpus.types import SourceFile
from flows.pipeline import balanced_batches, batch_size_for, batches, estimated_seconds


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


def _src(name: str, kind: str, size: int) -> SourceFile:
    return SourceFile(path=f"/x/{name}", uri=f"file:///x/{name}", kind=kind, sha256=name, size=size)


def test_balanced_batches_even_out_estimated_cost_and_put_the_heaviest_first() -> None:
    # a corpus in folder order: the big PDFs all together, as a copy of a dossier would be
    docs = [_src(f"p{i}.pdf", "pdf", 48_000) for i in range(10)]
    docs += [_src(f"h{i}.html", "html", 5_000) for i in range(60)]
    docs += [_src(f"s{i}.pdf", "pdf", 3_000) for i in range(30)]
    size = batch_size_for(len(docs), runner="dask", workers=2)

    plain, balanced = batches(docs, size), balanced_batches(docs, size)

    assert len(balanced) == len(plain)
    assert sorted(s.uri for b in balanced for s in b) == sorted(s.uri for s in docs)
    costs = [sum(estimated_seconds(s) for s in b) for b in balanced]
    heaviest_doc = max(estimated_seconds(s) for s in docs)
    assert max(costs) - min(costs) <= heaviest_doc  # the longest-processing-time bound
    assert costs == sorted(costs, reverse=True)
    plain_costs = [sum(estimated_seconds(s) for s in b) for b in plain]
    assert max(plain_costs) - min(plain_costs) > 3 * (max(costs) - min(costs))


def test_a_pdf_costs_more_than_a_web_page_of_the_same_size() -> None:
    assert estimated_seconds(_src("a.pdf", "pdf", 20_000)) > 5 * estimated_seconds(
        _src("a.html", "html", 20_000)
    )


def test_balanced_batches_of_nothing() -> None:
    assert balanced_batches([], 10) == []

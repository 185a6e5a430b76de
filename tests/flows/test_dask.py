"""Scale-out: the flow on a 2-worker Dask LocalCluster writing to PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import small_corpus, snapshot

pytestmark = [pytest.mark.slow, pytest.mark.pg]


def test_dask_refresh_on_postgresql(prefect_server, pg_url: str, tmp_path: Path) -> None:  # noqa: ANN001
    from flows.pipeline import run_plain
    from flows.refresh import run_refresh

    corpus = small_corpus(tmp_path / "corpus", n_txt=8, n_html=8, n_pdf=2)
    events: list[str] = []
    summary = run_refresh(
        [str(corpus)],
        pg_url,
        task_runner="dask",
        batch_size=4,
        reporter=lambda e, _d: events.append(e),
    )
    assert summary.counts["new"] + summary.counts["failed"] == 18
    assert events.count("document") == 18
    again = run_refresh([str(corpus)], pg_url, task_runner="dask")
    assert again.counts["unchanged"] == 18

    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    run_plain([corpus], reference)
    assert snapshot(pg_url) == snapshot(reference)

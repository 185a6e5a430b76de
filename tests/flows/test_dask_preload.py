"""Dask workers started with ``flows.dask_preload`` load the analysers before any task."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_local_cluster_workers_load_the_analysers_as_they_start() -> None:
    """The worker preload: analysers are loaded without any task having asked for them."""
    import time

    from distributed import Client, LocalCluster

    from flows.refresh import local_cluster_kwargs

    def loaded() -> bool:
        from flows import pipeline

        return pipeline._ANALYSERS is not None

    with LocalCluster(**local_cluster_kwargs(1)) as cluster, Client(cluster) as client:
        client.wait_for_workers(1)
        deadline = time.monotonic() + 120
        while not all(client.run(loaded).values()):
            assert time.monotonic() < deadline, "workers never loaded the analysers"
            time.sleep(0.5)
